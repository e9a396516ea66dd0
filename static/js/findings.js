// The store manager's findings (GET /api/findings/mine: the standard, the fix, when it is due,
// what happened so far), kept in IndexedDB meta `findings` with whose list it is, so the list
// and every finding's page show offline too. Fetched again on start, on sign-in, when the
// phone comes online, on "sync now" and after an answer is confirmed.

import * as db from "./db.js";
import { emit, on } from "./events.js";
import * as session from "./session.js";
import { getJSON } from "./sync.js";

export async function refresh() {
  const who = await session.state();
  if (!who.signedIn || who.user.role !== "store") return false;
  const list = await getJSON("/api/findings/mine");
  if (!Array.isArray(list)) return false;
  await db.setMeta("findings", { user_id: who.user.id, fetched_at: new Date().toISOString(), findings: list });
  emit("findings-updated");
  emit("server-reached");
  return true;
}

// `user`'s findings as last fetched: {fetchedAt, findings}.
export async function list(user) {
  const kept = await db.getMeta("findings");
  if (!kept || !user || kept.user_id !== user.id) return { fetchedAt: null, findings: [] };
  return { fetchedAt: kept.fetched_at, findings: kept.findings };
}

export async function get(user, id) {
  return (await list(user)).findings.find((finding) => finding.id === id) || null;
}

export function start() {
  on("answer-confirmed", () => refresh());
  on("session-changed", () => refresh());
  on("sync-requested", () => refresh());
  addEventListener("online", () => refresh());
  return refresh();
}

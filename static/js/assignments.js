// The inspector's assignments (GET /api/assignments/mine: site, checklist, window, the items to
// re-check there), kept in IndexedDB meta `assignments` with whose list it is, so home lists them
// offline too. Fetched again on start, on sign-in, when the phone comes online, on "sync now" and
// after a visit is confirmed (the server then counts the assignment it fulfils as done).

import * as db from "./db.js";
import { emit, on } from "./events.js";
import * as session from "./session.js";
import { getJSON } from "./sync.js";

export async function refresh() {
  const who = await session.state();
  if (!who.signedIn) return false;
  const list = await getJSON("/api/assignments/mine");
  if (!Array.isArray(list)) return false;
  await db.setMeta("assignments", { user_id: who.user.id, assignments: list });
  emit("assignments-updated");
  return true;
}

// `user`'s open assignments as last fetched, the earliest window first.
export async function list(user) {
  const kept = await db.getMeta("assignments");
  return kept && user && kept.user_id === user.id ? kept.assignments : [];
}

export function start() {
  on("visit-confirmed", () => refresh());
  on("session-changed", () => refresh());
  on("sync-requested", () => refresh());
  addEventListener("online", () => refresh());
  return refresh();
}

// What reviewers made of the inspector's sent visits. The list from GET /api/visits/mine is
// kept in IndexedDB meta `mine` with whose list it is, so it shows offline too; it is fetched
// again on start, on sign-in, when the phone comes online, on "sync now" and after a visit is
// confirmed. A
// returned visit can be corrected: its body comes back from the server as a draft.

import * as db from "./db.js";
import { emit, on } from "./events.js";
import * as catalog from "./catalog.js";
import * as session from "./session.js";
import * as sync from "./sync.js";
import * as visits from "./visits.js";

export const STATES = ["submitted", "returned", "released", "rejected"];

export async function refresh() {
  const who = await session.state();
  if (!who.signedIn) return false;
  const outcome = await sync.mine();
  if (outcome.kind !== "ok" || !Array.isArray(outcome.body)) return false;
  await db.setMeta("mine", { user_id: who.user.id, fetched_at: Date.now(), visits: outcome.body });
  emit("review-updated");
  return true;
}

// The server's list for `user` as last fetched: {fetchedAt, visits}.
export async function list(user) {
  const mine = await db.getMeta("mine");
  if (!mine || !user || mine.user_id !== user.id) return { fetchedAt: 0, visits: [] };
  return { fetchedAt: mine.fetched_at, visits: mine.visits };
}

// A visit's review state: the server's word, unless the phone has sent it since it last asked.
export function stateOf(entry, local) {
  const sentSince = local?.status === "sent" && Date.parse(local.sent_at) > (entry?.fetchedAt ?? 0);
  if (entry?.state && !sentSince) return entry.state;
  return local?.state || "submitted";
}

// The sent visits to show, the latest visit first: the server's list and what this phone sent that the
// list does not hold yet. Visits being corrected (a draft again) are left out.
export async function sent(user) {
  const [{ fetchedAt, visits: server }, local] = await Promise.all([list(user), visits.mine(user)]);
  const byUuid = new Map(local.map((visit) => [visit.uuid, visit]));
  const rows = server.map((entry) => {
    const mine = byUuid.get(entry.uuid);
    byUuid.delete(entry.uuid);
    if (mine && mine.status !== "sent") return null;
    return { ...entry, local: mine || null, state: stateOf({ ...entry, fetchedAt }, mine), at: mine?.sent_at || entry.received_at };
  });
  for (const visit of byUuid.values()) {
    if (visit.status !== "sent") continue;
    rows.push({ uuid: visit.uuid, site_id: visit.site_id, checklist_id: visit.checklist_id, started_at: visit.started_at,
      comments: [], local: visit, state: stateOf(null, visit), at: visit.sent_at });
  }
  // newest visit first, as the server lists them
  const order = (row) => Date.parse(row.started_at || row.at || 0) || 0;
  return rows.filter(Boolean).sort((a, b) => order(b) - order(a));
}

export async function find(user, uuid) {
  return (await sent(user)).find((row) => row.uuid === uuid) || null;
}

// Turns a returned visit back into a draft under its uuid. Resolves {kind: "ok", visit} or why not:
// an outcome of GET /api/visits/{uuid}, "not-returned", or "no-checklist" (its version is not here).
export async function correct(user, uuid) {
  const local = await visits.load(uuid);
  if (local && local.status !== "sent") return { kind: "ok", visit: local };
  const outcome = await sync.visit(uuid);
  if (outcome.kind !== "ok") return outcome;
  const sentVisit = outcome.body;
  if (sentVisit.state !== "returned") {
    await refresh();
    return { kind: "not-returned" };
  }
  const checklist = await catalog.checklist(sentVisit.body.checklist_hash);
  if (!checklist) return { kind: "no-checklist" };
  const site = (await catalog.sites()).find((candidate) => candidate.id === sentVisit.body.site_id);
  return { kind: "ok", visit: await visits.restore(sentVisit, { checklist, site, inspectorId: user.id }) };
}

export function start() {
  on("visit-confirmed", () => refresh());
  on("session-changed", () => refresh());
  on("sync-requested", () => refresh());
  addEventListener("online", () => refresh());
  return refresh();
}

// The outbox: submitted visits wait here until the server has confirmed the visit and every
// one of its photos. It retries with exponential backoff (capped at 5 minutes) on network
// errors and 5xx, and at once on page load, on `online`, when the app becomes visible, and
// on submit. Nothing queued ever expires; a 409 or 422 parks the visit and shows the problem.

import * as db from "./db.js";
import { emit, on } from "./events.js";
import { isoLocal } from "./clock.js";
import * as sync from "./sync.js";
import * as visits from "./visits.js";

const FIRST_DELAY = 2000;
const MAX_DELAY = 5 * 60 * 1000;

function backoff(attempts) {
  const delay = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** attempts);
  return delay * (0.8 + Math.random() * 0.4);
}

async function serverReached() {
  await db.setMeta("last_sync", isoLocal());
  emit("outbox-changed");
}

async function later(visit, outcome) {
  visit.attempts = (visit.attempts || 0) + 1;
  visit.next_attempt_at = Date.now() + backoff(visit.attempts - 1);
  visit.last_error = outcome.status ? `HTTP ${outcome.status}` : String(outcome.error || "offline");
  await db.put("visits", visit);
}

async function park(visit, outcome, photo) {
  visit.status = outcome.kind;
  visit.problem = { status: outcome.status, photo: photo ? photo.uuid : null, ...(outcome.body || {}) };
  await db.put("visits", visit);
  emit("visit-saved", visit);
}

async function confirmed(visit, photos) {
  visit.status = "sent";
  visit.sent_at = isoLocal();
  visit.problem = null;
  await db.write(["visits", "photos"], (tx) => {
    for (const photo of photos) tx.objectStore("photos").delete(photo.uuid);
    tx.objectStore("visits").put(visit);
  });
  await serverReached();
}

async function send(visit) {
  const row = await db.get("checklists", visit.checklist_hash);
  const photos = await visits.photosOf(visit.uuid);
  const outcome = await sync.putVisit(visit.uuid, visits.payload(row.checklist, visit, photos));
  if (outcome.kind === "retry" || outcome.kind === "missing") return later(visit, outcome);
  if (outcome.kind !== "ok") return park(visit, outcome);
  const missing = new Set(outcome.body.photos_missing || []);
  for (const photo of photos.filter((p) => missing.has(p.uuid))) {
    const sent = await sync.putPhoto(visit.uuid, photo);
    if (sent.kind === "retry" || sent.kind === "missing") return later(visit, sent);
    if (sent.kind !== "ok") return park(visit, sent, photo);
    photo.sent_at = isoLocal();
    await db.put("photos", photo);
    emit("outbox-changed");
  }
  return confirmed(visit, photos);
}

// The queue's state, for the status bar.
export async function status() {
  const all = await visits.list();
  const waiting = all.filter((visit) => visit.status === "outbox");
  const photoLists = await Promise.all(waiting.map((visit) => visits.photosOf(visit.uuid)));
  return {
    visits: waiting.length,
    photos: photoLists.flat().filter((photo) => !photo.sent_at).length,
    problems: all.filter((visit) => visit.status === "conflict" || visit.status === "invalid").length,
    lastSync: await db.getMeta("last_sync"),
  };
}

export function start() {
  let running = null;
  let again = false;
  let timer = null;

  async function pass(force) {
    const due = (await visits.list()).filter((v) => v.status === "outbox" && (force || (v.next_attempt_at || 0) <= Date.now()));
    for (const visit of due) {
      // one visit's unexpected failure must not hold up the others: it is retried like a network error
      await send(visit).catch((error) => later(visit, { status: 0, error }));
    }
    const waiting = (await visits.list()).filter((v) => v.status === "outbox");
    clearTimeout(timer);
    if (waiting.length) {
      const next = Math.min(...waiting.map((v) => v.next_attempt_at || 0));
      timer = setTimeout(() => flush(false), Math.max(1000, next - Date.now()));
    }
  }

  function flush(force = true) {
    if (running) {
      again = again || force;
      return running;
    }
    emit("sync-running", true);
    running = (async () => {
      let forced = force;
      do {
        again = false;
        await pass(forced);
        forced = true;
      } while (again);
    })()
      .catch((error) => console.error("outbox", error))
      .finally(() => {
        running = null;
        emit("sync-running", false);
        emit("outbox-changed");
      });
    return running;
  }

  on("server-reached", serverReached);
  on("visit-submitted", () => flush(true));
  on("sync-requested", () => flush(true));
  addEventListener("online", () => flush(true));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && flush(true));
  return flush(true);
}

// The outbox: submitted visits wait here until the server has confirmed the visit and every
// one of its photos (then only the photos' thumbnails stay). It retries as retry.js says on
// network errors and 5xx, and at once on page load, on `online`, when the app becomes visible,
// and on submit. Nothing queued ever expires; a 409 or 422 parks the visit and shows the problem.
// Sending needs a session: without one (never signed in, signed out, or a 401 from the
// server) the outbox pauses, touching nothing queued, and resumes at once on sign-in. It
// sends only the signed-in inspector's visits.

import * as db from "./db.js";
import { emit, on } from "./events.js";
import { isoLocal } from "./clock.js";
import { thumbnail } from "./photos.js";
import { backoff, runner } from "./retry.js";
import * as session from "./session.js";
import * as sync from "./sync.js";
import * as visits from "./visits.js";

const PAUSED = Symbol("paused");

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

// The server has the visit and every photo: the full photos leave the phone, their thumbnails
// stay as the sent visit's evidence (a photo taken before thumbnails existed gets one now).
async function confirmed(visit, photos, answer) {
  visit.status = "sent";
  visit.sent_at = isoLocal();
  visit.state = answer.state || "submitted";
  visit.problem = null;
  const kept = await Promise.all(photos.map(async (photo) => ({
    ...photo, blob: null, thumb: photo.thumb || (photo.blob ? await thumbnail(photo.blob) : null), sent_at: photo.sent_at || visit.sent_at,
  })));
  await db.write(["visits", "photos"], (tx) => {
    for (const photo of kept) tx.objectStore("photos").put(photo);
    tx.objectStore("visits").put(visit);
  });
  emit("visit-confirmed", visit);
  await serverReached();
}

// What waits for another try, with backoff: no connection, 5xx, a photo sent before its visit
// was stored, a throttle, a CSRF token still refused after a fresh one, any other 403.
const AGAIN = new Set(["retry", "missing", "throttled", "csrf", "forbidden"]);

async function send(visit) {
  const row = await db.get("checklists", visit.checklist_hash);
  const photos = await visits.photosOf(visit.uuid);
  const outcome = await sync.putVisit(visit.uuid, visits.payload(row.checklist, visit, photos));
  if (outcome.kind === "unauthorized") return PAUSED;
  if (AGAIN.has(outcome.kind)) return later(visit, outcome);
  if (outcome.kind !== "ok") return park(visit, outcome);
  const missing = new Set(outcome.body.photos_missing || []);
  for (const photo of photos.filter((p) => missing.has(p.uuid))) {
    // a photo of a corrected visit that the server no longer holds: this phone has no bytes for it
    if (!photo.blob) return park(visit, { kind: "invalid", status: 0, body: { error: "photo-missing", problems: [{ field: `photos/${photo.uuid}`, message: "not on this phone" }] } }, photo);
    const sent = await sync.putPhoto(visit.uuid, photo);
    if (sent.kind === "unauthorized") return PAUSED;
    if (AGAIN.has(sent.kind)) return later(visit, sent);
    if (sent.kind !== "ok") return park(visit, sent, photo);
    photo.sent_at = isoLocal();
    await db.put("photos", photo);
    emit("outbox-changed");
  }
  return confirmed(visit, photos, outcome.body);
}

// The queue's state, for the status bar and the sign-in banner.
export async function status() {
  const who = await session.state();
  const all = await visits.mine(who.user);
  const waiting = all.filter((visit) => visit.status === "outbox");
  const photoLists = await Promise.all(waiting.map((visit) => visits.photosOf(visit.uuid)));
  return {
    visits: waiting.length,
    photos: photoLists.flat().filter((photo) => !photo.sent_at).length,
    problems: all.filter((visit) => visit.status === "conflict" || visit.status === "invalid").length,
    lastSync: await db.getMeta("last_sync"),
    paused: !who.signedIn,
  };
}

async function pass(force) {
  const who = await session.state();
  if (!who.signedIn) return null; // paused: on sign-in, "session-changed" flushes at once
  await visits.adopt(who.user.id);
  const mine = await visits.mine(who.user);
  const due = mine.filter((v) => v.status === "outbox" && (force || (v.next_attempt_at || 0) <= Date.now()));
  for (const visit of due) {
    // one visit's unexpected failure must not hold up the others: it is retried like a network error
    const result = await send(visit).catch((error) => later(visit, { status: 0, error }));
    if (result === PAUSED) return null;
  }
  const waiting = (await visits.mine(who.user)).filter((v) => v.status === "outbox");
  return waiting.length ? Math.min(...waiting.map((v) => v.next_attempt_at || 0)) : null;
}

export function start() {
  const flush = runner(pass, emit, { running: "sync-running", changed: "outbox-changed" });
  on("server-reached", serverReached);
  on("visit-submitted", () => flush(true));
  on("sync-requested", () => flush(true));
  on("session-changed", () => flush(true));
  addEventListener("online", () => flush(true));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && flush(true));
  return flush(true);
}

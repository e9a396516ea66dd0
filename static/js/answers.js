// The store manager's outbox: answers to findings ("fixed" with a note and maybe a photo,
// "dispute" with a reason) are written to IndexedDB first, under an id made here, and sent
// from there (PUT /api/findings/{finding}/answers/{id}, one multipart form with the photo),
// so an answer survives the phone going offline, a reload and a server that dies mid-request:
// the same id sent again is stored once. Retries follow retry.js; a 401 pauses sending until
// a sign-in; a refusal (404, 409, 422) parks the answer with the server's words, and the
// finding can be answered again. Once the server has an answer its photo leaves the phone.

import * as db from "./db.js";
import { emit, on } from "./events.js";
import { isoLocal } from "./clock.js";
import { downscale } from "./photos.js";
import { backoff, runner } from "./retry.js";
import * as session from "./session.js";

const AGAIN = new Set(["retry", "throttled", "csrf", "forbidden"]);
const PAUSED = Symbol("paused");

export async function mine(user) {
  if (!user) return [];
  const all = await db.all("answers", "user_id", user.id);
  return all.sort((a, b) => a.created_at.localeCompare(b.created_at));
}

// The answer that speaks for a finding on this phone: the latest one not refused, else the
// latest refused one (so its problem shows).
export function latestFor(answers, findingId) {
  const of = answers.filter((answer) => answer.finding_id === findingId);
  return of.filter((answer) => answer.status !== "refused").pop() || of.pop() || null;
}

export async function write(user, finding, kind, note, file) {
  const photo = file ? await downscale(file) : null;
  const answer = {
    id: crypto.randomUUID(),
    user_id: user.id,
    finding_id: finding.id,
    kind,
    note: note.trim(),
    photo: photo ? { blob: photo.blob, width: photo.width, height: photo.height } : null,
    has_photo: Boolean(photo),
    status: "outbox",
    attempts: 0,
    created_at: isoLocal(),
  };
  await db.put("answers", answer);
  emit("answer-queued", answer);
  return answer;
}

async function later(answer, outcome) {
  answer.attempts += 1;
  answer.next_attempt_at = Date.now() + backoff(answer.attempts - 1);
  answer.last_error = outcome.status ? `HTTP ${outcome.status}` : "offline";
  await db.put("answers", answer);
}

async function send(answer) {
  const form = new FormData();
  form.append("kind", answer.kind);
  form.append("note", answer.note);
  if (answer.photo) form.append("photo", answer.photo.blob, "fix.jpg");
  const outcome = await session.authorized(`/api/findings/${answer.finding_id}/answers/${answer.id}`, { method: "PUT", body: form });
  if (outcome.kind === "unauthorized") return PAUSED;
  if (AGAIN.has(outcome.kind)) return later(answer, outcome);
  if (outcome.kind === "ok") {
    Object.assign(answer, { status: "sent", state: outcome.body.state, sent_at: isoLocal(), photo: null, problem: null });
    await db.put("answers", answer);
    await db.setMeta("last_sync", isoLocal());
    emit("answer-confirmed", answer);
    return null;
  }
  Object.assign(answer, { status: "refused", problem: outcome.body?.message || `HTTP ${outcome.status}` });
  await db.put("answers", answer);
  emit("answer-refused", answer);
  return null;
}

// What waits, for the status bar and the sign-in banner.
export async function status() {
  const who = await session.state();
  const all = await mine(who.user);
  const waiting = all.filter((answer) => answer.status === "outbox");
  return {
    answers: waiting.length,
    photos: waiting.filter((answer) => answer.photo).length,
    problems: all.filter((answer) => answer.status === "refused").length,
    lastSync: await db.getMeta("last_sync"),
    paused: !who.signedIn,
  };
}

async function pass(force) {
  const who = await session.state();
  if (!who.signedIn) return null; // paused: on sign-in, "session-changed" flushes at once
  const due = (await mine(who.user)).filter((a) => a.status === "outbox" && (force || (a.next_attempt_at || 0) <= Date.now()));
  for (const answer of due) {
    // one answer's unexpected failure must not hold up the others: it is retried like a network error
    const result = await send(answer).catch((error) => later(answer, { status: 0, error }));
    if (result === PAUSED) return null;
  }
  const waiting = (await mine(who.user)).filter((a) => a.status === "outbox");
  return waiting.length ? Math.min(...waiting.map((a) => a.next_attempt_at || 0)) : null;
}

export function start() {
  const flush = runner(pass, emit, { running: "sync-running", changed: "outbox-changed" });
  on("answer-queued", () => flush(true));
  on("sync-requested", () => flush(true));
  on("session-changed", () => flush(true));
  addEventListener("online", () => flush(true));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && flush(true));
  return flush(true);
}

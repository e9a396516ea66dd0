// A visit on the phone: created, answered item by item (each change written to IndexedDB at
// once), submitted to the outbox, and turned into the JSON the server takes.
// Status: draft → outbox → sent, or conflict / invalid when the server refuses it. A visit
// belongs to the inspector who started it (`inspector_id`); one started before anybody signed
// in goes to the next inspector who does. A visit a reviewer returned comes back as a draft
// under its own uuid, its photos already on the server declared without their bytes.

import * as db from "./db.js";
import { emit } from "./events.js";
import { isoLocal } from "./clock.js";
import * as rules from "./rules.js";

export function load(uuid) {
  return db.get("visits", uuid);
}

export function list() {
  return db.all("visits");
}

export function ownedBy(visit, user) {
  return !visit.inspector_id || (Boolean(user) && visit.inspector_id === user.id);
}

// The visits of `user` (or of nobody yet): another inspector's visits wait on the phone, unseen.
export async function mine(user) {
  return (await list()).filter((visit) => ownedBy(visit, user));
}

// Visits started before anybody signed in become `userId`'s.
export async function adopt(userId) {
  const orphans = (await list()).filter((visit) => !visit.inspector_id);
  if (!orphans.length) return;
  await db.write(["visits"], (tx) => {
    for (const visit of orphans) tx.objectStore("visits").put({ ...visit, inspector_id: userId });
  });
}

export function photosOf(uuid) {
  return db.all("photos", "visit_uuid", uuid);
}

export async function save(visit) {
  visit.updated_at = isoLocal();
  await db.put("visits", visit);
  emit("visit-saved", visit);
}

// `assignment` (optional): the assignment the visit is started from; its items to re-check are
// marked in the form.
export async function create(site, entry, inspectorId, assignment = null) {
  const visit = {
    uuid: crypto.randomUUID(),
    status: "draft",
    inspector_id: inspectorId ?? null,
    checklist_id: entry.id,
    checklist_hash: entry.hash,
    checklist_title: entry.checklist.title,
    checklist_language: entry.checklist.language,
    site_id: site.id,
    site_name: site.name,
    started_at: isoLocal(),
    ended_at: null,
    narrative: "",
    answers: {},
    timers: {},
    assignment_id: assignment?.id ?? null,
    recheck: assignment?.recheck ?? [],
  };
  await save(visit);
  return visit;
}

const blank = (answer) => !answer.na && (answer.value === null || answer.value === "" || (Array.isArray(answer.value) && !answer.value.length)) && !answer.note;

// Merges `patch` ({value}, {na}, {note}) into the item's answer and saves the visit.
export function setAnswer(visit, itemId, patch) {
  const answer = { value: null, na: false, note: "", answered_at: null, ...visit.answers[itemId], ...patch };
  if ("value" in patch || "na" in patch) answer.answered_at = isoLocal();
  if (blank(answer)) delete visit.answers[itemId];
  else visit.answers[itemId] = answer;
  return save(visit);
}

export function counts(photos) {
  const result = {};
  for (const photo of photos) result[photo.item_id] = (result[photo.item_id] || 0) + 1;
  return result;
}

// Answers in the shape the rules and the server read, hidden items left out.
function answersFor(checklist, visit) {
  const shown = new Set(rules.visible(checklist, visit.answers, visit.started_at));
  const result = {};
  for (const [itemId, answer] of Object.entries(visit.answers)) {
    if (!shown.has(itemId)) continue;
    result[itemId] = { value: answer.value, na: answer.na, note: answer.note || null, answered_at: answer.answered_at };
  }
  return result;
}

export function payload(checklist, visit, photos) {
  return {
    checklist_id: visit.checklist_id,
    checklist_hash: visit.checklist_hash,
    site_id: visit.site_id,
    started_at: visit.started_at,
    ended_at: visit.ended_at,
    narrative: visit.narrative,
    answers: answersFor(checklist, visit),
    photos: photos.map(({ uuid, item_id, taken_at, content_type, sha256, width, height }) => ({
      uuid, item_id, taken_at, content_type, sha256, width, height,
    })),
  };
}

// Per section: shown items, how many are answered, and how many still block submitting.
export function progress(checklist, visit, photoCounts) {
  const shown = new Set(rules.visible(checklist, visit.answers, visit.started_at));
  const needs = new Set(rules.missing(checklist, visit.answers, photoCounts, visit.started_at).map((need) => need.item));
  const result = new Map();
  for (const stage of checklist.stages) {
    for (const section of stage.sections) {
      const items = section.items.filter((item) => shown.has(item.id));
      result.set(section.id, {
        total: items.length,
        done: items.filter((item) => rules.answered(item, visit.answers[item.id], photoCounts[item.id] || 0)).length,
        missing: items.filter((item) => needs.has(item.id)).length,
      });
    }
  }
  return result;
}

export async function submit(visit) {
  visit.status = "outbox";
  // a corrected visit keeps the time the visit itself ended
  visit.ended_at = visit.correction && visit.ended_at ? visit.ended_at : isoLocal();
  visit.attempts = 0;
  visit.next_attempt_at = 0;
  await save(visit);
  emit("visit-submitted", visit);
}

export async function reopen(visit) {
  visit.status = "draft";
  visit.problem = null;
  await save(visit);
}

export async function discard(visit) {
  const photos = await photosOf(visit.uuid);
  await db.write(["visits", "photos"], (tx) => {
    for (const photo of photos) tx.objectStore("photos").delete(photo.uuid);
    tx.objectStore("visits").delete(visit.uuid);
  });
  emit("visit-discarded", visit);
}

// A returned visit as a draft again, from `sent` (GET /api/visits/{uuid}: {uuid, version, body,
// comments}): the same uuid, its answers, notes and narrative; its photos stay declared with
// their uuid and sha256 but have no bytes here (`remote`), since the server holds them.
export async function restore(sent, { checklist, site, inspectorId }) {
  const body = sent.body;
  const answers = {};
  for (const [itemId, answer] of Object.entries(body.answers || {})) {
    answers[itemId] = { value: answer.value ?? null, na: answer.na === true, note: answer.note || "", answered_at: answer.answered_at ?? null };
  }
  const visit = {
    uuid: sent.uuid,
    status: "draft",
    inspector_id: inspectorId,
    checklist_id: body.checklist_id,
    checklist_hash: body.checklist_hash,
    checklist_title: checklist.title,
    checklist_language: checklist.language,
    site_id: body.site_id,
    site_name: site ? site.name : body.site_id,
    started_at: body.started_at,
    ended_at: body.ended_at,
    narrative: body.narrative || "",
    answers,
    timers: {},
    correction: { version: sent.version, comments: sent.comments || [] },
    updated_at: isoLocal(),
  };
  // the thumbnails this phone kept when it sent the visit come along
  const stale = await photosOf(sent.uuid);
  const thumbs = new Map(stale.map((photo) => [photo.uuid, photo.thumb]));
  const photos = (body.photos || []).map(({ uuid, item_id, taken_at, content_type, sha256, width, height }) => ({
    uuid, visit_uuid: sent.uuid, item_id, taken_at, content_type, sha256, width, height, blob: null, thumb: thumbs.get(uuid) || null, remote: true, sent_at: visit.updated_at,
  }));
  await db.write(["visits", "photos"], (tx) => {
    for (const photo of stale) tx.objectStore("photos").delete(photo.uuid);
    for (const photo of photos) tx.objectStore("photos").put(photo);
    tx.objectStore("visits").put(visit);
  });
  emit("visit-saved", visit);
  return visit;
}

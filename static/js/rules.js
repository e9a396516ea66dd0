// The rules on a visit's answers, ported from audit/answers.py: which items are shown,
// whether an answer is well-formed, an item's score, whether it failed, what is missing.
// Both sides are tested against tests/golden/answers.yaml. `checklist` is Checklist.as_dict(),
// whose `calendar` (public holidays, from checklists/calendar.yaml) travels with it offline.

const MAX_TEXT = 10000;
export const MAX_SECONDS = 24 * 3600;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
const SCORED = ["yes_no", "scale", "choice", "multi_choice", "number", "timer"];
const ANSWER_FIELDS = ["value", "na", "note", "answered_at"];
const STARTED = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

// Python truthiness, so that `not answer` treats {} and [] as empty like the server does.
function truthy(value) {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);
const codePoints = (text) => Array.from(text).length;

export function items(checklist) {
  return checklist.stages.flatMap((stage) => stage.sections.flatMap((section) => section.items));
}

export function itemMap(checklist) {
  return new Map(items(checklist).map((item) => [item.id, item]));
}

export function answered(item, answer, photos = 0) {
  if (item.type === "photo") return photos > 0 || Boolean(truthy(answer) && truthy(answer.na));
  if (!truthy(answer)) return false;
  if (truthy(answer.na)) return true;
  const value = answer.value;
  return value !== null && value !== undefined && value !== "" && !(Array.isArray(value) && value.length === 0);
}

export function problem(item, answer) {
  if (!isObject(answer)) return "an answer must be an object";
  const unknown = Object.keys(answer).filter((key) => !ANSWER_FIELDS.includes(key)).sort();
  if (unknown.length) return `unknown answer fields: ${unknown.join(", ")}`;
  const note = answer.note;
  if (note !== null && note !== undefined && (typeof note !== "string" || codePoints(note) > MAX_TEXT)) {
    return `note must be text of at most ${MAX_TEXT} characters`;
  }
  const value = answer.value === undefined ? null : answer.value;
  const na = "na" in answer ? answer.na : false;
  if (typeof na !== "boolean") return "na must be true or false";
  if (truthy(na)) {
    if (!item.na) return "N/A is not allowed for this item";
    return value === null ? null : "an N/A answer has no value";
  }
  if (value === null) return null;
  const ids = (item.choices || []).map((choice) => choice.id);
  switch (item.type) {
    case "yes_no":
      return value === "yes" || value === "no" ? null : "must be 'yes' or 'no'";
    case "scale":
      return Number.isInteger(value) && item.min !== null && item.max !== null && item.min <= value && value <= item.max
        ? null
        : `must be a whole number from ${item.min} to ${item.max}`;
    case "choice":
      return ids.includes(value) ? null : `must be one of ${ids.join(", ")}`;
    case "multi_choice": {
      if (!Array.isArray(value) || !value.every((v) => ids.includes(v)) || new Set(value).size !== value.length) {
        return `must be a list of distinct choices from ${ids.join(", ")}`;
      }
      const exclusive = item.choices.filter((choice) => choice.exclusive).map((choice) => choice.id);
      return value.length > 1 && value.some((v) => exclusive.includes(v)) ? "an exclusive choice cannot be ticked with others" : null;
    }
    case "number":
      if (!isNumber(value)) return "must be a number";
      if ((item.min !== null && value < item.min) || (item.max !== null && value > item.max)) {
        return `must be from ${item.min} to ${item.max}`;
      }
      return null;
    case "timer":
      return isNumber(value) && value >= 0 && value <= MAX_SECONDS ? null : `must be seconds from 0 to ${MAX_SECONDS}`;
    case "timestamp":
      return typeof value === "string" && TIME.test(value) ? null : "must be a time HH:MM or an ISO date-time";
    case "text":
      return typeof value === "string" && codePoints(value) <= MAX_TEXT ? null : `must be text of at most ${MAX_TEXT} characters`;
    default:
      return "a photo item takes photos, not a value";
  }
}

// Recorded only: an unscored type, or weight 0 (an answer kept for context, e.g. how many
// people were queueing); it neither scores nor fails.
const recorded = (item) => !SCORED.includes(item.type) || item.weight === 0;

// A missing bound (null, or absent from a checklist stored before partial credit) leaves that side open.
const within = (value, low, high) => (low === null || low === undefined || value >= low) && (high === null || high === undefined || value <= high);

export function score(item, answer) {
  if (recorded(item) || !truthy(answer) || truthy(answer.na) || !answered(item, answer)) return null;
  const value = answer.value;
  if (item.type === "yes_no") return value === "yes" ? 1 : 0;
  if (item.type === "scale") return (value - item.min) / (item.max - item.min);
  const scores = new Map(item.choices.map((choice) => [choice.id, choice.score]));
  // A value that names no choice scores 0: a malformed answer never counts as a pass.
  if (item.type === "choice") return scores.get(value) ?? 0;
  if (item.type === "multi_choice") {
    const ticked = Array.isArray(value) ? value : [value];
    return Math.min(1, ticked.reduce((sum, v) => sum + (scores.get(v) ?? 0), 0));
  }
  if (within(value, item.pass_min, item.pass_max)) return 1;
  const partial = item.partial_score;
  return partial !== null && partial !== undefined && within(value, item.partial_min, item.partial_max) ? partial : 0;
}

export function failed(item, answer) {
  const result = score(item, answer);
  if (result === null) return false;
  // Without a pass_score (yes/no, number, timer), anything short of full credit fails.
  const threshold = item.pass_score !== null && item.pass_score !== undefined ? item.pass_score : 1;
  return result < threshold;
}

function matches(target, answer, values) {
  if (!truthy(answer)) return false;
  if (truthy(answer.na)) return values.includes("na");
  const value = answer.value;
  if (target.type === "multi_choice" && Array.isArray(value)) return value.some((v) => values.includes(v));
  return values.includes(value);
}

// The local date (YYYY-MM-DD), weekday (0 Sunday) and minute of the day a visit started, as its
// started_at writes them: the wall clock where it happened, whatever the offset. null when it
// is no date-time (Python's date range: years 1 to 9999).
function moment(startedAt) {
  const match = typeof startedAt === "string" ? STARTED.exec(startedAt) : null;
  if (!match) return null;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (year < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59) return null;
  return { iso: match[0].slice(0, 10), weekday: date.getUTCDay(), minute: hour * 60 + minute };
}

// What kind of day it is (audit/holidays.py day_kinds): a date the calendar does not list is a
// weekend by the week alone, and never a holiday.
function dayKinds(when, calendar) {
  const kinds = [];
  if (calendar && calendar.holidays.includes(when.iso)) kinds.push("holiday");
  if ((when.weekday === 0 || when.weekday === 6) && !(calendar && calendar.workdays.includes(when.iso))) kinds.push("weekend");
  return kinds.length ? kinds : ["weekday"];
}

function onTime(condition, when, calendar) {
  const days = condition.days ?? null;
  const hours = condition.hours ?? null;
  if (days === null && hours === null) return true;
  if (when === null) return false;
  if (days !== null && !dayKinds(when, calendar).some((kind) => days.includes(kind))) return false;
  if (hours === null) return true;
  const [start, end] = hours;
  return start < end ? start <= when.minute && when.minute < end : when.minute >= start || when.minute < end;
}

// `startedAt`: the visit's started_at, by which `day` and `hours` conditions are judged.
export function visible(checklist, answers, startedAt) {
  const byId = itemMap(checklist);
  const when = moment(startedAt);
  const shown = [];
  const seen = new Set();
  for (const item of items(checklist)) {
    const condition = item.when;
    const answerHolds = (c) => c.item === null || c.item === undefined || (seen.has(c.item) && matches(byId.get(c.item), answers[c.item], c.values));
    if (!condition || (answerHolds(condition) && onTime(condition, when, checklist.calendar))) {
      shown.push(item.id);
      seen.add(item.id);
    }
  }
  return shown;
}

export function failures(checklist, answers, startedAt) {
  const byId = itemMap(checklist);
  return visible(checklist, answers, startedAt).filter((id) => failed(byId.get(id), answers[id]));
}

export function missing(checklist, answers, photos, startedAt) {
  const byId = itemMap(checklist);
  const needs = [];
  for (const id of visible(checklist, answers, startedAt)) {
    const item = byId.get(id);
    const answer = answers[id];
    const count = photos[id] || 0;
    const done = answered(item, answer, count);
    if (item.required && !done) {
      needs.push({ item: id, need: "answer" });
      continue;
    }
    // evidence backs an observation: an N/A or unanswered item has none to back
    const observed = done && !truthy(answer && answer.na);
    const fail = failed(item, answer);
    if (count === 0 && ((item.evidence_photo === "always" && observed) || (item.evidence_photo === "on_fail" && fail))) {
      needs.push({ item: id, need: "photo" });
    }
    const note = (answer && answer.note) || "";
    if (!note.trim() && ((item.evidence_note === "always" && observed) || (item.evidence_note === "on_fail" && fail))) {
      needs.push({ item: id, need: "note" });
    }
  }
  return needs;
}

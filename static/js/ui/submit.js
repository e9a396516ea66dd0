// Before submitting: what is missing (required answers, evidence a failure calls for), answers
// that are not possible answers, timers still running; the failures with their answers, notes
// and photos; the visit's narrative; then submit, confirmed, with a few seconds to undo before
// the visit goes to the outbox.

import { on, emit } from "../events.js";
import { t, text } from "../i18n.js";
import { duration } from "../clock.js";
import * as catalog from "../catalog.js";
import * as rules from "../rules.js";
import * as timers from "../timers.js";
import * as visits from "../visits.js";
import { bar, h, link } from "./dom.js";
import { photoUrls, thumb } from "./evidence.js";
import { explain } from "./item.js";

const UNDO_SECONDS = 10;

// Every reason the visit cannot be submitted yet, in checklist order: {section, item, reason}.
function blockers(checklist, visit, counts) {
  const where = new Map();
  for (const stage of checklist.stages) for (const section of stage.sections) for (const item of section.items) where.set(item.id, { section, item });
  const shown = rules.visible(checklist, visit.answers, visit.started_at);
  const list = rules.missing(checklist, visit.answers, counts, visit.started_at).map((need) => ({ ...where.get(need.item), reason: t(`need.${need.need}`) }));
  for (const id of shown) {
    const answer = visit.answers[id];
    const { item } = where.get(id);
    const why = answer && rules.problem(item, { value: answer.value, na: answer.na, note: answer.note });
    if (why) list.push({ ...where.get(id), reason: explain(item, why) });
    if (timers.running(visit, id)) list.push({ ...where.get(id), reason: t("need.timer") });
  }
  const order = new Map([...where.keys()].map((id, index) => [id, index]));
  return list.sort((a, b) => order.get(a.item.id) - order.get(b.item.id));
}

const itemLink = (uuid, section, item) => `#/v/${uuid}/s/${encodeURIComponent(section.id)}?item=${encodeURIComponent(item.id)}`;

// A failed answer in words: the choice, the number or the time.
function answerText(item, answer, fallback) {
  const value = answer.value;
  if (item.type === "yes_no") return t(`answer.${value}`);
  if (item.type === "timer") return duration(value);
  if (item.type === "number") return `${value}${item.unit ? ` ${text(item.unit, fallback)}` : ""}`;
  const labels = new Map((item.choices || []).map((choice) => [choice.id, text(choice.label, fallback)]));
  return [value].flat().map((v) => labels.get(v) ?? String(v)).join(" · ");
}

function failureList(uuid, checklist, visit, photos, photoUrl) {
  const fallback = checklist.language;
  const where = new Map();
  for (const stage of checklist.stages) for (const section of stage.sections) for (const item of section.items) where.set(item.id, { section, item });
  const failed = rules.failures(checklist, visit.answers, visit.started_at);
  if (!failed.length) return null;
  return h("section", { class: "failures", id: "failures" },
    h("h2", {}, t("submit.failures", { n: failed.length })),
    h("ul", {}, failed.map((id) => {
      const { section, item } = where.get(id);
      const answer = visit.answers[id];
      const evidence = photos.filter((photo) => photo.item_id === id);
      return h("li", { dataset: { item: id } },
        link(itemLink(uuid, section, item), {},
          h("span", { class: "sub" }, text(section.title, fallback)),
          h("strong", {}, text(item.text, fallback)),
          h("span", { class: "failed-answer" }, answerText(item, answer, fallback), answer.note ? ` · ${answer.note}` : "")),
        evidence.length
          ? h("div", { class: "thumbs" }, evidence.map((photo) => thumb(photo, photoUrl)))
          : h("span", { class: "sub" }, t("submit.no-evidence")));
    })));
}

// Submitting: a confirmation, then UNDO_SECONDS to take it back before the visit goes to the
// outbox. Leaving the screen meanwhile submits at once: the inspector confirmed it.
function submitter(visit, signal) {
  const button = h("button", { type: "button", class: "btn primary wide", id: "submit" }, t("submit.send"));
  const countdown = h("span", { class: "countdown" });
  const undo = h("button", { type: "button", class: "btn wide", id: "undo" }, t("submit.undo"));
  const waiting = h("div", { class: "undo-bar", id: "undo-window", hidden: true }, countdown, undo);
  const dialog = h("dialog", { class: "confirm", id: "confirm", "aria-labelledby": "confirm-title" },
    h("h2", { id: "confirm-title" }, t("submit.confirm-title")),
    h("p", {}, t("submit.confirm-text", { seconds: UNDO_SECONDS })),
    h("form", { method: "dialog", class: "actions" },
      h("button", { class: "btn", value: "cancel", id: "confirm-cancel" }, t("submit.cancel")),
      h("button", { class: "btn primary", value: "submit", id: "confirm-submit" }, t("submit.confirm"))));
  let pending = null;

  async function commit() {
    clearInterval(pending);
    pending = null;
    await visits.submit(visit);
    if (!signal.aborted) location.hash = "#/";
  }
  function start() {
    let left = UNDO_SECONDS;
    const show = () => {
      countdown.textContent = t("submit.undo-wait", { seconds: left });
    };
    show();
    button.hidden = true;
    waiting.hidden = false;
    undo.focus();
    pending = setInterval(() => {
      left -= 1;
      if (left > 0) show();
      else commit();
    }, 1000);
  }
  undo.addEventListener("click", () => {
    clearInterval(pending);
    pending = null;
    waiting.hidden = true;
    button.hidden = false;
    button.focus();
  });
  dialog.addEventListener("close", () => dialog.returnValue === "submit" && start());
  button.addEventListener("click", () => dialog.showModal());
  signal.addEventListener("abort", () => pending && commit());
  return { button, waiting, dialog };
}

export async function render([uuid], signal) {
  const visit = await visits.load(uuid);
  if (!visit) return [h("p", { class: "empty" }, t("visit.gone")), bar(link("#/", { class: "btn" }, t("nav.home")))];
  // the visit changed elsewhere (a timer stopped from the status bar): this screen's copy is stale
  on("visit-saved", (saved) => saved.uuid === uuid && saved !== visit && emit("screen-stale"), signal);
  const checklist = await catalog.checklist(visit.checklist_hash);
  const photos = await visits.photosOf(uuid);
  const counts = visits.counts(photos);
  const fallback = checklist.language;
  const list = blockers(checklist, visit, counts);
  const shown = rules.visible(checklist, visit.answers, visit.started_at);
  const items = rules.itemMap(checklist);
  const done = shown.filter((id) => rules.answered(items.get(id), visit.answers[id], counts[id] || 0)).length;
  const failed = rules.failures(checklist, visit.answers, visit.started_at).length;
  const draft = visit.status === "draft";
  const narrative = h("textarea", {
    id: "narrative", rows: 5, placeholder: t("submit.narrative-placeholder"), disabled: !draft, value: visit.narrative,
    oninput: () => {
      visit.narrative = narrative.value;
      visits.save(visit);
    },
  });
  const submit = submitter(visit, signal);
  submit.button.disabled = !draft || list.length > 0;
  return [
    h("h1", {}, t("submit.title")),
    h("p", { class: "lead" }, text(visit.site_name, fallback), " · ", text(checklist.title, fallback)),
    h("p", { class: "summary" }, t("submit.summary", { done, total: shown.length, failed })),
    list.length
      ? h("section", { class: "notice warn", id: "missing" },
        h("h2", {}, t("submit.missing", { n: list.length })),
        h("ul", { class: "missing" }, list.map(({ section, item, reason }) => h("li", { dataset: { item: item.id } },
          link(itemLink(uuid, section, item), {},
            h("span", { class: "sub" }, text(section.title, fallback)),
            h("strong", {}, text(item.text, fallback)),
            h("span", { class: "reason" }, reason))))))
      : h("section", { class: "notice ok", id: "ready" }, t("submit.ready")),
    failureList(uuid, checklist, visit, photos, photoUrls(signal)),
    h("label", { class: "narrative" }, h("h2", {}, t("submit.narrative")), narrative),
    submit.dialog,
    bar(link(`#/v/${uuid}`, { class: "btn" }, t("nav.contents")), submit.button, submit.waiting),
  ];
}

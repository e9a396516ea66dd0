// Before submitting: what is missing (required answers, evidence a failure calls for), answers
// that are not possible answers, timers still running; the visit's narrative; then submit.

import { t, text } from "../i18n.js";
import * as catalog from "../catalog.js";
import * as rules from "../rules.js";
import * as timers from "../timers.js";
import * as visits from "../visits.js";
import { bar, h, link } from "./dom.js";
import { explain } from "./item.js";

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

export async function render([uuid]) {
  const visit = await visits.load(uuid);
  if (!visit) return [h("p", { class: "empty" }, t("visit.gone")), bar(link("#/", { class: "btn" }, t("nav.home")))];
  const checklist = await catalog.checklist(visit.checklist_hash);
  const counts = visits.counts(await visits.photosOf(uuid));
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
  const submit = h("button", {
    type: "button", class: "btn primary wide", id: "submit", disabled: !draft || list.length > 0,
    onclick: async () => {
      submit.disabled = true;
      await visits.submit(visit);
      location.hash = "#/";
    },
  }, t("submit.send"));
  return [
    h("h1", {}, t("submit.title")),
    h("p", { class: "lead" }, text(visit.site_name, fallback), " · ", text(checklist.title, fallback)),
    h("p", { class: "summary" }, t("submit.summary", { done, total: shown.length, failed })),
    list.length
      ? h("section", { class: "notice warn", id: "missing" },
        h("h2", {}, t("submit.missing", { n: list.length })),
        h("ul", { class: "missing" }, list.map(({ section, item, reason }) => h("li", { dataset: { item: item.id } },
          link(`#/v/${uuid}/s/${encodeURIComponent(section.id)}?item=${encodeURIComponent(item.id)}`, {},
            h("span", { class: "sub" }, text(section.title, fallback)),
            h("strong", {}, text(item.text, fallback)),
            h("span", { class: "reason" }, reason))))))
      : h("section", { class: "notice ok", id: "ready" }, t("submit.ready")),
    h("label", { class: "narrative" }, h("h2", {}, t("submit.narrative")), narrative),
    bar(link(`#/v/${uuid}`, { class: "btn" }, t("nav.contents")), submit),
  ];
}

// One section of a visit: its items as cards, shown and hidden live as conditions change,
// with the section's progress on top and the way to the previous and next section below.

import { on, emit } from "../events.js";
import { t, text } from "../i18n.js";
import * as catalog from "../catalog.js";
import * as photoStore from "../photos.js";
import * as rules from "../rules.js";
import * as timers from "../timers.js";
import * as visits from "../visits.js";
import { card } from "./item.js";
import { bar, h, link, progressBar } from "./dom.js";
import { photoUrls } from "./evidence.js";
import { stateBadge, sentState } from "./states.js";

function sectionsOf(checklist) {
  return checklist.stages.flatMap((stage) => stage.sections.map((section) => ({ stage: stage.key, section })));
}

export async function render([uuid, sectionId, focusId], signal) {
  const visit = await visits.load(uuid);
  if (!visit) return [h("p", { class: "empty" }, t("visit.gone")), bar(link("#/", { class: "btn" }, t("nav.home")))];
  const checklist = await catalog.checklist(visit.checklist_hash);
  const all = sectionsOf(checklist);
  const index = Math.max(0, all.findIndex((entry) => entry.section.id === sectionId));
  const { stage, section } = all[index];
  let photos = await visits.photosOf(uuid);
  const tally = h("span", { class: "tally" });
  const meter = h("div", { class: "meter-slot" });
  // the visit changed elsewhere (a timer stopped from the status bar): this screen's copy is stale
  on("visit-saved", (saved) => saved.uuid === uuid && saved !== visit && emit("screen-stale"), signal);
  const sent = visit.status === "sent";

  const shared = { fallback: checklist.language, visit, readOnly: visit.status !== "draft", photoUrl: photoUrls(signal) };
  // A card's context: the answer is in memory (and on screen) at once, on disk when saved.
  const contextFor = (item) => ({
    ...shared,
    change(patch, tapTime) {
      const saving = visits.setAnswer(visit, item.id, patch);
      refresh();
      return saving.then(() => tapTime !== undefined && performance.measure("tap-persisted", { start: tapTime }));
    },
    timer(op) {
      const saving = timers[op](visit, item.id);
      refresh();
      return saving;
    },
    async addPhoto(file) {
      await photoStore.add(visit, item.id, file);
      photos = await visits.photosOf(uuid);
      refresh();
    },
    async removePhoto(photo) {
      if (!confirm(t("item.remove-photo-confirm"))) return;
      await photoStore.remove(photo);
      photos = await visits.photosOf(uuid);
      refresh();
    },
  });
  const cards = section.items.map((item) => card(item, contextFor(item)));

  function refresh() {
    const shown = new Set(rules.visible(checklist, visit.answers, visit.started_at));
    const counts = visits.counts(photos);
    // the server accepted a sent visit whole: nothing is missing from it
    const missing = sent ? [] : rules.missing(checklist, visit.answers, counts, visit.started_at);
    let done = 0;
    let total = 0;
    for (const { item, el, update } of cards) {
      el.hidden = !shown.has(item.id);
      const answer = visit.answers[item.id];
      update({
        answer,
        photos: photos.filter((photo) => photo.item_id === item.id),
        missing: missing.filter((need) => need.item === item.id && need.need !== "answer").map((need) => need.need),
        problem: answer ? rules.problem(item, { value: answer.value, na: answer.na, note: answer.note }) : null,
      });
      if (!el.hidden) {
        total += 1;
        if (rules.answered(item, answer, counts[item.id] || 0)) done += 1;
      }
    }
    tally.textContent = `${done}/${total}`;
    meter.replaceChildren(progressBar(done, total, text(section.title, checklist.language)));
  }

  refresh();
  timers.ticker(() => cards.forEach((c) => c.tick?.()), signal);
  const focus = cards.find((c) => c.item.id === focusId);
  if (focus) focus.el.dataset.focus = "1";
  const previous = all[index - 1];
  const next = all[index + 1];
  const sectionHref = (entry) => `#/v/${uuid}/s/${encodeURIComponent(entry.section.id)}`;
  return [
    h("header", { class: "section-head" },
      h("p", { class: "sub" }, t(`stage.${stage}`), " · ", t("section.position", { n: index + 1, of: all.length }),
        sent ? [" · ", stateBadge(await sentState(visit))] : null),
      h("h1", {}, text(section.title, checklist.language), " ", tally),
      meter),
    h("fieldset", { class: "items", disabled: shared.readOnly, dataset: { section: section.id } }, cards.map((c) => c.el)),
    bar(
      previous ? link(sectionHref(previous), { class: "btn", id: "previous" }, t("nav.previous")) : null,
      link(`#/v/${uuid}`, { class: "btn", id: "contents" }, previous ? t("nav.contents") : t("nav.overview")),
      next
        ? link(sectionHref(next), { class: "btn primary", id: "next" }, t("nav.next"))
        : link(shared.readOnly ? `#/v/${uuid}` : `#/v/${uuid}/submit`, { class: "btn primary", id: "next" }, t("nav.finish")),
    ),
  ];
}

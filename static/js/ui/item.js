// One checklist item as a card: its text and guidance, the control for its type, N/A where
// allowed, a note, photos, and what it still needs (evidence a failure calls for).

import { t, text } from "../i18n.js";
import { MAX_SECONDS } from "../rules.js";
import { control } from "./controls.js";
import { h } from "./dom.js";
import { thumb as evidenceThumb } from "./evidence.js";

function badges(item, visit) {
  const list = [];
  // a case over several days: the day of the case this detail is due
  if (item.day) list.push(h("span", { class: "badge day" }, t("item.day", { n: item.day })));
  // an open finding's item at this site: look again, knowing nothing of what the store said
  if (visit.recheck?.includes(item.id)) list.push(h("span", { class: "badge recheck" }, t("item.recheck")));
  if (item.critical_cap !== null && item.critical_cap !== undefined) list.push(h("span", { class: "badge critical" }, t("item.critical")));
  if (item.evidence_photo) list.push(h("span", { class: "badge" }, t(`item.photo-${item.evidence_photo}`)));
  if (item.evidence_note) list.push(h("span", { class: "badge" }, t(`item.note-${item.evidence_note}`)));
  if (!item.required) list.push(h("span", { class: "badge quiet" }, t("item.optional")));
  return list.length ? h("p", { class: "badges" }, list) : null;
}

// Out-of-range numbers are the invalid answers a thumb can make: say so in the inspector's language.
export function explain(item, why) {
  if (item.type === "number") return t("item.range", { min: item.min ?? "", max: item.max ?? "" });
  if (item.type === "timer") return t("item.range", { min: 0, max: MAX_SECONDS });
  return t("item.invalid", { why });
}

function photoPicker(item, ctx, busy) {
  const input = h("input", {
    type: "file", accept: "image/*", capture: "environment", class: "visually-hidden", multiple: item.type === "photo",
    onchange: async () => {
      const files = [...input.files];
      input.value = "";
      busy(true);
      try {
        for (const file of files) await ctx.addPhoto(file);
      } finally {
        busy(false);
      }
    },
  });
  return h("label", { class: `btn tool camera ${item.type === "photo" ? "primary" : ""}` }, input, h("span", {}, t("item.add-photo")));
}

// A photo's tile, with its remove button while the visit can be changed.
function thumb(photo, ctx) {
  return evidenceThumb(photo, ctx.photoUrl,
    ctx.readOnly ? null : h("button", { type: "button", class: "remove", "aria-label": t("item.remove-photo"), onclick: () => ctx.removePhoto(photo) }, "×"));
}

export function card(item, ctx) {
  const fallback = ctx.fallback;
  const input = control(item, ctx);
  const note = h("textarea", { class: "note", rows: 2, placeholder: t("item.note-placeholder"), oninput: (event) => ctx.change({ note: note.value }, event.timeStamp) });
  const noteBox = h("label", { class: "note-box", hidden: true }, h("span", { class: "sub" }, t("item.note")), note);
  const noteButton = h("button", { type: "button", class: "btn tool", onclick: () => { noteBox.hidden = false; note.focus(); } }, t("item.add-note"));
  const naButton = item.na && item.type !== "yes_no"
    ? h("button", { type: "button", class: "btn tool na", "aria-pressed": "false", onclick: (event) => ctx.change({ na: naButton.getAttribute("aria-pressed") !== "true", value: null }, event.timeStamp) }, t("answer.na"))
    : null;
  const picker = photoPicker(item, ctx, (on) => picker.classList.toggle("busy", on));
  const thumbs = h("div", { class: "thumbs" });
  const needs = h("p", { class: "needs", role: "status" });
  const problem = h("p", { class: "problem" });
  const body = h("div", { class: "control" }, input.el);
  const el = h("article", { class: "item", id: `item-${item.id}`, dataset: { item: item.id, type: item.type } },
    h("h2", {}, text(item.text, fallback), item.required ? h("span", { class: "req", "aria-label": t("item.required") }, " *") : null),
    badges(item, ctx.visit),
    h("details", { class: "guidance" }, h("summary", {}, t("item.guidance")), h("p", {}, text(item.guidance, fallback))),
    body, problem, needs, thumbs,
    h("div", { class: "tools" }, naButton, noteButton, picker),
    noteBox);
  let shownPhotos = "";

  function update({ answer, photos, missing, problem: why }) {
    input.set(answer);
    const na = Boolean(answer?.na);
    naButton?.setAttribute("aria-pressed", String(na));
    body.classList.toggle("muted", na && item.type !== "yes_no");
    if (document.activeElement !== note) note.value = answer?.note || "";
    if (note.value || missing.includes("note")) noteBox.hidden = false;
    noteButton.hidden = !noteBox.hidden;
    problem.textContent = why ? explain(item, why) : "";
    needs.textContent = missing.map((need) => t(`need.${need}`)).join(" · ");
    el.dataset.state = missing.length || why ? "needs" : answer || photos.length ? "answered" : "open";
    const key = photos.map((p) => p.uuid).join();
    if (key !== shownPhotos) {
      shownPhotos = key;
      thumbs.replaceChildren(...photos.map((photo) => thumb(photo, ctx)));
    }
  }

  return { item, el, update, tick: input.tick };
}

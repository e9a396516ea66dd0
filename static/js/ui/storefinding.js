// One finding, for the store manager: the standard and how to put it right, when it is due,
// what happened so far, and the answer: "fixed" (what was done, and a photo where the detail
// asks for one) or "dispute" (why, until the last day a dispute is taken). The answer is kept
// on the phone and sent by answers.js; what the phone still holds shows here with its state.

import * as answers from "../answers.js";
import { emit, on } from "../events.js";
import * as findings from "../findings.js";
import { language, t, text } from "../i18n.js";
import { isoLocal, when } from "../clock.js";
import * as session from "../session.js";
import { bar, h, link } from "./dom.js";
import { badges, localState } from "./storehome.js";

function history(finding) {
  if (!finding.history.length) return null;
  return h("section", { class: "group" }, h("h2", {}, t("store.history")),
    h("ol", { class: "history" }, finding.history.map((event) => h("li", {},
      `${when(event.at, language())} · ${t(`store.action-${event.action}`)}`,
      event.who ? ` · ${event.who}` : "",
      event.note ? `: ${event.note}` : "",
      event.photo ? ` · ${t("store.with-photo")}` : ""))));
}

function held(answer) {
  if (!answer) return null;
  const waiting = answer.status === "outbox";
  const line = answer.status === "sent" ? t("store.answer-sent", { time: when(answer.sent_at, language()) })
    : answer.status === "refused" ? t("store.answer-refused", { problem: answer.problem })
      : answer.attempts ? t("store.answer-retrying", { n: answer.attempts }) : t("store.answer-waiting");
  return h("section", { class: `notice ${answer.status === "refused" ? "bad" : waiting ? "warn" : "ok"}`, id: "held-answer", dataset: { status: answer.status } },
    h("h2", {}, t(`store.kind-${answer.kind}`)),
    h("p", { class: "note-text" }, answer.note),
    answer.has_photo ? h("p", { class: "sub" }, t("store.with-photo")) : null,
    h("p", { class: "sub" }, line));
}

function form(user, finding) {
  const disputable = isoLocal().slice(0, 10) <= finding.dispute_until;
  let kind = "fixed";
  const note = h("textarea", { id: "answer-note", name: "note", rows: 4, required: true, maxlength: 2000 });
  const noteLabel = h("span", { class: "sub" }, t("store.fixed-note"));
  const preview = h("span", { class: "thumbs", id: "photo-preview" });
  const photo = h("input", {
    type: "file", id: "answer-photo", name: "photo", accept: "image/*", capture: "environment", class: "visually-hidden",
    onchange: () => {
      const file = photo.files[0];
      const img = file ? h("img", { class: "thumb", alt: t("store.photo-chosen") }) : null;
      if (img) img.src = URL.createObjectURL(file);
      preview.replaceChildren(...(img ? [img] : []));
    },
  });
  const photoField = h("div", { class: "field", id: "photo-field" },
    h("span", { class: "sub" }, finding.photo ? t("store.photo-needed") : t("store.photo-optional")),
    h("label", { class: "btn camera" }, photo, h("span", {}, t("store.take-photo"))),
    preview);
  const message = h("p", { class: "problem", id: "answer-message", role: "alert" });
  const choices = ["fixed", "dispute"].map((value) => h("button", {
    type: "button", class: "btn", id: `kind-${value}`, "aria-pressed": String(value === kind), disabled: value === "dispute" && !disputable,
    onclick: () => {
      kind = value;
      for (const button of choices) button.setAttribute("aria-pressed", String(button.id === `kind-${value}`));
      noteLabel.textContent = t(`store.${value}-note`);
      photoField.hidden = value !== "fixed";
    },
  }, t(`store.kind-${value}`)));
  const save = h("button", { type: "submit", class: "btn primary wide", id: "answer-save" }, t("store.save"));

  async function submit(event) {
    event.preventDefault();
    if (save.disabled) return;
    const file = kind === "fixed" ? photo.files[0] || null : null;
    if (!note.value.trim()) message.textContent = t(`store.${kind}-note-missing`);
    else if (kind === "fixed" && finding.photo && !file) message.textContent = t("store.photo-missing");
    else {
      save.disabled = true;
      await answers.write(user, finding, kind, note.value, file);
      location.hash = "#/";
    }
  }

  return h("form", { class: "answer", id: "answer-form", novalidate: true, onsubmit: submit },
    h("h2", {}, t("store.your-answer")),
    h("div", { class: "segmented two", role: "group", "aria-label": t("store.your-answer") }, choices),
    disputable ? h("p", { class: "sub" }, t("store.dispute-until", { day: finding.dispute_until })) : h("p", { class: "sub" }, t("store.dispute-closed")),
    h("label", { class: "field" }, noteLabel, note),
    photoField,
    message,
    bar(save));
}

export async function render([id], signal) {
  for (const name of ["findings-updated", "outbox-changed"]) on(name, () => emit("screen-stale"), signal);
  const who = await session.state();
  const finding = await findings.get(who.user, id);
  const back = link("#/", { class: "back", id: "back" }, `← ${t("store.all")}`);
  if (!finding) return [back, h("p", { class: "empty" }, t("store.gone"))];
  const answer = answers.latestFor(await answers.mine(who.user), id);
  const shown = localState(finding, answer);
  const answerable = ["open", "refused"].includes(shown.state);
  return [
    back,
    h("h1", { id: "finding-text" }, text(finding.text, finding.language)),
    h("p", { class: "lead" }, text(finding.site_name, finding.language), " · ", t("store.found", { day: finding.opened_on })),
    badges(finding, shown),
    h("p", {}, t("store.due", { day: finding.due_on })),
    text(finding.fix, finding.language) ? h("section", { class: "notice", id: "fix" }, h("h2", {}, t("store.how-to-fix")), h("p", {}, text(finding.fix, finding.language))) : null,
    held(answer),
    answerable ? form(who.user, finding) : h("p", { class: "sub", id: "recheck-next" }, t("store.recheck-next")),
    history(finding),
  ];
}

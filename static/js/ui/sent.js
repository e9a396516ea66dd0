// A sent visit: its review state in words, the reviewer's comments, the photo evidence the
// server holds (the thumbnails this phone kept, item by item), and for a returned visit the way
// to correct it and send it again (its last body from the server becomes a draft under the same
// uuid). A visit that is a draft or in the outbox again shows as such.

import { on, emit } from "../events.js";
import { language, t, text } from "../i18n.js";
import { when } from "../clock.js";
import * as catalog from "../catalog.js";
import * as review from "../review.js";
import * as session from "../session.js";
import * as visits from "../visits.js";
import { bar, h, link } from "./dom.js";
import { photoUrls, thumb } from "./evidence.js";
import * as overview from "./overview.js";
import { comments, names, stateNotice } from "./states.js";

function whyNot(outcome) {
  if (outcome.kind === "unauthorized") return t("review.correct-sign-in");
  if (outcome.kind === "not-returned") return t("review.not-returned");
  if (outcome.kind === "no-checklist") return t("review.no-checklist");
  if (outcome.kind === "missing") return t("visit.gone");
  if (outcome.status === 0) return t("review.correct-offline");
  return t("review.correct-failed", { status: outcome.status });
}

function correctButton(user, uuid) {
  const message = h("p", { class: "problem", id: "correct-message", role: "alert" });
  const button = h("button", {
    type: "button", class: "btn primary wide", id: "correct",
    onclick: async () => {
      message.textContent = "";
      button.classList.add("busy");
      const outcome = await review.correct(user, uuid);
      button.classList.remove("busy");
      if (outcome.kind === "ok") location.hash = `#/v/${uuid}`;
      else message.textContent = whyNot(outcome);
    },
  }, h("span", {}, t("review.correct")));
  return { button, message };
}

// The items of the phone's copy that have photos, each with the thumbnails kept of them.
async function evidence(local, signal) {
  const [checklist, photos] = await Promise.all([catalog.checklist(local.checklist_hash), visits.photosOf(local.uuid)]);
  if (!checklist || !photos.length) return null;
  const photoUrl = photoUrls(signal);
  const items = checklist.stages.flatMap((stage) => stage.sections.flatMap((section) => section.items.map((item) => ({ section, item }))));
  const rows = items.filter(({ item }) => photos.some((photo) => photo.item_id === item.id));
  return h("section", { class: "evidence", id: "evidence" },
    h("h2", {}, t("sent.evidence")),
    h("p", { class: "sub" }, t("sent.evidence-kept")),
    h("ul", {}, rows.map(({ section, item }) => h("li", { dataset: { item: item.id } },
      link(`#/v/${local.uuid}/s/${encodeURIComponent(section.id)}?item=${encodeURIComponent(item.id)}`, {}, text(item.text, checklist.language)),
      h("div", { class: "thumbs" }, photos.filter((photo) => photo.item_id === item.id).map((photo) => thumb(photo, photoUrl)))))));
}

export async function render([uuid], signal) {
  const local = await visits.load(uuid);
  if (local && local.status !== "sent") return overview.render([uuid], signal);
  on("review-updated", () => emit("screen-stale"), signal);
  const who = await session.state();
  const row = await review.find(who.user, uuid);
  const home = link("#/", { class: "btn" }, t("nav.home"));
  if (!row) return [h("p", { class: "empty" }, t("visit.gone")), bar(home)];
  const { site, title } = names(row, { sites: await catalog.sites(), checklists: await catalog.current() });
  const returned = row.state === "returned";
  const action = returned && who.user ? correctButton(who.user, uuid) : null;
  return [
    h("header", { class: "visit-head" },
      h("h1", {}, site),
      h("p", { class: "sub" }, title, " · ", t("home.visited-line", { time: when(row.started_at, language()) }), " · ",
        t("home.sent-line", { time: when(row.at, language()) }))),
    stateNotice(row.state),
    comments(row.comments),
    action ? action.message : null,
    returned ? h("p", { class: "sub" }, t("review.correct-explain")) : null,
    row.local ? await evidence(row.local, signal) : null,
    row.local ? link(`#/v/${uuid}`, { class: "btn text", id: "answers" }, t("review.answers")) : null,
    bar(home, action ? action.button : null),
  ];
}

// An assignment as a card, on home and on the site choice alike: its site, checklist and
// window; tapped, it starts the assignment's visit (its site and checklist, its items to
// re-check marked), or opens the one this phone already started for it.

import { when } from "../clock.js";
import { language, t, text } from "../i18n.js";
import * as catalog from "../catalog.js";
import * as visits from "../visits.js";
import { h } from "./dom.js";

async function start(assignment, user, button) {
  const started = (await visits.mine(user)).find((candidate) => candidate.assignment_id === assignment.id);
  if (started) {
    location.hash = `#/v/${started.uuid}`;
    return;
  }
  const site = (await catalog.sites()).find((candidate) => candidate.id === assignment.site_id);
  const entry = (await catalog.current()).find((candidate) => candidate.id === assignment.checklist_id);
  if (!site || !entry) {
    button.querySelector(".problem").textContent = t("home.assignment-unknown");
    return;
  }
  button.disabled = true;
  location.hash = `#/v/${(await visits.create(site, entry, user?.id, assignment)).uuid}`;
}

// An assignment whose window has passed stays until HQ cancels it or a visit fulfils it: a
// visit made now is flagged to the reviewer as outside its window, so the card says so first.
export function assignmentCard(assignment, user) {
  const lang = language();
  const late = Date.parse(assignment.window_end) < Date.now();
  return h("button", {
    type: "button", class: `card visit assignment${late ? " late" : ""}`,
    dataset: { assignment: assignment.id, site: assignment.site_id, checklist: assignment.checklist_id, late: late ? "1" : "0" },
    onclick: (event) => start(assignment, user, event.currentTarget),
  },
  h("strong", {}, text(assignment.site_name)),
  h("span", {}, text(assignment.checklist_title)),
  h("span", { class: "sub" }, `${when(assignment.window_start, lang)} – ${when(assignment.window_end, lang)}`),
  late ? h("span", { class: "sub bad" }, t("home.assignment-late")) : null,
  h("span", { class: "problem", role: "alert" }));
}

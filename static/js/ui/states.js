// A sent visit's review state, in the same words on every screen, and the reviewer's comments.

import { language, t, text } from "../i18n.js";
import { when } from "../clock.js";
import { STATES, list, stateOf } from "../review.js";
import * as session from "../session.js";
import { h } from "./dom.js";

const known = (state) => (STATES.includes(state) ? state : "submitted");

export function stateBadge(state) {
  return h("span", { class: `state-badge ${known(state)}`, dataset: { state } }, t(`state.${known(state)}`));
}

// The review state of a visit this phone sent, as the server last told it.
export async function sentState(visit) {
  const { fetchedAt, visits } = await list((await session.state()).user);
  const entry = visits.find((candidate) => candidate.uuid === visit.uuid);
  return stateOf(entry ? { ...entry, fetchedAt } : null, visit);
}

// The state in words with what it means for the inspector.
export function stateNotice(state) {
  const tone = { submitted: "", returned: "warn", released: "ok", rejected: "bad" }[known(state)];
  return h("section", { class: `notice state ${tone}`, id: "state", dataset: { state } },
    h("h2", {}, t(`state.${known(state)}`)),
    h("p", {}, t(`state.${known(state)}.explain`)));
}

export function comments(list) {
  if (!list?.length) return null;
  return h("section", { class: "comments", id: "comments" },
    h("h2", {}, t("review.comments")),
    h("ol", {}, list.map((comment) => h("li", {},
      h("span", { class: "sub" }, when(comment.at, language())),
      h("p", {}, comment.text)))));
}

// Site and checklist names of a sent visit: from the phone's copy, else from the catalog.
export function names(row, { sites, checklists }) {
  if (row.local) {
    const fallback = row.local.checklist_language;
    return { site: text(row.local.site_name, fallback), title: text(row.local.checklist_title, fallback) };
  }
  const site = sites.find((candidate) => candidate.id === row.site_id);
  const entry = checklists.find((candidate) => candidate.id === row.checklist_id);
  return {
    site: site ? text(site.name) : row.site_id,
    title: entry ? text(entry.checklist.title, entry.checklist.language) : row.checklist_id,
  };
}

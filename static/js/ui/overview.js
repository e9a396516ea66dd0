// A visit at a glance: its running timers, its sections stage by stage with their progress,
// its review state once sent, what the server said if it refused the visit (a conflict or
// invalid content: the phone keeps its copy), the reviewer's comments on a visit being
// corrected, and the way to submit.

import { on, emit } from "../events.js";
import { language, t, text } from "../i18n.js";
import { when } from "../clock.js";
import * as catalog from "../catalog.js";
import * as timers from "../timers.js";
import * as visits from "../visits.js";
import { bar, h, link, progressBar } from "./dom.js";
import { chips } from "./running.js";
import { comments, sentState, stateBadge } from "./states.js";

function header(visit, checklist) {
  const fallback = checklist.language;
  return h("header", { class: "visit-head" },
    h("h1", {}, text(visit.site_name, fallback)),
    h("p", { class: "sub" }, text(checklist.title, fallback), " · ", t("visit.started", { time: when(visit.started_at, language()) })));
}

function problemCard(visit) {
  const problem = visit.problem || {};
  const problems = Array.isArray(problem.problems) ? problem.problems : [];
  return h("section", { class: `notice bad ${visit.status}`, id: "problem", role: "alert" },
    h("h2", {}, t(`problem.${visit.status}.title`)),
    h("p", {}, t(`problem.${visit.status}.explain`)),
    problem.message ? h("p", { class: "server-message" }, problem.message) : null,
    problems.length ? h("ul", {}, problems.map((p) => h("li", {}, h("code", {}, p.field || ""), " ", p.message || ""))) : null,
    h("p", { class: "sub" }, t("problem.kept", { status: problem.status || "" })));
}

function correctionCard(visit) {
  return h("section", { class: "notice warn", id: "correction" },
    h("h2", {}, stateBadge("returned")),
    h("p", {}, t("visit.correcting")),
    comments(visit.correction.comments));
}

async function stateCard(visit) {
  const lang = language();
  if (visit.status === "sent") {
    return h("section", { class: "notice ok", id: "sent-state" }, t("visit.sent", { time: when(visit.sent_at, lang) }), " ",
      link(`#/sent/${visit.uuid}`, {}, stateBadge(await sentState(visit))));
  }
  if (visit.status === "outbox") return h("section", { class: "notice" }, t("visit.waiting", { time: when(visit.ended_at, lang) }));
  if (visit.status === "draft") return visit.correction ? correctionCard(visit) : null;
  return problemCard(visit);
}

// A section's row: its progress, or that earlier answers hid all its items.
function sectionRow(visit, section, state, fallback) {
  const complete = state.total > 0 && state.done === state.total && state.missing === 0;
  const title = text(section.title, fallback);
  const hidden = state.total === 0;
  return link(`#/v/${visit.uuid}/s/${encodeURIComponent(section.id)}`, {
    class: `card section-row ${complete ? "complete" : ""} ${hidden ? "hidden-all" : ""}`, dataset: { section: section.id },
  },
  h("span", { class: "row" }, h("strong", {}, title),
    h("span", { class: "tally" }, hidden ? t("section.all-hidden") : [complete ? "✓ " : "", `${state.done}/${state.total}`])),
  hidden ? null : progressBar(state.done, state.total, title));
}

// The visit's running timers, each under its section's name, ticking; a tap stops one.
async function runningTimers(visit, checklist, signal) {
  const running = await chips(visit);
  if (!running.length) return null;
  timers.ticker(() => running.forEach((c) => c.tick()), signal);
  const sectionOf = new Map(checklist.stages.flatMap((stage) => stage.sections.flatMap((section) => section.items.map((item) => [item.id, section]))));
  return h("section", { class: "running-here", id: "running" }, running.map((c) => {
    const section = sectionOf.get(c.el.dataset.item);
    return h("p", {}, link(`#/v/${visit.uuid}/s/${encodeURIComponent(section.id)}`, {}, text(section.title, checklist.language)), c.el);
  }));
}

export async function render([uuid], signal) {
  const visit = await visits.load(uuid);
  if (!visit) return [h("p", { class: "empty" }, t("visit.gone")), bar(link("#/", { class: "btn" }, t("nav.home")))];
  const checklist = await catalog.checklist(visit.checklist_hash);
  const progress = visits.progress(checklist, visit, visits.counts(await visits.photosOf(uuid)));
  on("visit-saved", (saved) => saved.uuid === uuid && emit("screen-stale"), signal);
  const stages = checklist.stages.map((stage) => h("section", { class: "group" },
    h("h2", {}, t(`stage.${stage.key}`)),
    stage.sections.map((section) => sectionRow(visit, section, progress.get(section.id), checklist.language))));
  const actions = [];
  if (visit.status === "draft") {
    actions.push(link(`#/v/${uuid}/submit`, { class: "btn primary wide", id: "review" }, t("visit.review")));
  } else if (visit.status === "invalid" && !visit.problem?.photo) {
    // nothing was stored: the visit can be corrected and sent again under its UUID
    actions.push(h("button", { type: "button", class: "btn primary wide", id: "reopen", onclick: () => visits.reopen(visit) }, t("visit.reopen")));
  }
  const discard = async () => {
    if (!confirm(t("visit.discard-confirm"))) return;
    await visits.discard(visit);
    location.hash = "#/";
  };
  return [
    header(visit, checklist),
    await stateCard(visit),
    visit.status === "draft" ? await runningTimers(visit, checklist, signal) : null,
    stages,
    visit.status === "draft" ? h("button", { type: "button", class: "btn text danger", id: "discard", onclick: discard }, t("visit.discard")) : null,
    bar(link("#/", { class: "btn" }, t("nav.home")), ...actions),
  ];
}

// Home: the inspector's assignments (each starts its visit, or opens the one started), visits
// a reviewer returned, drafts to continue, the outbox (with any visit the server
// refused), what was sent with its review state, and the settings: language, discreet mode,
// the account and signing out, persistent storage, sync now. Only the signed-in inspector's
// visits show.

import * as assignments from "../assignments.js";
import * as db from "../db.js";
import { emit, on } from "../events.js";
import { language, t, text } from "../i18n.js";
import { when } from "../clock.js";
import * as catalog from "../catalog.js";
import * as discreet from "../discreet.js";
import * as review from "../review.js";
import * as session from "../session.js";
import * as visits from "../visits.js";
import { assignmentCard } from "./assigned.js";
import { bar, h, link, progressBar } from "./dom.js";
import { picker } from "./languages.js";
import { names, stateBadge } from "./states.js";

const SENT_SHOWN = 20;

async function draftLine(visit) {
  const checklist = await catalog.checklist(visit.checklist_hash);
  const sections = checklist ? [...visits.progress(checklist, visit, visits.counts(await visits.photosOf(visit.uuid))).values()] : [];
  const done = sections.reduce((sum, s) => sum + s.done, 0);
  const total = sections.reduce((sum, s) => sum + s.total, 0);
  const line = t("home.draft-line", { time: when(visit.started_at, language()), done, total });
  return [
    visit.correction ? h("span", { class: "sub" }, stateBadge("returned"), " ", t("home.correcting")) : null,
    h("span", { class: "sub" }, line),
    progressBar(done, total, line),
  ];
}

function stateLine(visit, paused) {
  const lang = language();
  if (visit.status === "outbox" && paused) {
    return h("span", { class: "sub bad" }, t("home.waiting-line", { time: when(visit.ended_at, lang) }), " · ", t("home.after-sign-in"));
  }
  if (visit.status === "outbox") {
    const error = visit.last_error === "offline" ? t("home.no-connection") : visit.last_error || "";
    const retry = visit.attempts ? t("home.retry-line", { n: visit.attempts, error }) : "";
    return h("span", { class: "sub" }, t("home.waiting-line", { time: when(visit.ended_at, lang) }), retry ? ` · ${retry}` : "");
  }
  return h("span", { class: "sub bad" }, t(`problem.${visit.status}.short`));
}

async function card(visit, paused = false) {
  const fallback = visit.checklist_language;
  return link(`#/v/${visit.uuid}`, { class: `card visit ${visit.status}`, dataset: { uuid: visit.uuid, status: visit.status } },
    h("strong", {}, text(visit.site_name, fallback)),
    h("span", {}, text(visit.checklist_title, fallback)),
    visit.status === "draft" ? await draftLine(visit) : stateLine(visit, paused));
}

// A sent visit (the server's entry, this phone's copy, or both) with its review state in words.
function sentCard(row, lookup) {
  const { site, title } = names(row, lookup);
  const comments = row.state === "returned" && row.comments?.length ? row.comments[row.comments.length - 1].text : null;
  return link(`#/sent/${row.uuid}`, { class: `card visit sent state-${row.state}`, dataset: { uuid: row.uuid, status: "sent", state: row.state } },
    h("strong", {}, site),
    h("span", {}, title),
    h("span", { class: "sub" }, stateBadge(row.state), " ", t("home.visited-line", { time: when(row.started_at, language()) })),
    comments ? h("span", { class: "comment-preview clamp" }, comments) : null);
}

async function group(title, list, id, draw = card, count = list.length) {
  if (!list.length) return null;
  return h("section", { class: "group", id }, h("h2", {}, title, h("span", { class: "count" }, String(count))),
    ...(await Promise.all(list.map((entry) => draw(entry)))));
}

// Storage the browser may clear is worth a warning only while something here is not on the
// server yet: a draft to finish, a visit for "sync now" below to send.
async function storageLine(unsent) {
  const persisted = await db.getMeta("persisted");
  const estimate = navigator.storage?.estimate ? await navigator.storage.estimate() : null;
  const used = estimate ? t("settings.used", { mb: (estimate.usage / 1e6).toFixed(1) }) : "";
  const warn = persisted === false && unsent > 0;
  const answer = persisted === null ? t("settings.persist-unknown") : persisted ? t("settings.persisted") : warn ? t("settings.not-persisted") : "";
  return h("p", { class: `storage ${warn ? "warn" : ""}`, id: "persisted", dataset: { persisted: String(persisted) } },
    answer, answer && used ? " · " : "", used);
}

function discreetSwitch(active) {
  return h("label", { class: "switch", id: "discreet-setting" },
    h("input", { type: "checkbox", id: "discreet", checked: active, onchange: (event) => discreet.set(event.target.checked) }),
    h("span", {}, h("strong", {}, t("settings.discreet")), h("span", { class: "sub" }, t("settings.discreet-explain"))));
}

function account(who, mine) {
  if (!who.user) {
    return h("div", { class: "account" }, link("#/signin", { class: "btn primary", id: "sign-in" }, t("session.sign-in")));
  }
  const message = h("p", { class: "problem", id: "signout-message", role: "alert" });
  const button = h("button", {
    type: "button", class: "btn", id: "sign-out",
    onclick: async () => {
      const drafts = mine.filter((visit) => visit.status === "draft").length;
      const waiting = mine.filter((visit) => ["outbox", "conflict", "invalid"].includes(visit.status)).length;
      if (!confirm(t("account.sign-out-confirm", { drafts, waiting }))) return;
      button.classList.add("busy");
      const outcome = await session.signOut();
      button.classList.remove("busy");
      if (outcome.kind === "ok") location.hash = "#/signin";
      else message.textContent = outcome.status === 0 ? t("account.sign-out-offline") : t("account.sign-out-failed", { status: outcome.status });
    },
  }, h("span", {}, t("account.sign-out")));
  return h("div", { class: "account", id: "account", dataset: { user: who.user.id } },
    h("p", {}, t("account.signed-in-as", { name: who.user.name }), who.expired ? h("span", { class: "sub bad" }, " · ", t("account.expired")) : null),
    button,
    message,
    h("p", { class: "sub" }, t("account.sign-out-keeps")));
}

async function settings(who, mine) {
  const unsent = mine.filter((visit) => visit.status !== "sent").length;
  return h("section", { class: "group settings" },
    h("h2", {}, t("settings.title")),
    picker(),
    discreetSwitch(discreet.active()),
    account(who, mine),
    await storageLine(unsent),
    h("button", { type: "button", class: "btn", id: "sync-now", onclick: () => emit("sync-requested") }, t("settings.sync-now")));
}

export async function render(params, signal) {
  // listening before reading: what changes while this screen is built draws it again
  for (const name of ["outbox-changed", "review-updated", "assignments-updated", "persisted", "session-expired", "discreet-changed"]) on(name, () => emit("screen-stale"), signal);
  const who = await session.state();
  const mine = (await visits.mine(who.user)).sort((a, b) => (b.updated_at || "").localeCompare(a.updated_at || ""));
  const drafts = mine.filter((visit) => visit.status === "draft");
  const waiting = mine.filter((visit) => ["outbox", "conflict", "invalid"].includes(visit.status));
  const sent = await review.sent(who.user);
  const returned = sent.filter((row) => row.state === "returned");
  const others = sent.filter((row) => row.state !== "returned");
  const lookup = { sites: await catalog.sites(), checklists: await catalog.current() };
  const sentCardOf = (row) => sentCard(row, lookup);
  const assigned = await assignments.list(who.user);
  const groups = await Promise.all([
    group(t("home.assignments"), assigned, "assignments", (assignment) => assignmentCard(assignment, who.user)),
    group(t("home.returned"), returned, "returned", sentCardOf),
    group(t("home.drafts"), drafts, "drafts"),
    group(t("home.outbox"), waiting, "outbox", (visit) => card(visit, !who.signedIn)),
    group(t("home.sent"), others.slice(0, SENT_SHOWN), "sent", sentCardOf, others.length),
  ]);
  const empty = !mine.length && !sent.length && !assigned.length;
  return [
    h("h1", {}, discreet.title()),
    empty ? h("p", { class: "empty" }, t("home.empty")) : groups,
    await settings(who, mine),
    bar(link("#/new", { class: "btn primary wide", id: "new-visit" }, t("home.new-visit"))),
  ];
}

// Home: drafts to continue, the outbox (with any visit the server refused), what was sent,
// and the settings: language, persistent storage, sync now.

import * as db from "../db.js";
import { emit, on } from "../events.js";
import { LANGUAGES, language, setLanguage, t, text } from "../i18n.js";
import { when } from "../clock.js";
import * as catalog from "../catalog.js";
import * as visits from "../visits.js";
import { bar, h, link, progressBar } from "./dom.js";

const SENT_SHOWN = 20;

async function draftLine(visit) {
  const checklist = await catalog.checklist(visit.checklist_hash);
  const sections = checklist ? [...visits.progress(checklist, visit, visits.counts(await visits.photosOf(visit.uuid))).values()] : [];
  const done = sections.reduce((sum, s) => sum + s.done, 0);
  const total = sections.reduce((sum, s) => sum + s.total, 0);
  return [h("span", { class: "sub" }, t("home.draft-line", { time: when(visit.started_at, language()), done, total })), progressBar(done, total)];
}

function stateLine(visit) {
  const lang = language();
  if (visit.status === "sent") return h("span", { class: "sub" }, t("home.sent-line", { time: when(visit.sent_at, lang) }));
  if (visit.status === "outbox") {
    const error = visit.last_error === "offline" ? t("home.no-connection") : visit.last_error || "";
    const retry = visit.attempts ? t("home.retry-line", { n: visit.attempts, error }) : "";
    return h("span", { class: "sub" }, t("home.waiting-line", { time: when(visit.ended_at, lang) }), retry ? ` · ${retry}` : "");
  }
  return h("span", { class: "sub bad" }, t(`problem.${visit.status}.short`));
}

async function card(visit) {
  const fallback = visit.checklist_language;
  return link(`#/v/${visit.uuid}`, { class: `card visit ${visit.status}`, dataset: { uuid: visit.uuid, status: visit.status } },
    h("strong", {}, text(visit.site_name, fallback)),
    h("span", {}, text(visit.checklist_title, fallback)),
    visit.status === "draft" ? await draftLine(visit) : stateLine(visit));
}

async function group(title, list, id) {
  if (!list.length) return null;
  return h("section", { class: "group", id }, h("h2", {}, title, h("span", { class: "count" }, String(list.length))),
    ...(await Promise.all(list.map(card))));
}

async function storageLine() {
  const persisted = await db.getMeta("persisted");
  const estimate = navigator.storage?.estimate ? await navigator.storage.estimate() : null;
  const used = estimate ? t("settings.used", { mb: (estimate.usage / 1e6).toFixed(1) }) : "";
  const answer = persisted === null ? t("settings.persist-unknown") : persisted ? t("settings.persisted") : t("settings.not-persisted");
  return h("p", { class: `storage ${persisted ? "ok" : "warn"}`, id: "persisted", dataset: { persisted: String(persisted) } }, answer, used ? ` · ${used}` : "");
}

async function settings() {
  return h("section", { class: "group settings" },
    h("h2", {}, t("settings.title")),
    h("div", { class: "segmented", role: "group", "aria-label": t("settings.language") },
      LANGUAGES.map(([code, name]) => h("button", {
        type: "button", class: "btn", lang: code, "aria-pressed": String(code === language()), onclick: () => setLanguage(code),
      }, name))),
    await storageLine(),
    h("button", { type: "button", class: "btn", id: "sync-now", onclick: () => emit("sync-requested") }, t("settings.sync-now")));
}

export async function render(params, signal) {
  const all = (await visits.list()).sort((a, b) => (b.updated_at || "").localeCompare(a.updated_at || ""));
  const drafts = all.filter((visit) => visit.status === "draft");
  const outbox = all.filter((visit) => ["outbox", "conflict", "invalid"].includes(visit.status));
  const sent = all.filter((visit) => visit.status === "sent").slice(0, SENT_SHOWN);
  const groups = await Promise.all([
    group(t("home.drafts"), drafts, "drafts"),
    group(t("home.outbox"), outbox, "outbox"),
    group(t("home.sent"), sent, "sent"),
  ]);
  on("outbox-changed", () => emit("screen-stale"), signal);
  on("persisted", () => emit("screen-stale"), signal);
  return [
    h("h1", {}, t("app.title")),
    all.length ? groups : h("p", { class: "empty" }, t("home.empty")),
    await settings(),
    bar(link("#/new", { class: "btn primary wide", id: "new-visit" }, t("home.new-visit"))),
  ];
}

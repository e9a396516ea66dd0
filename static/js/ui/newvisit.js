// Starting a visit: choose the site, then one of the checklists for its site type. The site
// screen lists the inspector's assigned visits first, then the sites of their recent visits,
// then every site by region under a search box: several words, each found in any language,
// in pinyin or in pinyin initials (keys the server made, catalog.js matches). Reads the catalog
// from IndexedDB, so it works offline once the app has been online.

import * as assignments from "../assignments.js";
import { on, emit } from "../events.js";
import { language, t, text } from "../i18n.js";
import * as catalog from "../catalog.js";
import * as review from "../review.js";
import * as session from "../session.js";
import * as visits from "../visits.js";
import { assignmentCard } from "./assigned.js";
import { bar, h, link } from "./dom.js";

const RECENT_SITES = 5;

const back = (href) => link(href, { class: "btn" }, t("nav.back"));

function siteButton(site) {
  return link(`#/new/${encodeURIComponent(site.id)}`, { class: "card site", dataset: { site: site.id } },
    h("strong", {}, text(site.name)),
    h("span", { class: "sub" }, `${text(site.branch.name)} · ${text(site.region.name)}`));
}

// The sites of the inspector's latest visits on this phone and on the server, latest first.
async function recentSites(user, byId) {
  const local = await visits.mine(user);
  const sent = await review.sent(user);
  const latest = [...local, ...sent].sort((a, b) => (b.started_at || "").localeCompare(a.started_at || ""));
  const ids = [...new Set(latest.map((visit) => visit.site_id))].filter((id) => byId.has(id));
  return ids.slice(0, RECENT_SITES).map((id) => byId.get(id));
}

function group(id, title, cards) {
  return cards.length ? h("section", { class: "group", id }, h("h2", {}, title), cards) : null;
}

export async function chooseSite(params, signal) {
  // before reading, so no update is missed
  for (const name of ["catalog-updated", "assignments-updated", "review-updated"]) on(name, () => emit("screen-stale"), signal);
  const sites = await catalog.sites();
  if (!sites.length) return [h("h1", {}, t("new.choose-site")), h("p", { class: "empty" }, t("new.no-catalog")), bar(back("#/"))];
  const { user } = await session.state();
  const byId = new Map(sites.map((site) => [site.id, site]));
  const shortcuts = [
    group("assigned-sites", t("home.assignments"), (await assignments.list(user)).map((assignment) => assignmentCard(assignment, user))),
    group("recent-sites", t("new.recent"), (await recentSites(user, byId)).map(siteButton)),
  ].filter(Boolean);
  const regions = new Map();
  for (const site of sites) {
    if (!regions.has(site.region.id)) regions.set(site.region.id, { name: site.region.name, cards: [] });
    regions.get(site.region.id).cards.push({ site, card: siteButton(site) });
  }
  const groups = [...regions.values()].map(({ name, cards }) =>
    ({ cards, section: h("section", { class: "group region" }, h("h2", {}, text(name)), cards.map(({ card }) => card)) }));
  const nothing = h("p", { class: "empty", id: "no-match", role: "status", hidden: true });
  const filter = (typed) => {
    const words = catalog.searchWords(typed);
    for (const section of shortcuts) section.hidden = words.length > 0;
    let shown = 0;
    for (const { cards, section } of groups) {
      for (const { site, card } of cards) card.hidden = !catalog.matches(site, words);
      const visible = cards.filter(({ card }) => !card.hidden).length;
      section.hidden = visible === 0;
      shown += visible;
    }
    nothing.hidden = shown > 0;
    nothing.textContent = shown ? "" : t("new.nothing-matches", { typed: typed.trim() });
  };
  const search = h("input", {
    type: "search", class: "search", id: "site-search", placeholder: t("new.search"), "aria-label": t("new.search"),
    "aria-describedby": "search-hint", autocomplete: "off", autocapitalize: "off", spellcheck: "false", enterkeyhint: "search",
    oninput: (event) => filter(event.target.value),
  });
  return [
    h("h1", {}, t("new.choose-site")),
    shortcuts,
    search,
    h("p", { class: "sub", id: "search-hint" }, t("new.search-hint")),
    nothing,
    h("div", { id: "all-sites" }, groups.map(({ section }) => section)),
    bar(back("#/")),
  ];
}

function stageSummary(checklist) {
  const count = checklist.stages.reduce((sum, stage) => sum + stage.sections.reduce((n, s) => n + s.items.length, 0), 0);
  return t("new.checklist-line", { items: count, stages: checklist.stages.map((stage) => t(`stage.${stage.key}`)).join(" · ") });
}

export async function chooseChecklist([siteId], signal) {
  on("catalog-updated", () => emit("screen-stale"), signal);
  const site = (await catalog.sites()).find((candidate) => candidate.id === siteId);
  if (!site) return [h("p", { class: "empty" }, t("new.no-site")), bar(back("#/new"))];
  const entries = (await catalog.current()).filter((entry) => entry.checklist.site_types.includes(site.site_type));
  const start = async (entry, button) => {
    for (const other of document.querySelectorAll(".card.checklist")) other.disabled = true;
    button.setAttribute("aria-busy", "true");
    const visit = await visits.create(site, entry, (await session.state()).user?.id);
    location.hash = `#/v/${visit.uuid}`;
  };
  return [
    h("h1", {}, t("new.choose-checklist")),
    h("p", { class: "lead" }, text(site.name)),
    entries.length
      ? entries.map((entry) => {
        const fallback = entry.checklist.language;
        return h("button", { type: "button", class: "card checklist", dataset: { checklist: entry.id }, onclick: (event) => start(entry, event.currentTarget) },
          h("strong", {}, text(entry.checklist.title, fallback)),
          entry.checklist.description ? h("span", { class: "sub clamp" }, text(entry.checklist.description, fallback)) : null,
          h("span", { class: "sub" }, stageSummary(entry.checklist)));
      })
      : h("p", { class: "empty" }, t("new.no-checklist")),
    bar(back("#/new")),
  ];
}

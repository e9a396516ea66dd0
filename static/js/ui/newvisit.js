// Starting a visit: choose the site, then one of the checklists for its site type. Reads the
// catalog from IndexedDB, so it works offline once the app has been online.

import { on, emit } from "../events.js";
import { t, text } from "../i18n.js";
import * as catalog from "../catalog.js";
import * as session from "../session.js";
import * as visits from "../visits.js";
import { bar, h, link } from "./dom.js";

const back = (href) => link(href, { class: "btn" }, t("nav.back"));

function siteButton(site) {
  return link(`#/new/${encodeURIComponent(site.id)}`, { class: "card site", dataset: { site: site.id } },
    h("strong", {}, text(site.name)),
    h("span", { class: "sub" }, `${text(site.branch.name)} · ${text(site.region.name)}`));
}

export async function chooseSite(params, signal) {
  on("catalog-updated", () => emit("screen-stale"), signal); // before reading, so no update is missed
  const sites = await catalog.sites();
  if (!sites.length) return [h("h1", {}, t("new.choose-site")), h("p", { class: "empty" }, t("new.no-catalog")), bar(back("#/"))];
  const regions = new Map();
  for (const site of sites) {
    const key = site.region.id;
    if (!regions.has(key)) regions.set(key, { name: site.region.name, sites: [] });
    regions.get(key).sites.push(site);
  }
  const groups = [...regions.values()].map((region) =>
    h("section", { class: "group" }, h("h2", {}, text(region.name)), region.sites.map(siteButton)));
  const filter = h("input", {
    type: "search", class: "search", placeholder: t("new.search"), "aria-label": t("new.search"),
    oninput: (event) => {
      const wanted = event.target.value.trim().toLowerCase();
      for (const el of document.querySelectorAll(".card.site")) {
        el.hidden = wanted !== "" && !el.textContent.toLowerCase().includes(wanted);
      }
    },
  });
  return [h("h1", {}, t("new.choose-site")), filter, groups, bar(back("#/"))];
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

// The checklists and sites a visit can be started with, fetched after sign-in (the API needs
// a session) and kept in IndexedDB, so that a new visit can be started offline for as long as
// needed. Every checklist version received stays, addressed by its content hash: a draft is
// pinned to the version it was started on.

import * as db from "./db.js";
import { emit } from "./events.js";
import * as session from "./session.js";
import { getJSON } from "./sync.js";

async function store(entries, sites) {
  await db.write(["checklists", "meta"], (tx) => {
    const checklists = tx.objectStore("checklists");
    for (const entry of entries) checklists.put({ hash: entry.hash, id: entry.id, checklist: entry.checklist });
    tx.objectStore("meta").put({ key: "catalog", value: entries.map(({ id, hash }) => ({ id, hash })) });
    tx.objectStore("meta").put({ key: "sites", value: sites });
  });
  emit("catalog-updated");
}

// Resolves true once a fresh catalog is stored; false when signed out, offline or refused.
export async function refresh() {
  if (!(await session.state()).signedIn) return false;
  const [entries, sites] = await Promise.all([getJSON("/api/checklists"), getJSON("/api/sites")]);
  if (!Array.isArray(entries) || !Array.isArray(sites)) return false;
  await store(entries, sites);
  emit("server-reached");
  return true;
}

export async function loaded() {
  return (await db.getMeta("catalog")) !== null;
}

export function sites() {
  return db.getMeta("sites", []);
}

export async function current() {
  const catalog = await db.getMeta("catalog", []);
  const rows = await Promise.all(catalog.map(({ hash }) => db.get("checklists", hash)));
  return rows.filter(Boolean);
}

export async function checklist(hash) {
  const row = await db.get("checklists", hash);
  return row ? row.checklist : null;
}

// What is typed, as the server made the sites' search keys (audit/sitesearch.py): NFKC,
// lowercase, split on spaces. Empty when nothing is typed.
export function searchWords(typed) {
  return typed.normalize("NFKC").toLowerCase().split(/\s+/).filter(Boolean);
}

// Whether every word occurs in the site's keys: names in every language, pinyin, initials.
export function matches(site, words) {
  return words.every((word) => site.search.includes(word));
}

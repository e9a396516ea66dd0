// The checklists and sites a visit can be started with, kept in IndexedDB so that a new visit
// can be started offline. Every checklist version received stays, addressed by its content
// hash: a draft is pinned to the version it was started on.

import * as db from "./db.js";
import { emit } from "./events.js";
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

// The copies the service worker precached, for a phone whose database lost its catalog.
async function fromWorkerCache(url) {
  const hit = "caches" in self ? await caches.match(url) : undefined;
  return hit ? hit.json() : null;
}

export async function refresh() {
  const [entries, sites] = await Promise.all([getJSON("/api/checklists"), getJSON("/api/sites")]);
  if (entries && sites) {
    await store(entries, sites);
    emit("server-reached");
    return;
  }
  if ((await db.getMeta("catalog")) === null) {
    const [cachedEntries, cachedSites] = await Promise.all([fromWorkerCache("/api/checklists"), fromWorkerCache("/api/sites")]);
    if (cachedEntries && cachedSites) await store(cachedEntries, cachedSites);
  }
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

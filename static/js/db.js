// IndexedDB: one database, opened on first use; schema changes are numbered upgrades,
// appended to UPGRADES and never edited, so any old database reaches the current schema.

const NAME = "audit";
const UPGRADES = [
  (db) => {
    db.createObjectStore("visits", { keyPath: "uuid" }).createIndex("status", "status");
    db.createObjectStore("photos", { keyPath: "uuid" }).createIndex("visit_uuid", "visit_uuid");
    db.createObjectStore("checklists", { keyPath: "hash" });
    db.createObjectStore("meta", { keyPath: "key" });
  },
  (db) => {
    // a store manager's answers to findings, queued here until the server has them
    db.createObjectStore("answers", { keyPath: "id" }).createIndex("user_id", "user_id");
  },
];

let opening = null;

function open() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, UPGRADES.length);
    request.onupgradeneeded = (event) => {
      for (let version = event.oldVersion; version < UPGRADES.length; version += 1) {
        UPGRADES[version](request.result, request.transaction);
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => {
        db.close();
        opening = null;
      };
      resolve(db);
    };
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  });
  return opening;
}

function settled(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

// Runs `work(tx)` in one read-write transaction over `stores`; resolves once it is on disk.
export async function write(stores, work) {
  const db = await open();
  const tx = db.transaction(stores, "readwrite", { durability: "strict" });
  const result = work(tx);
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result;
}

export async function get(store, key) {
  const db = await open();
  return settled(db.transaction(store).objectStore(store).get(key));
}

export async function all(store, index, key) {
  const db = await open();
  const source = db.transaction(store).objectStore(store);
  return settled(index ? source.index(index).getAll(key) : source.getAll());
}

export function put(store, value) {
  return write([store], (tx) => tx.objectStore(store).put(value));
}

export function remove(store, key) {
  return write([store], (tx) => tx.objectStore(store).delete(key));
}

export async function getMeta(key, fallback = null) {
  const row = await get("meta", key);
  return row ? row.value : fallback;
}

export function setMeta(key, value) {
  return put("meta", { key, value });
}

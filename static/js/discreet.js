// Discreet mode, for an inspector among shoppers: a neutral title, muted colours, a small timer,
// guidance folded away; nothing on screen reads as an inspection. Kept in IndexedDB meta
// `discreet`; on unless turned off (store managers' phones: off unless turned on). The mode is
// the root element's `discreet` class, which the style sheet reads.

import * as db from "./db.js";
import { emit, on } from "./events.js";
import { t } from "./i18n.js";
import * as session from "./session.js";

async function wanted() {
  return db.getMeta("discreet", (await session.state()).user?.role !== "store");
}

export function active() {
  return document.documentElement.classList.contains("discreet");
}

// The app's name as screens and the document title show it in the current mode and language.
export function title() {
  return t(active() ? "app.title-discreet" : "app.title");
}

function apply(value) {
  document.documentElement.classList.toggle("discreet", value);
  document.title = title();
}

export async function set(value) {
  await db.setMeta("discreet", value);
  apply(value);
  emit("discreet-changed", value);
}

// Applies the mode now, and again for whoever signs in and in each language.
export async function start() {
  const refresh = async () => apply(await wanted());
  on("session-changed", refresh);
  on("language-changed", refresh);
  await refresh();
}

// The interface language: chosen once, remembered in localStorage, announced on change.
// `t` looks up the app's own strings; `text` picks a checklist's {lang: string} text.

import { emit } from "./events.js";
import { STRINGS } from "./strings.js";

export const LANGUAGES = [
  ["zh-Hans", "简体中文"],
  ["zh-Hant", "繁體中文"],
  ["en", "English"],
];
const KEY = "audit.language";

function detect() {
  const stored = localStorage.getItem(KEY);
  if (LANGUAGES.some(([code]) => code === stored)) return stored;
  const wanted = (navigator.language || "").toLowerCase();
  if (/^zh-(hant|tw|hk|mo)/.test(wanted)) return "zh-Hant";
  return wanted.startsWith("zh") ? "zh-Hans" : "en";
}

let current = detect();

export function language() {
  return current;
}

export function setLanguage(code) {
  current = code;
  localStorage.setItem(KEY, code);
  document.documentElement.lang = code;
  emit("language-changed", code);
}

export function t(key, params = {}) {
  const entry = STRINGS[key];
  const template = entry ? entry[LANGUAGES.findIndex(([code]) => code === current)] : key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

export function text(mapping, fallback) {
  if (!mapping) return "";
  if (typeof mapping === "string") return mapping;
  return mapping[current] ?? mapping[fallback] ?? Object.values(mapping)[0] ?? "";
}

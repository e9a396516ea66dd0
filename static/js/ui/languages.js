// The interface language, switchable on every screen: three buttons (on home's settings and
// the sign-in screen) and the same in a small menu at the top right of every screen.

import { LANGUAGES, language, setLanguage, t } from "../i18n.js";
import { on } from "../events.js";
import { h } from "./dom.js";

export function picker(className = "segmented") {
  return h("div", { class: className, role: "group", "aria-label": t("settings.language") },
    LANGUAGES.map(([code, name]) => h("button", {
      type: "button", class: "btn", lang: code, "aria-pressed": String(code === language()), onclick: () => setLanguage(code),
    }, name)));
}

// The menu: a button showing the current language; open, the three languages.
export function mount(root) {
  const draw = () => {
    root.replaceChildren(
      h("summary", { "aria-label": t("settings.language") }, h("span", { "aria-hidden": "true" }, t("settings.language-short"))),
      picker("languages-menu"));
    root.open = false;
  };
  on("language-changed", draw);
  draw();
}

// Signing in: username and password, once; afterwards the phone works offline for as long as
// needed. Shown instead of the app while the phone has nobody signed in and nothing to work
// with, and on its own route (#/signin) when a session has ended and the outbox waits.
// After a sign-in it loads the catalog and returns home; the outbox resumes by itself.

import * as db from "../db.js";
import { emit } from "../events.js";
import { t } from "../i18n.js";
import * as catalog from "../catalog.js";
import * as discreet from "../discreet.js";
import * as outbox from "../outbox.js";
import * as session from "../session.js";
import { h, link } from "./dom.js";
import { picker } from "./languages.js";

function wait(seconds) {
  const minutes = Math.max(1, Math.ceil((seconds || 60) / 60));
  return t("signin.throttled", { minutes });
}

// What to tell the inspector about an outcome of POST /api/session.
function explain(outcome) {
  if (outcome.kind === "unauthorized") return t("signin.wrong");
  if (outcome.kind === "throttled") return wait(outcome.retryAfter);
  if (outcome.status === 0) return t("signin.offline");
  return t("signin.failed", { status: outcome.status });
}

async function intro(who, gated) {
  if (who.expired) {
    const { visits } = await outbox.status();
    return h("section", { class: "notice warn", id: "signin-why" },
      h("h2", {}, t("signin.again-title")),
      h("p", {}, visits ? t("signin.again-waiting", { n: visits }) : t("signin.again")),
      h("p", {}, t("signin.nothing-lost")));
  }
  if (who.signedOut) return h("section", { class: "notice", id: "signin-why" }, t("signin.signed-out"));
  return h("p", { class: "lead" }, gated ? t("signin.once") : t("signin.to-send"));
}

export async function render(params, signal, gated = false) {
  const who = await session.state();
  const username = h("input", {
    type: "text", id: "username", name: "username", autocomplete: "username", autocapitalize: "none",
    spellcheck: "false", required: true, value: (await db.getMeta("username")) || "",
  });
  const password = h("input", { type: "password", id: "password", name: "password", autocomplete: "current-password", required: true });
  const message = h("p", { class: "problem", id: "signin-message", role: "alert" });
  const button = h("button", { type: "submit", class: "btn primary wide", id: "signin-submit" }, h("span", {}, t("signin.submit")));

  async function submit(event) {
    event.preventDefault();
    if (button.classList.contains("busy")) return;
    message.textContent = "";
    message.classList.remove("quiet");
    if (!username.value.trim() || !password.value) {
      message.textContent = t("signin.empty");
      return;
    }
    button.classList.add("busy");
    try {
      const outcome = await session.signIn(username.value.trim(), password.value);
      if (outcome.kind === "not-inspector") {
        message.replaceChildren(t("signin.not-inspector"), " ", h("a", { href: "/signin" }, t("signin.pages")));
        return;
      }
      if (outcome.kind !== "ok") {
        message.textContent = explain(outcome);
        if (outcome.kind === "unauthorized") password.select();
        return;
      }
      password.value = "";
      message.textContent = t("signin.loading");
      message.classList.add("quiet");
      await catalog.refresh();
      if (location.hash === "#/" || location.hash === "") emit("screen-stale");
      else location.hash = "#/";
    } finally {
      button.classList.remove("busy");
    }
  }

  const form = h("form", { class: "signin", id: "signin", novalidate: true, onsubmit: submit },
    h("label", {}, h("span", { class: "sub" }, t("signin.username")), username),
    h("label", {}, h("span", { class: "sub" }, t("signin.password")), password),
    message,
    button);
  return [
    h("h1", {}, discreet.title()),
    await intro(who, gated),
    form,
    picker(),
    gated || !(await catalog.loaded()) ? null : link("#/", { class: "btn text", id: "signin-later" }, t("signin.later")),
  ];
}

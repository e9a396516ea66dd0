// The status bar every screen shows: online or offline, what waits to be sent (visits, or a
// store manager's answers), when the last sync succeeded; the banner offering a waiting new
// version of the app; and the banner asking to sign in (again) while the outbox waits for a
// session.

import { on, emit } from "../events.js";
import { language, t } from "../i18n.js";
import { when } from "../clock.js";
import * as answers from "../answers.js";
import * as outbox from "../outbox.js";
import * as session from "../session.js";
import * as worker from "../worker.js";
import { h } from "./dom.js";

function signInBanner(el, state, who) {
  // the sign-in screen says it itself
  const hide = state.paused === false || location.hash.startsWith("#/signin");
  el.hidden = hide;
  if (hide) {
    delete el.dataset.message;
    return;
  }
  const key = who.expired ? "session.again" : "session.needed";
  const message = state.answers ? t(`${key}-answers`, { n: state.answers }) : state.visits ? t(`${key}-waiting`, { n: state.visits }) : t(key);
  if (el.dataset.message === message) return; // an alert is read out again whenever it is redrawn
  el.dataset.message = message;
  el.replaceChildren(
    h("span", { class: "message", dataset: { visits: state.visits } }, message),
    h("a", { href: "#/signin", class: "btn primary", id: "sign-in-again" }, t("session.sign-in")),
  );
}

export function mount(root, banner, sessionBanner) {
  let syncing = false;

  async function draw() {
    const who = await session.state();
    const state = await (who.user?.role === "store" ? answers.status() : outbox.status());
    signInBanner(sessionBanner, state, who);
    const online = navigator.onLine;
    const parts = [
      h("span", { class: `pill ${online ? "ok" : "off"}`, dataset: { online: online ? "1" : "0" } }, online ? t("status.online") : t("status.offline")),
      "answers" in state
        ? h("span", { class: "pending", dataset: { answers: state.answers, photos: state.photos } },
          state.answers ? t("status.answers-waiting", { answers: state.answers, photos: state.photos }) : t("status.nothing-waiting"))
        : h("span", { class: "pending", dataset: { visits: state.visits, photos: state.photos } },
          state.visits ? t("status.waiting", { visits: state.visits, photos: state.photos }) : t("status.nothing-waiting")),
      state.problems ? h("span", { class: "pill bad" }, t("status.problems", { n: state.problems })) : null,
      h("span", { class: "last-sync" }, syncing ? t("status.syncing") : state.lastSync ? t("status.last-sync", { time: when(state.lastSync, language()) }) : t("status.never-synced")),
    ];
    root.replaceChildren(...parts.filter(Boolean));
  }

  function offerUpdate() {
    banner.replaceChildren(
      h("span", {}, t("update.ready")),
      h("button", { type: "button", class: "btn small", onclick: () => worker.apply() }, t("update.reload")),
    );
    banner.hidden = false;
  }

  on("outbox-changed", draw);
  on("visit-saved", (visit) => visit.status !== "draft" && draw());
  on("visit-discarded", draw);
  on("language-changed", () => {
    draw();
    if (!banner.hidden) offerUpdate();
  });
  on("sync-running", (value) => {
    syncing = value;
    draw();
  });
  on("update-ready", offerUpdate);
  on("session-expired", draw);
  on("session-changed", draw);
  on("screen-shown", draw);
  addEventListener("online", () => draw());
  addEventListener("offline", () => draw());
  root.addEventListener("click", () => emit("sync-requested"));
  return draw();
}

// The store manager's home: the findings of their branches still owed an answer (overdue and
// unanswered first), those answered and waiting for the next visit's re-check, and the
// answers this phone still holds; then sync now and signing out. All of it from IndexedDB,
// so it shows offline as last fetched, saying when that was.

import * as answers from "../answers.js";
import { emit, on } from "../events.js";
import * as findings from "../findings.js";
import { language, t, text } from "../i18n.js";
import { when } from "../clock.js";
import * as session from "../session.js";
import { h, link } from "./dom.js";

// What a finding's state reads as on this phone: an answer not yet on the server counts.
export function localState(finding, answer) {
  if (!answer || answer.status === "sent") return { state: finding.state, key: `store.state-${finding.state}` };
  if (answer.status === "refused") return { state: "refused", key: "store.state-refused" };
  return { state: `${answer.kind}-waiting`, key: `store.state-${answer.kind}-waiting` };
}

export function badges(finding, shown) {
  return h("span", { class: "badges" },
    h("span", { class: `badge state-${shown.state}` }, t(shown.key)),
    finding.critical ? h("span", { class: "badge critical" }, t("store.critical")) : null,
    finding.overdue && shown.state === "open" ? h("span", { class: "badge critical overdue" }, t("store.overdue")) : null);
}

function card(finding, answer) {
  const shown = localState(finding, answer);
  return link(`#/f/${finding.id}`, { class: `card finding state-${shown.state}`, dataset: { finding: finding.id, state: shown.state } },
    h("strong", { class: "clamp" }, text(finding.text, finding.language)),
    h("span", {}, text(finding.site_name, finding.language)),
    badges(finding, shown),
    h("span", { class: "sub" }, t("store.due", { day: finding.due_on })),
    shown.state === "refused" ? h("span", { class: "sub bad" }, answer.problem) : null);
}

function group(title, id, entries) {
  if (!entries.length) return null;
  return h("section", { class: "group", id }, h("h2", {}, title, h("span", { class: "count" }, String(entries.length))), entries);
}

function signOut(waiting) {
  const message = h("p", { class: "problem", id: "signout-message", role: "alert" });
  const button = h("button", {
    type: "button", class: "btn", id: "sign-out",
    onclick: async () => {
      if (waiting && !confirm(t("store.sign-out-confirm", { n: waiting }))) return;
      const outcome = await session.signOut();
      if (outcome.kind === "ok") location.hash = "#/signin";
      else message.textContent = outcome.status === 0 ? t("account.sign-out-offline") : t("account.sign-out-failed", { status: outcome.status });
    },
  }, h("span", {}, t("account.sign-out")));
  return [button, message];
}

export async function render(params, signal) {
  for (const name of ["findings-updated", "outbox-changed", "answer-queued", "session-expired"]) on(name, () => emit("screen-stale"), signal);
  const who = await session.state();
  const [{ fetchedAt, findings: list }, mine] = await Promise.all([findings.list(who.user), answers.mine(who.user)]);
  const rows = list.map((finding) => ({ finding, answer: answers.latestFor(mine, finding.id) }));
  const due = rows.filter(({ finding, answer }) => ["open", "refused"].includes(localState(finding, answer).state));
  const answered = rows.filter((row) => !due.includes(row));
  const waiting = mine.filter((answer) => answer.status === "outbox").length;
  return [
    h("h1", {}, t("store.title")),
    h("p", { class: "lead", id: "findings-as-of" },
      fetchedAt ? t("store.as-of", { time: when(fetchedAt, language()) }) : t("store.never-fetched")),
    list.length ? null : h("p", { class: "empty" }, fetchedAt ? t("store.nothing-due") : t("store.sync-first")),
    group(t("store.to-answer"), "to-answer", due.map(({ finding, answer }) => card(finding, answer))),
    group(t("store.answered"), "answered", answered.map(({ finding, answer }) => card(finding, answer))),
    h("section", { class: "group settings" },
      h("h2", {}, t("settings.title")),
      h("p", {}, t("account.signed-in-as", { name: who.user.name })),
      h("button", { type: "button", class: "btn", id: "sync-now", onclick: () => emit("sync-requested") }, t("settings.sync-now")),
      signOut(waiting)),
  ];
}

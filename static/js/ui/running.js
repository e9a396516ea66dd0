// Running timers wherever the inspector is: a small chip per timer on the bar under the status
// line on every screen (and on a visit's contents), ticking; one tap stops it. A running timer
// lives in its draft (see timers.js), so the chips are drawn from the drafts.

import { on } from "../events.js";
import { t, text } from "../i18n.js";
import { duration } from "../clock.js";
import * as catalog from "../catalog.js";
import * as rules from "../rules.js";
import * as session from "../session.js";
import * as timers from "../timers.js";
import * as visits from "../visits.js";
import { h } from "./dom.js";

// The timer of `item` in `visit` as a chip; `tick()` redraws its time. Stopping reads the draft
// afresh, so that no answer saved since this chip was drawn is overwritten.
function chip(visit, item, fallback) {
  const time = h("span", { class: "time" });
  const button = h("button", {
    type: "button", class: "timer-chip", dataset: { visit: visit.uuid, item: item.id },
    "aria-label": t("timer.stop-named", { item: text(item.text, fallback) }),
    onclick: async () => {
      button.disabled = true;
      const fresh = await visits.load(visit.uuid);
      if (fresh && timers.running(fresh, item.id)) await timers.stop(fresh, item.id);
    },
  }, h("span", { class: "dot", "aria-hidden": "true" }), time, h("span", { class: "stop", "aria-hidden": "true" }, "■"));
  const tick = () => {
    time.textContent = duration(timers.seconds(visit, item.id));
  };
  tick();
  return { el: button, tick };
}

// The chips of every running timer in `visit`.
export async function chips(visit) {
  const checklist = await catalog.checklist(visit.checklist_hash);
  if (!checklist) return [];
  const items = rules.itemMap(checklist);
  return Object.keys(visit.timers || {})
    .filter((id) => items.has(id))
    .map((id) => chip(visit, items.get(id), checklist.language));
}

export function mount(root) {
  let shown = [];
  let drawing = 0;

  async function draw() {
    const turn = ++drawing;
    const who = await session.state();
    const drafts = (await visits.mine(who.user)).filter((visit) => visit.status === "draft");
    const made = (await Promise.all(drafts.map((visit) => chips(visit)))).flat();
    if (turn !== drawing) return; // a later draw has begun
    shown = made;
    root.replaceChildren(...made.map((c) => c.el));
    root.hidden = made.length === 0;
  }

  const concerns = (visit) => Object.keys(visit.timers || {}).length > 0 || shown.some((c) => c.el.dataset.visit === visit.uuid);
  on("visit-saved", (visit) => concerns(visit) && draw());
  on("visit-discarded", draw);
  on("session-changed", draw);
  on("language-changed", draw);
  setInterval(() => shown.forEach((c) => c.tick()), 250);
  return draw();
}

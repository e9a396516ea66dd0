// Timers for waits. A running timer is its start time (epoch ms) saved in the visit, so it
// keeps running across a screen lock, a reload or a closed tab: elapsed = Date.now() - start.
// Stopping adds the time to the item's answer (seconds); starting again continues from it.

import { MAX_SECONDS } from "./rules.js";
import { setAnswer, save } from "./visits.js";

export function running(visit, itemId) {
  return itemId in (visit.timers || {});
}

export function seconds(visit, itemId) {
  if (running(visit, itemId)) return Math.min(MAX_SECONDS, (Date.now() - visit.timers[itemId]) / 1000);
  const answer = visit.answers[itemId];
  return answer && typeof answer.value === "number" ? answer.value : 0;
}

export function start(visit, itemId) {
  visit.timers = { ...visit.timers, [itemId]: Date.now() - seconds(visit, itemId) * 1000 };
  return save(visit);
}

export function stop(visit, itemId) {
  const value = Math.round(seconds(visit, itemId));
  delete visit.timers[itemId];
  return setAnswer(visit, itemId, { value, na: false });
}

export function reset(visit, itemId) {
  delete visit.timers[itemId];
  return setAnswer(visit, itemId, { value: null });
}

// Calls `tick` four times a second (a clock that never lags by a whole second) until `signal` aborts.
export function ticker(tick, signal) {
  const id = setInterval(tick, 250);
  signal.addEventListener("abort", () => clearInterval(id));
}

// One input control per response type. Each returns {el, set(answer)}: it reports a change
// through ctx.change(patch, tapTime) and shows whatever answer it is given.

import { t, text } from "../i18n.js";
import { duration, isoLocal } from "../clock.js";
import * as rules from "../rules.js";
import * as timers from "../timers.js";
import { h } from "./dom.js";

const selectedOf = (answer) => (answer?.na ? "na" : answer?.value ?? null);

function press(buttons, isOn) {
  for (const button of buttons) button.setAttribute("aria-pressed", String(isOn(button.dataset.value)));
}

// Buttons of which one at most is chosen; tapping the chosen one again clears the answer. The
// group is named after its item.
function single(item, options, ctx, layout) {
  let selected = null;
  const buttons = options.map(({ key, value, content, na }) => h("button", {
    type: "button", class: `opt ${na ? "na" : ""}`, dataset: { value: key }, "aria-pressed": "false",
    onclick: (event) => {
      const again = selected === key;
      const patch = na ? { na: !again, value: null } : { value: again ? null : value, na: false };
      ctx.change(patch, event.timeStamp);
    },
  }, content));
  return {
    el: h("div", { class: `options ${layout}`, role: "group", "aria-label": text(item.text, ctx.fallback) }, buttons),
    set(answer) {
      const current = selectedOf(answer);
      selected = current === null ? null : String(current);
      press(buttons, (key) => key === selected);
    },
  };
}

function yesNo(item, ctx) {
  const options = [
    { key: "yes", value: "yes", content: t("answer.yes") },
    { key: "no", value: "no", content: t("answer.no") },
  ];
  if (item.na) options.push({ key: "na", content: t("answer.na"), na: true });
  return single(item, options, ctx, item.na ? "three" : "two");
}

function scale(item, ctx) {
  const labelled = Object.keys(item.labels || {}).length > 0;
  const options = [];
  for (let value = item.min; value <= item.max; value += 1) {
    const label = item.labels?.[String(value)];
    options.push({ key: String(value), value, content: [h("b", {}, String(value)), label ? h("span", {}, text(label, ctx.fallback)) : null] });
  }
  return single(item, options, ctx, labelled ? "list scale" : "grid");
}

function choice(item, ctx) {
  const options = item.choices.map((c) => ({ key: c.id, value: c.id, content: h("span", {}, text(c.label, ctx.fallback)) }));
  return single(item, options, ctx, "list radio");
}

function multiChoice(item, ctx) {
  let ticked = [];
  const exclusive = new Set(item.choices.filter((c) => c.exclusive).map((c) => c.id));
  const buttons = item.choices.map((c) => h("button", {
    type: "button", class: "opt", dataset: { value: c.id }, "aria-pressed": "false",
    onclick: (event) => {
      const next = new Set(ticked);
      if (next.has(c.id)) next.delete(c.id);
      else {
        if (exclusive.has(c.id)) next.clear();
        else for (const id of exclusive) next.delete(id);
        next.add(c.id);
      }
      const value = item.choices.map((other) => other.id).filter((id) => next.has(id));
      ctx.change({ value: value.length ? value : null, na: false }, event.timeStamp);
    },
  }, h("span", {}, text(c.label, ctx.fallback))));
  return {
    el: h("div", { class: "options list check", role: "group", "aria-label": text(item.text, ctx.fallback) }, buttons),
    set(answer) {
      ticked = Array.isArray(answer?.value) ? answer.value : [];
      press(buttons, (id) => ticked.includes(id));
    },
  };
}

function numberInput(attrs, onValue) {
  const input = h("input", {
    type: "number", inputmode: "decimal", step: "any", ...attrs,
    oninput: (event) => onValue(input.value === "" ? null : Number(input.value), event.timeStamp),
  });
  return input;
}

function showValue(input, value) {
  if (document.activeElement !== input) input.value = value ?? "";
}

// What passes for a number or a timer ("≥ 3", "≤ 05:00", "2–4"), said beside a value that fails.
function passRange(item, show) {
  if (item.pass_min !== null && item.pass_max !== null) return `${show(item.pass_min)}–${show(item.pass_max)}`;
  return item.pass_min !== null ? `≥ ${show(item.pass_min)}` : `≤ ${show(item.pass_max)}`;
}

// A line under a number or timer that flags, as soon as it is entered, a value outside the pass range.
function passFlag(item, show) {
  const flag = h("p", { class: "fails", role: "status" });
  return {
    el: flag,
    set(answer) {
      flag.textContent = rules.failed(item, answer) ? t("item.outside-pass", { range: passRange(item, show) }) : "";
    },
  };
}

function number(item, ctx) {
  const input = numberInput({ min: item.min, max: item.max, "aria-label": text(item.text, ctx.fallback) },
    (value, time) => ctx.change({ value, na: false }, time));
  const unit = item.unit ? text(item.unit, ctx.fallback) : "";
  const flag = passFlag(item, (value) => `${value}${unit ? ` ${unit}` : ""}`);
  return {
    el: h("div", { class: "number-box" }, h("div", { class: "number" }, input, unit ? h("span", { class: "unit" }, unit) : null), flag.el),
    set: (answer) => {
      showValue(input, answer?.value);
      flag.set(answer);
    },
  };
}

function timer(item, ctx) {
  const clock = h("output", { class: "clock" }, "00:00");
  const toggle = h("button", { type: "button", class: "btn primary timer-toggle", onclick: () => ctx.timer(timers.running(ctx.visit, item.id) ? "stop" : "start") });
  const reset = h("button", { type: "button", class: "btn timer-reset", onclick: () => ctx.timer("reset") }, t("timer.reset"));
  const seconds = numberInput({ min: 0, step: 1, inputmode: "numeric", class: "seconds", placeholder: t("timer.manual"), "aria-label": t("timer.manual") },
    (value, time) => ctx.change({ value, na: false }, time));
  const flag = passFlag(item, duration);
  const set = () => {
    const on = timers.running(ctx.visit, item.id);
    flag.set(on ? null : ctx.visit.answers[item.id]);
    clock.textContent = duration(timers.seconds(ctx.visit, item.id));
    clock.classList.toggle("running", on);
    toggle.textContent = on ? t("timer.stop") : t("timer.start");
    toggle.classList.toggle("danger", on);
    seconds.disabled = on;
    showValue(seconds, ctx.visit.answers[item.id]?.value);
  };
  return {
    el: h("div", { class: "timer" }, clock, toggle, reset, h("label", { class: "sub manual" }, seconds, t("timer.seconds")), flag.el),
    set,
    tick: () => timers.running(ctx.visit, item.id) && set(),
  };
}

// A date and time, with the phone's offset; an answer of a time of day alone (made before
// timestamps had dates) shows on the visit's own date.
function timestamp(item, ctx) {
  const input = h("input", {
    type: "datetime-local", "aria-label": text(item.text, ctx.fallback),
    oninput: (event) => ctx.change({ value: input.value ? isoLocal(new Date(input.value)) : null, na: false }, event.timeStamp),
  });
  const now = h("button", { type: "button", class: "btn", onclick: (event) => ctx.change({ value: isoLocal(), na: false }, event.timeStamp) }, t("timestamp.now"));
  const local = (value) => (value.length === 5 ? `${ctx.visit.started_at.slice(0, 10)}T${value}` : value.slice(0, 16));
  return {
    el: h("div", { class: "timestamp" }, input, now),
    set: (answer) => showValue(input, typeof answer?.value === "string" ? local(answer.value) : null),
  };
}

function textArea(item, ctx) {
  const area = h("textarea", { rows: 3, "aria-label": text(item.text, ctx.fallback), oninput: (event) => ctx.change({ value: area.value, na: false }, event.timeStamp) });
  return { el: area, set: (answer) => showValue(area, answer?.value) };
}

const photo = () => ({ el: null, set() {} });

const CONTROLS = { yes_no: yesNo, scale, choice, multi_choice: multiChoice, number, timer, timestamp, text: textArea, photo };

export function control(item, ctx) {
  return CONTROLS[item.type](item, ctx);
}

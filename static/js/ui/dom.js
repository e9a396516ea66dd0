// A small element builder: h("button", {class: "big", onclick}, "text", child, ...).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "value") el.value = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
  return el;
}

// The fixed bottom bar where a screen's main actions sit, under the thumb.
export function bar(...children) {
  return h("footer", { class: "bar" }, ...children);
}

export function link(href, attrs, ...children) {
  return h("a", { href, ...attrs }, ...children);
}

// The fill's width is set through the CSSOM: the app's Content-Security-Policy blocks style
// attributes, not element.style. `label` names the bar for screen readers.
export function progressBar(done, total, label) {
  const percent = total ? Math.round((100 * done) / total) : 100;
  const fill = h("span");
  fill.style.width = `${percent}%`;
  return h("div", { class: "meter", role: "progressbar", "aria-label": label, "aria-valuenow": percent, "aria-valuemin": 0, "aria-valuemax": 100 }, fill);
}

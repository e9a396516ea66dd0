// Boot and routing: mounts the status bar, shows the screen the URL's hash names, starts the
// outbox, the service worker and a catalog refresh. Screens build their nodes off-screen and
// the router swaps them in, unless the inspector has already moved on.

import * as db from "./db.js";
import { emit, on } from "./events.js";
import { language } from "./i18n.js";
import * as catalog from "./catalog.js";
import * as outbox from "./outbox.js";
import * as worker from "./worker.js";
import * as status from "./ui/status.js";
import * as home from "./ui/home.js";
import * as newVisit from "./ui/newvisit.js";
import * as overview from "./ui/overview.js";
import * as section from "./ui/section.js";
import * as submit from "./ui/submit.js";

const ROUTES = [
  [/^new$/, newVisit.chooseSite],
  [/^new\/([^/]+)$/, newVisit.chooseChecklist],
  [/^v\/([^/]+)$/, overview.render],
  [/^v\/([^/]+)\/s\/([^/?]+)(?:\?item=([^&]+))?$/, section.render],
  [/^v\/([^/]+)\/submit$/, submit.render],
  [/^/, home.render],
];

function router(main) {
  let controller = null;
  return async function show({ keepScroll = false } = {}) {
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    const path = location.hash.replace(/^#\/?/, "");
    const [pattern, screen] = ROUTES.find(([candidate]) => candidate.test(path));
    const params = path.match(pattern).slice(1).map((part) => (part === undefined ? undefined : decodeURIComponent(part)));
    const nodes = await screen(params, signal);
    if (signal.aborted) return;
    const scroll = window.scrollY;
    main.replaceChildren(...[nodes].flat(Infinity).filter(Boolean));
    const focus = main.querySelector("[data-focus]");
    if (focus) focus.scrollIntoView({ block: "center" });
    else window.scrollTo(0, keepScroll ? scroll : 0);
  };
}

async function askForPersistence() {
  if (!navigator.storage?.persist) return;
  const granted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
  await db.setMeta("persisted", granted);
  emit("persisted", granted);
}

async function boot() {
  document.documentElement.lang = language();
  const show = router(document.getElementById("screen"));
  await Promise.all([status.mount(document.getElementById("status"), document.getElementById("update")), show()]);
  document.body.dataset.ready = "1";
  performance.mark("ready");
  addEventListener("hashchange", () => show());
  on("language-changed", () => show({ keepScroll: true }));
  on("screen-stale", () => show({ keepScroll: true }));
  outbox.start();
  catalog.refresh();
  askForPersistence();
  worker.register().catch((error) => console.error("service worker", error));
}

boot();

// Boot and routing: mounts the status bar, shows the screen the URL's hash names (or the
// sign-in screen while the phone has nobody signed in and nothing to work with), starts the
// outbox, the review states, the assignments, a store manager's findings and answers, the
// service worker, and checks the session and refreshes the catalog when online. Screens build
// their nodes off-screen and the router swaps them in, unless the user has already moved on.

import * as answers from "./answers.js";
import * as assignments from "./assignments.js";
import * as db from "./db.js";
import * as discreet from "./discreet.js";
import { emit, on } from "./events.js";
import { language } from "./i18n.js";
import * as catalog from "./catalog.js";
import * as findings from "./findings.js";
import * as outbox from "./outbox.js";
import * as review from "./review.js";
import * as session from "./session.js";
import * as worker from "./worker.js";
import * as status from "./ui/status.js";
import * as languages from "./ui/languages.js";
import * as running from "./ui/running.js";
import * as home from "./ui/home.js";
import * as newVisit from "./ui/newvisit.js";
import * as overview from "./ui/overview.js";
import * as section from "./ui/section.js";
import * as sent from "./ui/sent.js";
import * as signin from "./ui/signin.js";
import * as storeFinding from "./ui/storefinding.js";
import * as storeHome from "./ui/storehome.js";
import * as submit from "./ui/submit.js";

// A store manager's phone answers findings; everything else is the inspector's.
const STORE_ROUTES = [
  [/^signin$/, signin.render],
  [/^f\/([^/]+)$/, storeFinding.render],
  [/^/, storeHome.render],
];

const ROUTES = [
  [/^signin$/, signin.render],
  [/^sent\/([^/]+)$/, sent.render],
  [/^new$/, newVisit.chooseSite],
  [/^new\/([^/]+)$/, newVisit.chooseChecklist],
  [/^v\/([^/]+)$/, overview.render],
  [/^v\/([^/]+)\/s\/([^/?]+)(?:\?item=([^&]+))?$/, section.render],
  [/^v\/([^/]+)\/submit$/, submit.render],
  [/^/, home.render],
];

// Nobody signed in, and either nobody ever was or the last inspector signed out: the app has
// nothing to offer before a sign-in. (A phone that has a catalog from before sign-ins existed
// keeps working, with the banner asking to sign in.)
async function gated() {
  const who = await session.state();
  if (who.user) return false;
  return who.signedOut || !(await catalog.loaded());
}

function router(main) {
  let controller = null;
  return async function show({ keepScroll = false } = {}) {
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    let nodes;
    if (await gated()) {
      if (location.hash !== "#/signin") history.replaceState(null, "", "#/signin");
      nodes = await signin.render([], signal, true);
    } else {
      const path = location.hash.replace(/^#\/?/, "");
      const routes = (await session.state()).user?.role === "store" ? STORE_ROUTES : ROUTES;
      const [pattern, screen] = routes.find(([candidate]) => candidate.test(path));
      const params = path.match(pattern).slice(1).map((part) => (part === undefined ? undefined : decodeURIComponent(part)));
      nodes = await screen(params, signal);
    }
    if (signal.aborted) return;
    const scroll = window.scrollY;
    main.replaceChildren(...[nodes].flat(Infinity).filter(Boolean));
    const focus = main.querySelector("[data-focus]");
    if (focus) focus.scrollIntoView({ block: "center" });
    else window.scrollTo(0, keepScroll ? scroll : 0);
    emit("screen-shown");
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
  await discreet.start();
  languages.mount(document.getElementById("languages"));
  const show = router(document.getElementById("screen"));
  await Promise.all([
    status.mount(document.getElementById("status"), document.getElementById("update"), document.getElementById("session")),
    running.mount(document.getElementById("timers")),
    show(),
  ]);
  document.body.dataset.ready = "1";
  performance.mark("ready");
  addEventListener("hashchange", () => show());
  on("language-changed", () => show({ keepScroll: true }));
  on("screen-stale", () => show({ keepScroll: true }));
  // the sign-in screen moves on by itself once the catalog is in
  on("session-changed", () => !location.hash.startsWith("#/signin") && show({ keepScroll: true }));
  outbox.start();
  review.start();
  assignments.start();
  answers.start();
  findings.start();
  if (navigator.onLine) session.check().then(() => catalog.refresh());
  // a sign-in whose catalog download was cut off gets it as soon as the phone is back online
  addEventListener("online", async () => (await catalog.loaded()) || catalog.refresh());
  askForPersistence();
  worker.register().catch((error) => console.error("service worker", error));
}

boot();

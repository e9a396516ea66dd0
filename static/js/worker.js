// The service worker seen from the page: registered on load; announces "update-ready" when a
// new version is installed and waiting, and applies it when the inspector asks.

import { emit } from "./events.js";

export async function register() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js", { updateViaCache: "none" });
  const announce = () => {
    if (registration.waiting && navigator.serviceWorker.controller) emit("update-ready");
  };
  announce();
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => worker.state === "installed" && announce());
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => {});
  });
}

export async function apply() {
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration?.waiting) return location.reload();
  navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), { once: true });
  registration.waiting.postMessage({ type: "skip-waiting" });
}

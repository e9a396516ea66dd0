// Who is signed in on this phone. IndexedDB meta keeps `user` ({id, name, role, pseudonym}),
// the session's `csrf` token, the `username` typed (to fill in next time) and whether the
// server has said the session is over (`session_expired`): the user stays known, so the
// phone keeps working offline and only sending waits for a new sign-in. The session itself
// is an HttpOnly cookie the page never sees. Every request made with it goes through
// `authorized`, which sends the CSRF token, and on a 403 for a stale token fetches a fresh
// one and tries once more.

import * as db from "./db.js";
import { emit } from "./events.js";
import { request } from "./http.js";

const JSON_HEADERS = { "Content-Type": "application/json" };
// Who works in this app: inspectors (visits) and store managers (answering findings).
const APP_ROLES = ["inspector", "store"];

export async function state() {
  const [user, expired, signedOut] = await Promise.all([
    db.getMeta("user"), db.getMeta("session_expired", false), db.getMeta("signed_out", false),
  ]);
  return { user, expired: Boolean(user && expired), signedIn: Boolean(user && !expired), signedOut };
}

async function keep(body, username) {
  await db.write(["meta"], (tx) => {
    const meta = tx.objectStore("meta");
    meta.put({ key: "user", value: body.user });
    meta.put({ key: "csrf", value: body.csrf });
    meta.put({ key: "session_expired", value: false });
    meta.put({ key: "signed_out", value: false });
    if (username) meta.put({ key: "username", value: username });
  });
}

async function withToken(url, options) {
  const csrf = await db.getMeta("csrf");
  const headers = { ...(options.headers || {}), ...(csrf ? { "X-CSRF-Token": csrf } : {}) };
  return request(url, { ...options, headers });
}

// The server said the session is over: sending pauses until the inspector signs in again.
export async function expire() {
  const before = await state();
  if (!before.user || before.expired) return;
  await db.setMeta("session_expired", true);
  emit("session-expired");
}

// GET /api/session: a valid session refreshes the user and the token; a 401 ends it here too.
export async function check() {
  const before = await state();
  const outcome = await request("/api/session", { method: "GET" });
  if (outcome.kind === "ok" && outcome.body?.user && outcome.body?.csrf) {
    await keep(outcome.body);
    if (!before.signedIn || before.user.id !== outcome.body.user.id) emit("session-changed");
  } else if (outcome.kind === "unauthorized") {
    await expire();
  }
  return outcome;
}

// The token goes along in case the cookie still holds a live session: the server then wants it.
export async function signIn(username, password) {
  const outcome = await withToken("/api/session", { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ username, password }) });
  if (outcome.kind !== "ok" || !outcome.body?.user || !outcome.body?.csrf) return outcome;
  if (!APP_ROLES.includes(outcome.body.user.role)) {
    // reviewers and HQ work in the browser pages: this app ends their session
    await request("/api/session", { method: "DELETE", headers: { "X-CSRF-Token": outcome.body.csrf } });
    return { ...outcome, kind: "not-inspector" };
  }
  await keep(outcome.body, username);
  emit("session-changed");
  return outcome;
}

// A request made with the session: a 401 pauses what needs it, a stale token is renewed once.
export async function authorized(url, options = {}) {
  let outcome = await withToken(url, options);
  if (outcome.kind === "csrf") {
    const renewed = await check();
    if (renewed.kind !== "ok") return renewed.kind === "unauthorized" ? renewed : outcome;
    outcome = await withToken(url, options);
  }
  if (outcome.kind === "unauthorized") await expire();
  return outcome;
}

// Ends the session on the server, then forgets the user here. Drafts and the outbox stay.
export async function signOut() {
  const outcome = await authorized("/api/session", { method: "DELETE" });
  if (outcome.kind !== "ok" && outcome.kind !== "unauthorized") return outcome;
  await db.write(["meta"], (tx) => {
    const meta = tx.objectStore("meta");
    for (const key of ["user", "csrf", "session_expired", "mine"]) meta.delete(key);
    meta.put({ key: "signed_out", value: true });
  });
  emit("session-changed");
  return { ...outcome, kind: "ok" };
}

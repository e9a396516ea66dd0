// The visit API, with the session (see session.js). Every call resolves to an outcome and
// never throws: {kind: "ok" | "missing" | "conflict" | "invalid" | "unauthorized" | ... |
// "retry", status, body} (see http.js).

import { authorized } from "./session.js";

export function putVisit(uuid, payload) {
  return authorized(`/api/visits/${uuid}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
}

export function putPhoto(visitUuid, photo) {
  return authorized(`/api/visits/${visitUuid}/photos/${photo.uuid}`, {
    method: "PUT",
    headers: { "Content-Type": photo.content_type },
    body: photo.blob,
  });
}

// The signed-in inspector's sent visits, newest first, with their review state.
export function mine() {
  return authorized("/api/visits/mine", { method: "GET" });
}

// One of the inspector's visits as last sent, with its state and the reviewer's comments.
export function visit(uuid) {
  return authorized(`/api/visits/${uuid}`, { method: "GET" });
}

// A catalog document from the network itself, or null.
export async function getJSON(url) {
  const outcome = await authorized(url, { method: "GET" });
  return outcome.kind === "ok" ? outcome.body : null;
}

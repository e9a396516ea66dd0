// HTTP with the server. Every call resolves to an outcome and never throws:
// {kind: "ok" | "missing" | "conflict" | "invalid" | "retry", status, body}.

// 413 (too large) will not pass on a retry either: it parks the visit like a 422.
const KINDS = { 200: "ok", 404: "missing", 409: "conflict", 413: "invalid", 422: "invalid" };

async function request(url, options) {
  try {
    const response = await fetch(url, { cache: "no-store", ...options });
    const body = await response.json().catch(() => null);
    const kind = KINDS[response.status] ?? "retry";
    if (kind === "ok" && body === null) return { kind: "retry", status: response.status, body };
    return { kind, status: response.status, body };
  } catch (error) {
    return { kind: "retry", status: 0, body: { message: String(error) } };
  }
}

export function putVisit(uuid, payload) {
  return request(`/api/visits/${uuid}`, {
    method: "PUT",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload),
  });
}

export function putPhoto(visitUuid, photo) {
  return request(`/api/visits/${visitUuid}/photos/${photo.uuid}`, {
    method: "PUT",
    headers: { "Content-Type": photo.content_type },
    body: photo.blob,
  });
}

// A catalog document from the network itself: `no-store` tells the worker not to answer from its cache.
export async function getJSON(url) {
  const outcome = await request(url, { method: "GET" });
  return outcome.kind === "ok" ? outcome.body : null;
}

// One exchange with the server, resolved to an outcome and never thrown:
// {kind, status, body, retryAfter}. Kinds: ok, missing (404), conflict (409), invalid (413,
// 422), unauthorized (401: no valid session), csrf (403 for a missing or stale token),
// forbidden (any other 403), throttled (429), retry (network errors, 5xx, anything else).

// 413 (too large) will not pass on a retry either: it parks a visit like a 422.
const KINDS = { 200: "ok", 204: "ok", 401: "unauthorized", 404: "missing", 409: "conflict", 413: "invalid", 422: "invalid", 429: "throttled" };

function kindOf(status, body) {
  if (status === 403) return body?.error === "csrf" ? "csrf" : "forbidden";
  const kind = KINDS[status] ?? "retry";
  // a 200 without a JSON body came from something other than the app (a proxy, a portal)
  return kind === "ok" && status !== 204 && body === null ? "retry" : kind;
}

// `cache: "no-store"` also tells the service worker to leave the request to the network.
export async function request(url, options = {}) {
  try {
    const response = await fetch(url, { cache: "no-store", credentials: "same-origin", ...options });
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    const retryAfter = Number(response.headers.get("Retry-After")) || null;
    return { kind: kindOf(response.status, body), status: response.status, body, retryAfter };
  } catch (error) {
    return { kind: "retry", status: 0, body: { message: String(error) }, retryAfter: null };
  }
}

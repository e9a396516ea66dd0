"""The security headers every response carries, and the report page's own policy.

Every response is unframeable (`frame-ancestors 'none'` and, for older browsers,
`X-Frame-Options`), never content-sniffed, and sends no referrer: report URLs carry visit
ids, which must not leak to whatever a reader opens next. The app's policy has no
'unsafe-inline': its scripts and styles are files, and what it builds at run time uses the
CSSOM, which a strict `style-src` allows. It allows what the PWA loads: its own files, photo
previews (blob: URLs), a data: SVG icon in its CSS, its own API, service worker and manifest.
"""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

APP_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Chrome shows a PDF in a page of its own making, with inline styles that a fetch policy
# would block (chromium issue 271452): a PDF only refuses to be framed.
PDF_POLICY = "frame-ancestors 'none'"
EVERY_RESPONSE = (
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
)
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def report_policy(html: str, *, forms: bool = False) -> str:
    """A server-made page's policy: its inline styles allowed by their hashes, its images from
    the app or inline (the logo), forms (where it has them) posted only here, nothing else. The
    only <style> elements in a page come from its template; user text is escaped and cannot
    open one."""
    hashes = [f"'sha256-{b64encode(hashlib.sha256(css.encode()).digest()).decode()}'" for css in _STYLE.findall(html)]
    styles = " ".join(hashes) or "'none'"
    posts = "'self'" if forms else "'none'"
    return (
        f"default-src 'none'; img-src 'self' data:; style-src {styles}; "
        f"base-uri 'none'; form-action {posts}; frame-ancestors 'none'"
    )


def secure(headers: MutableHeaders) -> None:
    """Adds the headers a response lacks; a response that set its own policy keeps it."""
    is_pdf = headers.get("content-type", "").startswith("application/pdf")
    headers.setdefault("content-security-policy", PDF_POLICY if is_pdf else APP_POLICY)
    for name, value in EVERY_RESPONSE:
        headers.setdefault(name, value)


class SecurityHeaders:
    """Pure ASGI, so that streamed and file responses pass through untouched but for their
    headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                secure(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_secured)

"""Who is asking, for every request, before any view runs.

A person is known by the session cookie (people in a browser or on the phone) or by a bearer
token (programs). Without either, only the app shell, its files, the health check and
sign-in answer: every other route gets 401 (the API) or is sent to the sign-in page (pages).
A request that changes something with the cookie must carry the session's CSRF token (the
`X-CSRF-Token` header, or a `csrf` field in a form) and, when the browser says where it comes
from, come from this origin; a bearer token is not sent by browsers on their own, so it needs
neither. What a known person may then read or do is access.py's to decide.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, quote

import anyio.to_thread
import sqlite_utils
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import cookie_parser
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import sessions
from .accounts import User

log = logging.getLogger("audit")
COOKIE = "audit_session"
SAFE = ("GET", "HEAD", "OPTIONS")
PUBLIC_PATHS = {"/", "/sw.js", "/manifest.webmanifest", "/health", "/signin"}
PUBLIC_PREFIXES = ("/static/",)
MAX_FORM = 64 * 1024
MAX_UPLOAD = 16 * 1024 * 1024  # a form with a file (a CSV of assignments, a phone's photo of a fix): read whole for its token


@dataclass(frozen=True)
class Caller:
    person: User | None
    session: sessions.Session | None  # None for a bearer token


def is_public(method: str, path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or (method == "POST" and path == "/api/session")


def _refuse(path: str, method: str, status: int, error: str, message: str) -> Response:
    if path.startswith("/api/") or method not in SAFE or status != 401:
        return JSONResponse({"error": error, "message": message}, status_code=status)
    return RedirectResponse(f"/signin?next={quote(path, safe='/')}", status_code=303)


def _same_origin(headers: Headers) -> bool:
    """A browser says where a request comes from; one from another site is refused (a sign-in
    form posted from elsewhere, say). Sec-Fetch-Site says it best; `Origin` is "null" on our
    own forms, since every page sends no referrer, so only a named other origin counts against.
    Programs send neither."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = headers.get("origin")
    return origin is None or origin == "null" or origin.split("://", 1)[-1] == headers.get("host", "")


class Authenticate:
    """Pure ASGI: puts `person` and `session` into the request's state, refuses what needs one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def _lookup(self, scope: Scope, cookie: str | None, bearer: str | None) -> tuple[Caller, Callable[[sqlite_utils.Database], None] | None]:
        """Who asks, read on the event loop's own connection (two point reads by key, which WAL
        never makes wait), and the write of their last use when it is due, for a worker thread."""
        db = scope["app"].state.loop_db
        if bearer is not None:
            user, due = sessions.token_user(db, bearer)
            return Caller(user, None), (lambda conn: sessions.touch_token(conn, bearer)) if due else None
        session, due = sessions.current(db, cookie) if cookie else (None, False)
        caller = Caller(session.user if session else None, session)
        return caller, (lambda conn: sessions.touch(conn, session)) if due and session else None

    async def _touch(self, scope: Scope, write: Callable[[sqlite_utils.Database], None]) -> None:
        def run() -> None:
            with scope["app"].state.pool.connection() as db:
                write(db)

        await anyio.to_thread.run_sync(run)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        method, path = scope["method"], scope["path"]
        authorization = headers.get("authorization", "")
        bearer = authorization[7:].strip() if authorization.lower().startswith("bearer ") else None
        cookie = cookie_parser(headers.get("cookie", "")).get(COOKIE)
        caller = Caller(None, None)
        if bearer is not None or cookie:
            try:
                caller, write = self._lookup(scope, cookie, bearer)
                if write is not None:
                    await self._touch(scope, write)
            except sqlite3.Error as error:  # outside the app's handlers: the same 503 they give
                log.warning("%s %s: store unavailable while checking who asks: %s", method, path, error)
                busy = JSONResponse({"error": "unavailable", "message": "the store is busy; try again shortly"}, status_code=503, headers={"Retry-After": "5"})
                await busy(scope, receive, send)
                return
        state = scope.setdefault("state", {})
        state["person"], state["session"] = caller.person, caller.session
        if bearer is not None and caller.person is None and not is_public(method, path):
            await _refuse(path, method, 401, "unauthorized", "the token is unknown, expired or revoked")(scope, receive, send)
            return
        if caller.person is None and not is_public(method, path):
            await _refuse(path, method, 401, "unauthorized", "sign in again")(scope, receive, send)
            return
        if method not in SAFE and bearer is None:
            if not _same_origin(headers):
                await _refuse(path, method, 403, "csrf", "a request from another site")(scope, receive, send)
                return
            if caller.session is not None:
                receive, offered = await _offered_token(headers, receive)
                if not sessions.csrf_ok(caller.session, offered):
                    await _refuse(path, method, 403, "csrf", "the request lacks this session's CSRF token; reload and try again")(
                        scope, receive, send
                    )
                    return
        await self.app(scope, receive, send)


async def _multipart_fields(headers: Headers, body: bytes) -> dict[str, list[str]]:
    """A multipart form's text fields; none when it is not one."""

    async def chunks() -> AsyncGenerator[bytes, None]:
        yield body

    try:
        form = await MultiPartParser(headers, chunks()).parse()
    except (MultiPartException, ValueError):
        return {}
    try:
        return {name: [value] for name, value in form.multi_items() if isinstance(value, str)}
    finally:
        await form.close()


async def _offered_token(headers: Headers, receive: Receive) -> tuple[Receive, str | None]:
    """The CSRF token a request carries: its header, or a form's `csrf` field (a plain form, or
    one that uploads a file), in which case the form's body is read here and handed on to the
    view unchanged."""
    if "x-csrf-token" in headers:
        return receive, headers["x-csrf-token"]
    kind = headers.get("content-type", "")
    multipart = kind.startswith("multipart/form-data")
    if not multipart and not kind.startswith("application/x-www-form-urlencoded"):
        return receive, None
    received = bytearray()
    more = True
    while more:
        message = await receive()
        received += message.get("body", b"")
        more = message.get("more_body", False)
        if len(received) > (MAX_UPLOAD if multipart else MAX_FORM) or message["type"] == "http.disconnect":
            return receive, None
    body = bytes(received)
    fields = await _multipart_fields(headers, body) if multipart else parse_qs(body.decode("latin-1"))
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    offered = fields.get("csrf")
    return replay, offered[0] if offered else None

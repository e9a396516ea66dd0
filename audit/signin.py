"""Signing in and out: the JSON API the phone uses, and the page everyone else uses.

The session cookie is HttpOnly (scripts never see it), SameSite=Lax (other sites' requests do
not carry it into a change) and Secure whenever the request came over HTTPS. Each person's
home is where their work is: reviewers' queue, store managers' reports, the phone for
inspectors.
"""

from __future__ import annotations

import json
from typing import Any

import anyio.to_thread
import sqlite_utils
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from . import bodies, sessions
from .accounts import User
from .auth import COOKIE
from .headers import report_policy
from .pages import ENV
from .wording import TEMPLATES, known_language

TEXT: dict[str, dict[str, str]] = json.loads((TEMPLATES / "page-text.json").read_text(encoding="utf-8"))
HOMES = {"inspector": "/", "reviewer": "/review", "store": "/store", "hq": "/hq", "admin": "/review"}
MAX_SIGNIN_BYTES = 4096


def page_language(request: Request) -> str:
    """?lang= first, then the browser's first language the pages speak, then Simplified Chinese."""
    wanted = [request.query_params.get("lang", "")]
    wanted += [part.split(";")[0] for part in request.headers.get("accept-language", "").split(",")]
    return next((found for code in wanted if (found := known_language(code))), "zh-Hans")


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A server-made page in the reader's language, with its own strict CSP."""
    lang = context.pop("lang", None) or page_language(request)
    session = request.state.session
    html = ENV.get_template(template).render(
        lang=lang, t=TEXT[lang], person=request.state.person, csrf=session.csrf if session else "", **context
    )
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store", "Content-Security-Policy": report_policy(html, forms=True)})


def who(user: User, csrf: str | None) -> dict[str, Any]:
    return {"user": {"id": user.id, "name": user.display_name, "role": user.role, "pseudonym": user.pseudonym}, "csrf": csrf}


def _set_cookie(request: Request, response: Response, secret: str) -> None:
    response.set_cookie(
        COOKIE, secret, max_age=int(sessions.LIFETIME.total_seconds()), httponly=True, samesite="lax",
        secure=request.url.scheme == "https", path="/",
    )


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _sign_in(request: Request, username: str, password: str) -> tuple[str, sessions.Session] | str:
    def run() -> tuple[str, sessions.Session] | str:
        with request.app.state.pool.connection() as db:
            return sessions.sign_in(db, username[:200], password[:1000], _address(request))

    return await anyio.to_thread.run_sync(run)


async def api_start(request: Request) -> Response:
    try:
        raw = await bodies.read(request, MAX_SIGNIN_BYTES, what="a sign-in")
        given = json.loads(raw)
    except bodies.BodyError as error:
        return error.response()
    except ValueError:
        given = None
    if not isinstance(given, dict) or not isinstance(given.get("username"), str) or not isinstance(given.get("password"), str):
        problem = {"field": "", "message": "send {\"username\": \"...\", \"password\": \"...\"}"}
        return JSONResponse({"error": "invalid", "problems": [problem]}, status_code=422)
    outcome = await _sign_in(request, given["username"], given["password"])
    if outcome == "throttled":
        return JSONResponse({"error": "throttled", "message": "too many wrong passwords; try again in a minute"}, status_code=429, headers={"Retry-After": str(int(sessions.WINDOW.total_seconds()))})
    if isinstance(outcome, str):
        return JSONResponse({"error": "unauthorized", "message": "the username or the password is wrong"}, status_code=401)
    secret, session = outcome
    response = JSONResponse(who(session.user, session.csrf))
    _set_cookie(request, response, secret)
    return response


async def api_current(request: Request) -> JSONResponse:
    session = request.state.session
    return JSONResponse(who(request.state.person, session.csrf if session else None), headers={"Cache-Control": "no-store"})


def _end(db: sqlite_utils.Database, session_id: str) -> None:
    sessions.end(db, session_id)


async def _end_session(request: Request) -> None:
    session = request.state.session
    if session is not None:
        def run() -> None:
            with request.app.state.pool.connection() as db:
                _end(db, session.id)

        await anyio.to_thread.run_sync(run)


async def api_end(request: Request) -> Response:
    await _end_session(request)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/")
    return response


def _next(target: str | None, user: User) -> str:
    """Where to go after signing in: the page asked for, if it is one of ours, else home."""
    if target and target.startswith("/") and not target.startswith("//") and not target.startswith("/\\"):
        return target
    return HOMES[user.role]


async def page(request: Request) -> Response:
    if request.method == "GET":
        person = request.state.person
        if person is not None:
            return RedirectResponse(_next(request.query_params.get("next"), person), status_code=303)
        return render(request, "signin.html", next=request.query_params.get("next", ""), username="", message="")
    form = await request.form()
    username, password, target = (str(form.get(k, "")) for k in ("username", "password", "next"))
    outcome = await _sign_in(request, username, password)
    t = TEXT[page_language(request)]
    if isinstance(outcome, str):
        message, status = (t["signin_throttled"], 429) if outcome == "throttled" else (t["signin_wrong"], 401)
        return render(request, "signin.html", status=status, next=target, username=username, message=message)
    secret, session = outcome
    response = RedirectResponse(_next(target, session.user), status_code=303)
    _set_cookie(request, response, secret)
    return response


async def page_end(request: Request) -> Response:
    await _end_session(request)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response

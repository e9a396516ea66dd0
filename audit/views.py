"""Thin views: read the request, call the package, answer with JSON or a page."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
import sqlite_utils
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from . import access, bodies, jobs, memory, org, pages, report, review, sitesearch, sync
from .accounts import User
from .assets import INDEX, MANIFEST, STATIC
from .branding import Branding
from .headers import report_policy
from .openapi import document
from .pooled import in_pool

MAX_VISIT_BYTES = 2 * 1024 * 1024
NO_CACHE = {"Cache-Control": "no-cache"}
log = logging.getLogger("audit")
# One visit at a time per process: the GIL lets only one thread run Python anyway, and a
# thread that holds the write lock must not wait for the GIL behind others' checks.
VISIT_WRITERS = anyio.CapacityLimiter(1)
# Reports read a region's history: one at a time per process, its memory handed back after,
# keeps a process flat when thirty are asked for at once.
REPORT_BUILDS = anyio.CapacityLimiter(1)

T = TypeVar("T")


def _ping(database: sqlite_utils.Database) -> None:
    database.execute("SELECT 1").fetchone()


async def health(request: Request) -> JSONResponse:
    """On the event loop, on a connection of its own: a ping answers in microseconds (WAL
    readers never wait for writers), and one queued behind the threads' work would report the
    threads, not the store."""
    _ping(request.app.state.loop_db)
    return JSONResponse({"status": "ok", "checklists": len(request.app.state.checklists)})


def _forbidden(action: str) -> JSONResponse:
    return JSONResponse({"error": "forbidden", "message": f"your role may not {action.replace('-', ' ')}"}, status_code=403)


def _role(request: Request, action: str) -> JSONResponse | None:
    """A 403 when the signed-in person's role may not do this (access.py decides)."""
    return None if access.may(request.state.person, action) else _forbidden(action)


async def checklists(request: Request) -> JSONResponse:
    """The validated checklists, each with the content hash a visit will pin; they hold the
    inspectors' method, so store managers never get them."""
    if refused := _role(request, "read-catalog"):
        return refused
    return JSONResponse(
        [
            {"id": checklist.id, "hash": checklist.content_hash(), "checklist": checklist.as_dict()}
            for checklist in request.app.state.checklists
        ],
        headers=NO_CACHE,
    )


def _searchable_sites(database: sqlite_utils.Database) -> list[dict[str, Any]]:
    return sitesearch.with_keys(org.sites(database))


async def sites(request: Request) -> JSONResponse:
    """Every site with the keys the phone's search matches (names in every language, pinyin),
    made here so that the phone only normalises what is typed."""
    if refused := _role(request, "read-catalog"):
        return refused
    return JSONResponse(await in_pool(request, _searchable_sites), headers=NO_CACHE)


async def my_visits(request: Request) -> JSONResponse:
    """The inspector's visits and what became of them (waiting, returned with comments, released, rejected)."""
    if refused := _role(request, "send-visits"):
        return refused
    return JSONResponse(await in_pool(request, review.mine, request.state.person), headers=NO_CACHE)


async def my_visit(request: Request) -> JSONResponse:
    """One of the inspector's own visits as last sent, to correct a returned one."""
    if refused := _role(request, "send-visits"):
        return refused
    found = await in_pool(request, review.own_visit, request.state.person, request.path_params["uuid"])
    if found is None:
        return JSONResponse({"error": "not_found", "message": "no such visit"}, status_code=404)
    return JSONResponse(found, headers=NO_CACHE)


async def openapi(request: Request) -> JSONResponse:
    """This API described as OpenAPI 3.1, for client authors and the API's own fuzz tests."""
    return JSONResponse(document(), headers=NO_CACHE)


async def index(request: Request) -> FileResponse:
    return FileResponse(STATIC / INDEX, headers=NO_CACHE)


async def manifest(request: Request) -> FileResponse:
    return FileResponse(STATIC / MANIFEST, media_type="application/manifest+json", headers=NO_CACHE)


async def worker(request: Request) -> Response:
    return Response(
        request.app.state.assets.worker,
        media_type="application/javascript",
        headers={**NO_CACHE, "Service-Worker-Allowed": "/"},
    )


def _outcome(outcome: sync.Outcome) -> JSONResponse:
    return JSONResponse(outcome.body, status_code=outcome.status)


async def put_visit(request: Request) -> JSONResponse:
    if refused := _role(request, "send-visits"):
        return refused
    try:
        raw = await bodies.read(request, MAX_VISIT_BYTES, what="a visit")
    except bodies.BodyError as error:
        return error.response()
    return _outcome(await in_pool(request, sync.receive_visit, request.path_params["uuid"], raw, request.state.person.id, limiter=VISIT_WRITERS))


async def put_photo(request: Request) -> JSONResponse:
    if refused := _role(request, "send-visits"):
        return refused
    try:
        raw = await bodies.read(request, sync.MAX_PHOTO_BYTES, what="a photo")
    except bodies.BodyError as error:
        return error.response()
    params = request.path_params
    sender = functools.partial(sync.put_photo, inspector=request.state.person.id)
    return _outcome(await in_pool(request, sender, params["uuid"], params["photo_uuid"], raw, threads=request.app.state.photo_threads))


def _not_found(what: str) -> Response:
    return Response(f"no such {what}", status_code=404, media_type="text/plain")


def _readable(database: sqlite_utils.Database, person: User, visit_uuid: str) -> None:
    """Raises NotFound for a report the person may not read: not theirs is the same as none."""
    if not access.may_read_report(database, person, visit_uuid):
        raise report.NotFound(visit_uuid)


def _page(database: sqlite_utils.Database, person: User, visit_uuid: str, lang: str | None, branding: Branding) -> str:
    _readable(database, person, visit_uuid)
    html = pages.web_html(report.build(database, visit_uuid, lang), branding)
    memory.give_back()
    return html


def _prepared(database: sqlite_utils.Database, person: User, visit_uuid: str, lang: str | None, branding: Branding) -> pages.Prepared:
    _readable(database, person, visit_uuid)
    prepared = pages.prepare(database, visit_uuid, lang, branding)
    memory.give_back()
    return prepared


async def report_page(request: Request) -> Response:
    """The visit's report for reading on a phone, in ?lang= (default: the checklist's language)."""
    try:
        html = await in_pool(
            request, _page, request.state.person, request.path_params["uuid"], request.query_params.get("lang"), request.app.state.branding, limiter=REPORT_BUILDS
        )
    except report.NotFound:
        return _not_found("visit")
    return HTMLResponse(html, headers={**NO_CACHE, "Content-Security-Policy": report_policy(html)})


async def report_pdf(request: Request) -> Response:
    """The report as a PDF: rendered once per language, then served from the cache until its inputs change.
    First renders wait in one line per process (memory stays bounded); a full line is a 503."""
    branding = request.app.state.branding
    try:
        prepared = await in_pool(
            request, _prepared, request.state.person, request.path_params["uuid"], request.query_params.get("lang"), branding, limiter=REPORT_BUILDS
        )
    except report.NotFound:
        return _not_found("visit")
    etag = f'"{prepared.key}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "private, no-cache",
        "Content-Disposition": f'inline; filename="{prepared.filename}"',
        "Content-Language": prepared.report.lang,
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    data = await in_pool(request, pages.cached, prepared)
    if data is None:
        thumbs = await in_pool(request, pages.thumbnails, prepared.report.visit_uuid, prepared.report.photo_ids())
        try:
            data, seconds = await request.app.state.jobs.run("render-pdf", prepared, branding, thumbs)
        except (jobs.Busy, jobs.Failed) as error:
            log.warning("%s: no PDF now: %s", request.url.path, error)
            message = {"error": "busy", "message": "too many reports are being prepared; try again in a minute"}
            return JSONResponse(message, status_code=503, headers={"Retry-After": "60"})
        await in_pool(request, pages.store, prepared, data, seconds)
    return Response(data, media_type="application/pdf", headers=headers)


def _thumb(database: sqlite_utils.Database, visit_uuid: str, photo_uuid: str) -> bytes | None:
    return pages.thumbnails(database, visit_uuid, [photo_uuid]).get(photo_uuid)


def _seen(database: sqlite_utils.Database, person: User, visit_uuid: str, photo_uuid: str, read: Callable[..., bytes | None]) -> bytes | None:
    """A photo read by `read`, for those who may see the visit's photos: not theirs is the same as none."""
    return read(database, visit_uuid, photo_uuid) if access.may_see_photos(database, person, visit_uuid) else None


async def _photo(request: Request, read: Callable[..., bytes | None]) -> Response:
    """A stored photo in one of its sizes; photos never change once stored."""
    params = request.path_params
    data = await in_pool(request, _seen, request.state.person, params["uuid"], params["photo_uuid"], read)
    if data is None:
        return _not_found("photo")
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=31536000, immutable"})


async def photo_thumb(request: Request) -> Response:
    """A photo's stored thumbnail, as the web report shows it."""
    return await _photo(request, _thumb)


async def photo_full(request: Request) -> Response:
    """The photo at its stored size (at most 1600 px), opened from its thumbnail in the web report."""
    return await _photo(request, report.photo)

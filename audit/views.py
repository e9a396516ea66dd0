"""Thin views: read the request, call the package, answer with JSON or a page."""

from __future__ import annotations

import json
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from . import org, pdf, report, sync
from .assets import INDEX, MANIFEST, STATIC

MAX_VISIT_BYTES = 2 * 1024 * 1024
NO_CACHE = {"Cache-Control": "no-cache"}


async def health(request: Request) -> JSONResponse:
    database = request.app.state.db
    database.execute("SELECT 1").fetchone()
    return JSONResponse({"status": "ok", "checklists": len(request.app.state.checklists)})


async def checklists(request: Request) -> JSONResponse:
    """The validated checklists, each with the content hash a visit will pin."""
    return JSONResponse(
        [
            {"id": checklist.id, "hash": checklist.content_hash(), "checklist": checklist.as_dict()}
            for checklist in request.app.state.checklists
        ],
        headers=NO_CACHE,
    )


async def sites(request: Request) -> JSONResponse:
    return JSONResponse(org.sites(request.app.state.db), headers=NO_CACHE)


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


async def _limited_body(request: Request, limit: int) -> bytes | None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return body


async def put_visit(request: Request) -> JSONResponse:
    raw = await _limited_body(request, MAX_VISIT_BYTES)
    if raw is None:
        return JSONResponse({"error": "too_large", "message": f"a visit may be at most {MAX_VISIT_BYTES:,} bytes"}, status_code=413)
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problem = {"field": "", "message": f"not valid JSON: {error}"}
        return JSONResponse({"error": "invalid", "problems": [problem]}, status_code=422)
    return _outcome(sync.put_visit(request.app.state.db, request.path_params["uuid"], body))


async def put_photo(request: Request) -> JSONResponse:
    raw = await _limited_body(request, sync.MAX_PHOTO_BYTES)
    if raw is None:
        return JSONResponse({"error": "too_large", "message": f"a photo may be at most {sync.MAX_PHOTO_BYTES:,} bytes"}, status_code=413)
    params = request.path_params
    return _outcome(sync.put_photo(request.app.state.db, params["uuid"], params["photo_uuid"], raw))


REPORT_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _not_found(what: str) -> Response:
    return Response(f"no such {what}", status_code=404, media_type="text/plain")


async def report_page(request: Request) -> Response:
    """The visit's report for reading on a phone, in ?lang= (default: the checklist's language)."""
    try:
        built = report.build(request.app.state.db, request.path_params["uuid"], request.query_params.get("lang"))
    except report.NotFound:
        return _not_found("visit")
    html = pdf.web_html(built, request.app.state.branding)
    return HTMLResponse(html, headers={**NO_CACHE, "Content-Security-Policy": REPORT_POLICY})


async def report_pdf(request: Request) -> Response:
    """The report as a PDF: rendered once per language, then served from the cache until its inputs change."""
    database = request.app.state.db
    branding = request.app.state.branding
    try:
        prepared = pdf.prepare(database, request.path_params["uuid"], request.query_params.get("lang"), branding)
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
    data = pdf.cached(database, prepared)
    if data is None:
        thumbs = pdf.thumbnails(database, prepared.report.visit_uuid, prepared.report.photo_ids())
        started = time.perf_counter()
        data = await run_in_threadpool(pdf.render, prepared, branding, thumbs)
        pdf.store(database, prepared, data, time.perf_counter() - started)
    return Response(data, media_type="application/pdf", headers=headers)


async def photo_thumb(request: Request) -> Response:
    """A photo's stored thumbnail, as the web report shows it; photos never change once stored."""
    params = request.path_params
    data = pdf.thumbnails(request.app.state.db, params["uuid"], [params["photo_uuid"]]).get(params["photo_uuid"])
    if data is None:
        return _not_found("photo")
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=31536000, immutable"})

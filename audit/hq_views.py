"""HQ's pages: the dashboard, a branch, a site, and the comparison as a PDF. Thin views: they
ask access.py, parse the filters, have dashboard.py build the page under its deadline, render."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import anyio.to_thread
import sqlite_utils
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import access, compare, dashboard, filters, jobs
from .pages import LANGUAGE_NAMES
from .schema import STAGES
from .signin import page_language, render
from .wording import pick

log = logging.getLogger("audit")
PRINT_ROWS = 30  # branches in the PDF's table; the chart shows the highest and lowest of all
PRINT_HEAT = (12, 20)  # the PDF's heatmap: its details and branches (WeasyPrint lays out every cell's text)


def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}".replace("-", "−")


def choices(db: sqlite_utils.Database, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The filters' options in the reader's words."""

    def named(sql: str) -> list[tuple[str, str]]:
        return sorted(((row[0], pick(json.loads(row[1]), lang, "zh-Hans")) for row in db.execute(sql)), key=lambda o: o[1])

    return {
        "region": named("SELECT id, name FROM regions"),
        "site_type": named("SELECT id, name FROM site_types"),
        "checklist": named(
            "SELECT checklist_id, title FROM checklist_versions v WHERE first_served_at = "
            "(SELECT max(first_served_at) FROM checklist_versions w WHERE w.checklist_id = v.checklist_id) GROUP BY checklist_id"
        ),
    }


def context(h: dict[str, str]) -> dict[str, Any]:
    """What every HQ template (screen or paper) reads besides the page."""
    return {"h": h, "stages": STAGES, "few": compare.FEW, "far": f"{compare.FAR:g}", "score": score, "signed": signed}


def _build(request: Request, lang: str, build: Callable[..., dashboard.Page | None], *args: Any) -> Any:
    """Parses the filters and builds the page in a worker thread, under the deadline."""

    def run() -> tuple[filters.Filters | None, dashboard.Page | None, dict[str, Any], str]:
        with request.app.state.pool.connection() as db:
            options = choices(db, lang)
            try:
                f = filters.parse(request.query_params, date.today(), filters.known(db))
            except filters.FilterError as error:
                return None, None, options, dashboard.TEXT[lang]["bad_filter"].format(message=error)
            with dashboard.deadline(db):
                return f, build(db, f, *args), options, ""

    return anyio.to_thread.run_sync(run)


async def _page(request: Request, kind: str, build: Callable[..., dashboard.Page | None], *args: Any) -> Response:
    person = request.state.person
    if not access.may(person, "compare"):
        return Response("not found", status_code=404, media_type="text/plain")
    lang = page_language(request)
    h = dashboard.TEXT[lang]
    status = 200
    try:
        f, page, options, error = await _build(request, lang, build, *args)
    except dashboard.TimedOut as stopped:
        log.warning("%s: %s", request.url.path, stopped)
        f, page, options, error, status = None, None, {}, h["timeout"], 503
    if error:
        status = status if status != 200 else 400
        f = filters.parse({}, date.today())
        page = dashboard.Page(lang, f, h["dashboard"], compare.empty())
    if page is None:
        return Response("not found", status_code=404, media_type="text/plain")
    crumbs = [(h["dashboard"], "/hq?" + dashboard.query(f) if kind != "overview" else "")]
    crumbs += [(name, link + "?" + dashboard.query(f)) for name, link in page.parents] + ([(page.title, "")] if kind != "overview" else [])
    return render(
        request, "hq.html", status=status, lang=lang, p=page, kind=kind, error=error, choices=options,
        languages=LANGUAGE_NAMES, crumbs=crumbs, action=request.url.path, web=True,
        pdf_link="/hq/compare.pdf?" + dashboard.query(f, lang=lang, by=page.by) if kind == "overview" and not error else "",
        **context(h),
    )


async def overview(request: Request) -> Response:
    return await _page(request, "overview", dashboard.overview, page_language(request), request.query_params.get("by"))


async def branch(request: Request) -> Response:
    return await _page(request, "branch", dashboard.branch, request.path_params["branch"], page_language(request))


async def site(request: Request) -> Response:
    return await _page(request, "site", dashboard.site, request.path_params["site"], page_language(request))


def printable(db: sqlite_utils.Database, f: filters.Filters, lang: str, by: str | None, who: str) -> tuple[str, str]:
    """The comparison as HTML for WeasyPrint, and its file name; the CLI and the dashboard share it."""
    from .pages import ENV, font_for

    h = dashboard.TEXT[lang]
    with dashboard.deadline(db, 60):
        page = dashboard.overview(db, f, lang, by, heat=PRINT_HEAT)
    page.rows = page.rows[:PRINT_ROWS]
    names = {key: dict(choices(db, lang)[key]) for key in ("region", "site_type", "checklist")}
    scope = [f"{h['period']}: {f.period} ({f.start.isoformat()} – {(f.end - timedelta(days=1)).isoformat()})"]
    scope += [f"{h[key]}: {names[key].get(value, value)}" for key, value in (("region", f.region), ("site_type", f.site_type), ("checklist", f.checklist)) if value]
    html = ENV.get_template("hq-print.html").render(
        p=page, lang=lang, font=font_for(lang), scope=scope, web=False, printed=h["printed"].format(when=date.today().isoformat(), who=who),
        **context(h),
    )
    name = re.sub(r"[^A-Za-z0-9._-]", "-", f"compare-{f.period}-{f.region or 'all'}-{lang}.pdf")
    return html, name


async def compare_pdf(request: Request) -> Response:
    """The dashboard's comparison on paper, rendered by the job process like every PDF."""
    person = request.state.person
    if not access.may(person, "compare"):
        return Response("not found", status_code=404, media_type="text/plain")
    lang = page_language(request)

    def run() -> tuple[str, str] | str:
        with request.app.state.pool.connection() as db:
            try:
                f = filters.parse(request.query_params, date.today(), filters.known(db))
            except filters.FilterError as error:
                return str(error)
            return printable(db, f, lang, request.query_params.get("by"), person.display_name)

    try:
        built = await anyio.to_thread.run_sync(run)
    except dashboard.TimedOut:
        return JSONResponse({"error": "timeout", "message": dashboard.TEXT[lang]["timeout"]}, status_code=503)
    if isinstance(built, str):
        return JSONResponse({"error": "invalid", "message": built}, status_code=400)
    html, name = built
    try:
        data = await request.app.state.jobs.run("render-html", html)
    except (jobs.Busy, jobs.Failed) as error:
        log.warning("%s: no PDF now: %s", request.url.path, error)
        return JSONResponse({"error": "busy", "message": "too many PDFs are being prepared; try again in a minute"}, status_code=503, headers={"Retry-After": "60"})
    return Response(data, media_type="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})

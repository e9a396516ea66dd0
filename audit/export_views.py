"""The dashboard's exports over HTTP: ask for one (the form in templates/export-form.html),
follow it on a page that refreshes itself until it is ready, download it. Thin views: access.py
says who may, filters.py reads the form, exports.py keeps the state and does the work.

Only HQ and admins export; an export is its owner's (and any admin's) to follow and download,
and anyone else's reads as none (404), as another's visit does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlite_utils
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from . import access, exports, filters
from .accounts import User
from .export_files import FORMATS, MEDIA_TYPES
from .pooled import in_pool
from .signin import HOMES, TEXT, page_language, render
from .wording import known_language

FIELDS = ("period", "region", "site_type", "checklist")
MAX_FIELD = 200  # longer than any period or id: what is cut off cannot match one anyway


def _not_found() -> Response:
    return Response("no such export", status_code=404, media_type="text/plain")


def _allowed(person: User) -> bool:
    try:
        access.require(person, "compare")
    except access.Denied:
        return False
    return True


def _ask(database: sqlite_utils.Database, person: User, form: dict[str, str], fmt: str, lang: str, files: Path) -> str:
    """Reads the filters against this store's ids and records the export; FilterError names
    what is wrong."""
    chosen = filters.parse(form, date.today(), filters.known(database))
    return exports.ask(database, files, person, fmt, chosen, lang)


def _refused(request: Request, lang: str, message: str) -> Response:
    t = TEXT[lang]
    return render(request, "export.html", status=422, lang=lang, export=None, message=t["export_refused"].format(message=message),
                  home=HOMES[request.state.person.role])


async def start(request: Request) -> Response:
    person: User = request.state.person
    if not _allowed(person):
        return _not_found()
    form = await request.form()
    given = {name: str(form.get(name) or "")[:MAX_FIELD] for name in (*FIELDS, "format", "lang")}
    lang = known_language(given["lang"]) or page_language(request)
    fmt = given["format"]
    if fmt not in FORMATS:
        return _refused(request, lang, f"the format must be one of {', '.join(FORMATS)}")
    runner: exports.Runner = request.app.state.exports
    try:
        export_id = await in_pool(request, _ask, person, {k: given[k] for k in FIELDS}, fmt, lang, runner.files)
    except filters.FilterError as error:
        return _refused(request, lang, str(error))
    runner.start(export_id)
    return RedirectResponse(f"/hq/exports/{export_id}?lang={lang}", status_code=303)


async def page(request: Request) -> Response:
    person: User = request.state.person
    if not _allowed(person):
        return _not_found()
    found: exports.Export | None = await in_pool(request, exports.find, person, request.path_params["uuid"])
    if found is None:
        return _not_found()
    lang = page_language(request)
    every = TEXT[lang]["export_all"]
    chosen = found.filters
    what = " · ".join([chosen.period, chosen.region or every, chosen.site_type or every, chosen.checklist or every, found.format.upper()])
    return render(request, "export.html", lang=lang, export=found, what=what, message="", home=HOMES[person.role])


async def download(request: Request) -> Response:
    person: User = request.state.person
    if not _allowed(person):
        return _not_found()
    found: exports.Export | None = await in_pool(request, exports.find, person, request.path_params["uuid"])
    if found is None or found.state != "ready" or not found.path:
        return _not_found()
    runner: exports.Runner = request.app.state.exports
    path = runner.files / found.path
    if not path.is_file():
        return _not_found()
    return FileResponse(path, media_type=MEDIA_TYPES[found.format], filename=found.file_name(), headers={"Cache-Control": "no-store"})


def routes() -> list[BaseRoute]:
    return [
        Route("/hq/exports", start, methods=["POST"], name="export-start"),
        Route("/hq/exports/{uuid}", page, methods=["GET"], name="export-page"),
        Route("/hq/exports/{uuid}/file", download, methods=["GET"], name="export-file"),
    ]

"""Assignments over HTTP: HQ's page (the list, a form for one, a CSV upload for a batch, cancel)
and the inspector's list for the phone. Thin views: access.py says who may, assignments.py
holds the rules; a refused form comes back with every problem named."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import sqlite_utils
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from . import access, accounts, assignments, org
from .accounts import User
from .hq_views import choices
from .pooled import in_pool
from .signin import page_language, render
from .wording import TEMPLATES, pick

TEXT: dict[str, dict[str, str]] = json.loads((TEMPLATES / "assign-text.json").read_text(encoding="utf-8"))
FIELDS = ("site", "checklist", "inspector", "start", "end")
MAX_FIELD = 200
MAX_FILE = 512 * 1024  # a CSV of MAX_ROWS assignments is a tenth of this
DONE = ("added", "batch", "cancelled")
UNREADABLE = "form: the request's body is not a form"


def _not_found() -> Response:
    return Response("not found", status_code=404, media_type="text/plain")


def flag_words(flags: list[str], lang: str) -> list[str]:
    """A visit's flags (assignments.flags) in the reviewer's language."""
    return [TEXT[lang][f"flag_{flag.replace('-', '_')}"] for flag in flags]


def _local(value: str, offset: timezone) -> str:
    return datetime.fromisoformat(value).astimezone(offset).strftime("%Y-%m-%d %H:%M")


def _model(database: sqlite_utils.Database, lang: str) -> dict[str, Any]:
    """The page's list and the form's options, names in the reader's language."""
    offset = assignments.offset_of(assignments.DEFAULT_OFFSET)
    sites = [(site["id"], pick(site["name"], lang, "zh-Hans"), pick(site["branch"]["name"], lang, "zh-Hans")) for site in org.sites(database)]
    site_names = {site_id: name for site_id, name, _ in sites}
    checklists = choices(database, lang)["checklist"]
    checklist_names = dict(checklists)
    people = {user.id: user.display_name for user in accounts.everyone(database)}
    rows = [
        {
            "id": a.id, "state": a.state, "site": site_names.get(a.site_id, a.site_id), "checklist": checklist_names.get(a.checklist_id, a.checklist_id),
            "inspector": people.get(a.inspector_id, a.inspector_id), "start": _local(a.window_start, offset), "end": _local(a.window_end, offset),
            "visit": a.visit_uuid,
        }
        for a in assignments.listing(database)
    ]
    return {"rows": rows, "sites": sorted(sites, key=lambda s: (s[2], s[1])), "checklists": checklists, "inspectors": assignments.inspectors(database)}


async def _page(request: Request, *, status: int = 200, problems: list[str] | None = None, given: dict[str, str] | None = None) -> Response:
    lang = page_language(request)
    model = await in_pool(request, _model, lang)
    a = TEXT[lang]
    done = request.query_params.get("done", "")
    message = a[f"done_{done}"].format(n=request.query_params.get("n", "")) if done in DONE and status == 200 else ""
    return render(
        request, "assign.html", status=status, lang=lang, a=a, message=message, problems=problems or [],
        given={name: "" for name in (*FIELDS, "offset")} | (given or {}), zone=assignments.DEFAULT_OFFSET, **model,
    )


async def page(request: Request) -> Response:
    if not access.may(request.state.person, "assign"):
        return _not_found()
    return await _page(request)


def _offset(given: str) -> timezone | str:
    try:
        return assignments.offset_of(given or assignments.DEFAULT_OFFSET)
    except ValueError as error:
        return f"offset: {error}"


async def add(request: Request) -> Response:
    person: User = request.state.person
    form = await _assigners_form(request)
    if isinstance(form, Response):
        return form
    given = {name: str(form.get(name) or "")[:MAX_FIELD] for name in (*FIELDS, "offset")}
    await form.close()
    offset = _offset(given["offset"])
    if isinstance(offset, str):
        return await _page(request, status=422, problems=[offset], given=given)
    wanted = assignments.Wanted(*(given[name] for name in FIELDS))
    try:
        await in_pool(request, assignments.create, wanted, person, offset=offset)
    except assignments.AssignmentError as error:
        return await _page(request, status=422, problems=[str(p) for p in error.problems], given=given)
    return RedirectResponse("/hq/assignments?done=added", status_code=303)


async def _assigners_form(request: Request) -> FormData | Response:
    """The posted form of someone who may assign; otherwise the answer to give instead (a 404 to
    anyone else, the page saying so when the body is not a form, a broken multipart body say)."""
    if not access.may(request.state.person, "assign"):
        return _not_found()
    try:
        return await request.form()
    except HTTPException:
        return await _page(request, status=422, problems=[UNREADABLE])


async def _upload(value: Any) -> bytes | None:
    """The uploaded file's bytes (a plain field's text will do), or None when over the limit."""
    if isinstance(value, UploadFile):
        data = await value.read(MAX_FILE + 1)
    else:
        data = str(value or "").encode("utf-8")
    return None if len(data) > MAX_FILE else data


async def batch(request: Request) -> Response:
    person: User = request.state.person
    form = await _assigners_form(request)
    if isinstance(form, Response):
        return form
    try:
        offset = _offset(str(form.get("offset") or "")[:MAX_FIELD])
        data = await _upload(form.get("file"))
    finally:
        await form.close()
    if isinstance(offset, str) or data is None:
        problem = offset if isinstance(offset, str) else f"file: at most {MAX_FILE // 1024} KiB"
        return await _page(request, status=422, problems=[problem])
    try:
        created = await in_pool(request, assignments.create_batch, data, person, offset=offset)
    except assignments.AssignmentError as error:
        return await _page(request, status=422, problems=[str(p) for p in error.problems])
    return RedirectResponse(f"/hq/assignments?done=batch&n={len(created)}", status_code=303)


async def cancel(request: Request) -> Response:
    if not access.may(request.state.person, "assign"):
        return _not_found()
    if not await in_pool(request, assignments.cancel, request.path_params["uuid"]):
        return _not_found()
    return RedirectResponse("/hq/assignments?done=cancelled", status_code=303)


async def mine(request: Request) -> Response:
    """The inspector's open assignments, for the phone's home screen (kept there for offline)."""
    person: User = request.state.person
    if not access.may(person, "send-visits"):
        return JSONResponse({"error": "forbidden", "message": "your role may not send visits"}, status_code=403)
    return JSONResponse(await in_pool(request, assignments.for_phone, person.id), headers={"Cache-Control": "no-cache"})


def routes() -> list[BaseRoute]:
    return [
        Route("/hq/assignments", page, methods=["GET"], name="assignments"),
        Route("/hq/assignments", add, methods=["POST"], name="assignment-add"),
        Route("/hq/assignments/batch", batch, methods=["POST"], name="assignment-batch"),
        Route("/hq/assignments/{uuid}/cancel", cancel, methods=["POST"], name="assignment-cancel"),
        Route("/api/assignments/mine", mine, methods=["GET"], name="api-my-assignments"),
    ]

"""The findings' pages: the store manager's list of what is due and a finding's page, where they
answer it (fixed, with a photo where the detail asks for one; or disputed), and the disputes a
reviewer or HQ judges. Thin views: findings.py holds the rules, access.py who may see what.

A form carries an answer id made when the page was drawn, so a form sent twice (a double tap,
a retry after a dropped connection) is one answer."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date
from typing import Any

import sqlite_utils
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from . import access, findings, jobs, photos
from .accounts import User
from .pinned import latest_checklist
from .pooled import in_pool
from .signin import page_language, render
from .wording import TEMPLATES, pick

TEXT: dict[str, dict[str, str]] = json.loads((TEMPLATES / "findings-text.json").read_text(encoding="utf-8"))
MAX_PHOTO = 15 * 1024 * 1024
_DECODES = jobs.background_threads(1, "fix-photo")


def _not_found() -> Response:
    return Response("no such finding", status_code=404, media_type="text/plain")


def _branches_of(db: sqlite_utils.Database, person: User) -> list[str]:
    if person.role == "store":
        return list(person.branches)
    return [row[0] for row in db.execute("SELECT id FROM branches ORDER BY id")]


def _card(db: sqlite_utils.Database, finding: findings.Finding, lang: str, today: date) -> dict[str, Any]:
    """A finding in the store's words: the standard and how to put it right, never the
    inspector's method."""
    checklist = latest_checklist(db, finding.checklist_id)
    item = next((i for i in checklist.items() if i.id == finding.item_id), None) if checklist else None
    site = db.execute("SELECT name FROM sites WHERE id = ?", [finding.site_id]).fetchone()
    default = checklist.language if checklist else "zh-Hans"
    return {
        "f": finding,
        "text": pick(item.text, lang, default) if item else finding.item_id,
        "fix": pick(item.fix, lang, default) if item and item.fix else "",
        "photo": bool(item and item.evidence_photo),
        "site": pick(json.loads(site[0]), lang, "zh-Hans") if site else finding.site_id,
        "overdue": finding.overdue(today),
    }


def _list(db: sqlite_utils.Database, person: User, lang: str, today: date) -> list[dict[str, Any]]:
    found = findings.of_branches(db, _branches_of(db, person), findings.ACTIVE)
    cards = [_card(db, f, lang, today) for f in found]
    return sorted(cards, key=lambda c: (not c["overdue"], c["f"].state != "open", c["f"].due_on))


async def store_list(request: Request) -> Response:
    """What is due at the store manager's branches: unanswered first, overdue on top."""
    person: User = request.state.person
    if person.role != "store" and not access.may(person, "read-all"):
        return _not_found()
    lang = page_language(request)
    cards = await in_pool(request, _list, person, lang, date.today())
    return render(request, "findings.html", lang=lang, f_t=TEXT[lang], cards=cards, judge=False)


def _detail(db: sqlite_utils.Database, person: User, finding_id: str, lang: str, today: date) -> dict[str, Any] | None:
    finding = findings.get(db, finding_id)
    if finding is None:
        return None
    judge = access.may(person, "judge-disputes")
    if not (judge or findings.may_answer(db, person, finding)):
        return None
    card = _card(db, finding, lang, today)
    return {
        "card": card, "events": findings.events(db, finding_id), "judge": judge,
        "answerable": findings.may_answer(db, person, finding) and finding.state == "open",
        "answer_id": str(uuid.uuid4()), "dispute_id": str(uuid.uuid4()), "dispute_days": findings.DISPUTE_DAYS,
    }


async def received_photo(upload: Any) -> tuple[str, photos.Processed] | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    raw = await upload.read(MAX_PHOTO + 1)
    if len(raw) > MAX_PHOTO:
        raise findings.FindingError(f"the photo is over {MAX_PHOTO // (1024 * 1024)} MB")
    if not raw:
        return None
    try:
        processed = await asyncio.get_running_loop().run_in_executor(_DECODES, photos.process, raw)
    except photos.BadImage as error:
        raise findings.FindingError(f"the photo cannot be read: {error}") from None
    return str(uuid.uuid4()), processed


async def _act(request: Request, person: User, finding_id: str, action: str, form: Any) -> None:
    if action in ("fixed", "dispute"):
        photo = await received_photo(form.get("photo"))
        await in_pool(
            request, findings.answer, finding_id, person, action, str(form.get("note", "")),
            client_id=str(form.get("answer_id", "")) or str(uuid.uuid4()), photo=photo, today=date.today(),
        )
    elif action in ("accept", "reject"):
        await in_pool(request, findings.decide, finding_id, person, action == "accept", str(form.get("note", "")))
    else:
        raise findings.FindingError(f"unknown action {action!r}")


async def finding_page(request: Request) -> Response:
    """A finding: the standard, when it is due, what happened to it; the store's answer form,
    or the judgement of a dispute."""
    person: User = request.state.person
    finding_id = request.path_params["finding"]
    lang = page_language(request)
    t = TEXT[lang]
    message, failed = "", False
    if request.method == "POST":
        try:
            async with request.form() as form:  # closes an uploaded photo's spool file however it ends
                action = str(form.get("action", ""))
                await _act(request, person, finding_id, action, form)
        except LookupError:
            return _not_found()
        except findings.FindingError as error:
            message, failed = t["error"].format(message=error), True
        except HTTPException:  # a form body that is not one (Starlette's own 400)
            message, failed = t["error"].format(message=t["unreadable"]), True
        else:
            return RedirectResponse(f"/findings/{finding_id}?done={action}", status_code=303)
    screen = await in_pool(request, _detail, person, finding_id, lang, date.today())
    if screen is None:
        return _not_found()
    done = request.query_params.get("done", "")
    if not message and f"done_{done}" in t:
        message = t[f"done_{done}"]
    return render(request, "finding.html", status=422 if failed else 200, lang=lang, f_t=t, message=message, failed=failed, **screen)


async def disputes(request: Request) -> Response:
    """The disputes waiting for a judgement, oldest first."""
    person: User = request.state.person
    if not access.may(person, "judge-disputes"):
        return _not_found()
    lang = page_language(request)

    def cards(db: sqlite_utils.Database) -> list[dict[str, Any]]:
        return [_card(db, f, lang, date.today()) for f in findings.disputed(db)]

    return render(request, "findings.html", lang=lang, f_t=TEXT[lang], cards=await in_pool(request, cards), judge=True)


async def photo_thumb(request: Request) -> Response:
    """A fix's photo, small, for whoever may see its finding."""
    person: User = request.state.person

    def thumb(db: sqlite_utils.Database) -> bytes | None:
        finding = findings.get(db, request.path_params["finding"])
        if finding is None or not (access.may(person, "judge-disputes") or findings.may_answer(db, person, finding)):
            return None
        row = db.execute(
            "SELECT thumb FROM finding_photos WHERE uuid = ? AND finding_id = ?", [request.path_params["photo"], finding.id]
        ).fetchone()
        return row[0] if row else None

    data = await in_pool(request, thumb)
    if data is None:
        return _not_found()
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, max-age=31536000, immutable"})


def routes() -> list[Route]:
    return [
        Route("/findings", store_list, name="findings"),
        Route("/findings/disputes", disputes, name="finding-disputes"),
        Route("/findings/{finding}", finding_page, methods=["GET", "POST"], name="finding"),
        Route("/findings/{finding}/photos/{photo}/thumb", photo_thumb, name="finding-photo-thumb"),
    ]

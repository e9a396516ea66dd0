"""The store manager's phone: what is due at their branches, which the phone keeps for offline
use, and the answers it queues there. Each answer travels under the id the phone gave it when
it was written, with its photo in the same request, so a retry after a dropped connection or
a killed server stores it once and whole (findings.answer holds the rule)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import sqlite_utils
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import access, auth, findings
from .accounts import User
from .finding_views import received_photo
from .pinned import latest_checklist
from .pooled import in_pool
from .visits import UUID

NO_CACHE = {"Cache-Control": "no-cache"}


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


def _entry(db: sqlite_utils.Database, finding: findings.Finding, today: date, names: dict[str, dict[str, str]]) -> dict[str, Any]:
    """A finding as the phone shows it: the standard and the fix in every language the checklist
    has, never the inspector's method; the history the store may see."""
    checklist = latest_checklist(db, finding.checklist_id)
    item = next((i for i in checklist.items() if i.id == finding.item_id), None) if checklist else None
    return {
        "id": finding.id,
        "site_id": finding.site_id,
        "site_name": names.get(finding.site_id, {}),
        "item_id": finding.item_id,
        "language": checklist.language if checklist else "zh-Hans",
        "text": dict(item.text) if item else {},
        "fix": dict(item.fix) if item else {},
        "photo": bool(item and item.evidence_photo),
        "critical": finding.critical,
        "state": finding.state,
        "opened_on": finding.opened_on,
        "due_on": finding.due_on,
        "overdue": finding.overdue(today),
        "dispute_until": (date.fromisoformat(finding.released_on) + timedelta(days=findings.DISPUTE_DAYS)).isoformat(),
        "history": [
            {"action": e["action"], "note": e["note"], "at": e["at"], "who": e["who"], "photo": bool(e["photo"])}
            for e in findings.events(db, finding.id)
        ],
    }


def _mine(db: sqlite_utils.Database, person: User, today: date) -> list[dict[str, Any]]:
    found = findings.of_branches(db, list(person.branches), findings.ACTIVE)
    sites = {f.site_id for f in found}
    marks = ", ".join("?" for _ in sites)
    names = {row[0]: json.loads(row[1]) for row in db.execute(f"SELECT id, name FROM sites WHERE id IN ({marks})", list(sites))}
    entries = [_entry(db, f, today, names) for f in found]
    return sorted(entries, key=lambda e: (not e["overdue"], e["state"] != "open", e["due_on"]))


async def mine(request: Request) -> JSONResponse:
    """The findings of the store manager's branches not yet closed by a later visit, unanswered
    and overdue first."""
    person: User = request.state.person
    if not access.may(person, "answer-findings"):
        return _error(403, "forbidden", "your role may not answer findings")
    return JSONResponse(await in_pool(request, _mine, person, date.today()), headers=NO_CACHE)


async def put_answer(request: Request) -> JSONResponse:
    """One answer, "fixed" (a note, a photo where the detail asks for one) or "dispute" (a
    reason), as a multipart form. The same answer again is answered as the first was."""
    person: User = request.state.person
    if not access.may(person, "answer-findings"):
        return _error(403, "forbidden", "your role may not answer findings")
    answer_id = request.path_params["answer"]
    if not UUID.match(answer_id):
        return _error(422, "invalid", "the answer's id must be a UUID")
    if int(request.headers.get("content-length") or 0) > auth.MAX_UPLOAD:
        return _error(413, "too_large", f"an answer with its photo may be at most {auth.MAX_UPLOAD // (1024 * 1024)} MB")
    finding_id = request.path_params["finding"]
    try:
        async with request.form() as form:
            kind = str(form.get("kind", ""))
            note = str(form.get("note", ""))
            photo = await received_photo(form.get("photo")) if kind == "fixed" else None
            state = await in_pool(
                request, findings.answer, finding_id, person, kind, note, client_id=answer_id, photo=photo, today=date.today()
            )
    except LookupError:
        return _error(404, "not_found", "no such finding at your branches")
    except findings.AnswerConflict as error:
        return _error(409, "conflict", str(error))
    except findings.FindingError as error:
        return _error(422, "invalid", str(error))
    except HTTPException:  # Starlette's own 400: a body that is not a multipart form
        return _error(422, "invalid", "the answer must be a multipart form with kind, note and an optional photo")
    return JSONResponse({"finding": finding_id, "answer": answer_id, "state": state})


def routes() -> list[Route]:
    return [
        Route("/api/findings/mine", mine, methods=["GET"], name="api-my-findings"),
        Route("/api/findings/{finding}/answers/{answer}", put_answer, methods=["PUT"], name="api-finding-answer"),
    ]

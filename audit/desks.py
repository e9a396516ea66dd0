"""The pages people work at: the reviewer's queue and review screen, the store manager's
reports. Thin views: they ask access.py, call review.py and report.py, render a template."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from . import access, assignments, org, report, review
from .accounts import User
from .assign_views import flag_words
from .db import writing
from .finding_views import TEXT as FINDING_TEXT
from .pooled import in_pool
from .signin import TEXT, page_language, render
from .wording import clock, pick


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _not_found() -> Response:
    return Response("no such visit", status_code=404, media_type="text/plain")


def _catalog_titles(request: Request, lang: str) -> dict[str, str]:
    return {c.id: pick(c.title, lang, c.language) for c in request.app.state.checklists}


def _band_labels(request: Request, lang: str) -> dict[tuple[str, str], str]:
    return {(c.id, b.id): pick(b.label, lang, c.language) for c in request.app.state.checklists for b in c.bands}


async def queue(request: Request) -> Response:
    person: User = request.state.person
    if not access.may(person, "read-all"):
        return _not_found()
    lang = page_language(request)
    titles = _catalog_titles(request, lang)
    waiting = await in_pool(request, review.queue, person)
    flagged = await in_pool(request, assignments.flags_for, [row["uuid"] for row in waiting])
    rows = [
        {
            "uuid": row["uuid"], "site": pick(row["site_name"], lang, "zh-Hans"), "checklist": titles.get(row["checklist_id"], row["checklist_id"]),
            "started": clock(row["started_at"]), "inspector": row["inspector"], "version": row["version"], "waiting": clock(row["updated_at"]),
            "score": _score(row["score"]), "critical": row["critical_failures"] or 0, "flags": flag_words(flagged.get(row["uuid"], []), lang),
        }
        for row in waiting
    ]
    return render(request, "queue.html", lang=lang, rows=rows, disputes_label=FINDING_TEXT[lang]["disputes"])


def _screen(db: sqlite_utils.Database, person: User, visit_uuid: str, lang: str) -> dict[str, Any] | None:
    if not access.may(person, "read-all") or not access.may_read_visit(db, person, visit_uuid):
        return None
    built = report.build(db, visit_uuid, lang, audience="staff")
    found = review.state_of(db, visit_uuid)
    assert found is not None
    state, version = found
    row = db.execute(
        "SELECT coalesce(u.display_name, '—') FROM visits v LEFT JOIN users u ON u.id = v.inspector_id WHERE v.uuid = ?", [visit_uuid]
    ).fetchone()
    return {
        "r": built, "state": state, "version": version, "inspector": row[0], "score": _score(built.score),
        "state_label": review.STATE_LABELS[state][lang], "history": review.events(db, visit_uuid),
        "terms": review.hidden_terms(db, visit_uuid), "missing": review.photos_missing(db, visit_uuid),
        "can_review": access.may(person, "review"), "flags": flag_words(assignments.flags(db, visit_uuid), lang),
    }


async def visit(request: Request) -> Response:
    person: User = request.state.person
    visit_uuid = request.path_params["uuid"]
    lang = page_language(request)
    message, failed = "", False
    if request.method == "POST":
        if not access.may(person, "review"):
            return _not_found()
        form = await request.form()
        action = str(form.get("action", ""))
        terms = [line for line in str(form.get("terms", "")).splitlines()]
        try:
            await in_pool(request, _act, person, visit_uuid, action, str(form.get("comment", "")), terms)
        except review.ReviewError as error:
            message, failed = TEXT[lang]["error"].format(message=error), True
        else:
            return RedirectResponse(f"/review/{visit_uuid}?done={action}", status_code=303)
    screen = await in_pool(request, _screen, person, visit_uuid, lang)
    if screen is None:
        return _not_found()
    done = request.query_params.get("done")
    if not message and done in review.MOVES:
        message = TEXT[lang][f"done_{done}"]
    return render(request, "review.html", status=422 if failed else 200, lang=lang, message=message, failed=failed, **screen)


def _act(db: sqlite_utils.Database, person: User, visit_uuid: str, action: str, comment: str, terms: list[str]) -> None:
    """The review form: the names to hide are saved with the decision, in one transaction, so
    a decision the state refuses saves nothing."""
    if not access.may_read_visit(db, person, visit_uuid):
        raise review.ReviewError("no such visit")
    with writing(db):
        review.redact(db, visit_uuid, person, terms)
        review.move(db, visit_uuid, person, action, comment)


async def store_home(request: Request) -> Response:
    person: User = request.state.person
    if not access.may(person, "read-reports"):
        return _not_found()
    lang = page_language(request)
    titles, bands = _catalog_titles(request, lang), _band_labels(request, lang)
    rows = [
        {
            "uuid": row["uuid"], "site": pick(row["site_name"], lang, "zh-Hans"), "checklist": titles.get(row["checklist_id"], row["checklist_id"]),
            "date": row["started_at"][:10], "score": _score(row["score"]), "band": bands.get((row["checklist_id"], row["band"]), row["band"] or ""),
            "critical": row["critical_failures"] or 0,
        }
        for row in await in_pool(request, review.released, person)
    ]
    names = await in_pool(request, org.branch_names, person.branches)
    branches = "、".join(pick(names[b], lang, "zh-Hans") for b in person.branches if b in names) or TEXT[lang]["all_branches"]
    return render(request, "store.html", lang=lang, rows=rows, branches=branches, findings_label=FINDING_TEXT[lang]["findings"])

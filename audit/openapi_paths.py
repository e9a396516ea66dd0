"""The OpenAPI description's operations: every route, what it takes and every answer it gives
before auth.py's (which openapi.py adds)."""

from __future__ import annotations

from typing import Any

from . import auth, export_files, exports, filters, sessions, signin, visits
from .openapi_parts import (
    FORM,
    HTML,
    JSON,
    MULTIPART,
    body,
    id_param,
    json_answer,
    not_found,
    query_param,
    redirect,
    ref,
    retry_after,
    role_refused,
    roles,
    uuid_param,
)
from .wording import LANGUAGES


def paths() -> dict[str, Any]:
    visit_id = uuid_param("uuid", "The visit's id, made by the phone.")
    photo_id = uuid_param("photo_uuid", "The photo's id, as the visit declared it.")
    export_id = uuid_param("uuid", "The export's id, as asking for it answered.")
    finding_id = uuid_param("finding", "The finding's id.")
    hq_filters = [
        query_param("period", f"Default {filters.DEFAULT_PERIOD}: {filters.PERIOD_HELP}."),
        query_param("region", "A region's id; default: every region."),
        query_param("site_type", "A site type's id; default: every type."),
        query_param("checklist", "A checklist's id; default: every checklist."),
    ]

    def hq_answers(page: str, missing: str = "") -> dict[str, Any]:
        return {
            "200": body(page, HTML),
            "400": body("A filter not understood: the page, saying which.", HTML),
            "404": not_found((missing + "not" if missing else "Not") + f" for this role (only {roles('compare')})."),
            "503": body("The comparison took longer than its deadline and was stopped: the page, saying so.", HTML),
        }

    lang = query_param("lang", f"The reader's language ({', '.join(LANGUAGES)}); default: the checklist's.")
    page_lang = query_param("lang", f"The page's language ({', '.join(LANGUAGES)}); default: the browser's first one the pages speak.")
    too_large = json_answer("The body is over the limit; nothing was read further or stored.", ref("Error"))
    too_slow = json_answer("The body arrived too slowly and was cut off; nothing was stored.", ref("Error"))
    conflict = json_answer("Other content is already stored under this id; nothing changed.", ref("Error"))
    invalid = json_answer("Refused whole: nothing was stored.", ref("Invalid"))
    photo_media = {media: {"schema": {"type": "string", "contentMediaType": media}} for media in visits.PHOTO_TYPES}
    window = int(sessions.WINDOW.total_seconds())
    throttled = (
        f"{sessions.FAILURES_ALLOWED} wrong passwords for this username within {window} s (or many more from this "
        "address): no sign-in with it is tried until they are older than that"
    )
    signed_in = {
        "description": "Signed in: the session cookie is set (HttpOnly, SameSite=Lax; it lasts while it is used, "
        f"up to {sessions.LIFETIME.days} days and no more than {sessions.IDLE.days} idle).",
        "content": {JSON: {"schema": ref("Who")}},
        "headers": {"Set-Cookie": {"required": True, "schema": {"type": "string", "pattern": f"^{auth.COOKIE}="}}},
    }
    homes = ", ".join(f"{role}: {home}" for role, home in signin.HOMES.items())
    return {
        "/": {"get": {"summary": "The inspectors' app", "responses": {"200": body("static/index.html", HTML)}}},
        "/sw.js": {
            "get": {
                "summary": "The service worker, stamped with the assets' version",
                "responses": {"200": body("The worker's script.", "application/javascript")},
            }
        },
        "/manifest.webmanifest": {
            "get": {
                "summary": "The web app manifest",
                "responses": {
                    "200": {
                        "description": "The manifest.",
                        "content": {"application/manifest+json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/health": {"get": {"summary": "Up once the database answers", "responses": {"200": json_answer("Up.", ref("Health"))}}},
        "/signin": {
            "get": {
                "summary": "The sign-in page",
                "parameters": [query_param("next", "The page to go to after signing in, if it is one of this site's."), page_lang],
                "responses": {
                    "200": body("The form.", HTML),
                    "303": redirect(f"Signed in already: to `next`, or to the person's home ({homes}).", "^/"),
                },
            },
            "post": {
                "summary": "Sign in from the page",
                "parameters": [page_lang],
                "requestBody": {"required": True, "content": {FORM: {"schema": ref("SignInForm")}}},
                "responses": {
                    "303": redirect(f"Signed in (the session cookie is set): to `next`, or to the person's home ({homes}).", "^/"),
                    "401": body("The username or the password is wrong: the form again, saying so.", HTML),
                    "429": body(f"{throttled}: the form again, saying so.", HTML),
                },
            },
        },
        "/signout": {
            "post": {
                "summary": "Sign out from a page: the session ends",
                "requestBody": {"required": False, "content": {FORM: {"schema": ref("SignOutForm")}}},
                "responses": {"303": redirect("Signed out (the cookie is cleared): to the sign-in page.", "^/signin$")},
            }
        },
        "/api/session": {
            "post": {
                "summary": "Sign in (the phone): a session cookie and its CSRF token",
                "requestBody": {"required": True, "content": {JSON: {"schema": ref("SignIn")}}},
                "responses": {
                    "200": signed_in,
                    "401": json_answer("The username or the password is wrong, or the account is disabled.", ref("Error")),
                    "408": too_slow,
                    "413": json_answer(f"A sign-in is at most {signin.MAX_SIGNIN_BYTES:,} bytes.", ref("Error")),
                    "422": json_answer("Not a JSON object with a string username and password.", ref("Invalid")),
                    "429": json_answer(
                        f"{throttled}.", ref("Error"), headers=retry_after(f"Seconds until the {window} s window has passed.")
                    ),
                },
            },
            "get": {
                "summary": "Who is signed in",
                "responses": {"200": json_answer("The person, and the session's CSRF token.", ref("Who"))},
            },
            "delete": {
                "summary": "Sign out (the phone): the session ends and its cookie is cleared",
                "responses": {"204": {"description": "Signed out (nothing to end for a bearer token)."}},
            },
        },
        "/review": {
            "get": {
                "summary": "The reviewers' queue: submitted visits, the longest waiting first",
                "parameters": [page_lang],
                "responses": {
                    "200": body("The queue.", HTML),
                    "404": not_found(f"Not a page for this role (only {roles('read-all')})."),
                },
            }
        },
        "/review/{uuid}": {
            "get": {
                "summary": "A visit to review: its report as staff read it, history, names hidden from the store",
                "parameters": [visit_id, page_lang, query_param("done", "The move just made, to confirm it.")],
                "responses": {
                    "200": body("The review screen.", HTML),
                    "404": not_found(f"No such visit, or not a page for this role (only {roles('read-all')})."),
                },
            },
            "post": {
                "summary": "Approve, return or reject a submitted visit, and hide names from the store",
                "parameters": [visit_id, page_lang],
                "requestBody": {"required": True, "content": {FORM: {"schema": ref("ReviewForm")}}},
                "responses": {
                    "303": redirect("Done: back to the visit, confirming the move.", "^/review/"),
                    "404": not_found(f"No such visit, or this role may not review (only {roles('review')})."),
                    "422": body("A move the visit's state does not allow, or a comment it needs: the screen again, saying so.", HTML),
                },
            },
        },
        "/store": {
            "get": {
                "summary": "A store manager's released reports (of their own branches; all of them for HQ)",
                "parameters": [page_lang],
                "responses": {
                    "200": body("The reports.", HTML),
                    "404": not_found(f"Not a page for this role (only {roles('read-reports')})."),
                },
            }
        },
        "/hq": {
            "get": {
                "summary": "HQ's comparison of regions and branches over a period: rankings with sample sizes, trend, failing details, heatmap, calibration",
                "parameters": hq_filters + [query_param("by", "Rank by one stage (pre-sale, in-sale, after-sale) instead of the overall score."), page_lang],
                "responses": hq_answers("The dashboard."),
            }
        },
        "/hq/branches/{branch}": {
            "get": {
                "summary": "One branch: its figure, its sites ranked, its trend overall and per stage, its most-failed details",
                "parameters": [id_param("branch", "The branch's id."), *hq_filters, page_lang],
                "responses": hq_answers("The branch's page.", "No such branch, or "),
            }
        },
        "/hq/sites/{site}": {
            "get": {
                "summary": "One site: its released visits in scope, each opening its report",
                "parameters": [id_param("site", "The site's id."), *hq_filters, page_lang],
                "responses": hq_answers("The site's page.", "No such site, or "),
            }
        },
        "/hq/compare.pdf": {
            "get": {
                "summary": "The dashboard's comparison as a PDF (A4 landscape), the same figures and charts",
                "parameters": hq_filters + [query_param("by", "Rank by one stage instead of the overall score."), page_lang],
                "responses": {
                    "200": {"description": "The PDF, as an attachment.", "content": {"application/pdf": {"schema": {"type": "string"}}}},
                    "400": json_answer("A filter not understood; the message names it.", ref("Error")),
                    "404": not_found(f"Not for this role (only {roles('compare')})."),
                    "503": json_answer("The comparison timed out, or too many PDFs are being prepared; try again.", ref("Error")),
                },
            }
        },
        "/hq/exports": {
            "post": {
                "summary": "Ask for an export of the visits the filters choose; it is prepared in the background",
                "requestBody": {"required": True, "content": {FORM: {"schema": ref("ExportForm")}}},
                "responses": {
                    "303": redirect("Asked for: to the export's page, which follows it until it is ready.", "^/hq/exports/"),
                    "404": not_found(f"Not for this role (only {roles('compare')})."),
                    "422": body("An unknown format, period, region, site type or checklist: a page saying which.", HTML),
                },
            }
        },
        "/hq/exports/{uuid}": {
            "get": {
                "summary": "An export's progress, refreshing itself until the file is ready, then its download link",
                "parameters": [export_id, page_lang],
                "responses": {
                    "200": body("The export's page.", HTML),
                    "404": not_found(f"No such export of the caller's (an admin follows anyone's; only {roles('compare')} export)."),
                },
            }
        },
        "/hq/exports/{uuid}/file": {
            "get": {
                "summary": f"A ready export's file, kept {int(exports.KEEP.total_seconds()) // 3600} hours",
                "parameters": [export_id],
                "responses": {
                    "200": {
                        "description": "The file, as an attachment named after its filters and day.",
                        "content": {media: {"schema": {"type": "string"}} for media in export_files.MEDIA_TYPES.values()},
                        "headers": {"Content-Disposition": {"required": True, "schema": {"type": "string", "pattern": "^attachment; filename"}}},
                    },
                    "404": not_found("No such export of the caller's, not ready yet, or removed after a day."),
                },
            }
        },
        "/hq/assignments": {
            "get": {
                "summary": "Assignments: the open ones and the latest done or cancelled, a form for one and an upload for a batch",
                "parameters": [page_lang, query_param("done", "What was just done, to confirm it."), query_param("n", "How many a batch assigned.")],
                "responses": {"200": body("The page.", HTML), "404": not_found(f"Not for this role (only {roles('assign')}).")},
            },
            "post": {
                "summary": "Assign a visit: site, checklist, inspector, window",
                "parameters": [page_lang],
                "requestBody": {"required": True, "content": {FORM: {"schema": ref("AssignmentForm")}}},
                "responses": {
                    "303": redirect("Assigned: back to the page, confirming it.", "^/hq/assignments"),
                    "404": not_found(f"Not for this role (only {roles('assign')})."),
                    "422": body("Nothing assigned: the page, naming every field that is wrong.", HTML),
                },
            },
        },
        "/hq/assignments/batch": {
            "post": {
                "summary": "Assign a batch from a CSV file, all or nothing",
                "parameters": [page_lang],
                "requestBody": {"required": True, "content": {MULTIPART: {"schema": ref("AssignmentBatch")}}},
                "responses": {
                    "303": redirect("Every row assigned: back to the page, saying how many.", "^/hq/assignments"),
                    "404": not_found(f"Not for this role (only {roles('assign')})."),
                    "422": body("Nothing assigned: the page, naming every problem by row and column.", HTML),
                },
            }
        },
        "/hq/assignments/{uuid}/cancel": {
            "post": {
                "summary": "Cancel an open assignment",
                "parameters": [uuid_param("uuid", "The assignment's id.")],
                "responses": {
                    "303": redirect("Cancelled: back to the page.", "^/hq/assignments"),
                    "404": not_found(f"No open assignment under this id, or not for this role (only {roles('assign')})."),
                },
            }
        },
        "/api/assignments/mine": {
            "get": {
                "summary": "The inspector's open assignments, the earliest window first, with the items to re-check at each site",
                "responses": {
                    "200": json_answer("Every open assignment of the caller's.", {"type": "array", "items": ref("MyAssignment")}),
                    "403": role_refused("send-visits"),
                },
            }
        },
        "/api/findings/mine": {
            "get": {
                "summary": "The findings of a store manager's branches not yet closed by a later visit, for the phone to keep offline",
                "responses": {
                    "200": json_answer("Unanswered and overdue first.", {"type": "array", "items": ref("MyFinding")}),
                    "403": role_refused("answer-findings"),
                },
            }
        },
        "/api/findings/{finding}/answers/{answer}": {
            "put": {
                "summary": "A store manager's answer to a finding, with its photo, under the id the phone gave it: sent again, it is one answer",
                "parameters": [finding_id, uuid_param("answer", "The answer's id, made by the phone when the answer was written.")],
                "requestBody": {"required": True, "content": {MULTIPART: {"schema": ref("FindingAnswer")}}},
                "responses": {
                    "200": json_answer("Stored (now or before): the finding's state.", ref("AnswerStored")),
                    "403": role_refused("answer-findings"),
                    "404": json_answer("No such finding at the caller's branches.", ref("Error")),
                    "409": json_answer("Another answer is already stored under this id; nothing changed.", ref("Error")),
                    "413": too_large,
                    "422": json_answer("Refused whole (the finding's state, the window, a missing note or photo): nothing stored.", ref("Error")),
                },
            }
        },
        "/api/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": json_answer("OpenAPI 3.1.", {"type": "object"})}}
        },
        "/api/checklists": {
            "get": {
                "summary": "The valid checklists, each with the content hash a visit pins",
                "responses": {
                    "200": json_answer("Every checklist.", {"type": "array", "items": ref("ChecklistEntry")}),
                    "403": role_refused("read-catalog"),
                },
            }
        },
        "/api/sites": {
            "get": {
                "summary": "Every site with its branch and region, and the keys the phone's search matches",
                "responses": {
                    "200": json_answer("Every site.", {"type": "array", "items": ref("Site")}),
                    "403": role_refused("read-catalog"),
                },
            }
        },
        "/api/visits/mine": {
            "get": {
                "summary": "The inspector's visits and what became of them, newest first",
                "responses": {
                    "200": json_answer("Every visit the inspector sent.", {"type": "array", "items": ref("MyVisit")}),
                    "403": role_refused("send-visits"),
                },
            }
        },
        "/api/visits/{uuid}": {
            "get": {
                "summary": "One of the inspector's own visits as last sent, to correct a returned one",
                "parameters": [visit_id],
                "responses": {
                    "200": json_answer("The visit.", ref("OwnVisit")),
                    "403": role_refused("send-visits"),
                    "404": not_found("No such visit of the caller's: another inspector's reads as none."),
                },
            },
            "put": {
                "summary": "Store a visit: whole or not at all, idempotent",
                "parameters": [visit_id],
                "requestBody": {"required": True, "content": {JSON: {"schema": ref("Visit")}}},
                "responses": {
                    "200": json_answer("Stored now (new, or a returned visit's corrected version), or already stored with the same content.", ref("Accepted")),
                    "403": role_refused("send-visits"),
                    "404": not_found("A path parameter that does not fit in one path segment."),
                    "408": too_slow,
                    "409": json_answer(
                        "Other content is already stored under this id (by this inspector and not returned to them, "
                        "or by another one); nothing changed.",
                        ref("Error"),
                    ),
                    "413": too_large,
                    "422": invalid,
                },
            },
        },
        "/api/visits/{uuid}/photos/{photo_uuid}": {
            "put": {
                "summary": "Store the bytes of a photo the visit declared",
                "parameters": [visit_id, photo_id],
                "requestBody": {"required": True, "content": photo_media},
                "responses": {
                    "200": json_answer("Stored now, or already stored with the same bytes.", ref("PhotoAccepted")),
                    "403": role_refused("send-visits"),
                    "404": not_found("No such visit of the caller's yet: send the visit before its photos."),
                    "408": too_slow,
                    "409": conflict,
                    "413": too_large,
                    "422": invalid,
                },
            }
        },
        "/visits/{uuid}/report": {
            "get": {
                "summary": "The visit's report, for reading on a phone",
                "parameters": [visit_id, lang],
                "responses": {
                    "200": body("The report page.", HTML),
                    "404": not_found(f"No such visit the caller may read (only {roles('read-reports')} read reports)."),
                },
            }
        },
        "/visits/{uuid}/report.pdf": {
            "get": {
                "summary": "The visit's report as a PDF, rendered once per language and kept",
                "parameters": [
                    visit_id,
                    lang,
                    {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": body("The PDF.", "application/pdf"),
                    "304": {"description": "The PDF named by If-None-Match is current."},
                    "404": not_found(f"No such visit the caller may read (only {roles('read-reports')} read reports)."),
                    "503": json_answer(
                        "Too many reports are being rendered; try again.", ref("Error"), headers=retry_after("Seconds to wait.")
                    ),
                },
            }
        },
        "/findings": {
            "get": {
                "summary": "The findings a store manager's branches still owe an answer or a re-check, overdue first",
                "parameters": [page_lang],
                "responses": {"200": body("The list.", HTML), "404": not_found("Not a page for this role (store managers, reviewers, HQ, admins).")},
            }
        },
        "/findings/disputes": {
            "get": {
                "summary": "The disputes waiting for a judgement",
                "parameters": [page_lang],
                "responses": {"200": body("The list.", HTML), "404": not_found(f"Not for this role (only {roles('judge-disputes')}).")},
            }
        },
        "/findings/{finding}": {
            "get": {
                "summary": "A finding: the standard, how to put it right, when it is due, what happened to it, and the form to answer or judge it",
                "parameters": [finding_id, page_lang],
                "responses": {"200": body("The finding's page.", HTML), "404": not_found("No such finding of the caller's branches.")},
            },
            "post": {
                "summary": "Answer a finding (store) or judge its dispute (reviewer, HQ)",
                "parameters": [finding_id, page_lang],
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": ref("FindingForm")}, FORM: {"schema": ref("FindingForm")}}},
                "responses": {
                    "303": redirect("Done: back to the finding, saying so.", "^/findings/"),
                    "404": not_found("No such finding of the caller's branches, or not this role's move."),
                    "422": body("A move the finding's state, the window or the form does not allow: the page again, saying which.", HTML),
                },
            },
        },
        "/findings/{finding}/photos/{photo}/thumb": {
            "get": {
                "summary": "A fix's photo, small",
                "parameters": [finding_id, uuid_param("photo", "The photo's id.")],
                "responses": {"200": body("The thumbnail.", "image/jpeg"), "404": not_found("No such photo under a finding the caller may see.")},
            }
        },
        "/visits/{uuid}/photos/{photo_uuid}": {
            "get": {
                "summary": "A photo as stored (upright, at most 1600 px, without EXIF), only under its own visit: the web report's thumbnails open it",
                "parameters": [visit_id, photo_id],
                "responses": {
                    "200": body("The photo.", "image/jpeg"),
                    "404": not_found("No such photo under a visit whose report the caller may read."),
                },
            }
        },
        "/visits/{uuid}/photos/{photo_uuid}/thumb": {
            "get": {
                "summary": "A photo's thumbnail, only under its own visit",
                "parameters": [visit_id, photo_id],
                "responses": {
                    "200": body("The thumbnail.", "image/jpeg"),
                    "404": not_found("No such photo under a visit whose report the caller may read."),
                },
            }
        },
    }

"""The HTTP API as an OpenAPI 3.1 document, served at /api/openapi.json.

Its bounds and patterns are the constants the server's checks enforce (visits.py,
answers.py), so the two cannot drift. The document never forbids what the server accepts
(a client that follows it is never refused for its shape), while the server may refuse
more: the answers it checks against the pinned checklist. tests/test_openapi.py holds the
document to the routes both ways; tests/test_api_fuzz.py holds the server to the document.

Who may call what is auth.py's (which routes need a person, CSRF) and access.py's (what a
role may do): every operation auth.py protects declares the session cookie (with the CSRF
token on changes) or a bearer token, and the answers the guard gives are added to it here,
from the same rule, so the two cannot drift either.
"""

from __future__ import annotations

from typing import Any

from . import (
    access,
    accounts,
    answers,
    assign_views,
    assignments,
    auth,
    export_files,
    exports,
    filters,
    findings,
    review,
    sessions,
    signin,
    visits,
)
from .schema import ID_PATTERN
from .wording import LANGUAGES

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
HTML = "text/html"
# auth.py reads these (the header case-insensitively); tests/test_openapi.py holds the server to them.
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"
SESSION, CSRF, BEARER = "session", "csrf", "bearer"


def _whole(pattern: str) -> str:
    """An ECMA-262 pattern (JSON Schema's dialect), where `$` ends the input."""
    return f"^{pattern}$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _date_time(description: str, *, nullable: bool = False) -> dict[str, Any]:
    return {
        "description": description + " RFC 3339, with its UTC offset.",
        "type": ["string", "null"] if nullable else "string",
        "format": "date-time",
        "maxLength": visits.MAX_TIME,
    }


def _schemas() -> dict[str, Any]:
    uuid = {"type": "string", "pattern": _whole(visits.UUID_PATTERN)}
    sha256 = {"type": "string", "pattern": _whole(visits.SHA256_PATTERN)}
    item_id = {"type": "string", "pattern": ID_PATTERN}
    ident = {"type": "string", "minLength": 1, "maxLength": visits.MAX_ID}
    pixels = {"type": ["integer", "null"], "minimum": 1, "maximum": visits.MAX_PIXELS}
    state = {"enum": list(review.STATES), "description": "submitted (waiting for review), returned (to correct), released (to the store) or rejected."}
    version = {"type": "integer", "minimum": 1}
    return {
        "Visit": {
            "description": "A visit as the phone sends it. The answers are then checked against the checklist "
            "version it pins (`checklist_hash`): an answer that is no possible answer of its item, on a hidden "
            "item, or missing where required is refused with the rest of the visit.",
            "type": "object",
            "required": ["checklist_id", "checklist_hash", "site_id", "started_at"],
            "additionalProperties": False,
            "properties": {
                "checklist_id": ident,
                "checklist_hash": {**sha256, "description": "The content hash of the checklist version filled in."},
                "site_id": ident,
                "started_at": _date_time("When the visit began."),
                "ended_at": _date_time("When it ended, not before it began.", nullable=True),
                "narrative": {"type": ["string", "null"], "maxLength": visits.MAX_NARRATIVE},
                "answers": {
                    "type": "object",
                    "maxProperties": visits.MAX_ANSWERS,
                    "propertyNames": {"pattern": ID_PATTERN},
                    "additionalProperties": _ref("Answer"),
                },
                "photos": {"type": "array", "maxItems": visits.MAX_PHOTOS, "items": _ref("PhotoDeclaration")},
            },
        },
        "Answer": {
            "description": "One item's answer. Which values an item takes depends on its type (README: checklists).",
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "value": {
                    "description": "yes/no, a choice id, a number, a time or text; a list of choice ids for a "
                    "multiple choice; absent or null when unanswered or N/A.",
                    "type": ["string", "number", "array", "null"],
                    "maxLength": answers.MAX_TEXT,
                    "items": item_id,
                    "uniqueItems": True,
                },
                "na": {"type": "boolean"},
                "note": {"type": ["string", "null"], "maxLength": answers.MAX_TEXT},
                "answered_at": _date_time("When the inspector last changed it.", nullable=True),
            },
        },
        "PhotoDeclaration": {
            "description": "A photo the visit links to one of its items; its bytes follow by PUT on its own URL.",
            "type": "object",
            "required": ["uuid", "item_id", "taken_at", "content_type", "sha256"],
            "additionalProperties": False,
            "properties": {
                "uuid": uuid,
                "item_id": item_id,
                "taken_at": _date_time("When it was taken."),
                "content_type": {"enum": list(visits.PHOTO_TYPES)},
                "sha256": {**sha256, "description": "The hex SHA-256 of the bytes that will be sent."},
                "width": pixels,
                "height": pixels,
            },
        },
        "Accepted": {
            "description": "The visit as stored: when it first arrived, the photos still to send, its review "
            "state and its version (a returned visit comes back corrected as the next version, same id).",
            "type": "object",
            "required": ["uuid", "received_at", "photos_missing", "state", "version"],
            "additionalProperties": False,
            "properties": {
                "uuid": uuid,
                "received_at": {"type": "string"},
                "photos_missing": {"type": "array", "items": uuid, "maxItems": visits.MAX_PHOTOS},
                "state": state,
                "version": version,
            },
        },
        "PhotoAccepted": {
            "type": "object",
            "required": ["uuid", "received_at"],
            "additionalProperties": False,
            "properties": {"uuid": uuid, "received_at": {"type": "string"}},
        },
        "Invalid": {
            "description": "Nothing was stored. Each problem names the field (a JSON path into the request, "
            "empty for the whole of it) and what is wrong with it.",
            "type": "object",
            "required": ["error", "problems"],
            "additionalProperties": False,
            "properties": {
                "error": {"const": "invalid"},
                "problems": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": visits.MAX_PROBLEMS,
                    "items": {
                        "type": "object",
                        "required": ["field", "message"],
                        "additionalProperties": False,
                        "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                    },
                },
            },
        },
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "additionalProperties": False,
            "properties": {
                "error": {"type": "string"},
                "message": {"type": "string"},
                "received_at": {"type": "string", "description": "On a conflict: when the stored copy arrived."},
            },
        },
        "StateLabel": {
            "description": "The state in words, in every language the app speaks.",
            "type": "object",
            "required": list(LANGUAGES),
            "properties": {lang: {"type": "string"} for lang in LANGUAGES},
        },
        "Comment": {
            "description": "What a reviewer said back when returning or rejecting a visit, without who said it.",
            "type": "object",
            "required": ["at", "text", "action"],
            "additionalProperties": False,
            "properties": {"at": {"type": "string"}, "text": {"type": "string"}, "action": {"enum": list(review.MOVES)}},
        },
        "MyVisit": {
            "type": "object",
            "required": [
                "uuid", "state", "version", "site_id", "checklist_id", "started_at", "received_at", "updated_at", "state_label", "comments"
            ],
            "additionalProperties": False,
            "properties": {
                "uuid": uuid,
                "state": state,
                "version": version,
                "site_id": {"type": "string"},
                "checklist_id": {"type": "string"},
                "started_at": {"type": "string"},
                "received_at": {"type": "string"},
                "updated_at": {"type": "string", "description": "When it was last sent or moved."},
                "state_label": _ref("StateLabel"),
                "comments": {"type": "array", "items": _ref("Comment")},
            },
        },
        "OwnVisit": {
            "description": "One of the inspector's visits as they last sent it (to correct a returned one), "
            "its state and what the reviewers said.",
            "type": "object",
            "required": ["uuid", "state", "state_label", "version", "body", "comments"],
            "additionalProperties": False,
            "properties": {
                "uuid": uuid,
                "state": state,
                "state_label": _ref("StateLabel"),
                "version": version,
                "body": _ref("Visit"),
                "comments": {"type": "array", "items": _ref("Comment")},
            },
        },
        "SignIn": {
            "type": "object",
            "required": ["username", "password"],
            "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
        },
        "Who": {
            "description": "The signed-in person, and the CSRF token their session's changes must carry "
            f"(`{CSRF_HEADER}`); null when they called with a bearer token, which needs none.",
            "type": "object",
            "required": ["user", "csrf"],
            "additionalProperties": False,
            "properties": {
                "user": {
                    "type": "object",
                    "required": ["id", "name", "role", "pseudonym"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "role": {"enum": list(accounts.ROLES)},
                        "pseudonym": {"type": "string", "description": "What store managers see of an inspector."},
                    },
                },
                "csrf": {"type": ["string", "null"]},
            },
        },
        "SignInForm": {
            "type": "object",
            "properties": {
                "username": {"type": "string"},
                "password": {"type": "string"},
                "next": {"type": "string", "description": "The page to go to after signing in, if it is one of this site's."},
                CSRF_FIELD: {"type": "string", "description": "Only when a session is signed in already: its CSRF token."},
            },
        },
        "SignOutForm": {
            "type": "object",
            "properties": {CSRF_FIELD: {"type": "string", "description": "The session's CSRF token (or send the header)."}},
        },
        "FindingForm": {
            "type": "object",
            "required": ["action"],
            "properties": {
                CSRF_FIELD: {"type": "string", "description": "The session's CSRF token (or send the header)."},
                "action": {
                    "enum": ["fixed", "dispute", "accept", "reject"],
                    "description": "The store's answer (fixed, dispute), or a reviewer's or HQ's judgement of a dispute (accept, reject).",
                },
                "note": {"type": "string", "description": f"What was done, or why: needed for an answer; at most {findings.MAX_NOTE} characters."},
                "answer_id": {"type": "string", "description": "The answer's own id, drawn with the form: the same answer sent again is one answer."},
                "photo": {"type": "string", "format": "binary", "description": "A photo of the fix (needed where the detail asks for photo evidence)."},
            },
        },
        "ReviewForm": {
            "type": "object",
            "required": ["action"],
            "properties": {
                CSRF_FIELD: {"type": "string", "description": "The session's CSRF token (or send the header)."},
                "action": {"enum": list(review.MOVES), "description": "A move of a submitted visit."},
                "comment": {
                    "type": "string",
                    "description": f"For the inspector: needed to return or reject; at most {review.MAX_COMMENT} characters "
                    "once trimmed.",
                },
                "terms": {
                    "type": "string",
                    "description": f"Names to hide from the store, one a line, each at most {review.MAX_TERM} characters; "
                    "saved whatever the move.",
                },
            },
        },
        "ExportForm": {
            "type": "object",
            "required": ["format"],
            "properties": {
                CSRF_FIELD: {"type": "string", "description": "The session's CSRF token (or send the header)."},
                "format": {"enum": list(export_files.FORMATS), "description": "csv (a ZIP of CSV files and a README), xlsx or json."},
                "period": {"type": "string", "description": f"Default {filters.DEFAULT_PERIOD}: {filters.PERIOD_HELP}."},
                "region": {"type": "string", "description": "A region's id; default: every region."},
                "site_type": {"type": "string", "description": "A site type's id; default: every type."},
                "checklist": {"type": "string", "description": "A checklist's id; default: every checklist."},
                "lang": {"type": "string", "description": f"The language of the names and texts in the file ({', '.join(LANGUAGES)}); default: the page's."},
            },
        },
        "AssignmentForm": {
            "type": "object",
            "required": list(assignments.COLUMNS),
            "properties": {
                CSRF_FIELD: {"type": "string", "description": "The session's CSRF token (or send the header)."},
                "site": {"type": "string", "description": "The site's id."},
                "checklist": {"type": "string", "description": "A checklist's id; it must be for the site's type."},
                "inspector": {"type": "string", "description": "The inspector's username (an inspector, not disabled)."},
                "start": {"type": "string", "description": "The window's start, e.g. 2026-12-01T10:00, or with its offset."},
                "end": {"type": "string", "description": "The window's end, after its start."},
                "offset": {"type": "string", "description": f"The UTC offset of times given without one; default {assignments.DEFAULT_OFFSET}."},
            },
        },
        "AssignmentBatch": {
            "type": "object",
            "required": ["file"],
            "properties": {
                CSRF_FIELD: {"type": "string", "description": "The session's CSRF token (or send the header)."},
                "file": {
                    "type": "string",
                    "contentMediaType": "text/csv",
                    "description": f"UTF-8 CSV, header row naming the columns {', '.join(assignments.COLUMNS)} (inspector by username); "
                    f"at most {assignments.MAX_ROWS} rows and {assign_views.MAX_FILE // 1024} KiB.",
                },
                "offset": {"type": "string", "description": f"The UTC offset of times given without one; default {assignments.DEFAULT_OFFSET}."},
            },
        },
        "MyAssignment": {
            "type": "object",
            "required": ["id", "site_id", "site_name", "checklist_id", "checklist_title", "window_start", "window_end", "recheck"],
            "properties": {
                "id": {"type": "string"},
                "site_id": {"type": "string"},
                "site_name": {"type": "object", "description": "Language → name."},
                "checklist_id": {"type": "string"},
                "checklist_title": {"type": "object", "description": "Language → title (of the newest version served)."},
                "window_start": {"type": "string", "format": "date-time", "description": "UTC."},
                "window_end": {"type": "string", "format": "date-time", "description": "UTC."},
                "recheck": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Items with an open finding at this site, to look at again; nothing of what the store said.",
                },
            },
        },
        "Health": {
            "type": "object",
            "required": ["status", "checklists"],
            "properties": {"status": {"const": "ok"}, "checklists": {"type": "integer", "minimum": 0}},
        },
        "ChecklistEntry": {
            "type": "object",
            "required": ["id", "hash", "checklist"],
            "properties": {"id": item_id, "hash": sha256, "checklist": {"type": "object"}},
        },
        "Site": {
            "type": "object",
            "required": ["id", "name", "site_type", "branch", "region"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "object"},
                "site_type": {"type": "string"},
                "branch": {"type": "object"},
                "region": {"type": "object"},
            },
        },
    }


def _json(description: str, schema: dict[str, Any], headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}, **({"headers": headers} if headers else {})}


def _body(description: str, media: str) -> dict[str, Any]:
    return {"description": description, "content": {media: {"schema": {"type": "string"}}}}


def _not_found(description: str) -> dict[str, Any]:
    """Also the router's own 404, for a path parameter that does not fit in one segment."""
    return {
        "description": description,
        "content": {"text/plain": {"schema": {"type": "string"}}, JSON: {"schema": _ref("Error")}},
    }


def _redirect(description: str, location: str) -> dict[str, Any]:
    """A 303 whose Location matches `location` (a pattern)."""
    return {"description": description, "headers": {"Location": {"required": True, "schema": {"type": "string", "pattern": location}}}}


def _retry_after(description: str) -> dict[str, Any]:
    return {"Retry-After": {"description": description, "required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"}}}


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": _whole(visits.UUID_PATTERN)},
    }


def _query(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": {"type": "string"}}


def _roles(action: str) -> str:
    return ", ".join(access.ACTIONS[action])


def _role_refused(action: str) -> dict[str, Any]:
    return _json(f"Your role may not {action.replace('-', ' ')}: only {_roles(action)}.", _ref("Error"))


def _paths() -> dict[str, Any]:
    visit_id = _path("uuid", "The visit's id, made by the phone.")
    photo_id = _path("photo_uuid", "The photo's id, as the visit declared it.")
    export_id = _path("uuid", "The export's id, as asking for it answered.")
    finding_id = _path("finding", "The finding's id.")
    hq_filters = [
        _query("period", f"Default {filters.DEFAULT_PERIOD}: {filters.PERIOD_HELP}."),
        _query("region", "A region's id; default: every region."),
        _query("site_type", "A site type's id; default: every type."),
        _query("checklist", "A checklist's id; default: every checklist."),
    ]

    def hq_answers(page: str, missing: str = "") -> dict[str, Any]:
        return {
            "200": _body(page, HTML),
            "400": _body("A filter not understood: the page, saying which.", HTML),
            "404": _not_found((missing + "not" if missing else "Not") + f" for this role (only {_roles('compare')})."),
            "503": _body("The comparison took longer than its deadline and was stopped: the page, saying so.", HTML),
        }

    lang = _query("lang", f"The reader's language ({', '.join(LANGUAGES)}); default: the checklist's.")
    page_lang = _query("lang", f"The page's language ({', '.join(LANGUAGES)}); default: the browser's first one the pages speak.")
    too_large = _json("The body is over the limit; nothing was read further or stored.", _ref("Error"))
    too_slow = _json("The body arrived too slowly and was cut off; nothing was stored.", _ref("Error"))
    conflict = _json("Other content is already stored under this id; nothing changed.", _ref("Error"))
    invalid = _json("Refused whole: nothing was stored.", _ref("Invalid"))
    photo_media = {media: {"schema": {"type": "string", "contentMediaType": media}} for media in visits.PHOTO_TYPES}
    window = int(sessions.WINDOW.total_seconds())
    throttled = (
        f"{sessions.FAILURES_ALLOWED} wrong passwords for this username within {window} s (or many more from this "
        "address): no sign-in with it is tried until they are older than that"
    )
    signed_in = {
        "description": "Signed in: the session cookie is set (HttpOnly, SameSite=Lax; it lasts while it is used, "
        f"up to {sessions.LIFETIME.days} days and no more than {sessions.IDLE.days} idle).",
        "content": {JSON: {"schema": _ref("Who")}},
        "headers": {"Set-Cookie": {"required": True, "schema": {"type": "string", "pattern": f"^{auth.COOKIE}="}}},
    }
    homes = ", ".join(f"{role}: {home}" for role, home in signin.HOMES.items())
    return {
        "/": {"get": {"summary": "The inspectors' app", "responses": {"200": _body("static/index.html", HTML)}}},
        "/sw.js": {
            "get": {
                "summary": "The service worker, stamped with the assets' version",
                "responses": {"200": _body("The worker's script.", "application/javascript")},
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
        "/health": {"get": {"summary": "Up once the database answers", "responses": {"200": _json("Up.", _ref("Health"))}}},
        "/signin": {
            "get": {
                "summary": "The sign-in page",
                "parameters": [_query("next", "The page to go to after signing in, if it is one of this site's."), page_lang],
                "responses": {
                    "200": _body("The form.", HTML),
                    "303": _redirect(f"Signed in already: to `next`, or to the person's home ({homes}).", "^/"),
                },
            },
            "post": {
                "summary": "Sign in from the page",
                "parameters": [page_lang],
                "requestBody": {"required": True, "content": {FORM: {"schema": _ref("SignInForm")}}},
                "responses": {
                    "303": _redirect(f"Signed in (the session cookie is set): to `next`, or to the person's home ({homes}).", "^/"),
                    "401": _body("The username or the password is wrong: the form again, saying so.", HTML),
                    "429": _body(f"{throttled}: the form again, saying so.", HTML),
                },
            },
        },
        "/signout": {
            "post": {
                "summary": "Sign out from a page: the session ends",
                "requestBody": {"required": False, "content": {FORM: {"schema": _ref("SignOutForm")}}},
                "responses": {"303": _redirect("Signed out (the cookie is cleared): to the sign-in page.", "^/signin$")},
            }
        },
        "/api/session": {
            "post": {
                "summary": "Sign in (the phone): a session cookie and its CSRF token",
                "requestBody": {"required": True, "content": {JSON: {"schema": _ref("SignIn")}}},
                "responses": {
                    "200": signed_in,
                    "401": _json("The username or the password is wrong, or the account is disabled.", _ref("Error")),
                    "408": too_slow,
                    "413": _json(f"A sign-in is at most {signin.MAX_SIGNIN_BYTES:,} bytes.", _ref("Error")),
                    "422": _json("Not a JSON object with a string username and password.", _ref("Invalid")),
                    "429": _json(
                        f"{throttled}.", _ref("Error"), headers=_retry_after(f"Seconds until the {window} s window has passed.")
                    ),
                },
            },
            "get": {
                "summary": "Who is signed in",
                "responses": {"200": _json("The person, and the session's CSRF token.", _ref("Who"))},
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
                    "200": _body("The queue.", HTML),
                    "404": _not_found(f"Not a page for this role (only {_roles('read-all')})."),
                },
            }
        },
        "/review/{uuid}": {
            "get": {
                "summary": "A visit to review: its report as staff read it, history, names hidden from the store",
                "parameters": [visit_id, page_lang, _query("done", "The move just made, to confirm it.")],
                "responses": {
                    "200": _body("The review screen.", HTML),
                    "404": _not_found(f"No such visit, or not a page for this role (only {_roles('read-all')})."),
                },
            },
            "post": {
                "summary": "Approve, return or reject a submitted visit, and hide names from the store",
                "parameters": [visit_id, page_lang],
                "requestBody": {"required": True, "content": {FORM: {"schema": _ref("ReviewForm")}}},
                "responses": {
                    "303": _redirect("Done: back to the visit, confirming the move.", "^/review/"),
                    "404": _not_found(f"No such visit, or this role may not review (only {_roles('review')})."),
                    "422": _body("A move the visit's state does not allow, or a comment it needs: the screen again, saying so.", HTML),
                },
            },
        },
        "/store": {
            "get": {
                "summary": "A store manager's released reports (of their own branches; all of them for HQ)",
                "parameters": [page_lang],
                "responses": {
                    "200": _body("The reports.", HTML),
                    "404": _not_found(f"Not a page for this role (only {_roles('read-reports')})."),
                },
            }
        },
        "/hq": {
            "get": {
                "summary": "HQ's comparison of regions and branches over a period: rankings with sample sizes, trend, failing details, heatmap, calibration",
                "parameters": hq_filters + [_query("by", "Rank by one stage (pre-sale, in-sale, after-sale) instead of the overall score."), page_lang],
                "responses": hq_answers("The dashboard."),
            }
        },
        "/hq/branches/{branch}": {
            "get": {
                "summary": "One branch: its figure, its sites ranked, its trend overall and per stage, its most-failed details",
                "parameters": [_path("branch", "The branch's id."), *hq_filters, page_lang],
                "responses": hq_answers("The branch's page.", "No such branch, or "),
            }
        },
        "/hq/sites/{site}": {
            "get": {
                "summary": "One site: its released visits in scope, each opening its report",
                "parameters": [_path("site", "The site's id."), *hq_filters, page_lang],
                "responses": hq_answers("The site's page.", "No such site, or "),
            }
        },
        "/hq/compare.pdf": {
            "get": {
                "summary": "The dashboard's comparison as a PDF (A4 landscape), the same figures and charts",
                "parameters": hq_filters + [_query("by", "Rank by one stage instead of the overall score."), page_lang],
                "responses": {
                    "200": {"description": "The PDF, as an attachment.", "content": {"application/pdf": {"schema": {"type": "string"}}}},
                    "400": _json("A filter not understood; the message names it.", _ref("Error")),
                    "404": _not_found(f"Not for this role (only {_roles('compare')})."),
                    "503": _json("The comparison timed out, or too many PDFs are being prepared; try again.", _ref("Error")),
                },
            }
        },
        "/hq/exports": {
            "post": {
                "summary": "Ask for an export of the visits the filters choose; it is prepared in the background",
                "requestBody": {"required": True, "content": {FORM: {"schema": _ref("ExportForm")}}},
                "responses": {
                    "303": _redirect("Asked for: to the export's page, which follows it until it is ready.", "^/hq/exports/"),
                    "404": _not_found(f"Not for this role (only {_roles('compare')})."),
                    "422": _body("An unknown format, period, region, site type or checklist: a page saying which.", HTML),
                },
            }
        },
        "/hq/exports/{uuid}": {
            "get": {
                "summary": "An export's progress, refreshing itself until the file is ready, then its download link",
                "parameters": [export_id, page_lang],
                "responses": {
                    "200": _body("The export's page.", HTML),
                    "404": _not_found(f"No such export of the caller's (an admin follows anyone's; only {_roles('compare')} export)."),
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
                    "404": _not_found("No such export of the caller's, not ready yet, or removed after a day."),
                },
            }
        },
        "/hq/assignments": {
            "get": {
                "summary": "Assignments: the open ones and the latest done or cancelled, a form for one and an upload for a batch",
                "parameters": [page_lang, _query("done", "What was just done, to confirm it."), _query("n", "How many a batch assigned.")],
                "responses": {"200": _body("The page.", HTML), "404": _not_found(f"Not for this role (only {_roles('assign')}).")},
            },
            "post": {
                "summary": "Assign a visit: site, checklist, inspector, window",
                "parameters": [page_lang],
                "requestBody": {"required": True, "content": {FORM: {"schema": _ref("AssignmentForm")}}},
                "responses": {
                    "303": _redirect("Assigned: back to the page, confirming it.", "^/hq/assignments"),
                    "404": _not_found(f"Not for this role (only {_roles('assign')})."),
                    "422": _body("Nothing assigned: the page, naming every field that is wrong.", HTML),
                },
            },
        },
        "/hq/assignments/batch": {
            "post": {
                "summary": "Assign a batch from a CSV file, all or nothing",
                "parameters": [page_lang],
                "requestBody": {"required": True, "content": {MULTIPART: {"schema": _ref("AssignmentBatch")}}},
                "responses": {
                    "303": _redirect("Every row assigned: back to the page, saying how many.", "^/hq/assignments"),
                    "404": _not_found(f"Not for this role (only {_roles('assign')})."),
                    "422": _body("Nothing assigned: the page, naming every problem by row and column.", HTML),
                },
            }
        },
        "/hq/assignments/{uuid}/cancel": {
            "post": {
                "summary": "Cancel an open assignment",
                "parameters": [_path("uuid", "The assignment's id.")],
                "responses": {
                    "303": _redirect("Cancelled: back to the page.", "^/hq/assignments"),
                    "404": _not_found(f"No open assignment under this id, or not for this role (only {_roles('assign')})."),
                },
            }
        },
        "/api/assignments/mine": {
            "get": {
                "summary": "The inspector's open assignments, the earliest window first, with the items to re-check at each site",
                "responses": {
                    "200": _json("Every open assignment of the caller's.", {"type": "array", "items": _ref("MyAssignment")}),
                    "403": _role_refused("send-visits"),
                },
            }
        },
        "/api/openapi.json": {
            "get": {"summary": "This document", "responses": {"200": _json("OpenAPI 3.1.", {"type": "object"})}}
        },
        "/api/checklists": {
            "get": {
                "summary": "The valid checklists, each with the content hash a visit pins",
                "responses": {
                    "200": _json("Every checklist.", {"type": "array", "items": _ref("ChecklistEntry")}),
                    "403": _role_refused("read-catalog"),
                },
            }
        },
        "/api/sites": {
            "get": {
                "summary": "Every site with its branch and region",
                "responses": {
                    "200": _json("Every site.", {"type": "array", "items": _ref("Site")}),
                    "403": _role_refused("read-catalog"),
                },
            }
        },
        "/api/visits/mine": {
            "get": {
                "summary": "The inspector's visits and what became of them, newest first",
                "responses": {
                    "200": _json("Every visit the inspector sent.", {"type": "array", "items": _ref("MyVisit")}),
                    "403": _role_refused("send-visits"),
                },
            }
        },
        "/api/visits/{uuid}": {
            "get": {
                "summary": "One of the inspector's own visits as last sent, to correct a returned one",
                "parameters": [visit_id],
                "responses": {
                    "200": _json("The visit.", _ref("OwnVisit")),
                    "403": _role_refused("send-visits"),
                    "404": _not_found("No such visit of the caller's: another inspector's reads as none."),
                },
            },
            "put": {
                "summary": "Store a visit: whole or not at all, idempotent",
                "parameters": [visit_id],
                "requestBody": {"required": True, "content": {JSON: {"schema": _ref("Visit")}}},
                "responses": {
                    "200": _json("Stored now (new, or a returned visit's corrected version), or already stored with the same content.", _ref("Accepted")),
                    "403": _role_refused("send-visits"),
                    "404": _not_found("A path parameter that does not fit in one path segment."),
                    "408": too_slow,
                    "409": _json(
                        "Other content is already stored under this id (by this inspector and not returned to them, "
                        "or by another one); nothing changed.",
                        _ref("Error"),
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
                    "200": _json("Stored now, or already stored with the same bytes.", _ref("PhotoAccepted")),
                    "403": _role_refused("send-visits"),
                    "404": _not_found("No such visit of the caller's yet: send the visit before its photos."),
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
                    "200": _body("The report page.", HTML),
                    "404": _not_found(f"No such visit the caller may read (only {_roles('read-reports')} read reports)."),
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
                    "200": _body("The PDF.", "application/pdf"),
                    "304": {"description": "The PDF named by If-None-Match is current."},
                    "404": _not_found(f"No such visit the caller may read (only {_roles('read-reports')} read reports)."),
                    "503": _json(
                        "Too many reports are being rendered; try again.", _ref("Error"), headers=_retry_after("Seconds to wait.")
                    ),
                },
            }
        },
        "/findings": {
            "get": {
                "summary": "The findings a store manager's branches still owe an answer or a re-check, overdue first",
                "parameters": [page_lang],
                "responses": {"200": _body("The list.", HTML), "404": _not_found("Not a page for this role (store managers, reviewers, HQ, admins).")},
            }
        },
        "/findings/disputes": {
            "get": {
                "summary": "The disputes waiting for a judgement",
                "parameters": [page_lang],
                "responses": {"200": _body("The list.", HTML), "404": _not_found(f"Not for this role (only {_roles('judge-disputes')}).")},
            }
        },
        "/findings/{finding}": {
            "get": {
                "summary": "A finding: the standard, how to put it right, when it is due, what happened to it, and the form to answer or judge it",
                "parameters": [finding_id, page_lang],
                "responses": {"200": _body("The finding's page.", HTML), "404": _not_found("No such finding of the caller's branches.")},
            },
            "post": {
                "summary": "Answer a finding (store) or judge its dispute (reviewer, HQ)",
                "parameters": [finding_id, page_lang],
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": _ref("FindingForm")}, FORM: {"schema": _ref("FindingForm")}}},
                "responses": {
                    "303": _redirect("Done: back to the finding, saying so.", "^/findings/"),
                    "404": _not_found("No such finding of the caller's branches, or not this role's move."),
                    "422": _body("A move the finding's state, the window or the form does not allow: the page again, saying which.", HTML),
                },
            },
        },
        "/findings/{finding}/photos/{photo}/thumb": {
            "get": {
                "summary": "A fix's photo, small",
                "parameters": [finding_id, _path("photo", "The photo's id.")],
                "responses": {"200": _body("The thumbnail.", "image/jpeg"), "404": _not_found("No such photo under a finding the caller may see.")},
            }
        },
        "/visits/{uuid}/photos/{photo_uuid}/thumb": {
            "get": {
                "summary": "A photo's thumbnail, only under its own visit",
                "parameters": [visit_id, photo_id],
                "responses": {
                    "200": _body("The thumbnail.", "image/jpeg"),
                    "404": _not_found("No such photo under a visit whose report the caller may read."),
                },
            }
        },
    }


def security(method: str, path: str) -> list[dict[str, list[str]]]:
    """What an operation needs, as auth.py decides: nothing for the public ones; else the session
    cookie (with the CSRF token on a change) or a bearer token."""
    verb = method.upper()
    if auth.is_public(verb, path):
        return []
    cookie: dict[str, list[str]] = {SESSION: []} if verb in auth.SAFE else {SESSION: [], CSRF: []}
    return [cookie, {BEARER: []}]


def _guarded(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation with what auth.py answers before its view runs: a protected one declares
    its security, and 401 (or, for a page read, a 303 to the sign-in page) without a live
    session or token; a change made with the cookie is a 403 without the session's CSRF token,
    as is any change a browser says comes from another site."""
    unauthorized = _json("No session or token, or one that is unknown, expired or revoked, or whose user is disabled.", _ref("Error"))
    to_signin = _redirect("No live session: to the sign-in page, which comes back here (`next`).", r"^/signin\?next=/")
    csrf = (
        f"Sent with the session cookie but without the session's CSRF token (`{CSRF_HEADER}` header or "
        f"`{CSRF_FIELD}` form field), or from another site (Origin)"
    )
    for path, item in paths.items():
        for method, operation in item.items():
            verb = method.upper()
            needs = security(verb, path)
            responses = operation["responses"]
            if needs:
                operation["security"] = needs
                if verb in auth.SAFE and not path.startswith("/api/"):
                    responses["303"] = to_signin
                else:
                    responses["401"] = unauthorized
            if verb not in auth.SAFE:
                role = responses.get("403")
                text = f"{role['description']} Or: {csrf[0].lower()}{csrf[1:]}." if role else f"{csrf}."
                responses["403"] = _json(text, _ref("Error"))
    return paths


def _security_schemes() -> dict[str, Any]:
    return {
        SESSION: {
            "type": "apiKey",
            "in": "cookie",
            "name": auth.COOKIE,
            "description": "The session a sign-in sets (POST /api/session, or the sign-in page). A request that "
            f"changes something with it also carries the session's CSRF token ({CSRF}).",
        },
        CSRF: {
            "type": "apiKey",
            "in": "header",
            "name": CSRF_HEADER,
            "description": f"The session's CSRF token, as the sign-in answered it (`csrf`); a form may send it as its "
            f"`{CSRF_FIELD}` field instead. Only with the session cookie, on requests that change something.",
        },
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": f"An API token (`<id>.<secret>`, made by `audit users token` on the server, lasting "
            f"{sessions.TOKEN_DAYS} days unless told otherwise) for programs; no CSRF token needed.",
        },
    }


def document() -> dict[str, Any]:
    """The whole description, a new copy each time (a tool loading it may write into it)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Service-detail audits",
            "version": "1",
            "description": "Inspectors' phones sync visits and photos; reviewers release them; store managers read "
            "reports. Every request is answered with a 2xx, a 3xx or a 4xx naming what to fix; a 5xx is a bug.",
        },
        "paths": _guarded(_paths()),
        "components": {"schemas": _schemas(), "securitySchemes": _security_schemes()},
    }

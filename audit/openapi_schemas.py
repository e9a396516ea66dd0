"""The OpenAPI description's schemas: the bodies the API reads and writes, bounded by the constants
the server's checks enforce."""

from __future__ import annotations

from typing import Any

from . import (
    accounts,
    answers,
    assign_views,
    assignments,
    export_files,
    findings,
    review,
    visits,
)
from .openapi_parts import (
    CSRF_FIELD,
    CSRF_HEADER,
    FILTERS,
    date_time,
    ref,
    whole,
)
from .schema import ID_PATTERN
from .wording import LANGUAGES


def schemas() -> dict[str, Any]:
    uuid = {"type": "string", "pattern": whole(visits.UUID_PATTERN)}
    sha256 = {"type": "string", "pattern": whole(visits.SHA256_PATTERN)}
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
                "started_at": date_time("When the visit began."),
                "ended_at": date_time("When it ended, not before it began.", nullable=True),
                "narrative": {"type": ["string", "null"], "maxLength": visits.MAX_NARRATIVE},
                "answers": {
                    "type": "object",
                    "maxProperties": visits.MAX_ANSWERS,
                    "propertyNames": {"pattern": ID_PATTERN},
                    "additionalProperties": ref("Answer"),
                },
                "photos": {"type": "array", "maxItems": visits.MAX_PHOTOS, "items": ref("PhotoDeclaration")},
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
                "answered_at": date_time("When the inspector last changed it.", nullable=True),
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
                "taken_at": date_time("When it was taken."),
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
                "state_label": ref("StateLabel"),
                "comments": {"type": "array", "items": ref("Comment")},
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
                "state_label": ref("StateLabel"),
                "version": version,
                "body": ref("Visit"),
                "comments": {"type": "array", "items": ref("Comment")},
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
        "FindingAnswer": {
            "type": "object",
            "required": ["kind", "note"],
            "properties": {
                "kind": {"enum": ["fixed", "dispute"], "description": "The store's answer."},
                "note": {"type": "string", "description": f"What was done, or why: at most {findings.MAX_NOTE} characters."},
                "photo": {"type": "string", "format": "binary", "description": "A photo of the fix (needed where the detail asks for photo evidence)."},
            },
        },
        "AnswerStored": {
            "type": "object",
            "required": ["finding", "answer", "state"],
            "properties": {"finding": {"type": "string"}, "answer": {"type": "string"}, "state": {"enum": list(findings.STATES)}},
        },
        "MyFinding": {
            "type": "object",
            "required": ["id", "site_id", "site_name", "item_id", "language", "text", "fix", "photo", "critical", "state", "opened_on",
                         "due_on", "overdue", "dispute_until", "history"],
            "properties": {
                "id": {"type": "string"},
                "site_id": {"type": "string"},
                "site_name": {"type": "object", "description": "Language → name."},
                "item_id": {"type": "string"},
                "language": {"type": "string", "description": "The checklist's own language, for texts lacking the reader's."},
                "text": {"type": "object", "description": "Language → the standard."},
                "fix": {"type": "object", "description": "Language → how to put it right."},
                "photo": {"type": "boolean", "description": "The detail asks for a photo of the fix."},
                "critical": {"type": "boolean"},
                "state": {"enum": list(findings.ACTIVE)},
                "opened_on": {"type": "string", "format": "date"},
                "due_on": {"type": "string", "format": "date"},
                "overdue": {"type": "boolean"},
                "dispute_until": {"type": "string", "format": "date", "description": "The last day a dispute is taken."},
                "history": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["action", "note", "at", "who", "photo"],
                        "properties": {
                            "action": {"type": "string"}, "note": {"type": "string"}, "at": {"type": "string"},
                            "who": {"type": "string"}, "photo": {"type": "boolean"},
                        },
                    },
                },
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
                **{name: {"type": "string", "description": description} for name, description in FILTERS.items()},
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
            "required": ["id", "name", "site_type", "branch", "region", "search"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "object"},
                "site_type": {"type": "string"},
                "branch": {"type": "object"},
                "region": {"type": "object"},
                "search": {
                    "type": "string",
                    "description": "What the phone's search matches, lowercased after NFKC: the site's id, the names of the site, "
                    "its branch and its region in every language, and the full pinyin and pinyin initials of Chinese names, "
                    "separated by spaces. A site matches when every typed word (normalised alike) occurs in it.",
                },
            },
        },
    }

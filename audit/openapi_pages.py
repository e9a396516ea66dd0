"""The OpenAPI description's operations on people's pages: the reviewers' desk, the store's
reports and findings, HQ's dashboards, exports and assignments, and the visit report with its
photos (openapi_paths.py holds the app's shell, the session and the phones' JSON API)."""

from __future__ import annotations

from typing import Any

from . import export_files, exports
from .openapi_parts import (
    FILTERS,
    FINDING_ID,
    FORM,
    HTML,
    MULTIPART,
    PAGE_LANG,
    PHOTO_ID,
    VISIT_ID,
    body,
    id_param,
    json_answer,
    not_found,
    query_param,
    redirect,
    ref,
    retry_after,
    roles,
    uuid_param,
)
from .wording import LANGUAGES


def pages() -> dict[str, Any]:
    export_id = uuid_param("uuid", "The export's id, as asking for it answered.")
    hq_filters = [query_param(name, description) for name, description in FILTERS.items()]

    def hq_answers(page: str, missing: str = "") -> dict[str, Any]:
        return {
            "200": body(page, HTML),
            "400": body("A filter not understood: the page, saying which.", HTML),
            "404": not_found((missing + "not" if missing else "Not") + f" for this role (only {roles('compare')})."),
            "503": body("The comparison took longer than its deadline and was stopped: the page, saying so.", HTML),
        }

    lang = query_param("lang", f"The reader's language ({', '.join(LANGUAGES)}); default: the checklist's.")
    return {
        "/review": {
            "get": {
                "summary": "The reviewers' queue: submitted visits, the longest waiting first",
                "parameters": [PAGE_LANG],
                "responses": {
                    "200": body("The queue.", HTML),
                    "404": not_found(f"Not a page for this role (only {roles('read-all')})."),
                },
            }
        },
        "/review/{uuid}": {
            "get": {
                "summary": "A visit to review: its report as staff read it, history, names hidden from the store",
                "parameters": [VISIT_ID, PAGE_LANG, query_param("done", "The move just made, to confirm it.")],
                "responses": {
                    "200": body("The review screen.", HTML),
                    "404": not_found(f"No such visit, or not a page for this role (only {roles('read-all')})."),
                },
            },
            "post": {
                "summary": "Approve, return or reject a submitted visit, and hide names from the store",
                "parameters": [VISIT_ID, PAGE_LANG],
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
                "parameters": [PAGE_LANG],
                "responses": {
                    "200": body("The reports.", HTML),
                    "404": not_found(f"Not a page for this role (only {roles('read-reports')})."),
                },
            }
        },
        "/hq": {
            "get": {
                "summary": "HQ's comparison of regions and branches over a period: rankings with sample sizes, trend, failing details, heatmap, calibration",
                "parameters": hq_filters + [query_param("by", "Rank by one stage (pre-sale, in-sale, after-sale) instead of the overall score."), PAGE_LANG],
                "responses": hq_answers("The dashboard."),
            }
        },
        "/hq/branches/{branch}": {
            "get": {
                "summary": "One branch: its figure, its sites ranked, its trend overall and per stage, its most-failed details",
                "parameters": [id_param("branch", "The branch's id."), *hq_filters, PAGE_LANG],
                "responses": hq_answers("The branch's page.", "No such branch, or "),
            }
        },
        "/hq/sites/{site}": {
            "get": {
                "summary": "One site: its released visits in scope, each opening its report",
                "parameters": [id_param("site", "The site's id."), *hq_filters, PAGE_LANG],
                "responses": hq_answers("The site's page.", "No such site, or "),
            }
        },
        "/hq/compare.pdf": {
            "get": {
                "summary": "The dashboard's comparison as a PDF (A4 landscape), the same figures and charts",
                "parameters": hq_filters + [query_param("by", "Rank by one stage instead of the overall score."), PAGE_LANG],
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
                "parameters": [export_id, PAGE_LANG],
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
                "parameters": [PAGE_LANG, query_param("done", "What was just done, to confirm it."), query_param("n", "How many a batch assigned.")],
                "responses": {"200": body("The page.", HTML), "404": not_found(f"Not for this role (only {roles('assign')}).")},
            },
            "post": {
                "summary": "Assign a visit: site, checklist, inspector, window",
                "parameters": [PAGE_LANG],
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
                "parameters": [PAGE_LANG],
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
        "/visits/{uuid}/report": {
            "get": {
                "summary": "The visit's report, for reading on a phone",
                "parameters": [VISIT_ID, lang],
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
                    VISIT_ID,
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
                "parameters": [PAGE_LANG],
                "responses": {"200": body("The list.", HTML), "404": not_found("Not a page for this role (store managers, reviewers, HQ, admins).")},
            }
        },
        "/findings/disputes": {
            "get": {
                "summary": "The disputes waiting for a judgement",
                "parameters": [PAGE_LANG],
                "responses": {"200": body("The list.", HTML), "404": not_found(f"Not for this role (only {roles('judge-disputes')}).")},
            }
        },
        "/findings/{finding}": {
            "get": {
                "summary": "A finding: the standard, how to put it right, when it is due, what happened to it, and the form to answer or judge it",
                "parameters": [FINDING_ID, PAGE_LANG],
                "responses": {"200": body("The finding's page.", HTML), "404": not_found("No such finding of the caller's branches.")},
            },
            "post": {
                "summary": "Answer a finding (store) or judge its dispute (reviewer, HQ)",
                "parameters": [FINDING_ID, PAGE_LANG],
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
                "parameters": [FINDING_ID, uuid_param("photo", "The photo's id.")],
                "responses": {"200": body("The thumbnail.", "image/jpeg"), "404": not_found("No such photo under a finding the caller may see.")},
            }
        },
        "/visits/{uuid}/photos/{photo_uuid}": {
            "get": {
                "summary": "A photo as stored (upright, at most 1600 px, without EXIF), only under its own visit: the web report's thumbnails open it",
                "parameters": [VISIT_ID, PHOTO_ID],
                "responses": {
                    "200": body("The photo.", "image/jpeg"),
                    "404": not_found("No such photo under a visit whose report the caller may read."),
                },
            }
        },
        "/visits/{uuid}/photos/{photo_uuid}/thumb": {
            "get": {
                "summary": "A photo's thumbnail, only under its own visit",
                "parameters": [VISIT_ID, PHOTO_ID],
                "responses": {
                    "200": body("The thumbnail.", "image/jpeg"),
                    "404": not_found("No such photo under a visit whose report the caller may read."),
                },
            }
        },
    }

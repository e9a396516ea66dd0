"""The OpenAPI description's operations: every route, what it takes and every answer it gives
before auth.py's (which openapi.py adds). Here the app's shell, the session and the phones'
JSON API; the people's pages are in openapi_pages.py."""

from __future__ import annotations

from typing import Any

from . import auth, sessions, signin, visits
from .openapi_pages import pages
from .openapi_parts import (
    FINDING_ID,
    FORM,
    HTML,
    JSON,
    MULTIPART,
    PAGE_LANG,
    PHOTO_ID,
    VISIT_ID,
    body,
    json_answer,
    not_found,
    query_param,
    redirect,
    ref,
    retry_after,
    role_refused,
    uuid_param,
)


def paths() -> dict[str, Any]:
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
                "parameters": [query_param("next", "The page to go to after signing in, if it is one of this site's."), PAGE_LANG],
                "responses": {
                    "200": body("The form.", HTML),
                    "303": redirect(f"Signed in already: to `next`, or to the person's home ({homes}).", "^/"),
                },
            },
            "post": {
                "summary": "Sign in from the page",
                "parameters": [PAGE_LANG],
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
                "parameters": [FINDING_ID, uuid_param("answer", "The answer's id, made by the phone when the answer was written.")],
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
                "parameters": [VISIT_ID],
                "responses": {
                    "200": json_answer("The visit.", ref("OwnVisit")),
                    "403": role_refused("send-visits"),
                    "404": not_found("No such visit of the caller's: another inspector's reads as none."),
                },
            },
            "put": {
                "summary": "Store a visit: whole or not at all, idempotent",
                "parameters": [VISIT_ID],
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
                "parameters": [VISIT_ID, PHOTO_ID],
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
        **pages(),
    }

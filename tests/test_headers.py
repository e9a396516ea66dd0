"""Every response carries the security headers, whatever its route or status; the app's
policy allows no inline script or style; and the app, used in Chromium from its first load
to a visit's report, breaks none of its policies."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Page
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from audit import demo
from audit.app import create_app
from audit.headers import APP_POLICY, PDF_POLICY
from audit.routes import routes
from audit.startup import Settings

from .conftest import LiveServer, demo_database_with_visits, sign_in
from .test_pwa_support import (
    big_jpeg,
    checklist,
    fill_visit,
    open_app,
    start_visit,
    status_of,
    submit,
    wait_for,
    wait_for_worker,
)

MISSING = "00000000-0000-4000-8000-000000000000"
APP_FILES = ("/", "/sw.js", "/manifest.webmanifest", "/static/js/app.js", "/static/css/app.css", "/static/icons/icon-192.png")


@pytest.fixture(scope="module")
def ids(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A demo store with a month of visits: a real visit and one of its photos."""
    path = tmp_path_factory.mktemp("headers") / "audit.db"
    demo_database_with_visits(path, today=date.today(), months=1)
    with sqlite3.connect(path) as connection:
        visit, photo = connection.execute("SELECT visit_uuid, uuid FROM photos ORDER BY uuid LIMIT 1").fetchone()
        site, branch = connection.execute("SELECT s.id, s.branch_id FROM visits v JOIN sites s ON s.id = v.site_id WHERE v.uuid = ?", [visit]).fetchone()
        finding = connection.execute("SELECT id FROM findings LIMIT 1").fetchone()[0]
    return {"db": str(path), "uuid": visit, "photo_uuid": photo, "site": site, "branch": branch, "finding": finding, "photo": photo, "answer": str(uuid.uuid4())}


@pytest.fixture(scope="module")
def app(ids: dict[str, str]) -> Iterator[Any]:
    application = create_app(Settings(db_path=Path(ids["db"])))
    with TestClient(application):
        yield application


@pytest.fixture(scope="module")
def client(app: Any) -> TestClient:
    """HQ reads every visit and report."""
    return sign_in(TestClient(app, follow_redirects=False), "hq")


@pytest.fixture(scope="module")
def inspector(app: Any) -> TestClient:
    return sign_in(TestClient(app, follow_redirects=False), "inspector")


def assert_secured(response: httpx2.Response) -> str:
    """The headers every response must carry; returns its policy."""
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert headers.get("x-frame-options") == "DENY", where
    policy = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in policy, where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    return policy


def test_every_route_answers_with_the_headers(app: Any, client: TestClient, ids: dict[str, str]) -> None:
    """Every route, as HQ and as a stranger: refusals carry the headers as much as answers."""
    stranger = TestClient(app, follow_redirects=False)
    for route in routes():
        if isinstance(route, Mount):
            response = client.get(f"{route.path}/js/app.js")
        else:
            assert isinstance(route, Route) and route.methods
            path = route.url_path_for(route.name, **{name: ids[name] for name in route.param_convertors})
            method = "GET" if "GET" in route.methods else sorted(route.methods)[0]
            signs_out = route.name in ("signout", "api-session-end")  # HQ stays signed in for the other tests
            response = (stranger if signs_out else client).request(method, str(path), content=b"{}")
            assert_secured(stranger.request(method, str(path), content=b"{}"))
        assert response.status_code < 500, (route, response.status_code)
        assert_secured(response)


@pytest.mark.parametrize(
    "method, path, status",
    [
        ("GET", "/no/such/page", 404),
        ("GET", "/static/js/no-such-module.js", 404),
        ("GET", f"/visits/{MISSING}/report", 404),
        ("GET", f"/visits/{MISSING}/report.pdf", 404),
        ("POST", "/api/sites", 405),
        ("DELETE", "/api/visits/{uuid}", 405),
        ("PUT", f"/api/visits/{MISSING}/photos/{MISSING}", 403),
        ("GET", "/api/visits/mine", 403),
    ],
)
def test_errors_carry_the_headers(client: TestClient, ids: dict[str, str], method: str, path: str, status: int) -> None:
    response = client.request(method, path.format(**ids), content=b"x")
    assert response.status_code == status
    assert_secured(response)


def test_a_refused_body_carries_the_headers(inspector: TestClient) -> None:
    response = inspector.put(f"/api/visits/{MISSING}", content=b" " * (3 * 1024 * 1024))
    assert response.status_code == 413 and response.json()["error"] == "too_large"
    assert_secured(response)


def test_not_modified_answers_carry_the_headers(client: TestClient, ids: dict[str, str]) -> None:
    for path in (f"/visits/{ids['uuid']}/report.pdf?lang=en", "/static/js/app.js"):
        first = client.get(path)
        assert first.status_code == 200
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
        assert_secured(again)


def test_the_app_is_strict_and_the_report_allows_its_own_styles_only(client: TestClient, ids: dict[str, str]) -> None:
    for path in APP_FILES:
        assert assert_secured(client.get(path)) == APP_POLICY, path
    assert "script-src 'self';" in APP_POLICY and "style-src 'self';" in APP_POLICY
    page = client.get(f"/visits/{ids['uuid']}/report")
    policy = assert_secured(page)
    assert "style-src 'sha256-" in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert 'style="' not in page.text, "no style attributes: the policy would block them"
    assert assert_secured(client.get(f"/visits/{ids['uuid']}/report.pdf")) == PDF_POLICY


# Runs before the page's own scripts in every document the page loads.
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(`${event.violatedDirective}: ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.mark.browser
def test_no_policy_is_broken_from_first_load_to_a_report(page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    violations: list[str] = []
    errors: list[str] = []
    page.expose_function("reportViolation", lambda text: violations.append(text))
    page.add_init_script(LISTEN)
    page.on("console", lambda message: errors.append(f"{message.text} {message.location['url']}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    open_app(page, live_server.url)
    wait_for_worker(page)
    uuid = start_visit(page)
    fill_visit(page, uuid, checklist(live_server.url), big_jpeg(tmp_path / "shelf.jpg", 800, 600))
    page.wait_for_selector(".meter span")
    widths = page.eval_on_selector_all(".meter", "els => els.map((el) => [el.getAttribute('aria-valuenow'), el.firstChild.style.width])")
    assert widths and all(width == f"{percent}%" for percent, width in widths), widths
    submit(page, uuid)
    wait_for(lambda: status_of(page, uuid) == "sent", what="the visit sent", page=page)
    page.context.clear_cookies()
    signed = page.request.post(f"{live_server.url}/api/session", data={"username": "reviewer", "password": demo.DEMO_PASSWORD})
    assert signed.ok  # the reviewer reads the visit's report before it is released
    page.goto(f"{live_server.url}/review/{uuid}")
    page.wait_for_selector("form[action^='/review/'] button[value=approve]")
    page.goto(f"{live_server.url}/visits/{uuid}/report")
    page.wait_for_selector("svg.bar rect")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)", "the inline styles apply"
    # The report declares no icon, so Chromium asks for /favicon.ico, which the app does not serve.
    # The phone asks whether it is signed in (a 401 before it is), which Chromium logs as a failed load.
    errors = [error for error in errors if not error.endswith("/favicon.ico") and "401" not in error]
    assert violations == [] and errors == [], (violations, errors)

"""Shared fixtures: the checklist library, a live server (thread or real process), and
Debian's Chromium driven by pytest-playwright in a phone-sized context."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from audit import accounts, db, demo, library, sessions
from audit.app import create_app
from audit.startup import Settings

from .browser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    free_port,
    wait_until_port_free,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parent.parent
@pytest.fixture(scope="session")
def library_files() -> list[Path]:
    return library.find([ROOT / "checklists"])  # the checklists, not the calendar beside them


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    home = tempfile.mkdtemp(prefix="chromium-home-")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_FLAGS,
        "env": {**os.environ, "HOME": home},
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], playwright: Any) -> dict[str, Any]:
    """Inspectors use phones: every page is a Pixel 7 (412×839, touch) unless a test says otherwise."""
    return {**browser_context_args, **playwright.devices["Pixel 7"], "locale": "zh-CN"}


PHONES = ("Pixel 7", "iPhone 13")


@pytest.fixture(params=PHONES)
def phone(request: pytest.FixtureRequest, browser: Any, playwright: Any) -> Iterator[tuple[Any, str]]:
    """A fresh page on each phone size an inspector or a store manager may carry (an Android and an
    iPhone-sized one), in Chinese, and the phone's name for screenshots."""
    context = browser.new_context(**playwright.devices[request.param], locale="zh-CN")
    yield context.new_page(), request.param.replace(" ", "-").lower()
    context.close()


def demo_database(path: Path) -> Path:
    """The demo organisation and its people (demo.STAFF and a manager per branch, password
    demo.DEMO_PASSWORD), without visits."""
    database = db.connect(path)
    demo.build(database)
    demo.people(database)
    database.close()
    return path


def demo_database_with_visits(path: Path, *, today: date, months: int = 6) -> Path:
    """The demo organisation, its people, and visits sent and reviewed as `audit demo` makes them."""
    database = db.connect(path)
    demo.build(database)
    checklists = library.load(library.CHECKLISTS)
    db.record_checklists(database, checklists)
    demo.build_visits(database, checklists, today=today, months=months)
    database.close()
    return path


@pytest.fixture(scope="module")
def released_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store with a month of visits sent and released: every branch has open findings."""
    path = tmp_path_factory.mktemp("released") / "audit.db"
    demo_database_with_visits(path, today=date.today(), months=1)
    return path


@pytest.fixture
def released_app(released_store: Path) -> Iterator[Any]:
    """The real app on that store, started (its lifespan run) for TestClients."""
    from starlette.testclient import TestClient

    application = create_app(Settings(db_path=released_store))
    with TestClient(application):
        yield application


def sign_in(client: Any, username: str = "inspector") -> Any:
    """Signs a TestClient in as a demo person: it keeps the cookie and sends the CSRF token."""
    response = client.post("/api/session", json={"username": username, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf"]
    return client


def bearer(db_path: Path, username: str = "inspector") -> dict[str, str]:
    """An Authorization header for a demo person, as a program or the kill tests send it."""
    database = db.connect(db_path)
    user = accounts.by_username(database, username)
    assert user is not None
    _, token = sessions.issue_token(database, user)
    database.close()
    return {"Authorization": f"Bearer {token}"}


@dataclass
class LiveServer:
    url: str
    db_path: Path


@contextmanager
def served(path: Path) -> Iterator[LiveServer]:
    """The real app on the SQLite file at `path`, served by uvicorn in a thread while the block runs."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(db_path=path)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url)
    yield LiveServer(url, path)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real app on a real SQLite file, served by uvicorn in a thread."""
    with served(demo_database(tmp_path / "audit.db")) as server:
        yield server


@dataclass
class ServerProcess:
    """`audit serve` as separate processes (the supervisor and its workers, in a session of
    their own), so a test can kill them all for real, as a power cut would, and start again."""

    db_path: Path
    checklists: Path | None = None
    workers: int = 2
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """What the server printed, kept beside its database for a failing test to show."""
        return self.db_path.with_suffix(".log")

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "audit", "serve", "--db", str(self.db_path), "--port", str(self.port), "--workers", str(self.workers)
        ] + (["--checklists", str(self.checklists)] if self.checklists else [])

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, stdout=log, stderr=log, start_new_session=True)
        wait_until_up(self.url)

    def kill(self) -> None:
        """SIGKILL to every process of the server at once: nothing gets to clean up."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
            self.process = None
            wait_until_port_free(self.port)


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(demo_database(tmp_path / "audit.db"))
    server.start()
    yield server
    server.kill()

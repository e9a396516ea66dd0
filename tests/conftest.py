"""Shared fixtures: the checklist library, a live server (thread or real process), and
Debian's Chromium driven by pytest-playwright in a phone-sized context."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from audit import db, demo
from audit.app import Settings, create_app

from .browser import CHROMIUM, CHROMIUM_FLAGS, free_port, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
@pytest.fixture(scope="session")
def library_files() -> list[Path]:
    return sorted((ROOT / "checklists").glob("*.yaml"))


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


def demo_database(path: Path) -> Path:
    database = db.connect(path)
    demo.build(database)
    database.close()
    return path


@dataclass
class LiveServer:
    url: str
    db_path: Path


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The real app on a real SQLite file, served by uvicorn in a thread."""
    path = demo_database(tmp_path / "audit.db")
    port = free_port()
    config = uvicorn.Config(create_app(Settings(db_path=path)), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url)
    yield LiveServer(url, path)
    server.should_exit = True
    thread.join(timeout=10)


@dataclass
class ServerProcess:
    """The app as a separate process, so a test can kill it for real and start it again."""

    db_path: Path
    checklists: Path | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "audit", "serve", "--db", str(self.db_path), "--port", str(self.port)]
            + (["--checklists", str(self.checklists)] if self.checklists else []),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_up(self.url)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(demo_database(tmp_path / "audit.db"))
    server.start()
    yield server
    server.kill()

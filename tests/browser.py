"""Debian's Chromium as the tests and benchmarks drive it, and a local server to point it at."""

from __future__ import annotations

import shutil
import socket
import time

import httpx2

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Headless on a machine with no outside network: no sandbox as root, no GPU, and none of the
# background services that would otherwise try (and fail) to reach Google at every start.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not come up")


def wait_until_port_free(port: int, timeout: float = 10) -> None:
    """After a kill, until no orphaned worker still listens, so the next start gets the port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} is still served after the kill")

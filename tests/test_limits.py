"""The server under attack, over real sockets: the real app on a demo store, served by uvicorn
in a process of its own with `protocol.server_options()`, its log captured. Idle, slow-head
and slow-body connections are closed by the server within its deadlines while /health still
answers; a phone that is slow but steady is not cut off; one that goes away mid-upload
leaves one log line; beyond the connection cap the answer is 503.

The deadlines are shortened (server_options' keyword arguments, bodies.PACE) so that the
test waits seconds, not the production figures; the production pace is checked by
arithmetic at the end."""

from __future__ import annotations

import json
import pickle
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from audit import bodies, protocol

from .browser import free_port, wait_until_up
from .conftest import ROOT, bearer, demo_database

HEAD = 2.0  # seconds for a request head
KEEP = 2  # seconds a kept-alive connection may sit idle
PACE = bodies.Pace(gap=1.5, grace=3.0, min_rate=1024.0)
CAP = 400  # open connections
SLACK = 2.0  # for the server's loop to get round to hundreds of closes, and ours to see them
IDLE, SLOW_HEADS, SLOW_BODIES = 300, 30, 30
VISIT = "/api/visits/00000000-0000-4000-8000-000000000001"

SERVER = """
import json, sys
from pathlib import Path
import uvicorn
from audit import bodies, protocol
from audit.app import create_app
from audit.startup import Settings
db, port, head, keep, cap, pace = json.loads(sys.argv[1])
bodies.PACE = bodies.Pace(**pace)
options = protocol.server_options(head_timeout=head, keep_alive=keep, max_connections=cap)
uvicorn.run(create_app(Settings(db_path=Path(db))), host="127.0.0.1", port=port, **options)
"""


@dataclass
class Server:
    url: str
    port: int
    db_path: Path
    log_path: Path
    token: str  # an inspector's bearer token: without it a PUT is refused before its body is read

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("limits")
    path = demo_database(folder / "audit.db")
    port = free_port()
    arguments = [str(path), port, HEAD, KEEP, CAP, {"gap": PACE.gap, "grace": PACE.grace, "min_rate": PACE.min_rate}]
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-u", "-c", SERVER, json.dumps(arguments)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}")
        yield Server(f"http://127.0.0.1:{port}", port, path, log_path, bearer(path)["Authorization"])
    finally:
        process.terminate()
        process.wait(timeout=protocol.GRACEFUL_SHUTDOWN + 10)
    assert "Traceback" not in log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class Client:
    """One raw connection: what it sends at once, what it then trickles a byte at a time,
    what it got back, and when the server closed it (seconds after it was opened)."""

    kind: str
    sock: socket.socket
    opened: float
    trickle: bytes = b""
    received: bytes = b""
    closed: float | None = None
    sent: float = 0.0  # when it last sent a byte


def connect(server: Server, kind: str, first: bytes = b"", trickle: bytes = b"") -> Client:
    sock = socket.create_connection(("127.0.0.1", server.port))
    opened = time.monotonic()
    client = Client(kind, sock, opened, trickle, sent=opened)
    if first:
        sock.sendall(first)
    return client


def run(clients: list[Client], until: float, every: float = 1.0) -> None:
    """Reads from every client until the server closes it or `until` (monotonic) passes, and
    has each trickling client send one byte `every` second meanwhile."""
    selector = selectors.DefaultSelector()
    for client in clients:
        if client.closed is None:
            client.sock.setblocking(False)
            selector.register(client.sock, selectors.EVENT_READ, client)
    while selector.get_map() and time.monotonic() < until:
        now = time.monotonic()
        open_clients = [key.data for key in selector.get_map().values()]
        for client in open_clients:
            if client.trickle and now - client.sent >= every:
                try:
                    client.sock.send(client.trickle[:1])
                    client.trickle = client.trickle[1:]
                except OSError:
                    pass  # closed by the server: the read below sees it
                client.sent = now
        due = min((c.sent + every for c in open_clients if c.trickle), default=until)
        for key, _ in selector.select(timeout=max(0.0, min(due, until) - time.monotonic())):
            client = key.data
            try:
                data = client.sock.recv(65536)
            except ConnectionResetError:
                data = b""
            if data:
                client.received += data
            else:
                client.closed = time.monotonic() - client.opened
                selector.unregister(client.sock)
    selector.close()


def close_all(clients: list[Client]) -> None:
    for client in clients:
        client.sock.close()


def request_head(method: str, path: str, length: int | None = None, auth: str = "") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if auth:
        lines.append(f"Authorization: {auth}")
    if length is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {length}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_idle_slow_head_and_slow_body_connections_are_closed_while_health_answers(server: Server) -> None:
    started = time.monotonic()
    clients = [connect(server, "idle") for _ in range(IDLE)]
    head = request_head("GET", "/health")
    clients += [connect(server, "slow head", head[:1], head[1:]) for _ in range(SLOW_HEADS)]
    half = SLOW_BODIES // 2
    clients += [connect(server, "slow body", request_head("PUT", VISIT, 100_000, server.token) + b"[", b" " * 100) for _ in range(half)]
    clients += [connect(server, "silent body", request_head("PUT", VISIT, 100_000, server.token) + b"[") for _ in range(SLOW_BODIES - half)]
    opened = time.monotonic() - started

    before = time.monotonic()
    health = httpx2.get(f"{server.url}/health", timeout=10)
    health_done = time.monotonic()
    run(clients, until=time.monotonic() + HEAD + PACE.grace + SLACK)
    close_all(clients)

    assert health.status_code == 200 and health.json()["status"] == "ok"
    earliest_close = min((c.opened + c.closed for c in clients if c.closed is not None), default=float("inf"))
    assert health_done < earliest_close, "/health answered while every attacking connection was held"
    kinds: dict[str, list[Client]] = {}
    for client in clients:
        kinds.setdefault(client.kind, []).append(client)
    for kind, group in kinds.items():
        times = sorted(c.closed for c in group if c.closed is not None)
        print(
            f"{kind}: {len(times)} of {len(group)} closed by the server, after {times[0]:.2f}-{times[-1]:.2f} s"
            if times else f"{kind}: none of {len(group)} closed"
        )
    print(f"{len(clients)} connections opened in {opened:.2f} s; GET /health during the attack: {health_done - before:.3f} s")

    for client in kinds["idle"]:
        assert client.closed is not None and HEAD - 0.1 <= client.closed <= HEAD + SLACK
        assert client.received == b"", "a connection that sent nothing is closed without an answer"
    for client in kinds["slow head"]:
        assert client.closed is not None and HEAD - 0.1 <= client.closed <= HEAD + SLACK
        assert client.received.startswith(b"HTTP/1.1 408 "), client.received[:80]
    for kind, limit in (("slow body", PACE.grace), ("silent body", PACE.gap)):
        for client in kinds[kind]:
            assert client.closed is not None and limit - 0.1 <= client.closed <= limit + SLACK, (kind, client.closed)
            status, _, rest = client.received.partition(b"\r\n")
            assert status == b"HTTP/1.1 408 Request Timeout"
            body = json.loads(rest.split(b"\r\n\r\n", 1)[1])
            assert body["error"] == "too_slow" and "too slowly" in body["message"]
    assert httpx2.get(f"{server.url}/health", timeout=10).status_code == 200


def test_a_kept_alive_connection_gets_the_head_deadline_from_its_next_first_byte(server: Server) -> None:
    idle, stalled = connect(server, "idle after a response"), connect(server, "stalled second head")
    for client in (idle, stalled):
        client.sock.sendall(request_head("GET", "/health"))
    run([idle, stalled], until=time.monotonic() + 0.5)  # the responses arrive; the connections stay open
    assert idle.closed is None and stalled.closed is None
    assert idle.received.startswith(b"HTTP/1.1 200 ") and stalled.received.startswith(b"HTTP/1.1 200 ")
    stalled.received = b""
    second_byte = time.monotonic()
    stalled.sock.send(b"G")
    run([idle, stalled], until=time.monotonic() + max(KEEP, HEAD) + SLACK)
    close_all([idle, stalled])
    assert idle.closed is not None, "closed by the keep-alive timer"
    assert stalled.closed is not None and stalled.opened + stalled.closed - second_byte <= HEAD + SLACK
    assert stalled.received.startswith(b"HTTP/1.1 408 ")
    print(f"kept alive, idle: closed {idle.closed:.2f} s after opening; a stalled second head: {stalled.opened + stalled.closed - second_byte:.2f} s after its first byte")


def test_an_oversized_head_is_refused(server: Server) -> None:
    client = connect(server, "huge head", b"GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * (protocol.MAX_HEAD_BYTES + 1))
    run([client], until=time.monotonic() + SLACK)
    close_all([client])
    assert client.closed is not None and client.received.startswith(b"HTTP/1.1 431 ")


def test_a_slow_but_steady_phone_is_not_cut_off(server: Server) -> None:
    """Longer than the grace, at four times the minimum rate: the body is read whole, and the
    answer is about its content (an empty visit: 422), not its pace."""
    body = b"{}".ljust(16 * 1024)
    pieces = 16
    client = connect(server, "steady phone", request_head("PUT", VISIT, len(body), server.token))
    step = len(body) // pieces + 1
    for start in range(0, len(body), step):
        client.sock.sendall(body[start : start + step])
        time.sleep(0.25)
    run([client], until=time.monotonic() + SLACK)
    close_all([client])
    assert client.received.startswith(b"HTTP/1.1 422 "), client.received[:200]
    assert len(body) / (pieces * 0.25) >= 3 * PACE.min_rate and pieces * 0.25 > PACE.grace


def test_a_client_gone_mid_upload_leaves_one_log_line(server: Server) -> None:
    before = len(server.log().splitlines())
    client = connect(server, "gone", request_head("PUT", VISIT, 100_000, server.token) + b"{" + b" " * 4000)
    port = client.sock.getsockname()[1]
    time.sleep(0.2)  # the server reads part of the body
    client.sock.close()

    def new_lines() -> list[str]:
        return server.log().splitlines()[before:]

    deadline = time.monotonic() + 10
    while not any(f":{port} " in line for line in new_lines()) and time.monotonic() < deadline:
        time.sleep(0.05)
    mine = [line for line in new_lines() if f":{port} " in line]
    print("\n".join(mine))
    assert len(mine) == 1 and "went away after 4,001 of 100,000 bytes" in mine[0]
    assert "Traceback" not in server.log() and "Exception in ASGI application" not in server.log()


def test_a_stranger_s_upload_is_refused_before_its_body_is_read(server: Server) -> None:
    client = connect(server, "stranger", request_head("PUT", VISIT, 100_000) + b"[")
    run([client], until=time.monotonic() + 0.5)
    close_all([client])
    assert client.received.startswith(b"HTTP/1.1 401 "), client.received[:80]


def test_beyond_the_connection_cap_the_answer_is_503(server: Server) -> None:
    clients = [connect(server, "idle") for _ in range(CAP)]
    try:
        answer = httpx2.get(f"{server.url}/health", timeout=10)
        print(f"with {CAP} idle connections open: GET /health → {answer.status_code} {answer.text!r}")
        assert answer.status_code == 503
        run(clients, until=time.monotonic() + HEAD + SLACK)
        assert all(c.closed is not None for c in clients)
        assert httpx2.get(f"{server.url}/health", timeout=10).status_code == 200, "the idle ones gone, service resumes"
    finally:
        close_all(clients)


def test_server_options_reach_worker_processes() -> None:
    """uvicorn hands its options to each worker process by pickling them."""
    options = pickle.loads(pickle.dumps(protocol.server_options()))
    assert options["http"] is protocol.HeadDeadlineProtocol
    assert options["loop"] == "uvloop" and options["limit_concurrency"] == protocol.MAX_CONNECTIONS
    assert options["log_config"]["loggers"]["audit"]["handlers"] == ["default"]


def arrival_cut(pace: bodies.Pace, arrivals: Iterator[tuple[float, int]]) -> float | None:
    """When a read at `pace` cuts off chunks arriving at (seconds, total bytes); None if never."""
    deadline = pace.deadline(0.0, 0.0, 0)
    for at, total in arrivals:
        if at > deadline:
            return deadline
        deadline = pace.deadline(0.0, at, total)
    return None


def test_the_production_pace_lets_a_slow_phone_through_and_cuts_a_trickle() -> None:
    pace = bodies.Pace()
    chunk = 16 * 1024
    edge = ((chunk * n / (8 * 1024), chunk * n) for n in range(1, 2 * 1024 * 1024 // chunk + 1))
    assert arrival_cut(pace, edge) is None, "2 MB at 8 KiB/s, a poor EDGE upload, in about four minutes"
    stalls = ((n * 2.0 + (15.0 if n >= 20 else 0.0), chunk * n) for n in range(1, 40))
    assert arrival_cut(pace, stalls) is None, "a 15 s stall mid-upload on a link that had been moving"
    trickle = ((3.0 * n, n) for n in range(1, 100))
    cut = arrival_cut(pace, trickle)
    assert cut is not None and cut <= pace.grace + 1, "a byte every 3 s is cut off once the grace is spent"

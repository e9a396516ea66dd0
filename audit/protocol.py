"""How the server holds connections: uvicorn's httptools protocol with a deadline on the
request head, and the uvicorn options `audit serve` runs with.

uvicorn arms its keep-alive timer only once a response is sent, and cancels it at the first
byte of the next request: a connection that never completes its request line and headers,
whether idle from the start, trickling a byte a second, or kept alive and then stalled
mid-head, is held for good, and enough of them exhaust the server's sockets. This protocol
gives every request head a deadline, counted from the moment the connection opens or from
the first byte of a new request on a kept-alive one, and a size cap, since httptools itself
accumulates header lines without any.

The figures are chosen for inspectors' phones on poor mobile networks:

* `HEAD_TIMEOUT`, 10 s. A phone sends its request head, well under 2 KB, in one packet right
  after the TCP handshake. On a lossy link TCP resends a lost packet after 1 s, then 2 s,
  then 4 s (RFC 6298's initial timeout, doubled each time), so 10 s covers three losses in a
  row on a link with a round trip of a second or more. Preconnected sockets a browser opened
  and never used are closed too, which browsers expect: they open another.
* `KEEP_ALIVE`, 10 s. The outbox sends a visit and then its photos one after another, each
  read from IndexedDB first; a connection kept across those pauses saves a round trip, up to
  a second on a poor link. Longer would only keep sockets of phones that have finished.
* `MAX_HEAD_BYTES`, 16 KiB, the cap uvicorn's h11 protocol and Node.js apply by default;
  the app sets no cookies, so its requests' heads are about 1 KB.
* `MAX_CONNECTIONS`, 500 open connections per server process. Each phone's outbox sends
  one request at a time and a browser opens at most six connections to a host, so this is
  well above what the whole inspector fleet opens at once, and below the usual limit of 1024
  open files, which leaves descriptors for the database and the photos. Beyond it uvicorn
  still accepts a connection and reads its head (under the same deadline) but answers
  503 Service Unavailable with `Connection: close` without running the app; the phone's
  outbox keeps the visit and retries a 503 later. Idle connections count too, which is why
  they must not outlive the deadlines above.
* `GRACEFUL_SHUTDOWN`, 30 s. On a stop or a deploy, requests under way may finish: a PDF
  render and a photo upload over a middling link both take seconds. Anything still running
  after that is cut; the phone retries it, since every upload is an idempotent PUT.

uvicorn's `h11_max_incomplete_event_size` is not set: it applies to the h11 protocol only,
and `MAX_HEAD_BYTES` is its counterpart here. WebSockets are off: the app has none, and a
connection handed over to a WebSocket protocol would leave this deadline behind.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from uvicorn.config import LOGGING_CONFIG, Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

HEAD_TIMEOUT = 10.0
KEEP_ALIVE = 10
MAX_HEAD_BYTES = 16 * 1024
MAX_CONNECTIONS = 500
GRACEFUL_SHUTDOWN = 30


class HeadDeadlineProtocol(HttpToolsProtocol):
    """Closes a connection whose request head is not complete within `head_timeout` seconds,
    or grows past `max_head_bytes`. A client that had begun a request is told why (408 or
    431) before the close; one that had sent nothing is closed silently, like an idle
    keep-alive connection."""

    head_timeout: float = HEAD_TIMEOUT
    max_head_bytes: int = MAX_HEAD_BYTES

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        self._head_begun = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_done()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # Bytes while no request is under way start a new head (or are stray line breaks,
        # which must not keep the connection either): the keep-alive timer the parent
        # cancels on any byte is replaced by the head's deadline.
        if self._head_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._await_head()
        if self._head_timer is not None:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._head_timer is not None and self._head_bytes > self.max_head_bytes and not self.transport.is_closing():
            self._refuse(431, b"request head too large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:  # a pipelined request, begun while another is answered
            self._await_head()
        self._head_begun = True

    def on_headers_complete(self) -> None:
        self._head_done()
        super().on_headers_complete()

    def _await_head(self) -> None:
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _head_done(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._head_begun = False

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self._head_begun:
            self._refuse(408, b"request head not received in time")
        else:
            self.transport.close()

    def _refuse(self, status: int, message: bytes) -> None:
        """Answers before any app sees the request, as the parent does for a malformed one."""
        self._head_done()
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content += [name, b": ", value, b"\r\n"]
        content += [
            b"content-type: text/plain; charset=utf-8\r\n",
            b"content-length: %d\r\n" % len(message),
            b"connection: close\r\n\r\n",
            message,
        ]
        self.transport.write(b"".join(content))
        self.transport.close()


def protocol_class(seconds: float) -> type[HeadDeadlineProtocol]:
    """The protocol with a head deadline of `seconds`. At the default it is the class itself,
    which uvicorn's worker processes can import; another deadline (tests use a short one)
    makes a subclass, usable by a server in one process."""
    if seconds == HEAD_TIMEOUT:
        return HeadDeadlineProtocol

    class WithDeadline(HeadDeadlineProtocol):
        head_timeout = seconds

    return WithDeadline


def log_config() -> dict[str, Any]:
    """uvicorn's logging, plus the app's own "audit" logger on the same handler: without it,
    the app's one-line notices (a phone that went away mid-upload) would not be printed."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["audit"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def server_options(
    *,
    head_timeout: float = HEAD_TIMEOUT,
    keep_alive: int = KEEP_ALIVE,
    max_connections: int = MAX_CONNECTIONS,
    graceful_shutdown: int = GRACEFUL_SHUTDOWN,
) -> dict[str, Any]:
    """The keyword arguments of `uvicorn.run` / `uvicorn.Config` the server must run with,
    at the figures the module's docstring explains."""
    return {
        "http": protocol_class(head_timeout),
        "loop": "uvloop",
        "ws": "none",
        "timeout_keep_alive": keep_alive,
        "limit_concurrency": max_connections,
        "timeout_graceful_shutdown": graceful_shutdown,
        "log_config": log_config(),
    }

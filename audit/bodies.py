"""Request bodies read whole or not at all: within a byte limit, and at a pace that lets a
phone on a poor link through but not a client that trickles bytes to hold the server.

The pace is Apache's mod_reqtimeout model: a grace period, then a deadline that each byte
received pushes back (a second for every `min_rate` bytes), so a slow but steady upload
of any size within the limit completes, while a client sending a byte every few seconds is
cut off once the grace is spent. A silence longer than `gap` ends the read whatever the
average, since a link that stalls that long will not recover before the phone gives up.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

log = logging.getLogger("audit")


@dataclass(frozen=True)
class Pace:
    """How slowly a body may arrive.

    `min_rate`, 1 KiB/s, is under GPRS's upload rate (the slowest data link a phone falls
    back to, 2-5 KB/s), and would make a trickling client pay real bandwidth for each
    connection it holds. `grace`, 10 s, covers TCP slow start and a couple of lost packets
    on a one-second round trip before the rate counts. `gap`, 20 s, lets TCP resend a lost
    packet four times (after 1, 2, 4 and 8 s) before the read gives up. A 2 MB visit at the
    minimum rate takes about half an hour and still completes."""

    gap: float = 20.0
    grace: float = 10.0
    min_rate: float = 1024.0

    def deadline(self, started: float, now: float, received: int) -> float:
        """When the next chunk must have arrived, for a read begun at `started` that has
        `received` bytes at `now` (seconds on one clock)."""
        return min(now + self.gap, started + self.grace + received / self.min_rate)


PACE = Pace()
CLIENT_CLOSED = 499  # nginx's code for a client that went away; it is logged, never sent


class BodyError(Exception):
    """A body that was not read whole: too large (413), too slow (408), or abandoned by its
    client (499, which no one receives)."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message

    def response(self) -> JSONResponse:
        """The answer the views give. The connection is closed after it: what the client
        still sends of the body is not worth reading."""
        return JSONResponse(
            {"error": self.error, "message": self.message}, status_code=self.status, headers={"Connection": "close"}
        )


def _who(request: Request) -> str:
    client = f"{request.client.host}:{request.client.port}" if request.client else "a client"
    return f"{client} {request.method} {request.url.path}"


def _progress(received: int, declared: str | None) -> str:
    total = f"{int(declared):,}" if declared is not None and declared.isdigit() else "?"
    return f"{received:,} of {total} bytes"


async def read(request: Request, limit: int, *, what: str = "a body") -> bytes:
    """The whole body, at most `limit` bytes, read at `PACE`; raises BodyError otherwise.
    A client that goes away or is cut off leaves one line in the log, never a traceback."""
    declared = request.headers.get("content-length")
    too_large = BodyError(413, "too_large", f"{what} may be at most {limit:,} bytes")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large
    pace = PACE
    loop = asyncio.get_running_loop()
    started = loop.time()
    body = bytearray()
    try:
        async with asyncio.timeout_at(pace.deadline(started, started, 0)) as deadline:
            async for chunk in request.stream():
                body += chunk
                if len(body) > limit:
                    raise too_large
                deadline.reschedule(pace.deadline(started, loop.time(), len(body)))
    except TimeoutError:
        seconds = loop.time() - started
        log.warning("%s: body too slow, cut off after %.0f s with %s", _who(request), seconds, _progress(len(body), declared))
        raise BodyError(408, "too_slow", f"{what} arrived too slowly: {len(body):,} bytes in {seconds:.0f} s") from None
    except ClientDisconnect:
        log.info("%s: client went away after %s", _who(request), _progress(len(body), declared))
        raise BodyError(CLIENT_CLOSED, "disconnected", f"the client went away during {what}") from None
    return bytes(body)

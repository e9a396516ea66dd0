"""Store work off the event loop: every view runs its queries in a worker thread on a pooled
connection, so the loop never waits on the disk, on another process's write lock or on a slow
decode."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

import anyio.to_thread
from starlette.requests import Request

T = TypeVar("T")


async def in_pool(
    request: Request, call: Callable[..., T], *args: Any, limiter: anyio.CapacityLimiter | None = None, threads: Executor | None = None,
    **kwargs: Any,
) -> T:
    """Runs `call(db, *args, **kwargs)` in a worker thread (of `threads`, if given; at most as
    many at once as `limiter` lets) on one of the app's pooled connections."""
    pool = request.app.state.pool

    def run() -> T:
        with pool.connection() as database:
            return call(database, *args, **kwargs)

    if threads is not None:
        return await asyncio.get_running_loop().run_in_executor(threads, run)
    return await anyio.to_thread.run_sync(run, limiter=limiter)

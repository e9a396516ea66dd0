"""Background work behind one small interface, so that a real queue can take it over later.

Today a job kind is a single worker thread per server process with a bounded line of
waiting requests. PDF renders go through it: one at a time per process keeps memory flat
(thirty renders at once in thirty threads each grew their own heap), and the waiting is done
on the event loop, holding no worker thread that other requests need.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Busy(RuntimeError):
    """More jobs are waiting than the line holds: the caller should answer 503 and a retry time."""


class Queue:
    def __init__(self, name: str, *, waiting: int = 64) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"job-{name}")
        self._waiting = waiting
        self._pending = 0
        self._lock = threading.Lock()

    def _finished(self, _: Future[Any]) -> None:
        with self._lock:
            self._pending -= 1

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """Runs `call(*args)` after the jobs ahead of it; raises Busy when the line is full. A
        job whose caller has gone is dropped if it has not started."""
        with self._lock:
            if self._pending >= self._waiting:
                raise Busy(f"{self._pending} jobs are waiting")
            self._pending += 1
        future = self._executor.submit(call, *args)
        future.add_done_callback(self._finished)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

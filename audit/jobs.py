"""Background work behind one small interface, so that a real queue can take it over later.

A job has a kind (a name in KINDS) and picklable arguments. A server process hands its jobs
to a `Queue`: one worker thread with a bounded line of waiting requests, the waiting done
on the event loop so that it holds none of the threads other requests need. Under `audit
serve` that thread only passes each job to the job process (`serve`), which runs them one
at a time for all the web processes: PDF renders go there, so that WeasyPrint's memory is
held once, not once per web process (thirty renders at once had grown one process to
586 MB), and at a lower CPU priority than the requests phones wait on. Without a job
process (tests, one-process tools) the thread runs the job itself.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Listener
from typing import Any

from .supervisor import ADDRESS_VARIABLE, KEY_VARIABLE

log = logging.getLogger("audit")
KINDS = {"render-pdf": "audit.pdf:timed_render", "render-html": "audit.pdf:html_pdf"}  # imported where the job runs, not where it is asked for


def _lower_priority() -> None:
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def background_threads(count: int, name: str) -> ThreadPoolExecutor:
    """Threads for heavy work a request waits on but other requests must not (photo decodes):
    at a lower CPU priority, so the event loop and the visits' threads get the cores first."""
    return ThreadPoolExecutor(max_workers=count, thread_name_prefix=name, initializer=_lower_priority)


class Busy(RuntimeError):
    """More jobs are waiting than the line holds: the caller should answer 503 and a retry time."""


class Failed(RuntimeError):
    """The job process could not be reached or the job raised there."""


def _function(kind: str) -> Callable[..., Any]:
    module, _, name = KINDS[kind].partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return function


def _socket(name: str) -> str:
    """A Unix socket in Linux's abstract namespace: no file to clean up, none left behind by a kill."""
    return "\0" + name


def _remote(address: str, key: bytes, kind: str, args: tuple[Any, ...]) -> Any:
    try:
        with Client(_socket(address), authkey=key) as connection:
            connection.send((kind, args))
            done, value = connection.recv()
    except (OSError, EOFError) as error:
        raise Failed(f"the job process is not answering: {error}") from None
    if not done:
        raise Failed(value)
    return value


class Queue:
    def __init__(self, *, waiting: int = 64, address: str | None = None, key: bytes = b"") -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobs")
        self._waiting = waiting
        self._pending = 0
        self._lock = threading.Lock()
        self._address = address
        self._key = key

    @classmethod
    def from_environment(cls) -> Queue:
        """The job process `audit serve` started, if any."""
        address = os.environ.get(ADDRESS_VARIABLE)
        return cls(address=address, key=bytes.fromhex(os.environ.get(KEY_VARIABLE, ""))) if address else cls()

    def _finished(self, _: Future[Any]) -> None:
        with self._lock:
            self._pending -= 1

    async def run(self, kind: str, *args: Any) -> Any:
        """The job's result, after the jobs ahead of it; raises Busy when the line is full and
        Failed when the job failed. A job whose caller has gone is dropped if not yet started."""
        with self._lock:
            if self._pending >= self._waiting:
                raise Busy(f"{self._pending} jobs are waiting")
            self._pending += 1
        if self._address is None:
            future = self._executor.submit(_function(kind), *args)
        else:
            future = self._executor.submit(_remote, self._address, self._key, kind, args)
        future.add_done_callback(self._finished)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def serve(address: str, key: bytes) -> None:
    """The job process: runs jobs one at a time, in the order their connections arrive."""
    os.nice(10)  # phones waiting on a sync come first
    with Listener(_socket(address), authkey=key, backlog=64) as listener:
        while True:
            try:
                connection = listener.accept()
            except (OSError, EOFError, AuthenticationError) as error:  # a wrong key, or a client gone at once
                log.warning("job connection refused: %s", error)
                continue
            with connection:
                try:
                    kind, args = connection.recv()
                    result = (True, _function(kind)(*args))
                except Exception as error:  # the job's failure goes back to whoever asked
                    log.exception("job failed")
                    result = (False, f"{type(error).__name__}: {error}")
                try:
                    connection.send(result)
                except OSError:
                    log.info("a job's caller went away before its result")

"""The process `audit serve` becomes once it has checked the store: it starts the web processes
and the job process, restarts one that dies, and stops them all on SIGINT or SIGTERM.

It runs as `python -m audit.supervisor` (the checking command execs it, keeping its pid), and
loads nothing but the standard library: it stays a few MB for the life of the server.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading
import time

ADDRESS_VARIABLE = "AUDIT_JOBS"  # where the job process listens, for the web processes
KEY_VARIABLE = "AUDIT_JOBS_KEY"  # the key both sides prove they hold
CRASH_WINDOW = 10.0  # a process that dies sooner than this after its start counts as a crash
MAX_CRASHES = 3  # in a row: the app cannot start, and restarting it would only loop
GRACE = 35.0  # seconds a stopping web process gets to finish the requests in hand


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment[ADDRESS_VARIABLE] = f"audit-jobs-{os.getpid()}-{secrets.token_hex(8)}"
    environment[KEY_VARIABLE] = secrets.token_hex(32)
    # glibc gives each thread that contends for the heap an arena of its own, up to eight per
    # core, and each keeps what it freed; and once a large buffer is freed it raises the size
    # from which buffers get a mapping of their own (up to 32 MB), so a photo's pixels land in
    # the heap and stay. Two arenas and a fixed 128 KB threshold keep a process near its
    # working set: a web process that decoded 40 12-MP photos stayed at 48 MB, not 71.
    environment.setdefault("MALLOC_ARENA_MAX", "2")
    environment.setdefault("MALLOC_MMAP_THRESHOLD_", "131072")
    return environment


def supervise(workers: int, web_arguments: list[str]) -> int:
    """Runs until told to stop; returns the exit status."""
    environment = _environment()
    commands = [[sys.executable, "-m", "audit.serving", "jobs"]]
    commands += [[sys.executable, "-m", "audit.serving", "web", *web_arguments]] * workers
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def start(index: int) -> tuple[subprocess.Popen[bytes], float]:
        return subprocess.Popen(commands[index], env=environment), time.monotonic()

    running = [start(index) for index in range(len(commands))]
    crashes, status = 0, 0
    while not stop.wait(0.25):
        for index, (process, started) in enumerate(running):
            if process.poll() is None:
                continue
            crashes = crashes + 1 if time.monotonic() - started < CRASH_WINDOW else 0
            giving_up = crashes >= MAX_CRASHES
            print(f"audit: process {process.pid} exited with {process.returncode}; {'giving up' if giving_up else 'restarting it'}",
                  file=sys.stderr, flush=True)
            if giving_up:
                stop.set()
                status = 1
                break
            running[index] = start(index)
    for process, _ in running:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + GRACE
    for process, _ in running:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    return status


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m audit.supervisor")
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("web_arguments", nargs=argparse.REMAINDER, help="passed to each web process")
    args = parser.parse_args()
    return supervise(args.workers, [a for a in args.web_arguments if a != "--"])


if __name__ == "__main__":
    sys.exit(main())

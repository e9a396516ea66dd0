"""The server's processes, as the supervisor starts them: `python -m audit.serving web` (the
app under uvicorn) and `python -m audit.serving jobs` (the job process, see jobs.py).

Each web process listens on a socket of its own with SO_REUSEPORT, so the kernel spreads new
connections evenly over them. With one socket shared by all (uvicorn's own `--workers`),
whichever process was waiting in accept() took a whole burst of connections: twenty phones
syncing at once all landed on one process and one core.
"""

from __future__ import annotations

import argparse
import logging.config
import os
import signal
import socket
import sys

import uvicorn

from . import jobs
from .protocol import log_config, server_options
from .supervisor import ADDRESS_VARIABLE, KEY_VARIABLE


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    return sock


def web(host: str, port: int, access_log: bool) -> int:
    # A thread holding the GIL keeps it up to the switch interval while another waits: at the
    # default 5 ms, a ping queued behind a visit's checks and two photo decodes waited 30 ms at
    # the 95th percentile; at 1 ms it waits under 20, for about 5% of ingest throughput.
    sys.setswitchinterval(0.001)
    config = uvicorn.Config(
        "audit.app:from_environment", factory=True, host=host, port=port, access_log=access_log, **server_options()
    )
    server = uvicorn.Server(config)
    server.run(sockets=[listening_socket(host, port, config.backlog)])
    return 0 if server.started else 1


def job_process() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C reaches the whole group; the supervisor ends this one
    logging.config.dictConfig(log_config())
    jobs.serve(os.environ[ADDRESS_VARIABLE], bytes.fromhex(os.environ[KEY_VARIABLE]))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m audit.serving")
    roles = parser.add_subparsers(dest="role", required=True)
    web_role = roles.add_parser("web")
    web_role.add_argument("--host", required=True)
    web_role.add_argument("--port", type=int, required=True)
    web_role.add_argument("--access-log", action="store_true")
    roles.add_parser("jobs")
    args = parser.parse_args()
    return web(args.host, args.port, args.access_log) if args.role == "web" else job_process()


if __name__ == "__main__":
    sys.exit(main())

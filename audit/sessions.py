"""Who is asking: server-side sessions for people (a cookie), expiring API tokens for programs,
and the brake on guessing passwords.

Only hashes of session ids and token secrets are stored, so a copy of the database opens
nothing. A session lasts while it is used (IDLE) up to an absolute limit (LIFETIME): an
inspector's phone that syncs every few days stays signed in for a season, a forgotten
browser does not. Tokens expire on the date they were given for (ODK Central's tokens never
did, and were shared). Revoking either, or disabling its user, refuses the next request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlite_utils

from . import accounts
from .accounts import User
from .db import now, writing

IDLE = timedelta(days=14)
LIFETIME = timedelta(days=60)
TOUCH_EVERY = timedelta(minutes=10)  # last_seen is written at most this often, not on every request
FAILURES_ALLOWED = 10  # wrong passwords per username (or per address, times five) in WINDOW
WINDOW = timedelta(minutes=1)
TOKEN_DAYS = 90


@dataclass(frozen=True)
class Session:
    id: str  # the hash of the cookie's value, never the value
    user: User
    csrf: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def start(db: sqlite_utils.Database, user: User) -> tuple[str, Session]:
    """A new session: the cookie's value (shown once) and the session."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    stamp = datetime.now(UTC)
    with writing(db):
        db.execute(
            "INSERT INTO sessions (id, user_id, csrf, created_at, last_seen_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
            [_hash(secret), user.id, csrf, stamp.isoformat(timespec="seconds"), stamp.isoformat(timespec="seconds"),
             (stamp + LIFETIME).isoformat(timespec="seconds")],
        )
    return secret, Session(_hash(secret), user, csrf)


def current(db: sqlite_utils.Database, secret: str) -> tuple[Session | None, bool]:
    """The live session a cookie names, or None (unknown, revoked, idle too long, past its
    limit, or its user disabled); and whether its last use should be written down (`touch`).
    Reads only: it runs for every request, on the event loop."""
    row = db.execute(
        "SELECT id, user_id, csrf, last_seen_at, expires_at, revoked_at FROM sessions WHERE id = ?", [_hash(secret)]
    ).fetchone()
    if row is None or row[5] is not None:
        return None, False
    stamp = datetime.now(UTC)
    if stamp > _at(row[4]) or stamp > _at(row[3]) + IDLE:
        return None, False
    user = accounts.by_id(db, row[1])
    if user is None or user.disabled:
        return None, False
    return Session(row[0], user, row[2]), stamp > _at(row[3]) + TOUCH_EVERY


def touch(db: sqlite_utils.Database, session: Session) -> None:
    with writing(db):
        db.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [now(), session.id])


def end(db: sqlite_utils.Database, session_id: str) -> None:
    with writing(db):
        db.execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now(), session_id])


def csrf_ok(session: Session, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(session.csrf.encode(), offered.encode())


def issue_token(db: sqlite_utils.Database, user: User, *, days: int = TOKEN_DAYS, label: str = "") -> tuple[str, str]:
    """A bearer token for a program or a phone: its id (for revoking) and the token itself,
    `<id>.<secret>`, shown once."""
    if not 1 <= days <= 366:
        raise accounts.AccountError("a token lasts from 1 to 366 days")
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    stamp = datetime.now(UTC)
    with writing(db):
        db.execute(
            "INSERT INTO tokens (id, user_id, secret_hash, label, created_at, expires_at, revoked_at, last_used_at) "
            "VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)",
            [token_id, user.id, _hash(secret), label, stamp.isoformat(timespec="seconds"),
             (stamp + timedelta(days=days)).isoformat(timespec="seconds")],
        )
    return token_id, f"{token_id}.{secret}"


def token_user(db: sqlite_utils.Database, token: str) -> tuple[User | None, bool]:
    """The person a live token belongs to, and whether its last use should be written down
    (`touch_token`). Reads only, like `current`."""
    token_id, _, secret = token.partition(".")
    row = db.execute("SELECT user_id, secret_hash, expires_at, revoked_at, last_used_at FROM tokens WHERE id = ?", [token_id]).fetchone()
    if row is None or row[3] is not None or not hmac.compare_digest(row[1], _hash(secret)):
        return None, False
    stamp = datetime.now(UTC)
    if stamp > _at(row[2]):
        return None, False
    user = accounts.by_id(db, row[0])
    if user is None or user.disabled:
        return None, False
    return user, row[4] is None or stamp > _at(row[4]) + TOUCH_EVERY


def touch_token(db: sqlite_utils.Database, token: str) -> None:
    with writing(db):
        db.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", [now(), token.partition(".")[0]])


def revoke_token(db: sqlite_utils.Database, token_id: str) -> bool:
    with writing(db):
        changed = db.execute("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now(), token_id]).rowcount
    return bool(changed)


def tokens_of(db: sqlite_utils.Database, user: User) -> list[dict[str, str | None]]:
    cursor = db.execute("SELECT id, label, created_at, expires_at, revoked_at, last_used_at FROM tokens WHERE user_id = ? ORDER BY created_at", [user.id])
    names = [c[0] for c in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def throttled(db: sqlite_utils.Database, username: str, address: str) -> bool:
    """Too many wrong passwords lately for this username, or from this address."""
    since = (datetime.now(UTC) - WINDOW).isoformat(timespec="seconds")
    by_name = db.execute("SELECT count(*) FROM signin_failures WHERE username = ? AND at >= ?", [username.lower(), since]).fetchone()[0]
    by_address = db.execute("SELECT count(*) FROM signin_failures WHERE address = ? AND at >= ?", [address, since]).fetchone()[0]
    return bool(by_name >= FAILURES_ALLOWED or by_address >= FAILURES_ALLOWED * 5)


def failed(db: sqlite_utils.Database, username: str, address: str) -> None:
    stamp = datetime.now(UTC)
    with writing(db):
        db.execute("INSERT INTO signin_failures (username, address, at) VALUES (?, ?, ?)", [username.lower(), address, stamp.isoformat(timespec="seconds")])
        db.execute("DELETE FROM signin_failures WHERE at < ?", [(stamp - WINDOW * 10).isoformat(timespec="seconds")])


def sign_in(db: sqlite_utils.Database, username: str, password: str, address: str) -> tuple[str, Session] | str:
    """A new session, or why not: "throttled" or "unauthorized"."""
    if throttled(db, username, address):
        return "throttled"
    user = accounts.verify(db, username, password)
    if user is None:
        failed(db, username, address)
        return "unauthorized"
    return start(db, user)

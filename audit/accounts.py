"""People who use the product: their accounts, roles, passwords and the branches they run.

Passwords are hashed with Argon2id (argon2-cffi's defaults, which follow RFC 9106's second
recommended profile) and re-hashed when those defaults change. Nobody's role is changed by
a request: roles are given from the command line by whoever runs the server.

Inspectors have a pseudonym, made at random when the account is made and never derived from
the name: it is what a store manager sees wherever the inspector's work appears.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .db import now, writing

ROLES = ("inspector", "reviewer", "store", "hq", "admin")
ROLE_NAMES = {
    "inspector": "inspector (their own visits)",
    "reviewer": "reviewer (checks submitted visits, releases them to the store)",
    "store": "store manager (released reports of their own branches)",
    "hq": "HQ (reads everything, compares branches)",
    "admin": "admin (users, organisation, checklists)",
}
MIN_PASSWORD = 8
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
_HASHER = PasswordHasher()
_PSEUDONYM_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O, which read as 1 and 0


class AccountError(ValueError):
    """A request about an account that cannot be carried out, worded for the person who made it."""


@dataclass(frozen=True)
class User:
    id: str
    username: str
    display_name: str
    pseudonym: str
    role: str
    disabled: bool
    branches: tuple[str, ...]


def _user(db: sqlite_utils.Database, row: dict[str, Any]) -> User:
    """The user of a row; only a store manager runs branches, so only theirs are looked up
    (this runs on every request that carries a session or a token)."""
    branches: tuple[str, ...] = ()
    if row["role"] == "store":
        branches = tuple(r[0] for r in db.execute("SELECT branch_id FROM user_branches WHERE user_id = ? ORDER BY branch_id", [row["id"]]))
    return User(row["id"], row["username"], row["display_name"], row["pseudonym"], row["role"], bool(row["disabled"]), branches)


def _row(db: sqlite_utils.Database, where: str, value: str) -> dict[str, Any] | None:
    cursor = db.execute(f"SELECT * FROM users WHERE {where} = ?", [value])
    found = cursor.fetchone()
    return dict(zip([c[0] for c in cursor.description], found)) if found else None


def by_username(db: sqlite_utils.Database, username: str) -> User | None:
    row = _row(db, "username", username.lower())
    return _user(db, row) if row else None


def by_id(db: sqlite_utils.Database, user_id: str) -> User | None:
    row = _row(db, "id", user_id)
    return _user(db, row) if row else None


def everyone(db: sqlite_utils.Database) -> list[User]:
    cursor = db.execute("SELECT * FROM users ORDER BY role, username")
    names = [c[0] for c in cursor.description]
    return [_user(db, dict(zip(names, row))) for row in cursor.fetchall()]


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")


def _new_pseudonym(db: sqlite_utils.Database) -> str:
    while True:
        candidate = secrets.choice(_PSEUDONYM_LETTERS) + f"{secrets.randbelow(90) + 10}"
        if _row(db, "pseudonym", candidate) is None:
            return candidate


def add(
    db: sqlite_utils.Database, username: str, role: str, password: str, *, display_name: str = "", branches: tuple[str, ...] = ()
) -> User:
    """A new account; a store manager must be given the branches they run, others none."""
    check_password(password)
    return add_hashed(db, username, role, _HASHER.hash(password), display_name=display_name, branches=branches)


def hash_password(password: str) -> str:
    check_password(password)
    return _HASHER.hash(password)


def add_hashed(
    db: sqlite_utils.Database, username: str, role: str, password_hash: str, *, display_name: str = "", branches: tuple[str, ...] = ()
) -> User:
    """A new account whose password was hashed already (by `hash_password`, or by another
    system using Argon2): hashing is slow on purpose, and the demo gives many people one password."""
    username = username.lower()
    if not USERNAME.fullmatch(username):
        raise AccountError("a username is 2 to 40 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if role == "store" and not branches:
        raise AccountError("a store manager needs at least one --branch")
    if role != "store" and branches:
        raise AccountError("only a store manager is given branches")
    with writing(db):
        if _row(db, "username", username):
            raise AccountError(f"there is already a user {username!r}")
        known = {r[0] for r in db.execute("SELECT id FROM branches")}
        unknown = [b for b in branches if b not in known]
        if unknown:
            raise AccountError(f"no such branch: {', '.join(unknown)}")
        user_id = secrets.token_hex(8)
        stamp = now()
        db.execute(
            "INSERT INTO users (id, username, display_name, pseudonym, role, password_hash, disabled, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
            [user_id, username, display_name or username, _new_pseudonym(db), role, password_hash, stamp, stamp],
        )
        db.conn.executemany("INSERT INTO user_branches (user_id, branch_id) VALUES (?, ?)", [(user_id, b) for b in branches])
    user = by_id(db, user_id)
    assert user is not None
    return user


def set_password(db: sqlite_utils.Database, username: str, password: str) -> None:
    """A new password ends every session and token the old one could have opened."""
    check_password(password)
    with writing(db):
        row = _row(db, "username", username.lower())
        if row is None:
            raise AccountError(f"no user {username!r}")
        db.execute("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", [_HASHER.hash(password), now(), row["id"]])
        _end_access(db, row["id"])


def disable(db: sqlite_utils.Database, username: str) -> None:
    """Refused from the next request on: sessions and tokens end with it."""
    with writing(db):
        row = _row(db, "username", username.lower())
        if row is None:
            raise AccountError(f"no user {username!r}")
        db.execute("UPDATE users SET disabled = 1, updated_at = ? WHERE id = ?", [now(), row["id"]])
        _end_access(db, row["id"])


def _end_access(db: sqlite_utils.Database, user_id: str) -> None:
    stamp = now()
    db.execute("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [stamp, user_id])
    db.execute("UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [stamp, user_id])


def verify(db: sqlite_utils.Database, username: str, password: str) -> User | None:
    """The user whose password this is, if enabled. A missing user costs a hash too, so the
    time taken does not tell which usernames exist."""
    row = _row(db, "username", username.lower())
    try:
        if row is None:
            _HASHER.verify(_DUMMY, password)
            return None
        _HASHER.verify(row["password_hash"], password)
    except (VerificationError, InvalidHashError):
        return None
    if row["disabled"]:
        return None
    if _HASHER.check_needs_rehash(row["password_hash"]):
        with writing(db):
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_HASHER.hash(password), row["id"]])
    return _user(db, row)


_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))

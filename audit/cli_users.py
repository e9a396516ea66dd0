"""`audit users`: accounts, passwords and API tokens, from the command line of whoever runs
the server. A password is read from standard input (asked twice, unseen, at a terminal),
never from the command line, where it would stay in the shell's history and the process list."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import accounts, db, sessions
from .accounts import AccountError

DB_OPTION = click.option(
    "--db", "db_path", default="audit.db", show_default=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="SQLite file."
)


def _password() -> str:
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


def _fail(error: AccountError) -> click.ClickException:
    return click.ClickException(str(error))


@click.group()
def users() -> None:
    """People: add, list, disable, set passwords, give API tokens."""


@users.command(name="add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(accounts.ROLES), help="What the person does; see `audit users list`.")
@click.option("--name", "display_name", default="", help="The name colleagues see (default: the username).")
@click.option("--branch", "branches", multiple=True, help="A branch id a store manager runs (repeat for several).")
@DB_OPTION
def add_command(username: str, role: str, display_name: str, branches: tuple[str, ...], db_path: Path) -> None:
    """Add a person; their password is read from standard input."""
    try:
        user = accounts.add(db.connect(db_path), username, role, _password(), display_name=display_name, branches=branches)
    except AccountError as error:
        raise _fail(error) from None
    click.echo(f"added {user.username} ({accounts.ROLE_NAMES[user.role]}), pseudonym {user.pseudonym}")


@users.command(name="list")
@DB_OPTION
def list_command(db_path: Path) -> None:
    """List everyone: username, role, name, pseudonym, branches, live tokens, disabled."""
    database = db.connect(db_path)
    for user in accounts.everyone(database):
        live = [t for t in sessions.tokens_of(database, user) if t["revoked_at"] is None]
        click.echo(
            "\t".join(
                [user.username, user.role, user.display_name, user.pseudonym, ",".join(user.branches) or "-",
                 f"{len(live)} token(s)", "DISABLED" if user.disabled else "active"]
            )
        )


@users.command(name="disable")
@click.argument("username")
@DB_OPTION
def disable_command(username: str, db_path: Path) -> None:
    """Disable a person: their sessions and tokens are refused from the next request."""
    try:
        accounts.disable(db.connect(db_path), username)
    except AccountError as error:
        raise _fail(error) from None
    click.echo(f"disabled {username}; their sessions and tokens are ended")


@users.command(name="set-password")
@click.argument("username")
@DB_OPTION
def set_password_command(username: str, db_path: Path) -> None:
    """Set a new password (read from standard input); it ends the person's sessions and tokens."""
    try:
        accounts.set_password(db.connect(db_path), username, _password())
    except AccountError as error:
        raise _fail(error) from None
    click.echo(f"new password set for {username}; their sessions and tokens are ended")


@users.command(name="token")
@click.argument("username")
@click.option("--days", default=sessions.TOKEN_DAYS, show_default=True, type=click.IntRange(1, 366), help="Days until it expires.")
@click.option("--label", default="", help="What it is for (shown by `audit users tokens`).")
@click.option("--revoke", "revoke_id", default=None, metavar="TOKEN_ID", help="Revoke this token of the person instead.")
@DB_OPTION
def token_command(username: str, days: int, label: str, revoke_id: str | None, db_path: Path) -> None:
    """Give a person an API token (printed once; send it as `Authorization: Bearer TOKEN`), or revoke one."""
    database = db.connect(db_path)
    user = accounts.by_username(database, username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    if revoke_id is not None:
        if revoke_id not in {t["id"] for t in sessions.tokens_of(database, user)} or not sessions.revoke_token(database, revoke_id):
            raise click.ClickException(f"{username} has no live token {revoke_id!r}")
        click.echo(f"revoked token {revoke_id} of {username}")
        return
    if user.disabled:
        raise click.ClickException(f"{username} is disabled")
    token_id, token = sessions.issue_token(database, user, days=days, label=label)
    click.echo(token)
    click.echo(f"token {token_id} for {username}, expires in {days} days; revoke with `audit users token {username} --revoke {token_id}`", err=True)


@users.command(name="tokens")
@click.argument("username")
@DB_OPTION
def tokens_command(username: str, db_path: Path) -> None:
    """List a person's tokens: id, label, created, expires, revoked, last used."""
    database = db.connect(db_path)
    user = accounts.by_username(database, username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    for token in sessions.tokens_of(database, user):
        click.echo("\t".join(str(token[k] or "-") for k in ("id", "label", "created_at", "expires_at", "revoked_at", "last_used_at")))

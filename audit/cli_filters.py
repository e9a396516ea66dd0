"""The options that choose what a comparison or an export covers, shared by `audit compare`
and `audit export` so the two commands read them the same way."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click
import sqlite_utils

from . import filters, wording

F = TypeVar("F", bound=Callable[..., Any])


def _language(_: click.Context, __: click.Parameter, value: str) -> str:
    found = wording.known_language(value)
    if found is None:
        raise click.BadParameter(f"one of {', '.join(wording.LANGUAGES)}")
    return found


def filter_options(command: F) -> F:
    """--period, --region, --site-type, --checklist and --lang."""
    options = [
        click.option("--period", default=None, help=f"{filters.PERIOD_HELP[0].upper()}{filters.PERIOD_HELP[1:]}; default {filters.DEFAULT_PERIOD}."),
        click.option("--region", default=None, help="A region's id (default: every region)."),
        click.option("--site-type", default=None, help="A site type's id (default: every type)."),
        click.option("--checklist", default=None, help="A checklist's id (default: every checklist)."),
        click.option("--lang", default="zh-Hans", show_default=True, callback=_language, help="Language: zh-Hans, zh-Hant or en."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def chosen(database: sqlite_utils.Database, period: str | None, region: str | None, site_type: str | None, checklist: str | None) -> filters.Filters:
    """The filters, or exit 1 with the message that names what is not understood."""
    try:
        return filters.parse(
            {"period": period, "region": region, "site_type": site_type, "checklist": checklist}, date.today(), filters.known(database)
        )
    except filters.FilterError as error:
        raise click.ClickException(str(error)) from None

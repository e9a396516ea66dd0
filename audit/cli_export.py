"""`audit export`: visits, answers, scores and review states as CSV, XLSX or JSON, from the
command line of whoever runs the server, safe while it runs (one read snapshot)."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import click

from . import db, filters, wording
from .export import TABLES
from .export_files import FORMATS, save


class _Bar:
    """A progress bar on standard error, made at the first report, when the total is known
    (click draws it only at a terminal)."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._bar: Any = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            label = f"exporting {total // len(TABLES)} visits"
            self._bar = self._stack.enter_context(click.progressbar(length=max(total, 1), label=label, file=sys.stderr))
        self._bar.update(done - self._shown)
        self._shown = done


def _language(_: click.Context, __: click.Parameter, value: str) -> str:
    found = wording.known_language(value)
    if found is None:
        raise click.BadParameter(f"one of {', '.join(wording.LANGUAGES)}")
    return found


@click.command(name="export")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="SQLite file (the server may be running).")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMATS), help="csv (a ZIP of CSV files and README.txt), xlsx or json.")
@click.option("--period", default=None, help=f"{filters.PERIOD_HELP[0].upper()}{filters.PERIOD_HELP[1:]}; default {filters.DEFAULT_PERIOD}.")
@click.option("--region", default=None, help="A region's id (default: every region).")
@click.option("--site-type", default=None, help="A site type's id (default: every type).")
@click.option("--checklist", default=None, help="A checklist's id (default: every checklist).")
@click.option("--lang", default="zh-Hans", show_default=True, callback=_language, help="Language of names and item texts: zh-Hans, zh-Hant or en.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write; replaced only once whole.")
def export(db_path: Path, fmt: str, period: str | None, region: str | None, site_type: str | None, checklist: str | None, lang: str, output: Path) -> None:
    """Export visits, answers, scores and review states, with a README of every column.

    One sheet (XLSX), file (CSV, in a ZIP) or array (JSON) per table, each with a header
    row. Read from one snapshot of the store, streamed: memory stays flat however many
    visits there are. Exits 1 with a message on an unknown period, region, site type or
    checklist.
    """
    database = db.connect(db_path)
    try:
        chosen = filters.parse(
            {"period": period, "region": region, "site_type": site_type, "checklist": checklist}, date.today(), filters.known(database)
        )
    except filters.FilterError as error:
        raise click.ClickException(str(error)) from None
    with ExitStack() as stack:
        visits = save(database, chosen, lang, fmt, output, _Bar(stack))
    click.echo(f"{output}: {visits} visits, {fmt}, {output.stat().st_size:,} bytes")

"""`audit org`: the organisation (site types, regions, branches, sites) as a file HQ edits,
imported whole and exported to be edited again."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import db, orgfile, orgstore


@click.group()
def org() -> None:
    """The organisation as a file: import it whole, export it to edit."""


@org.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--db", "db_path", default="audit.db", show_default=True, type=click.Path(dir_okay=False, path_type=Path), help="SQLite file (created if missing).")
def import_command(file: Path, db_path: Path) -> None:
    """Make the store's organisation the file's (YAML or CSV), in one transaction.

    Rows the file lacks are removed, unless something points to them (a site's visits, a
    branch's store managers): then nothing is written and each is named. Prints what was
    added, changed and removed; exits 1, listing every problem as file:line: field: message,
    when the file has problems or the import is refused.
    """
    result = orgfile.read(file)
    if result.organisation is None:
        for problem in result.problems:
            click.echo(problem.format(result.path), err=True)
        click.echo(f"{len(result.problems)} problem(s) in {file}; nothing imported", err=True)
        sys.exit(1)
    try:
        summary = orgstore.import_org(db.connect(db_path), result.organisation)
    except orgstore.Refused as refused:
        for reason in refused.reasons:
            click.echo(f"{file}: {reason}", err=True)
        click.echo("nothing imported", err=True)
        sys.exit(1)
    click.echo("\n".join(summary.lines()))


@org.command(name="export")
@click.option("--db", "db_path", default="audit.db", show_default=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="SQLite file.")
@click.option("--format", "kind", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True, help="File format.")
@click.option("-o", "--output", default=None, type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: standard output).")
def export_command(db_path: Path, kind: str, output: Path | None) -> None:
    """Write the store's organisation as a file that `audit org import` reads back."""
    text = orgstore.export_org(db.connect(db_path), kind)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")

"""`audit compare`: HQ's comparison as a PDF, the same figures and charts as the dashboard."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from . import dashboard, db
from .cli_filters import chosen, filter_options
from .schema import STAGES


@click.command(name="compare")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="SQLite file (the server may be running).")
@filter_options
@click.option("--by", type=click.Choice(STAGES), default=None, help="Rank branches by one stage instead of the overall score.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF file to write; replaced only once whole.")
def compare(
    db_path: Path, period: str | None, region: str | None, site_type: str | None, checklist: str | None, lang: str, by: str | None, output: Path
) -> None:
    """Write the comparison of branches and regions as a PDF (A4 landscape): released visits
    only, the mean of visit scores with N/A excluded, each figure with its number of visits."""
    from . import hq_views, pdf

    started = time.perf_counter()
    database = db.connect(db_path)
    f = chosen(database, period, region, site_type, checklist)
    try:
        html, _ = hq_views.printable(database, f, lang, by, os.environ.get("USER", "HQ"))
    except dashboard.TimedOut as error:
        raise click.ClickException(f"the comparison took too long and was stopped ({error}); narrow the filters") from None
    data = pdf.html_pdf(html)
    partial = output.with_name(output.name + ".part")
    partial.write_bytes(data)
    partial.replace(output)
    click.echo(f"{output}: {len(data):,} bytes in {time.perf_counter() - started:.2f} s")

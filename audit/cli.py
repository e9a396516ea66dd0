"""The `audit` command: thin wrappers that parse options and call the package's modules."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from . import db, demo, holidays, library, orgfile, schema
from .branding import DEFAULT_ACCENT, Branding
from .cli_compare import compare
from .cli_export import export
from .cli_org import org
from .cli_users import users
from .validate import Result

DEFAULT_DB = "audit.db"


@click.group()
def main() -> None:
    """Service-detail audits: checklists, inspections, reports."""


def _summary(result: Result) -> dict[str, object]:
    checklist = result.checklist
    entry: dict[str, object] = {"path": result.path, "valid": checklist is not None}
    if checklist is not None:
        items = {stage.key: sum(len(s.items) for s in stage.sections) for stage in checklist.stages}
        entry.update(
            id=checklist.id,
            title=checklist.title,
            hash=checklist.content_hash(),
            stages=[stage.key for stage in checklist.stages],
            sections=sum(len(stage.sections) for stage in checklist.stages),
            items=sum(items.values()),
            items_per_stage=items,
            languages=list(checklist.languages),
        )
    entry["problems"] = [problem.as_dict() for problem in result.problems]
    return entry


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a summary a program can read.")
@click.option("--org", "org_path", default=None, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="Organisation file (YAML or CSV) whose site types the checklists may name; its own problems are reported too.")
def check(paths: tuple[Path, ...], as_json: bool, org_path: Path | None) -> None:
    """Validate checklist files (default: checklists/).

    Prints every problem as file:line:column: message. With --org, a site type the
    organisation file lacks is a problem too. Exits 0 when every file is valid, 1 when
    any has problems, 2 on usage errors.
    """
    targets = list(paths) or [Path("checklists")]
    missing = [str(p) for p in targets if not p.exists()]
    if missing:
        raise click.UsageError(f"no such file or folder: {', '.join(missing)}")
    organisation = orgfile.read(org_path) if org_path is not None else None
    site_types = {t.id for t in organisation.organisation.site_types} if organisation and organisation.organisation else None
    results = library.check(targets, site_types=site_types)
    if not results and all(p.resolve() == holidays.CALENDAR for p in targets):
        click.echo(f"{holidays.CALENDAR.name}: the calendar of public holidays has no problems", err=True)
        sys.exit(0)  # a calendar with problems is a result of its own, printed below
    if not results:
        raise click.UsageError(f"no .yaml or .yml files under {', '.join(map(str, targets))}")
    org_problems = organisation.problems if organisation else ()
    if as_json:
        entries = [_summary(r) for r in results]
        if organisation is not None:
            entries.append({"path": organisation.path, "valid": not org_problems, "problems": [p.as_dict() for p in org_problems]})
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
    else:
        for problem in org_problems:
            click.echo(problem.format(str(org_path)))
        for result in results:
            for problem in result.problems:
                click.echo(problem.format(result.path))
        bad = sum(1 for r in results if r.problems)
        organised = f"; organisation file {org_path}: {len(org_problems)} problem(s)" if organisation else ""
        click.echo(f"{len(results)} checklist file(s) checked, {bad} with problems{organised}", err=True)
    sys.exit(1 if org_problems or any(r.problems for r in results) else 0)


@main.command(name="schema")
def schema_command() -> None:
    """Print the checklist format's JSON Schema (for editors' YAML plugins)."""
    click.echo(json.dumps(schema.SCHEMA, ensure_ascii=False, indent=2))


F = TypeVar("F", bound=Callable[..., Any])


def branding_options(command: F) -> F:
    """The reports' branding, shared by `serve` and `report`."""
    command = click.option("--brand", default="", help="Name on the reports (default: the product's name).")(command)
    command = click.option("--logo", default=None, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="PNG or JPEG logo for the reports' cover.")(command)
    return click.option("--accent", default=None, help="The reports' accent colour, #rrggbb.")(command)


def load_branding(brand: str, logo: Path | None, accent: str | None) -> Branding:
    try:
        return Branding.load(brand, logo, accent or DEFAULT_ACCENT)
    except ValueError as error:
        raise click.UsageError(str(error)) from None


@main.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False, path_type=Path), help="SQLite file (created if missing).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for phones on the network).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--checklists", "checklists_dir", default=None, type=click.Path(file_okay=False, exists=True, path_type=Path), help="Checklist folder (default: the repository's checklists/).")
@click.option("--workers", default=None, type=click.IntRange(1, 32), help="Server processes sharing the SQLite file (default: one per CPU core, at most 4).")
@click.option("--access-log", is_flag=True, help="Log every request (off by default: report URLs carry visit ids).")
@branding_options
def serve(
    db_path: Path, host: str, port: int, checklists_dir: Path | None, workers: int | None, access_log: bool,
    brand: str, logo: Path | None, accent: str | None,
) -> None:
    """Start the web app: the inspectors' PWA, its API and the reports.

    Refuses to start on a database that holds visits stored in part (see `audit doctor`).
    """
    from .startup import SETTINGS_VARIABLE, NeedsRepair, Settings, open_store

    branding = load_branding(brand, logo, accent)
    settings = Settings(
        db_path=db_path, checklists_dir=checklists_dir or library.CHECKLISTS, brand_name=brand, logo_path=logo, accent=branding.accent
    )
    try:
        open_store(settings)[0].close()  # migrate and check once, before any server process starts
    except NeedsRepair as error:
        raise click.ClickException(str(error)) from None
    os.environ[SETTINGS_VARIABLE] = settings.to_environment()
    count = workers or min(4, len(os.sched_getaffinity(0)))
    web = ["--host", host, "--port", str(port)] + (["--access-log"] if access_log else [])
    sys.stdout.flush()
    sys.stderr.flush()
    # the supervisor takes this process's place (and pid), without what this one loaded
    os.execv(sys.executable, [sys.executable, "-m", "audit.supervisor", "--workers", str(count), "--", *web])


@main.command(name="doctor")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="SQLite file to check.")
@click.option("--repair", is_flag=True, help="Rebuild the answers and scores of visits stored in part from their stored bodies.")
def doctor_command(db_path: Path, repair: bool) -> None:
    """Check the store: SQLite's integrity, and every visit stored whole.

    Lists each visit stored in part (a visit without all of its answers or scores) and, with
    --repair, rebuilds them from their stored bodies, one transaction each. Exits 0 when the
    store is whole (after the repair, with --repair), 1 when it is not.
    """
    from . import doctor

    database = db.connect(db_path)
    checkup = doctor.check(database)
    for broken in checkup.broken:
        click.echo(f"visit {broken.visit_uuid}: {broken.problem}" + ("" if broken.repairable else " (cannot be rebuilt)"))
    for line in checkup.integrity:
        click.echo(f"integrity: {line}")
    click.echo(f"{checkup.checked} visit(s) checked, {len(checkup.broken)} stored in part, integrity {'ok' if not checkup.integrity else 'FAILED'}", err=True)
    if repair and checkup.broken:
        click.echo(f"{doctor.repair(database, checkup.broken)} visit(s) rebuilt from their stored bodies", err=True)
        checkup = doctor.check(database)
    sys.exit(0 if checkup.whole else 1)


@main.command(name="backup")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="SQLite file to copy (the server may be running).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="File to write; replaced only once the copy is checked.")
def backup_command(db_path: Path, output: Path) -> None:
    """Copy the store with SQLite's online backup API, safe while the server writes.

    The copy is one consistent snapshot, checked with SQLite's integrity check before it
    replaces FILE. Restore by stopping the server and putting the copy in the store's place.
    """
    from . import backup

    try:
        copied = backup.copy(db_path, output)
    except backup.BackupFailed as error:
        raise click.ClickException(str(error)) from None
    rows = copied.rows
    click.echo(f"{output}: {copied.pages} pages, {rows.get('visits', 0)} visits, {rows.get('photos', 0)} photos, integrity ok")


@main.command(name="demo")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="SQLite file to fill (created if missing).")
def demo_command(db_path: Path) -> None:
    """Fill a database with a demo organisation and six months of visits with photos.

    Running it again changes nothing.
    """
    database = db.connect(db_path)
    counts = demo.build(database)
    checklists = library.load(library.CHECKLISTS)
    db.record_checklists(database, checklists)
    counts["visits"] = demo.build_visits(database, checklists, today=date.today())
    counts["photos"] = database["photos"].count
    click.echo(", ".join(f"{count} {table.replace('_', ' ')}" for table, count in counts.items()) + f" in {db_path}")
    managers = [name for name, role in demo.people(database) if role == "store"]
    inspectors = ", ".join(name for name, role, _ in demo.STAFF if role == "inspector")
    click.echo(
        f"Sign in at /signin (or on the phone app at /) with password {demo.DEMO_PASSWORD!r} as: "
        f"{inspectors} (the phone), reviewer (/review), hq, admin, or a store manager: "
        f"{', '.join(managers[:3])}, ... (/store)"
    )


main.add_command(users)
main.add_command(export)
main.add_command(org)
main.add_command(compare)


@main.command(name="report")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path), help="SQLite file holding the visit.")
@click.option("--visit", "visit_id", default=None, help="The visit's UUID (or a unique prefix of at least 8 characters).")
@click.option("--latest", is_flag=True, help="The visit that started last.")
@click.option("--lang", default=None, help="zh-Hans, zh-Hant or en (default: the checklist's language).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF file to write.")
@branding_options
def report_command(
    db_path: Path, visit_id: str | None, latest: bool, lang: str | None, output: Path, brand: str, logo: Path | None, accent: str | None
) -> None:
    """Write a visit's report as a PDF (rendered once per language, then taken from the cache)."""
    from . import pdf, report, wording

    branding = load_branding(brand, logo, accent)
    if (visit_id is None) == (not latest):
        raise click.UsageError("give either --visit ID or --latest")
    if lang is not None and wording.known_language(lang) is None:
        raise click.UsageError(f"--lang must be one of {', '.join(wording.LANGUAGES)}")
    database = db.connect(db_path)
    found = report.latest_visit(database) if latest else report.find_visit(database, visit_id or "")
    if found is None:
        raise click.UsageError("no visits in this database" if latest else f"no single visit matches {visit_id!r}")
    outcome = pdf.report_pdf(database, found, lang, branding)
    output.write_bytes(outcome.pdf)
    source = "from the cache" if outcome.from_cache else "rendered"
    click.echo(f"{output}: visit {found}, {outcome.prepared.report.lang}, {len(outcome.pdf):,} bytes ({source})")

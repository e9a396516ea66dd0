"""An export as a file: a zip of CSV files, an XLSX workbook or one JSON document, written
as the tables stream by, and put in place only once whole.

CSV: a .zip with README.txt and one CSV per table, UTF-8 with a byte-order mark (Excel reads
Chinese text right only with one), each written straight into the archive. XLSX: openpyxl's
write-only mode, which writes each row out as it comes (strings inline, no shared-string
table growing with the rows), one sheet per table after a README sheet, header rows bold and
frozen; a table longer than a sheet goes on in "name (2)". JSON: one document,
`{"readme": [...], "visits": [...], "answers": [...], "scores": [...], "reviews": [...]}`,
each row an object keyed by column, written row by row: one file that any JSON tool reads
whole, and that a streaming parser (or a reader of the arrays in this order) takes without
holding it. Values keep their JSON types there; in CSV and XLSX a list (a multiple choice)
is written as its JSON text.
"""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import sqlite_utils

from .export import README_COLUMNS, TABLES, Export, Progress, Table, snapshot
from .filters import Filters

FORMATS = ("csv", "xlsx", "json")
SUFFIXES = {"csv": ".zip", "xlsx": ".xlsx", "json": ".json"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {"csv": "application/zip", "xlsx": XLSX_TYPE, "json": "application/json"}
SHEET_ROWS = 1_048_576  # Excel's rows per sheet, the header row included
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may take for a formula

Writer = Callable[[list[tuple[str, str, str]], Iterator[Table], IO[bytes]], None]


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def readme_text(rows: Iterable[tuple[str, str, str]]) -> str:
    """The README as plain text: a heading per topic, its paragraph, then `name: text` lines."""
    lines: list[str] = []
    topic = None
    for row_topic, name, text in rows:
        if row_topic != topic:
            topic = row_topic
            lines += ["", f"[{topic}]"]
        lines.append(f"{name}: {text}" if name else text)
    return "\n".join(lines).lstrip() + "\n"


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    if isinstance(value, (list, dict)):
        return _json_text(value)
    return value


def _csv(readme: list[tuple[str, str, str]], tables: Iterator[Table], out: IO[bytes]) -> None:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "\ufeff" + readme_text(readme))
        for table in tables:
            with archive.open(f"{table.name}.csv", "w", force_zip64=True) as entry:
                text = io.TextIOWrapper(entry, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow(table.columns)
                writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
                text.flush()
                text.detach()


def _xlsx(readme: list[tuple[str, str, str]], tables: Iterator[Table], out: IO[bytes]) -> None:
    """openpyxl is imported here, where a workbook is written, not by every web process."""
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    bold = Font(bold=True)

    def sheet(title: str, names: tuple[str, ...]) -> WriteOnlyWorksheet:
        made = book.create_sheet(title)
        made.freeze_panes = "A2"
        header = []
        for name in names:
            cell = WriteOnlyCell(made, value=name)
            cell.font = bold
            header.append(cell)
        made.append(header)
        return made

    def text(made: WriteOnlyWorksheet, value: str) -> Any:
        """A string stays a string: one that starts with = would otherwise become a formula."""
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not value.startswith("="):
            return value
        cell = WriteOnlyCell(made, value=value)
        cell.data_type = "s"
        return cell

    def cell(made: WriteOnlyWorksheet, value: Any) -> Any:
        if isinstance(value, str):
            return text(made, value)
        if isinstance(value, (list, dict)):
            return text(made, _json_text(value))
        return value

    try:
        for table in [Table("README", README_COLUMNS, readme), *tables]:
            part, made, rows = 1, sheet(table.name, table.columns), 1
            for row in table.rows:
                if rows == SHEET_ROWS:
                    part += 1
                    made, rows = sheet(f"{table.name} ({part})", table.columns), 1
                made.append([cell(made, value) for value in row])
                rows += 1
    except BaseException:
        # openpyxl has no way to abandon a write-only workbook: each sheet is finished and
        # its temporary file removed here (with its private writer), or the files would stay
        # until the process ends and each sheet's row writer would fail when collected
        for made in book.worksheets:
            made.close()
            made._writer.cleanup()
        raise
    book.save(out)


def _json(readme: list[tuple[str, str, str]], tables: Iterator[Table], out: IO[bytes]) -> None:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    text = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
    text.write('{"readme":' + encode([dict(zip(README_COLUMNS, row)) for row in readme]))
    for table in tables:
        text.write(f',\n"{table.name}":[')
        separator = "\n"
        for row in table.rows:
            text.write(separator + encode(dict(zip(table.columns, row))))
            separator = ",\n"
        text.write("\n]")
    text.write("}\n")
    text.flush()
    text.detach()


WRITERS: dict[str, Writer] = {"csv": _csv, "xlsx": _xlsx, "json": _json}


def save(db: sqlite_utils.Database, filters: Filters, lang: str, fmt: str, path: Path, progress: Progress) -> int:
    """Writes the export of the visits `filters` choose to `path`, from one snapshot of the
    store; returns how many visits it holds. The file is written beside `path` and renamed
    only when whole, so a failure, a stop or Ctrl-C leaves no half export behind."""
    partial = path.with_name(path.name + ".partial")
    try:
        with snapshot(db), partial.open("wb") as out:
            export = Export(db, filters, lang)
            visits = export.count()
            progress(0, visits * len(TABLES))
            WRITERS[fmt](export.readme(visits), export.tables(visits, progress), out)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return visits

"""The report as HTML, from the one template set that serves both the web page and the PDF,
and the cache that keeps each visit's PDF per language until its inputs change.

Nothing here loads WeasyPrint: the server's web processes build pages and read the cache,
and only the process that renders PDFs (audit/pdf.py) carries WeasyPrint's memory.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib.metadata import version
from typing import Callable

import jinja2
import sqlite_utils

from . import report, wording
from .branding import Branding
from .db import now, writing
from .report import Photo, Report
from .wording import TEMPLATES

PHOTO_SCHEME = "audit-photo"
LOGO_URL = "audit-asset:logo"
FONTS = {"zh-Hant": '"Noto Sans CJK TC"'}
DEFAULT_FONT = '"Noto Sans CJK SC"'
LANGUAGE_NAMES = (("zh-Hans", "简体中文"), ("zh-Hant", "繁體中文"), ("en", "English"))

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), disabled_extensions=("css",), default=True),
    undefined=jinja2.StrictUndefined,
)
ENV.filters["clock"] = wording.clock
TEMPLATE_VERSION = hashlib.sha256(
    b"".join(p.name.encode() + b"\0" + p.read_bytes() for p in sorted(TEMPLATES.iterdir()) if p.is_file())
    + version("weasyprint").encode()
).hexdigest()


def render_html(
    r: Report,
    branding: Branding,
    *,
    photo_url: Callable[[Photo], str],
    logo_url: str | None,
    pdf_url: str | None = None,
    languages: list[tuple[str, str, str]] | None = None,
    inline_css: bool = True,
) -> str:
    return ENV.get_template("report.html").render(
        r=r,
        t=wording.TEXT[r.lang],
        brand=branding.name or wording.TEXT[r.lang]["product"],
        accent=branding.accent,
        font=font_for(r.lang),
        photo_url=photo_url,
        logo_url=logo_url,
        pdf_url=pdf_url,
        languages=languages or [],
        inline_css=inline_css,
    )


def font_for(lang: str) -> str:
    return FONTS.get(lang, DEFAULT_FONT)


def web_html(r: Report, branding: Branding) -> str:
    """The page at /visits/{uuid}/report: its links are relative to that address."""
    return render_html(
        r,
        branding,
        photo_url=lambda p: f"photos/{p.uuid}/thumb",
        logo_url=branding.data_uri(),
        pdf_url=f"report.pdf?lang={r.lang}",
        languages=[(code, name, f"report?lang={code}") for code, name in LANGUAGE_NAMES],
    )


def pdf_html(r: Report, branding: Branding) -> str:
    """The same page for WeasyPrint, without its styles: write_pdf adds them, parsed once."""
    return render_html(
        r, branding, photo_url=lambda p: f"{PHOTO_SCHEME}:{p.uuid}", logo_url=LOGO_URL if branding.logo else None, inline_css=False
    )


def thumbnails(db: sqlite_utils.Database, visit_uuid: str, photo_ids: list[str]) -> dict[str, bytes]:
    """The stored thumbnails of a visit's photos, made once at upload."""
    if not photo_ids:
        return {}
    marks = ",".join("?" for _ in photo_ids)
    return {
        row["uuid"]: row["thumb"]
        for row in db.query(f"SELECT uuid, thumb FROM photos WHERE visit_uuid = ? AND uuid IN ({marks})", [visit_uuid, *photo_ids])
        if row["thumb"]
    }


@dataclass(frozen=True)
class Prepared:
    report: Report
    key: str

    @property
    def filename(self) -> str:
        name = f"report-{self.report.branch_id}-{self.report.iso_date}-{self.report.lang}.pdf"
        return re.sub(r"[^A-Za-z0-9._-]", "-", name)


def prepare(db: sqlite_utils.Database, visit_uuid: str, lang: str | None, branding: Branding) -> Prepared:
    """The report and the hash of everything its PDF depends on; raises report.NotFound."""
    built = report.build(db, visit_uuid, lang)
    return Prepared(built, built.digest(TEMPLATE_VERSION, branding.fingerprint()))


def cached(db: sqlite_utils.Database, prepared: Prepared) -> bytes | None:
    row = next(
        db.query(
            "SELECT pdf FROM report_cache WHERE visit_uuid = ? AND lang = ? AND inputs_hash = ?",
            [prepared.report.visit_uuid, prepared.report.lang, prepared.key],
        ),
        None,
    )
    return row["pdf"] if row else None


def store(db: sqlite_utils.Database, prepared: Prepared, data: bytes, seconds: float) -> None:
    """Keeps the PDF until the report's inputs change (one row per visit and language)."""
    with writing(db):
        db.table("report_cache").insert(
            {
                "visit_uuid": prepared.report.visit_uuid,
                "lang": prepared.report.lang,
                "inputs_hash": prepared.key,
                "pdf": data,
                "rendered_at": now(),
                "render_seconds": round(seconds, 3),
            },
            replace=True,
        )

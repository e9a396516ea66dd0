"""The report rendered: one Jinja template for the web page and the PDF, WeasyPrint for the
PDF, and a cache that renders each visit's PDF once per language.

WeasyPrint fetches through `StoreFetcher` only. It serves the thumbnails of the report's
own photos (and the configured logo) under an internal scheme and refuses every other URL,
file://, http(s)://, data: and the rest, so nothing outside the store reaches a PDF; it
never opens a connection, so there is no redirect to follow. The thumbnails are read
before the render starts: a render touches no database and no file.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from base64 import b64encode
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jinja2
import sqlite_utils
from weasyprint import CSS, HTML, __version__ as weasyprint_version  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

from . import report, wording
from .db import now, writing
from .report import Photo, Report
from .wording import TEMPLATES

PHOTO_SCHEME = "audit-photo"
LOGO_URL = "audit-asset:logo"
DEFAULT_ACCENT = "#1f5fa8"
FONTS = {"zh-Hant": '"Noto Sans CJK TC"'}
DEFAULT_FONT = '"Noto Sans CJK SC"'
LANGUAGE_NAMES = (("zh-Hans", "简体中文"), ("zh-Hant", "繁體中文"), ("en", "English"))
_ACCENT = re.compile(r"^#[0-9a-fA-F]{6}$")
_LOGO_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
_RENDER = threading.Lock()
_FONTS: list[FontConfiguration] = []  # one, made at the first render and reused: fonts load once

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), disabled_extensions=("css",), default=True),
    undefined=jinja2.StrictUndefined,
)
TEMPLATE_VERSION = hashlib.sha256(
    b"".join(p.name.encode() + b"\0" + p.read_bytes() for p in sorted(TEMPLATES.iterdir()) if p.is_file())
    + weasyprint_version.encode()
).hexdigest()


@dataclass(frozen=True)
class Branding:
    """Who the report is from: a name (default: the product's, in the reader's language),
    an optional PNG or JPEG logo, an accent colour #rrggbb."""

    name: str = ""
    logo: bytes | None = field(default=None, repr=False)
    logo_type: str = ""
    accent: str = DEFAULT_ACCENT

    @classmethod
    def load(cls, name: str = "", logo_path: Path | None = None, accent: str = DEFAULT_ACCENT) -> Branding:
        if not _ACCENT.match(accent):
            raise ValueError(f"the accent colour must be #rrggbb, not {accent!r}")
        if logo_path is None:
            return cls(name, None, "", accent)
        data = Path(logo_path).read_bytes()
        kind = next((mime for magic, mime in _LOGO_TYPES if data.startswith(magic)), None)
        if kind is None:
            raise ValueError(f"the logo {logo_path} must be a PNG or JPEG file")
        return cls(name, data, kind, accent)

    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.name}\0{self.accent}\0".encode() + (self.logo or b"")).hexdigest()

    def data_uri(self) -> str | None:
        return f"data:{self.logo_type};base64,{b64encode(self.logo).decode()}" if self.logo else None


class Refused(ValueError):
    """A URL the report may not load."""


class StoreFetcher(URLFetcher):  # type: ignore[misc]
    """Serves the given thumbnails and logo to WeasyPrint; refuses and records everything else."""

    def __init__(self, thumbs: dict[str, bytes], logo: tuple[bytes, str] | None = None) -> None:
        super().__init__(allowed_protocols=(PHOTO_SCHEME, "audit-asset"), allow_redirects=False)
        self._thumbs = thumbs
        self._logo = logo
        self.calls: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        self.calls.append(url)
        if url.startswith(PHOTO_SCHEME + ":"):
            data = self._thumbs.get(url[len(PHOTO_SCHEME) + 1 :])
            if data is not None:
                return URLFetcherResponse(url, data, {"Content-Type": "image/jpeg"})
        elif url == LOGO_URL and self._logo is not None:
            return URLFetcherResponse(url, self._logo[0], {"Content-Type": self._logo[1]})
        self.refused.append(url)
        raise Refused(f"refused: {url[:120]}")


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


def _fonts() -> FontConfiguration:
    if not _FONTS:
        _FONTS.append(FontConfiguration())
    return _FONTS[0]


@functools.lru_cache(maxsize=16)
def _stylesheet(font: str, accent: str) -> CSS:
    """The report's styles parsed once per font and accent colour (call under the render lock)."""
    source = ENV.get_template("report.css").render(font=font, accent=accent)
    return CSS(string=source, url_fetcher=StoreFetcher({}), font_config=_fonts())


def write_pdf(html: str, fetcher: StoreFetcher, *, font: str | None = None, accent: str | None = None) -> bytes:
    """One render at a time: it bounds memory, and the fonts and styles they share are not thread-safe.
    With `font` and `accent`, the report's parsed styles are added to whatever the HTML holds."""
    with _RENDER:
        sheets = [_stylesheet(font, accent)] if font and accent else []
        document = HTML(string=html, url_fetcher=fetcher)
        return document.write_pdf(font_config=_fonts(), stylesheets=sheets)  # type: ignore[no-any-return]


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


def render(prepared: Prepared, branding: Branding, thumbs: dict[str, bytes], *, fetcher: StoreFetcher | None = None) -> bytes:
    """The PDF of a prepared report; touches no database, so it may run in a worker thread.
    A test may pass its own `fetcher` to see what the render asked for."""
    logo = (branding.logo, branding.logo_type) if branding.logo else None
    html = pdf_html(prepared.report, branding)
    fetcher = fetcher or StoreFetcher(thumbs, logo)
    return write_pdf(html, fetcher, font=font_for(prepared.report.lang), accent=branding.accent)


def timed_render(prepared: Prepared, branding: Branding, thumbs: dict[str, bytes]) -> tuple[bytes, float]:
    """The PDF and the seconds it took, which the cache keeps for the benchmarks."""
    started = time.perf_counter()
    data = render(prepared, branding, thumbs)
    return data, time.perf_counter() - started


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


@dataclass(frozen=True)
class Outcome:
    pdf: bytes
    prepared: Prepared
    from_cache: bool


def report_pdf(db: sqlite_utils.Database, visit_uuid: str, lang: str | None, branding: Branding) -> Outcome:
    """The visit's PDF in the language: from the cache when its inputs are unchanged, else rendered and kept."""
    prepared = prepare(db, visit_uuid, lang, branding)
    hit = cached(db, prepared)
    if hit is not None:
        return Outcome(hit, prepared, True)
    data, seconds = timed_render(prepared, branding, thumbnails(db, visit_uuid, prepared.report.photo_ids()))
    store(db, prepared, data, seconds)
    return Outcome(data, prepared, False)

"""WeasyPrint turns the report's HTML into a PDF, in the one process that renders.

WeasyPrint fetches through `StoreFetcher` only. It serves the thumbnails of the report's
own photos (and the configured logo) under an internal scheme and refuses every other URL,
file://, http(s)://, data: and the rest, so nothing outside the store reaches a PDF; it
never opens a connection, so there is no redirect to follow. The thumbnails are read
before the render starts: a render touches no database and no file.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from typing import Any

import sqlite_utils
from weasyprint import CSS, HTML  # type: ignore[import-untyped]
from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]
from weasyprint.urls import URLFetcher, URLFetcherResponse  # type: ignore[import-untyped]

from . import memory
from .branding import Branding
from .pages import (
    ENV,
    LOGO_URL,
    PHOTO_SCHEME,
    Prepared,
    cached,
    font_for,
    pdf_html,
    prepare,
    store,
    thumbnails,
)

_RENDER = threading.Lock()
_FONTS: list[FontConfiguration] = []  # one, made at the first render and reused: fonts load once


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
        data: bytes = document.write_pdf(font_config=_fonts(), stylesheets=sheets)
        del document
        memory.give_back()
        return data


def render(prepared: Prepared, branding: Branding, thumbs: dict[str, bytes], *, fetcher: StoreFetcher | None = None) -> bytes:
    """The PDF of a prepared report; touches no database, so it may run in a worker thread.
    A test may pass its own `fetcher` to see what the render asked for."""
    logo = (branding.logo, branding.logo_type) if branding.logo else None
    html = pdf_html(prepared.report, branding)
    fetcher = fetcher or StoreFetcher(thumbs, logo)
    return write_pdf(html, fetcher, font=font_for(prepared.report.lang), accent=branding.accent)


def html_pdf(html: str) -> bytes:
    """A self-contained page (styles and SVG inline, as HQ's comparison is) as a PDF: it may
    load nothing at all."""
    return write_pdf(html, StoreFetcher({}))


def timed_render(prepared: Prepared, branding: Branding, thumbs: dict[str, bytes]) -> tuple[bytes, float]:
    """The PDF and the seconds it took, which the cache keeps for the benchmarks."""
    started = time.perf_counter()
    data = render(prepared, branding, thumbs)
    return data, time.perf_counter() - started


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

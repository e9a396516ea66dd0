"""The store never reads the inspector's method: no report, web page or PDF, in any language,
holds a checklist's `guidance` or `description`, while every failed item shows its `fix`.

Mystery-shopping codes of conduct require that a shopper's method never reaches the store;
the report is the one thing the store reads, so it is checked for every checklist of the
library, built from demo visits that fail nearly everything (the most the report can show).
"""

from __future__ import annotations

import html
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from audit import db, demo, pages, pdf, report, sync, wording
from audit.branding import Branding
from audit.model import INSPECTOR_ONLY, Checklist, Text

from .test_report_support import body_text, checklists, poppler, squash

LANGS = wording.LANGUAGES
SHORTEST_CLAUSE = 12  # characters, spaces removed: shorter pieces of guidance can match by chance


@dataclass(frozen=True)
class Visit:
    checklist: Checklist
    uuid: str


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Visit]]:
    """A demo visit of every checklist in the library, at quality 0: every item that can fail does."""
    path = tmp_path_factory.mktemp("audience") / "audit.db"
    database = db.connect(path)
    demo.build(database)
    library = list(checklists().values())
    db.record_checklists(database, library)
    visits = []
    for index, checklist in enumerate(library):
        started = datetime(2026, 9, 1 + index, 10, tzinfo=demo.CHINA)
        site = next(s["id"] for s in demo.sites() if s["site_type"] == checklist.site_types[0])
        body, photos = demo.visit_body(checklist, site, random.Random(index), quality=0.0, started=started)
        visit = str(uuid.UUID(int=random.Random(index).getrandbits(128), version=4))
        outcome = sync.put_visit(database, visit, body)
        assert outcome.status == 200, outcome.body
        for photo in outcome.body["photos_missing"]:
            assert sync.put_photo(database, visit, photo, photos[photo]).status == 200
        visits.append(Visit(checklist, visit))
    database.close()
    return path, visits


def inspector_texts(library: list[Checklist]) -> list[str]:
    """Every string of every INSPECTOR_ONLY field in the library, in every language."""
    records: list[object] = []
    for checklist in library:
        records += [checklist, *(section for stage in checklist.stages for section in stage.sections), *checklist.items()]
    texts: list[Text] = [getattr(record, name) for record in records for name in INSPECTOR_ONLY if getattr(record, name, None)]
    assert len(texts) > len(records) / 2, "guidance on every item at least"
    return [value for text in texts for value in text.values()]


def store_texts(library: list[Checklist]) -> str:
    """Everything the store may read of the library and the report's own words, squashed."""
    texts: list[Text] = [wording.TEXT[lang] for lang in LANGS]
    for checklist in library:
        texts += [checklist.title] + [section.title for stage in checklist.stages for section in stage.sections]
        for item in checklist.items():
            texts += [item.text, item.fix, *(choice.label for choice in item.choices), *item.labels.values()]
    return "\n".join(squash(value) for text in texts for value in text.values())


def clauses(text: str) -> list[str]:
    return [squash(piece) for piece in re.split(r"[。；：;:!?！？（）()“”\"]|\.\s|,\s|，", text)]


def method_pieces(library: list[Checklist]) -> list[str]:
    """What to look for: each inspector-only string whole, and each of its clauses that is long
    enough to be its own words and is not also written somewhere the store may read (a clause
    of guidance may quote the standard or a choice's label)."""
    allowed = store_texts(library)
    pieces = []
    for text in inspector_texts(library):
        pieces.append(squash(text))
        pieces += [c for c in clauses(text) if len(c) >= SHORTEST_CLAUSE and c not in allowed]
    return pieces


@pytest.fixture(scope="module")
def method() -> list[str]:
    return method_pieces(list(checklists().values()))


def leaks(shown: str, method: list[str], same: Callable[[str], str] = str) -> list[str]:
    """The pieces of method in what the store is shown; `same` puts both sides in the form the
    shown text went through."""
    flat = same(squash(shown))
    return [piece for piece in method if same(piece) in flat]


def unbroken(text: str) -> str:
    """PDF text as it reads: pdftotext joins a word broken at a hyphen and drops the hyphen."""
    return text.replace("-", "").replace("\u00ad", "")


def failed_fixes(r: report.Report) -> list[str]:
    return [f.fix for f in r.critical + r.failures]


@pytest.mark.parametrize("lang", LANGS)
def test_web_report_shows_fixes_and_no_method(store: tuple[Path, list[Visit]], method: list[str], lang: str) -> None:
    path, visits = store
    database = db.connect(path)
    for visit in visits:
        r = report.build(database, visit.uuid, lang)
        page = html.unescape(pages.web_html(r, Branding.load()))
        assert r.critical + r.failures, visit.checklist.id
        assert all(failed_fixes(r)), "every item of the library has a fix"
        for fix in failed_fixes(r):
            assert fix in page, (visit.checklist.id, lang, fix)
        assert wording.TEXT[lang]["fix"] in page
        assert leaks(page, method) == [], (visit.checklist.id, lang)
    database.close()


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_report_shows_fixes_and_no_method(store: tuple[Path, list[Visit]], method: list[str], lang: str, tmp_path: Path) -> None:
    path, visits = store
    database = db.connect(path)
    for visit in visits:
        outcome = pdf.report_pdf(database, visit.uuid, lang, Branding.load())
        file = tmp_path / f"{visit.checklist.id}-{lang}.pdf"
        file.write_bytes(outcome.pdf)
        whole, body = poppler("pdftotext", file), body_text(file)
        flat = unbroken(squash(body))
        for fix in failed_fixes(outcome.prepared.report):
            assert unbroken(squash(fix)) in flat, (visit.checklist.id, lang, fix)
        for shown in (whole, body):  # the whole text, and the body with a page break's header and footer cut out
            assert leaks(shown, method, unbroken) == [], (visit.checklist.id, lang)
    database.close()


def test_the_check_would_catch_a_leak(method: list[str]) -> None:
    """The guard is not vacuous: most of the method is looked for clause by clause, and a page
    that printed one guidance, or one clause of it, would fail."""
    guidance = next(iter(checklists().values())).items()[2].guidance["en"]
    assert len(method) > 3 * len(inspector_texts(list(checklists().values())))
    assert leaks(f"<p>{guidance}</p>", method)
    clause = max(clauses(guidance), key=len)
    assert clause in method and clause in leaks(f"Found: no · {clause}.", method)

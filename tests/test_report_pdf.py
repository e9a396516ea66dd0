"""The visit report as a PDF, read back with poppler: text, fonts, pages as images; safe
rendering against hostile text; the per-language cache; the `audit report` command."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlite_utils
from PIL import Image
from starlette.testclient import TestClient

from audit import db, demo, pages, pdf, report
from audit.app import create_app
from audit.branding import Branding
from audit.startup import Settings

from .conftest import ROOT, sign_in
from .test_report_support import (
    CST,
    HOME,
    Store,
    add_visit,
    body_text,
    fill,
    fonts,
    hostile_texts,
    hostile_visit,
    poppler,
    squash,
    supermarket,
    trap,
)

LANGS = ("zh-Hans", "zh-Hant", "en")
FONT = {"zh-Hans": "Noto-Sans-CJK-SC", "zh-Hant": "Noto-Sans-CJK-TC", "en": "Noto-Sans-CJK-SC"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return fill(tmp_path_factory.mktemp("report-pdf") / "audit.db")


@pytest.fixture(scope="module")
def rendered(store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, report.Report]]:
    """The latest home visit's PDF in each language, written to files poppler can read."""
    folder = tmp_path_factory.mktemp("pdfs")
    database = db.connect(store.path)
    out = {}
    for lang in LANGS:
        outcome = pdf.report_pdf(database, store.latest, lang, Branding.load())
        path = folder / f"report-{lang}.pdf"
        path.write_bytes(outcome.pdf)
        out[lang] = (path, outcome.prepared.report)
    database.close()
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_text_has_scores_failures_and_chinese(rendered: dict[str, tuple[Path, report.Report]], lang: str) -> None:
    path, r = rendered[lang]
    flat = squash(body_text(path))
    whole = squash(poppler("pdftotext", path))
    score = f"{r.score:.1f}".removesuffix(".0")
    assert score in flat and squash(r.band) in flat
    for stage in r.stages:
        assert squash(stage.label) in flat
    for finding in r.critical + r.failures:
        assert squash(finding.text) in flat, finding.item_id
        assert squash(finding.fix) in flat, finding.item_id
        if finding.note:
            assert squash(finding.note) in flat
    for wait in r.waits:
        assert squash(wait.measured) in flat
    assert squash(r.branch) in flat and squash(r.checklist) in whole and squash(r.version) in whole
    pages = int(next(line.split()[-1] for line in poppler("pdfinfo", path).splitlines() if line.startswith("Pages:")))
    assert pages >= 2 and f"1/{pages}" in whole and f"{pages}/{pages}" in whole, "every page is numbered n / N"
    expected = {"zh-Hans": ["上海徐家汇店", "售前", "关键项不通过", "超市服务细节检查表"],
                "zh-Hant": ["上海徐家匯店", "售後", "關鍵項不通過", "超市服務細節檢查表"],
                "en": ["Shanghai Xujiahui", "Critical failures", "Waits timed"]}[lang]
    for words in expected:
        assert squash(words) in flat, words


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_embeds_only_the_noto_cjk_font_of_its_language(rendered: dict[str, tuple[Path, report.Report]], lang: str) -> None:
    found = fonts(rendered[lang][0])
    assert found and {name for name, _ in found} == {FONT[lang]}
    assert all(embedded == "yes" for _, embedded in found)


def test_pdf_pages_render_as_images(rendered: dict[str, tuple[Path, report.Report]], tmp_path: Path) -> None:
    """Every page renders (pdftoppm -r 60); the cover shows the band's colour. The pages were
    looked at while this report was built; they land in tmp_path for anyone who wants to look."""
    for lang in LANGS:
        path, r = rendered[lang]
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / lang)], check=True, timeout=60)
        pages = sorted(tmp_path.glob(f"{lang}-*.png"))
        assert len(pages) >= 2
        for page in pages:
            image = Image.open(page).convert("L")
            assert abs(image.size[0] - 496) <= 1 and abs(image.size[1] - 702) <= 1  # A4 at 60 dpi
            darkest, _ = image.getextrema()
            assert isinstance(darkest, int) and darkest < 100, f"{page.name} is blank"
        cover = Image.open(pages[0]).convert("RGB")
        assert r.band_tone == "bad"
        colours: list[tuple[int, tuple[int, int, int]]] = cover.getcolors(1 << 24) or []  # type: ignore[assignment]
        red = sum(n for n, (r_, g, b) in colours if r_ > 150 and g < 70 and b < 70)
        assert red > 1500, "the score box is filled with the fail colour"


def test_hostile_notes_fetch_and_embed_nothing(store: Store, tmp_path: Path) -> None:
    database = db.connect(store.path)
    with trap() as (base, hits):
        visit = hostile_visit(database, base, started=datetime(2026, 11, 2, 9, tzinfo=CST))
        prepared = pages.prepare(database, visit, "en", Branding.load())
        photo_ids = prepared.report.photo_ids()
        thumbs = pages.thumbnails(database, visit, photo_ids)
        fetcher = pdf.StoreFetcher(thumbs)
        data = pdf.render(prepared, Branding.load(), thumbs, fetcher=fetcher)
    database.close()
    assert photo_ids, "the hostile visit has evidence photos too"
    assert sorted(set(fetcher.calls)) == sorted(f"{pages.PHOTO_SCHEME}:{p}" for p in photo_ids), "only its own photos were asked for"
    assert fetcher.refused == [] and hits == []
    path = tmp_path / "hostile.pdf"
    path.write_bytes(data)
    assert poppler("pdfdetach", path, "-list").strip() == "0 embedded files"
    for marker in (b"root:x:0:0", b"/EmbeddedFile", b"/FileAttachment", b"/URI", b"/Launch", b"/JavaScript"):
        assert marker not in data, marker
    flat = squash(body_text(path))
    for text in hostile_texts(base):
        assert squash(text) in flat, "shown as the text it is"


def test_raw_hostile_html_is_refused_by_the_fetcher(tmp_path: Path) -> None:
    """Defence in depth: even markup that escaped escaping loads nothing."""
    with trap() as (base, hits):
        html = f"""<html><head><base href="{base}/"><link rel=stylesheet href="{base}/a.css">
            <style>@import url("{base}/b.css"); @font-face {{ font-family: x; src: url({base}/f.woff) }}
            p {{ background: url(file:///etc/hostname) }}</style></head><body>
            <link rel=attachment href=file:///etc/passwd><a rel=attachment href="file:///etc/hosts">a</a>
            <img src=http://169.254.169.254/latest/meta-data/><img src="relative.png"><img src="data:image/png;base64,iVBORw0KGgo=">
            <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="file:///etc/passwd"/></svg>
            <object data="file:///etc/passwd"></object><embed src="{base}/e.svg"><iframe src="file:///etc/passwd"></iframe>
            <p style="font-family: x">text</p></body></html>"""
        fetcher = pdf.StoreFetcher({})
        data = pdf.write_pdf(html, fetcher)
    assert hits == [], "no request reached the network"
    assert fetcher.refused == fetcher.calls and len(fetcher.calls) >= 6
    assert any(url.startswith("file:///etc/passwd") for url in fetcher.calls)
    path = tmp_path / "raw.pdf"
    path.write_bytes(data)
    assert poppler("pdfdetach", path, "-list").strip() == "0 embedded files"
    assert b"root:x:0:0" not in data and b"/EmbeddedFile" not in data


def test_fetcher_serves_only_the_reports_own_photos() -> None:
    own = "4f1c2b3a-0000-4000-8000-00000000beef"
    fetcher = pdf.StoreFetcher({own: b"\xff\xd8jpeg"}, (b"\x89PNG\r\n\x1a\nlogo", "image/png"))
    assert fetcher.fetch(f"{pages.PHOTO_SCHEME}:{own}").read() == b"\xff\xd8jpeg"
    assert fetcher.fetch(pages.LOGO_URL).content_type == "image/png"
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/",
        "https://example.com/x.png",
        "data:text/plain,hello",
        "ftp://example.com/x",
        f"{pages.PHOTO_SCHEME}:00000000-0000-4000-8000-000000000000",
        f"{pages.PHOTO_SCHEME}:../../etc/passwd",
        "audit-asset:other",
    ):
        with pytest.raises(pdf.Refused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 8


def test_branding_logo_name_and_colour(store: Store, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 80), (0, 128, 96)).save(logo)
    branding = Branding.load(name="Fresh Foods 鲜丰", logo_path=logo, accent="#008060")
    database = db.connect(store.path)
    prepared = pages.prepare(database, store.visits[HOME][0], "en", branding)
    thumbs = pages.thumbnails(database, prepared.report.visit_uuid, prepared.report.photo_ids())
    fetcher = pdf.StoreFetcher(thumbs, (branding.logo or b"", branding.logo_type))
    data = pdf.render(prepared, branding, thumbs, fetcher=fetcher)
    web = pages.web_html(prepared.report, branding)
    database.close()
    assert pages.LOGO_URL in fetcher.calls and fetcher.refused == []
    assert 'src="data:image/png;base64,' in web and "Fresh Foods 鲜丰" in web
    path = tmp_path / "branded.pdf"
    path.write_bytes(data)
    flat = squash(poppler("pdftotext", path))
    assert flat.count(squash("Fresh Foods 鲜丰")) >= 2, "on the cover and in the running header"
    assert {name for name, _ in fonts(path)} == {FONT["en"]}
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(path), str(tmp_path / "cover")], check=True, timeout=60)
    cover = Image.open(next(tmp_path.glob("cover*.png"))).convert("RGB")
    colours: list[tuple[int, tuple[int, int, int]]] = cover.getcolors(1 << 24) or []  # type: ignore[assignment]
    assert sum(n for n, (r_, g, b) in colours if r_ < 20 and 110 < g < 145 and 80 < b < 110) > 300, "the logo is drawn"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    store = fill(tmp_path / "audit.db")
    with TestClient(create_app(Settings(db_path=store.path))) as test_client:
        test_client.store = store  # type: ignore[attr-defined]
        yield sign_in(test_client, demo.manager_name(HOME))


def cache_rows(path: Path) -> list[dict[str, object]]:
    database = sqlite_utils.Database(path)
    rows = list(database.query("SELECT visit_uuid, lang, inputs_hash, rendered_at FROM report_cache ORDER BY lang"))
    database.close()
    return rows


def test_pdf_is_rendered_once_per_language_then_served_from_the_cache(client: TestClient) -> None:
    store: Store = client.store  # type: ignore[attr-defined]
    url = f"/visits/{store.latest}/report.pdf"
    first = client.get(url, params={"lang": "zh-Hant"})
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    assert first.content.startswith(b"%PDF-") and first.headers["content-language"] == "zh-Hant"
    assert f"report-{HOME}-2026-10-07-zh-Hant.pdf" in first.headers["content-disposition"]
    times = []
    for _ in range(7):
        started = time.perf_counter()
        again = client.get(url, params={"lang": "zh-Hant"})
        times.append(time.perf_counter() - started)
        assert again.content == first.content
    assert statistics.median(times) < 0.05, f"a repeated download took {statistics.median(times) * 1000:.0f} ms"
    assert len(cache_rows(store.path)) == 1
    revalidated = client.get(url, params={"lang": "zh-Hant"}, headers={"If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304 and revalidated.content == b""
    client.get(url, params={"lang": "en"})
    client.get(url)  # the checklist's default language
    assert [row["lang"] for row in cache_rows(store.path)] == ["en", "zh-Hans", "zh-Hant"]


def test_the_cache_follows_the_reports_inputs(store: Store, tmp_path: Path) -> None:
    database = db.connect(tmp_path / "copy.db")
    source = db.connect(store.path)
    source.conn.backup(database.conn)
    source.close()
    visit = store.visits[HOME][1]
    branding = Branding.load()
    first = pdf.report_pdf(database, visit, "en", branding)
    assert not first.from_cache and pdf.report_pdf(database, visit, "en", branding).from_cache
    other = pdf.report_pdf(database, visit, "en", Branding.load(name="Fresh Foods", accent="#225522"))
    assert not other.from_cache and other.prepared.key != first.prepared.key, "new branding, new PDF"
    add_visit(database, supermarket(), f"{HOME}-supermarket", seed=9, quality=1.0, started=datetime(2026, 8, 1, 9, tzinfo=CST))
    changed = pdf.report_pdf(database, visit, "en", branding)
    assert not changed.from_cache and changed.prepared.key != first.prepared.key, "an earlier visit synced late"
    assert pdf.report_pdf(database, visit, "en", branding).from_cache
    assert database["report_cache"].count_where("visit_uuid = ?", [visit]) == 1, "one row per visit and language, replaced when stale"
    database.close()


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "audit", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_report_command(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "latest.pdf"
    result = run_cli("report", "--db", str(store.path), "--latest", "--lang", "zh-Hant", "-o", str(out))
    assert result.returncode == 0, result.stderr
    database = db.connect(store.path)
    latest = report.latest_visit(database)
    database.close()
    assert latest is not None and latest in result.stdout and "zh-Hant" in result.stdout
    assert "上海徐家匯店" in squash(poppler("pdftotext", out)), "the latest visit is the home branch's, in Traditional"
    by_id = tmp_path / "visit.pdf"
    result = run_cli("report", "--db", str(store.path), "--visit", store.latest[:10], "-o", str(by_id))
    assert result.returncode == 0, result.stderr
    assert "上海徐家汇店" in squash(poppler("pdftotext", by_id)), "the checklist's default language, zh-Hans"
    for bad in (
        ["--latest", "--visit", store.latest],
        [],
        ["--visit", "ffffffff-0000"],
        ["--latest", "--lang", "fr"],
    ):
        result = run_cli("report", "--db", str(store.path), *bad, "-o", str(tmp_path / "x.pdf"))
        assert result.returncode == 2 and "Traceback" not in result.stderr, bad
    assert not (tmp_path / "x.pdf").exists()

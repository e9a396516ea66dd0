"""The HQ charts: well-formed SVG with no style anywhere, named for assistive technology, one
mark per datum, gaps where data is missing, escaped labels, the same bytes every time; and
the PDF made of them, read back with poppler, Chinese labels included."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from audit import charts, pdf, svg

from . import chart_cases as cases
from .test_report_support import fonts, poppler

SVG = "{http://www.w3.org/2000/svg}"
CHARTS = cases.all_charts()


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def marks(root: ET.Element, tag: str, class_: str) -> list[ET.Element]:
    return [e for e in root.iter(SVG + tag) if e.get("class") == class_]


def texts(root: ET.Element) -> list[str]:
    return [e.text or "" for e in root.iter(SVG + "text")]


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_is_standalone_svg_without_style(name: str) -> None:
    markup = CHARTS[name]()
    root = parse(markup)
    assert root.tag == SVG + "svg"
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", ""))
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("role") == "img" and root.get("aria-label")
    assert root[0].tag == SVG + "title" and root[0].text == root.get("aria-label")
    assert root[1].tag == SVG + "desc" and root[1].text
    assert root.get("font-family", "").startswith("'Noto Sans CJK SC',") and root.get("lang") == "zh-Hans"
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag not in (SVG + "style", SVG + "foreignObject")
    assert "dominant-baseline" not in markup and "<style" not in markup


@pytest.mark.parametrize("name", CHARTS)
def test_same_input_same_bytes(name: str) -> None:
    assert CHARTS[name]() == CHARTS[name]()


def test_ranking_bars_marks_and_pass_line() -> None:
    rows = cases.ranking_rows()
    root = parse(charts.ranking(rows, pass_line=80, labels=cases.RANKING_LABELS))
    bars = marks(root, "rect", "bar")
    assert len(bars) == sum(r.score is not None for r in rows)
    words = texts(root)
    assert "92.4 n=6" in words and "100.0 n=14" in words
    assert "97.5 n=2 †" in words, "too few visits: marked"
    assert "† 到访次数太少，不宜排名" in words, "and the mark explained"
    assert "暂无得分" in words, "no score: no bar, the words instead"
    assert "合格线 80.0" in words and len(marks(root, "path", "pass")) == 1
    assert [w for w in words if w in ("0", "25", "50", "75", "100")] == ["0", "25", "50", "75", "100"]
    few = [b for b in bars if b.get("stroke-dasharray")]
    assert len(few) == 2 and all(b.get("fill") in charts.TINT.values() for b in few)
    assert sum(b.get("fill") == charts.VERMILLION for b in bars) == 1, "the highlighted branch"
    plain = parse(charts.ranking(rows[:2], labels={**cases.RANKING_LABELS, "pass": "unused"}))
    assert not marks(plain, "path", "pass") and not any("†" in w for w in texts(plain))


def test_ranking_pass_line_stops_at_the_values_it_crosses() -> None:
    rows = [charts.Ranked("甲", 78.0, 9), charts.Ranked("乙", 95.0, 9)]
    root = parse(charts.ranking(rows, pass_line=80, labels=cases.RANKING_LABELS))
    d = marks(root, "path", "pass")[0].get("d", "")
    assert d.count("M") == 2, "one break, at 78.0's value"


def test_long_labels_are_cut_with_the_whole_as_tooltip() -> None:
    root = parse(CHARTS["ranking"]())
    cut = [t for t in texts(root) if t.startswith("北京三里屯")]
    assert cut == ["北京三里屯太古里旗…"]
    assert cases.LONG in [t.text for t in root.iter(SVG + "title")]
    assert svg.fit("上海徐家汇店", 1000, 12) == "上海徐家汇店"
    assert svg.width("上海", 12) == 24 and svg.width("an", 10) == pytest.approx(11.2)
    assert svg.width("WM", 10) > svg.width("AB", 10) > svg.width("ab", 10) > svg.width("il", 10)


def test_labels_are_escaped() -> None:
    markup = charts.bars([charts.Rate(cases.HOSTILE + "\x07", 0.5, 1, 2)], labels={"title": "<&>", "none": "–"})
    assert "A&amp;B &lt;测试&gt; &quot;店&quot;" in markup and "\x07" not in markup
    root = parse(markup)
    assert root.get("aria-label") == "<&>"
    assert cases.HOSTILE in texts(root)


def test_trend_breaks_lines_where_months_have_no_score() -> None:
    months = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    series = [
        charts.Series("华东区", [("2026-01", 80.0, 4), ("2026-02", None, 0), ("2026-03", 70.0, 3), ("2026-04", 75.5, 5)]),
        charts.Series("华北区", [("2026-03", 60.0, 2)]),
    ]
    root = parse(charts.trend(series, months, pass_line=75, labels=cases.TREND_LABELS))
    assert len(marks(root, "circle", "point")) == 3 and len(marks(root, "rect", "point")) == 1
    lines = marks(root, "path", "line")
    assert len(lines) == 1, "a single point draws no line"
    d = lines[0].get("d", "")
    assert re.fullmatch(r"M[\d.]+ [\d.]+ M[\d.]+ [\d.]+ L[\d.]+ [\d.]+", d), d
    assert "合格线 75.0" in texts(root)
    desc = root[1].text or ""
    assert "华东区: 2026-01 80.0 (4 次到访), 2026-02 –" in desc


def test_trend_thins_month_labels_and_keeps_the_last() -> None:
    months = [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)]
    root = parse(charts.trend([charts.Series("全连锁", [(m, 80.0, 1) for m in months])], months, labels=cases.TREND_LABELS))
    shown = [t for t in texts(root) if t in months]
    assert 4 <= len(shown) < 12 and shown[-1] == "2026-12"
    assert len(marks(root, "circle", "point")) == 36


def test_series_styles_differ_for_eight_and_more() -> None:
    styles = [charts._style(k) for k in range(32)]
    assert len(set(styles)) == 32


def test_heatmap_cells_colours_and_not_observed() -> None:
    rows, columns, cells = cases.heatmap_data()
    root = parse(charts.heatmap(rows, columns, cells, labels=cases.HEATMAP_LABELS))
    found = marks(root, "rect", "cell")
    assert len(found) == len(rows) * len(columns) == 280
    missing = sum(c.rate is None for line in cells for c in line)
    assert sum(c.get("fill") == charts.NO_DATA for c in found) == missing > 0
    words = texts(root)
    assert words.count("–") == missing
    assert "100%" in words and "0%" in words, "28 columns leave room for the rate in each cell"
    assert "– 未观察到" in words
    tips = [t.text for t in root.iter(SVG + "title")]
    assert "顾客进门三秒内有人问候 · 上海徐家汇店: 100% (n=5)" in tips
    assert "顾客进门三秒内有人问候 · 上海静安寺店: 0% (n=250)" in tips, "0.4% reads 0% and is coloured as 0%"
    assert found[2].get("fill") == charts.HEAT[0][1]
    with pytest.raises(ValueError):
        charts.heatmap(rows, columns, cells[:-1], labels=cases.HEATMAP_LABELS)


@pytest.mark.parametrize(("branches", "rates_shown"), [(30, True), (60, False)])
def test_heatmap_shows_rates_while_they_fit_and_the_dash_always(branches: int, rates_shown: bool) -> None:
    columns = [f"B{j}" for j in range(branches)]
    cells = [[charts.Cell(1.0, 3), charts.Cell(None, 0), *[charts.Cell(0.1, 3)] * (branches - 2)]]
    words = texts(parse(charts.heatmap(["甲"], columns, cells, labels=cases.HEATMAP_LABELS)))
    assert ("100%" in words) is rates_shown and "–" in words


def test_bars_show_rate_and_counts() -> None:
    rows = cases.bar_rows()
    root = parse(charts.bars(rows, labels=cases.BARS_LABELS))
    assert len(marks(root, "rect", "bar")) == len(rows) - 1
    words = texts(root)
    assert "68% 41/60" in words and "50% 1/2" in words and "0% 0/30" in words and "未观察到" in words
    assert "100%" in words


def test_spread_dots_beyond_the_threshold_stand_out() -> None:
    rows = cases.spread_rows()
    root = parse(charts.spread(rows, threshold=10, labels=cases.SPREAD_LABELS))
    dots = [e for e in root.iter() if e.get("class") == "point"]
    assert len(dots) == sum(r.mean is not None for r in rows)
    beyond = [d for d in dots if d.get("fill") == charts.VERMILLION]
    assert len(beyond) == sum(r.mean is not None and abs(r.mean) > 10 for r in rows) == 4
    words = texts(root)
    assert "−18.4 n=4" in words and "+14.9 n=11" in words and "0.0 n=7" in words and "无共同门店" in words
    assert "−30" in words and "+30" in words and "0" in words, "a symmetric axis wide enough for +23"


def test_pdf_has_the_chinese_labels_as_text(tmp_path: Path) -> None:
    fetcher = pdf.StoreFetcher({})
    target = tmp_path / "charts.pdf"
    target.write_bytes(pdf.write_pdf(cases.page(), fetcher))
    assert fetcher.refused == []
    text = poppler("pdftotext", target)
    for words in ("上海徐家汇店", "北京三里屯太古里旗…", "合格线 80.0", "到访次数太少，不宜排名", "华东区", "顾客进门三秒内有人问候",
                  "检查员 A03", "与同事平均偏差超过阈值", "A&B <测试>", "2026-06"):
        assert words in text, words
    assert {family for family, _ in fonts(target)} == {"Noto-Sans-CJK-SC"}
    hant = tmp_path / "hant.pdf"
    rows = [charts.Ranked("臺北信義門市", 88.5, 7), charts.Ranked("高雄夢時代門市", 71.0, 2, few=True)]
    labels = {**cases.RANKING_LABELS, "few": "到訪次數太少，不宜排名"}
    hant.write_bytes(pdf.write_pdf(f'<html lang="zh-Hant"><meta charset="utf-8">{charts.ranking(rows, labels=labels, lang="zh-Hant")}', fetcher))
    assert "臺北信義門市" in poppler("pdftotext", hant) and "到訪次數太少，不宜排名" in poppler("pdftotext", hant)
    assert {family for family, _ in fonts(hant)} == {"Noto-Sans-CJK-TC"}, "Traditional Chinese in its own face, as in the report"
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(target), str(tmp_path / "charts")], check=True, timeout=60)
    assert len(list(tmp_path.glob("charts-*.png"))) >= 3
    print(f"pages as images: {tmp_path}")

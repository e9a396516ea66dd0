"""Data for the chart tests (this module holds no tests): a chain with Chinese names, long
names, unscored branches and months, and a page that holds every chart as the dashboard and
the PDF will."""

from __future__ import annotations

import random
from collections.abc import Callable

from audit import charts

CITIES = ("上海", "北京", "广州", "深圳", "杭州", "南京", "成都")
DISTRICTS = ("徐家汇", "静安寺", "国贸", "天河", "福田", "西湖", "新街口", "春熙路")
BRANCHES = [f"{city}{district}店" for city in CITIES for district in DISTRICTS][:28]
LONG = "北京三里屯太古里旗舰店（含夜间营业部）"
HOSTILE = "A&B <测试> \"店\""
MONTHS = [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 7)]

RANKING_LABELS = {"title": "各分店得分排名", "n": "次到访", "none": "暂无得分", "few": "到访次数太少，不宜排名", "pass": "合格线"}
TREND_LABELS = {"title": "各区域月度得分", "n": "次到访", "pass": "合格线"}
HEATMAP_LABELS = {"title": "各分店细节不通过率", "n": "次观察", "none": "未观察到"}
BARS_LABELS = {"title": "全连锁最常不通过的细节", "none": "未观察到"}
SPREAD_LABELS = {"title": "检查员评分校准", "n": "个共同门店", "none": "无共同门店", "beyond": "与同事平均偏差超过阈值"}

DETAILS = [
    "顾客进门三秒内有人问候",
    "店员佩戴工牌且清晰可见",
    "试衣间有人引导并询问尺码是否合适，离开时主动询问是否需要其他款式",
    "收银台排队不超过三人",
    "主动介绍会员积分",
    "结账后道别并邀请再次光临",
    "货架无空位，价签与商品一致",
    "地面、台面无明显污渍",
    "Staff offer help within 2 minutes",
    HOSTILE,
]


def ranking_rows() -> list[charts.Ranked]:
    scores = [92.4, 88.0, 86.5, 81.25, 79.9, 75.0, 71.3, 64.8, 100.0]
    rows = [
        charts.Ranked(name, score, 6 + i, rank=i + 1, highlight=name == "上海徐家汇店")
        for i, (name, score) in enumerate(zip([BRANCHES[0], BRANCHES[1], LONG, *BRANCHES[3:8], "SHANGHAI XUJIAHUI MEGASTORE WWW"], scores))
    ]
    rows.append(charts.Ranked(HOSTILE, 97.5, 2, few=True))
    rows.append(charts.Ranked("广州天河店", 58.0, 1, few=True, highlight=True))
    rows.append(charts.Ranked("成都春熙路店", None, 0))
    return rows


def trend_series() -> list[charts.Series]:
    regions = ("华东区", "华北区", "华南区", "西南区", "全连锁", "East region with a long name", HOSTILE, "华中区")
    out = []
    for k, region in enumerate(regions):
        rng = random.Random(k)
        level = 62.0 + 4 * k
        points: list[tuple[str, float | None, int]] = []
        for i, month in enumerate(MONTHS):
            level = min(99.0, max(40.0, level + rng.uniform(-6, 7)))
            missing = (k == 1 and i in (3, 4)) or (k == 2 and i in (0, 7, 9)) or (k == 3 and i % 2 == 0)
            points.append((month, None if missing else round(level, 2), 3 + k))
        out.append(charts.Series(region, points))
    return out


def heatmap_data() -> tuple[list[str], list[str], list[list[charts.Cell]]]:
    columns = [LONG, *BRANCHES[:27]]
    cells = [
        [charts.Cell(None if (i + j) % 11 == 0 else ((i * 7 + j * 13) % 101) / 100 * (i % 4) / 3, 4 + (i + j) % 9) for j in range(len(columns))]
        for i in range(len(DETAILS))
    ]
    cells[0][1] = charts.Cell(1.0, 5)
    cells[0][2] = charts.Cell(0.004, 250)
    return DETAILS, columns, cells


def bar_rows() -> list[charts.Rate]:
    counts = [(41, 60), (30, 58), (22, 61), (15, 59), (9, 40), (5, 62), (1, 2), (0, 30)]
    rows = [charts.Rate(label, failed / observed, failed, observed) for label, (failed, observed) in zip(DETAILS, counts)]
    return rows + [charts.Rate(HOSTILE, None, 0, 0)]


def spread_rows() -> list[charts.Deviation]:
    means = [-18.4, -11.0, -4.2, 0.0, 2.5, 6.7, 10.0, 14.9, 23.0]
    rows = [
        charts.Deviation(f"检查员 {chr(65 + i)}{i + 3:02d}", mean, 4 + i, mean - 4 - i % 3, mean + 3 + i % 4)
        for i, mean in enumerate(means)
    ]
    return rows + [charts.Deviation("Inspector with no shared sites", None, 0), charts.Deviation(HOSTILE, -2.0, 3)]


def all_charts() -> dict[str, Callable[[], str]]:
    """Each chart as the dashboard asks for it, by name."""
    rows, columns, cells = heatmap_data()
    return {
        "ranking": lambda: charts.ranking(ranking_rows(), pass_line=80, labels=RANKING_LABELS),
        "trend": lambda: charts.trend(trend_series(), MONTHS, pass_line=75, labels=TREND_LABELS),
        "heatmap": lambda: charts.heatmap(rows, columns, cells, labels=HEATMAP_LABELS),
        "bars": lambda: charts.bars(bar_rows(), labels=BARS_LABELS),
        "spread": lambda: charts.spread(spread_rows(), threshold=10, labels=SPREAD_LABELS),
    }


PAGE_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; margin: 0; color: #1d2330; }
h2 { font-size: 11pt; font-weight: normal; margin: 0 0 2mm; }
section { margin: 0 0 4mm; }
@media print {
  section { page-break-inside: avoid; }
  .rows svg { width: 125mm; }
  .trend svg { width: 180mm; }
}
@media screen {
  body { padding: 12px; max-width: 1100px; }
  .rows svg, .trend svg { max-width: 640px; }
  .wide { overflow-x: auto; }
  .wide svg { min-width: 900px; }
}
"""


def page(css_href: str | None = None) -> str:
    """Every chart in one zh-Hans page; styles inline for WeasyPrint, or linked (a strict
    Content-Security-Policy allows no inline style) for the browser."""
    head = f'<link rel="stylesheet" href="{css_href}">' if css_href else f"<style>{PAGE_CSS}</style>"
    kinds = {"ranking": "rows", "bars": "rows", "spread": "rows", "trend": "trend", "heatmap": "wide"}
    sections = "".join(f'<section class="{kinds[name]}" id="{name}"><h2>{name}</h2>{make()}</section>' for name, make in all_charts().items())
    return f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">{head}</head><body>{sections}</body></html>'

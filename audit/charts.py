"""HQ's comparison charts as SVG made on the server: data in, one `<svg>` string out.

The same markup goes inline into the dashboard and into the PDF (WeasyPrint, which has no
foreignObject); svg.py holds what they are drawn with. Same input, same bytes: the output can
be cached and compared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .svg import (
    AXIS,
    BAND,
    BLUE,
    FEW,
    GRID,
    HEAT,
    INK,
    MINUS,
    MUTED,
    NO_DATA,
    SERIES,
    SIZE,
    SMALL,
    TINT,
    VERMILLION,
    esc,
    fit,
    middle,
    num,
    pct,
    score_text,
    signed,
    svg_document,
    tag,
    text_at,
    width,
)


@dataclass(frozen=True)
class Ranked:
    """A branch or region in a ranking: `few` when its visits are too few to rank it fairly."""

    label: str
    score: float | None
    n: int
    few: bool = False
    rank: int | None = None
    highlight: bool = False


@dataclass(frozen=True)
class Series:
    """One line of a trend: (month "YYYY-MM", score or None, visits) in any order."""

    label: str
    points: Sequence[tuple[str, float | None, int]]


@dataclass(frozen=True)
class Cell:
    """One detail at one branch: the share of observations that failed, None if never observed."""

    rate: float | None
    n: int


@dataclass(frozen=True)
class Rate:
    """A detail's failure rate across the chain, with the counts behind it."""

    label: str
    rate: float | None
    failed: int
    observed: int


@dataclass(frozen=True)
class Deviation:
    """An inspector's mean score minus their colleagues' on the same sites, in points; `low`
    and `high` (optional) draw a whisker."""

    label: str
    mean: float | None
    n: int
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class _Bar:
    label: str
    rank: str
    share: float | None
    text: str
    colour: str
    tint: bool
    band: bool
    tip: str


# Rows of horizontal bars or dots: label column, plot, the value at the end of each row.
W, PAD, LABEL, END, ROW, BAR = 480, 8, 150, 96, 24, 14
X0 = PAD + LABEL + 6
PLOT = W - X0 - END


def _ticks(ticks: Sequence[tuple[float, str]], top: float, bottom: float) -> list[str]:
    """Vertical gridlines at shares 0..1 of the plot, their labels under the last row."""
    out = []
    for share, text in ticks:
        x = X0 + share * PLOT
        out.append(tag("line", x1=x, y1=top, x2=x, y2=bottom, stroke=GRID, stroke_width=1))
        out.append(text_at(x, bottom + 14, text, size=SMALL, anchor="middle", fill=MUTED))
    return out


def _notes(notes: Sequence[str], y: float) -> list[str]:
    return [text_at(PAD, y + 16 * i, note, room=W - 2 * PAD, size=SMALL, fill=MUTED) for i, note in enumerate(notes)]


def _hbars(items: Sequence[_Bar], *, title: str, desc: str, ticks: Sequence[tuple[float, str]],
           rule: tuple[float, str] | None, notes: Sequence[str], lang: str) -> str:
    top = 26 if rule else 8
    bottom = top + len(items) * ROW
    body = [tag("rect", x=0, y=top + i * ROW, width=W, height=ROW, fill=BAND) for i, item in enumerate(items) if item.band]
    body += _ticks(ticks, top, bottom)
    body.append(tag("line", x1=X0, y1=top, x2=X0, y2=bottom, stroke=AXIS, stroke_width=1))
    spans: list[tuple[float, float]] = []
    label_x = PAD + (26 if any(item.rank for item in items) else 0)
    for i, item in enumerate(items):
        y = top + i * ROW
        if item.rank:
            body.append(text_at(label_x - 6, middle(y + ROW / 2), item.rank, anchor="end", fill=MUTED))
        body.append(text_at(label_x, middle(y + ROW / 2), item.label, room=X0 - 6 - label_x))
        end = X0 + 4.0
        if item.share is not None:
            length = min(max(item.share, 0.0), 1.0) * PLOT
            body.append(tag("rect", tag("title", esc(item.tip)), class_="bar", x=X0, y=y + (ROW - BAR) / 2,
                             width=length, height=BAR, fill=TINT[item.colour] if item.tint else item.colour,
                             stroke=item.colour if item.tint else None, stroke_dasharray="3 2" if item.tint else None))
            end += length
        body.append(text_at(end, middle(y + ROW / 2), item.text, fill=INK if item.share is not None else MUTED))
        spans.append((end, end + width(item.text, SIZE)))
    if rule:
        x = X0 + min(max(rule[0], 0.0), 1.0) * PLOT
        # The line stops short of the values it would cross, and goes on below them.
        d, start = [], top - 6.0
        for i, (left, right) in enumerate(spans):
            if left - 3 <= x <= right + 3:
                d.append(f"M{num(x)} {num(start)}V{num(top + i * ROW + 5)}")
                start = top + i * ROW + ROW - 5
        d.append(f"M{num(x)} {num(start)}V{num(bottom)}")
        body.append(tag("path", class_="pass", d="".join(d), stroke=INK, stroke_width=1.5, stroke_dasharray="5 3"))
        body.append(text_at(x, top - 10, rule[1], size=SMALL, anchor="middle"))
    body += _notes(notes, bottom + 36)
    return svg_document(W, bottom + 26 + 16 * len(notes), title, desc, body, lang)


def ranking(rows: Sequence[Ranked], *, pass_line: float | None = None, labels: Mapping[str, str],
            lang: str = "zh-Hans") -> str:
    """Branches (or regions) in the order given, each score with the visits behind it, so that a
    rank resting on two visits is seen as such. `labels`: title, n (the word after a count of
    visits), none, few (the legend of †), pass (with `pass_line`)."""
    items = []
    for r in rows:
        mark = f" {FEW}" if r.few else ""
        text = labels["none"] if r.score is None else f"{r.score:.1f} n={r.n}{mark}"
        items.append(_Bar(r.label, "" if r.rank is None else f"{r.rank}", None if r.score is None else r.score / 100,
                          text, VERMILLION if r.highlight else BLUE, r.few, r.highlight,
                          f"{r.label}: {score_text(r.score)} ({r.n} {labels['n']}){mark}"))
    desc = "; ".join(("" if r.rank is None else f"{r.rank}. ") + item.tip for r, item in zip(rows, items))
    rule = None if pass_line is None else (pass_line / 100, f"{labels['pass']} {pass_line:.1f}")
    notes = [f"{FEW} {labels['few']}"] if any(r.few for r in rows) else []
    ticks = [(v / 100, str(v)) for v in (0, 25, 50, 75, 100)]
    return _hbars(items, title=labels["title"], desc=desc, ticks=ticks, rule=rule, notes=notes, lang=lang)


def bars(rows: Sequence[Rate], *, labels: Mapping[str, str], lang: str = "zh-Hans") -> str:
    """The details that fail most across the chain: each rate with failed/observed beside it, so
    a rate of one failure in two reads as what it is. `labels`: title, none."""
    items = []
    for r in rows:
        text = labels["none"] if r.rate is None else f"{pct(r.rate)}% {r.failed}/{r.observed}"
        items.append(_Bar(r.label, "", r.rate, text, VERMILLION, False, False, f"{r.label}: {text}"))
    ticks = [(v / 100, f"{v}%") for v in (0, 25, 50, 75, 100)]
    desc = "; ".join(i.tip for i in items)
    return _hbars(items, title=labels["title"], desc=desc, ticks=ticks, rule=None, notes=[], lang=lang)


def _marker(shape: int, x: float, y: float, colour: str, hollow: bool, tip: str | None, class_: str | None) -> str:
    """Circle, square, triangle or diamond: the point's shape tells series apart without colour."""
    body = None if tip is None else tag("title", esc(tip))
    paint: dict[str, str | float | None] = {"fill": "#ffffff" if hollow else colour, "stroke": colour, "stroke_width": 1.5}
    if shape == 0:
        return tag("circle", body, class_=class_, cx=x, cy=y, r=3.8, **paint)
    if shape == 1:
        return tag("rect", body, class_=class_, x=x - 3.4, y=y - 3.4, width=6.8, height=6.8, **paint)
    corners = ((0, -4.6), (4.2, 3), (-4.2, 3)) if shape == 2 else ((0, -5), (5, 0), (0, 5), (-5, 0))
    d = "M" + " L".join(f"{num(x + dx)} {num(y + dy)}" for dx, dy in corners) + " Z"
    return tag("path", body, class_=class_, d=d, **paint)


def _style(k: int) -> tuple[str, int, bool]:
    """Colour, point shape and hollow+dashed for the k-th series; distinct for the first 32."""
    return SERIES[k % 8], (k + k // 8) % 4, (k // 4) % 2 == 1


def trend(series: Sequence[Series], months: Sequence[str], *, pass_line: float | None = None,
          labels: Mapping[str, str], lang: str = "zh-Hans") -> str:
    """Scores month by month, one line per series, broken where a month has no score (a line
    drawn through a missing month would invent it). Up to about 8 series stay legible.
    `labels`: title, n, pass (with `pass_line`)."""
    pass_text = None if pass_line is None else f"{labels['pass']} {pass_line:.1f}"
    tw, left, top, plot_h = 480, 34, 10, 180
    right = 12 if pass_text is None else width(pass_text, SMALL) + 12
    step = (tw - left - right) / max(len(months), 1)

    def x(i: int) -> float:
        return left + (i + 0.5) * step

    def y(v: float) -> float:
        return top + plot_h * (1 - min(max(v, 0.0), 100.0) / 100)

    body = []
    for v in (0, 25, 50, 75, 100):
        body.append(tag("line", x1=left, y1=y(v), x2=tw - right, y2=y(v), stroke=AXIS if v == 0 else GRID, stroke_width=1))
        body.append(text_at(left - 6, middle(y(v), SMALL), str(v), size=SMALL, anchor="end", fill=MUTED))
    every = max(1, math.ceil((max((width(m, SMALL) for m in months), default=0) + 10) / step))
    for i, month in enumerate(months):
        if (len(months) - 1 - i) % every == 0:
            body.append(text_at(x(i), y(0) + 16, month, size=SMALL, anchor="middle", fill=MUTED))
    if pass_line is not None and pass_text is not None:
        body.append(tag("line", x1=left, y1=y(pass_line), x2=tw - right, y2=y(pass_line), stroke=INK, stroke_width=1.2,
                         stroke_dasharray="2 3"))
        body.append(text_at(tw - right + 6, middle(y(pass_line), SMALL), pass_text, size=SMALL))
    points, summaries = [], []
    for k, s in enumerate(series):
        colour, shape, hollow = _style(k)
        by_month = {month: (score, n) for month, score, n in s.points}
        d, pen, said = [], False, []
        for i, month in enumerate(months):
            score, n = by_month.get(month, (None, 0))
            said.append(f"{month} {score_text(score)}" + ("" if score is None else f" ({n} {labels['n']})"))
            if score is None:
                pen = False
                continue
            d.append(f"{'L' if pen else 'M'}{num(x(i))} {num(y(score))}")
            pen = True
            points.append(_marker(shape, x(i), y(score), colour, hollow, f"{s.label} {month}: {score:.1f} (n={n})", "point"))
        if any(c.startswith("L") for c in d):
            body.append(tag("path", class_="line", d=" ".join(d), fill="none", stroke=colour, stroke_width=2,
                             stroke_linejoin="round", stroke_dasharray="6 3" if hollow else None))
        summaries.append(f"{s.label}: " + ", ".join(said))
    body += points
    legend_top = y(0) + 36
    item_w = min(180.0, 50 + max((width(s.label, SMALL) for s in series), default=0))
    columns = max(1, int((tw - left) // item_w))
    for k, s in enumerate(series):
        colour, shape, hollow = _style(k)
        lx, ly = left + (k % columns) * item_w, legend_top + (k // columns) * 18
        body.append(tag("line", x1=lx, y1=ly, x2=lx + 24, y2=ly, stroke=colour, stroke_width=2,
                         stroke_dasharray="6 3" if hollow else None))
        body.append(_marker(shape, lx + 12, ly, colour, hollow, None, None))
        body.append(text_at(lx + 30, middle(ly, SMALL), s.label, room=item_w - 38, size=SMALL))
    height = legend_top + math.ceil(len(series) / columns) * 18
    return svg_document(tw, height, labels["title"], "; ".join(summaries), body, lang)


def _heat(rate: float) -> tuple[str, str]:
    percent = pct(rate)
    return next((fill, ink) for start, fill, ink in reversed(HEAT) if percent >= start)


def heatmap(rows: Sequence[str], columns: Sequence[str], cells: Sequence[Sequence[Cell]], *,
            labels: Mapping[str, str], lang: str = "zh-Hans") -> str:
    """Details (rows) by branches (columns), each cell's failure rate on a light-to-dark scale,
    so that a detail failing everywhere reads as a dark row and a weak branch as a dark column.
    Column labels slant at 45° so that 30 branches fit an A4 landscape page. `cells[i][j]` is
    row i at column j. `labels`: title, n, none (the legend of a cell never observed)."""
    if len(cells) != len(rows) or any(len(line) != len(columns) for line in cells):
        raise ValueError("cells must hold one row of len(columns) cells per row")
    label_w, row_h, cell_size = 190, 20, 10
    col = min(48.0, max(24.0, (1100 - label_w) / max(len(columns), 1)))
    heads = [fit(c, 120, SMALL) for c in columns]
    lift = max((width(h, SMALL) for h in heads), default=0) * 0.7071 + SMALL
    x0, top = PAD + label_w, PAD + lift + 6
    reach = [x0 + (j + 0.5) * col + 3 + width(h, SMALL) * 0.7071 + SMALL for j, h in enumerate(heads)]
    show = width("100%", cell_size) <= col - 4
    body = []
    for j, column in enumerate(columns):
        cx, cy = x0 + (j + 0.5) * col + 3, top - 6
        body.append(text_at(cx, cy, column, room=120, size=SMALL, transform=f"rotate(-45 {num(cx)} {num(cy)})"))
    summaries = []
    for i, (row, line) in enumerate(zip(rows, cells)):
        y = top + i * row_h
        body.append(text_at(PAD, middle(y + row_h / 2, SMALL), row, room=label_w - 8, size=SMALL))
        said = []
        for j, (column, cell) in enumerate(zip(columns, line)):
            shown = "–" if cell.rate is None else f"{pct(cell.rate)}%"
            fill, ink = (NO_DATA, MUTED) if cell.rate is None else _heat(cell.rate)
            tip = f"{row} · {column}: " + (labels["none"] if cell.rate is None else f"{shown} (n={cell.n})")
            body.append(tag("rect", tag("title", esc(tip)), class_="cell", x=x0 + j * col, y=y, width=col, height=row_h,
                             fill=fill, stroke="#ffffff", stroke_width=2))
            if cell.rate is None or show:
                body.append(text_at(x0 + (j + 0.5) * col, middle(y + row_h / 2, cell_size), shown, size=cell_size,
                                  anchor="middle", fill=ink))
            said.append(f"{column} {shown}" + ("" if cell.rate is None else f" ({cell.n} {labels['n']})"))
        summaries.append(f"{row}: " + ", ".join(said))
    total_w = max([x0 + len(columns) * col, 360.0, *reach]) + PAD
    keys = [(fill, f"{start}%" if start == 0 else f"≥{start}%" if k == len(HEAT) - 1 else f"{start}–{HEAT[k + 1][0] - 1}%")
            for k, (start, fill, _) in enumerate(HEAT)]
    keys.append((NO_DATA, f"– {labels['none']}"))
    kx, ky = float(PAD), top + len(rows) * row_h + 14
    for fill, text in keys:
        room = 18 + width(text, SMALL) + 14
        if kx > PAD and kx + room > total_w - PAD:
            kx, ky = PAD, ky + 18
        body.append(tag("rect", x=kx, y=ky - 6, width=14, height=12, fill=fill, stroke=AXIS, stroke_width=0.5))
        body.append(text_at(kx + 18, middle(ky, SMALL), text, size=SMALL, fill=MUTED))
        kx += room
    return svg_document(total_w, ky + 12, labels["title"], "; ".join(summaries), body, lang)


def spread(rows: Sequence[Deviation], *, threshold: float, labels: Mapping[str, str],
           lang: str = "zh-Hans") -> str:
    """Inspector calibration: each inspector's mean deviation from colleagues on the same sites
    as a dot around zero, dots further out than `threshold` points marked, so a lenient or a
    harsh scorer stands out. `labels`: title, n, none, beyond (the legend of the marked dots)."""
    values = [abs(v) for r in rows for v in (r.mean, r.low, r.high) if v is not None]
    reach = max([threshold * 1.2, *values])
    extent = next((e for e in (5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0) if e >= reach), 100.0)

    def x(v: float) -> float:
        return X0 + PLOT * (min(max(v, -extent), extent) + extent) / (2 * extent)

    top, bottom = 8, 8 + len(rows) * ROW
    t = min(abs(threshold), extent)
    body = [tag("rect", x=x(-t), y=top, width=x(t) - x(-t), height=bottom - top, fill="#f3f4f6")]
    ticks = [(v, f"{v:g}".replace("-", MINUS) if v <= 0 else f"+{v:g}") for v in (-extent, -extent / 2, 0, extent / 2, extent)]
    body += _ticks([((v + extent) / (2 * extent), text) for v, text in ticks], top, bottom)
    for v in (-t, t):
        body.append(tag("line", x1=x(v), y1=top, x2=x(v), y2=bottom, stroke=MUTED, stroke_width=1, stroke_dasharray="3 3"))
    body.append(tag("line", x1=x(0), y1=top, x2=x(0), y2=bottom, stroke=INK, stroke_width=1.2))
    summaries = []
    for i, r in enumerate(rows):
        cy = top + i * ROW + ROW / 2
        body.append(text_at(PAD, middle(cy), r.label, room=X0 - 6 - PAD))
        if r.low is not None and r.high is not None:
            body.append(tag("line", x1=x(r.low), y1=cy, x2=x(r.high), y2=cy, stroke=MUTED, stroke_width=1.5))
        if r.mean is None:
            text = labels["none"]
        else:
            beyond = abs(r.mean) > threshold
            tip = f"{r.label}: {signed(r.mean)} ({r.n} {labels['n']})"
            body.append(_marker(3 if beyond else 0, x(r.mean), cy, VERMILLION if beyond else BLUE, False, tip, "point"))
            text = f"{signed(r.mean)} n={r.n}"
        body.append(text_at(X0 + PLOT + 10, middle(cy), text, fill=INK if r.mean is not None else MUTED))
        summaries.append(f"{r.label}: {text}")
    legend_y = bottom + 36
    body.append(_marker(3, PAD + 5, legend_y - 4, VERMILLION, False, None, None))
    body.append(text_at(PAD + 16, legend_y, f"{labels['beyond']} (±{threshold:g})", room=W - 2 * PAD - 16, size=SMALL, fill=MUTED))
    return svg_document(W, legend_y + 10, labels["title"], "; ".join(summaries), body, lang)

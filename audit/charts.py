"""HQ's comparison charts as SVG made on the server: data in, one `<svg>` string out.

The same markup goes inline into the dashboard and into the PDF. The dashboard's
Content-Security-Policy has no 'unsafe-inline', so everything is a presentation attribute,
never `style`. WeasyPrint draws SVG with its own renderer, which has no foreignObject, places
text by its baseline only (dominant-baseline is a rough hack there) and reads `font-family` by
splitting on commas: text sits on explicit baselines, and label widths are estimated here
(CJK 1 em, Latin about 0.55 em, capitals wider) because neither renderer is asked to measure.
Same input, same bytes: the output can be cached and compared.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

# No space after the commas: WeasyPrint strips quotes, not spaces, from each name. It draws
# inline SVG without the page's CSS, so the chart names the font of its language itself, as
# the report does (Traditional Chinese in the TC face, everything else in SC).
FONT = "'Noto Sans CJK SC','Noto Sans CJK TC','Noto Sans',sans-serif"
FONTS = {"zh-Hant": "'Noto Sans CJK TC','Noto Sans CJK SC','Noto Sans',sans-serif"}
SIZE, SMALL = 12, 11
INK, MUTED, GRID, AXIS, NO_DATA, BAND = "#1d2330", "#5b6475", "#d5d9e0", "#8f97a6", "#e9ecf1", "#fdf0e6"
# Okabe-Ito blue and vermillion (told apart with every colour vision), each with a light tint
# for bars drawn from too few visits.
BLUE, VERMILLION = "#0072B2", "#D55E00"
TINT = {BLUE: "#cfe3f1", VERMILLION: "#f8d6bf"}
# Lines: Okabe-Ito without its yellow, with darker stand-ins for 3:1 on white; the shape of the
# points and dashes from the fifth series on tell lines apart without colour.
SERIES = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#1d2330", "#8a6d00", "#5b6475", "#882255")
# Failure rates, light to dark (ColorBrewer OrRd), by whole percent from; each with the text
# colour that keeps 4.5:1 on it.
HEAT = ((0, "#fff7ec", INK), (1, "#fdd49e", INK), (10, "#fc8d59", INK), (25, "#d7301f", "#ffffff"), (50, "#7f0000", "#ffffff"))
FEW = "†"
MINUS = "\u2212"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


def _esc(text: str) -> str:
    """Escaped for text and for attributes alike, without the characters XML cannot hold."""
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})


def _num(x: float) -> str:
    value = round(x, 1) or 0.0
    return f"{value:.1f}".removesuffix(".0")


def _tag(name: str, body: str | None = None, /, **attrs: str | float | None) -> str:
    """An element; `font_size` becomes font-size, `class_` class; None leaves an attribute out."""
    parts = [name]
    for key, value in attrs.items():
        if value is not None:
            shown = _esc(value) if isinstance(value, str) else _num(value)
            parts.append(f'{key.rstrip("_").replace("_", "-")}="{shown}"')
    head = " ".join(parts)
    return f"<{head}/>" if body is None else f"<{head}>{body}</{name}>"


def _em(c: str) -> float:
    """A character's advance in em, rounded up from Noto Sans CJK's: CJK (and the punctuation
    the CJK font draws wide, such as … and †) 1, Latin about 0.55, capitals and m, w, % wider."""
    if c in "mwMW%@":
        return 0.92
    if unicodedata.east_asian_width(c) in "WFA":
        return 1.0
    if c.isupper():
        return 0.7
    return 0.35 if c in "ijlftr.,:;'|!() " else 0.56


def width(text: str, size: float) -> float:
    """Estimated advance of `text` at `size`: neither renderer is asked to measure."""
    return size * sum(_em(c) for c in text)


def fit(text: str, room: float, size: float) -> str:
    """`text`, cut and ended with an ellipsis if it is estimated wider than `room`."""
    if width(text, size) <= room:
        return text
    kept, used, limit = [], 0.0, room - width("…", size)
    for c in text:
        used += width(c, size)
        if used > limit:
            break
        kept.append(c)
    return "".join(kept).rstrip() + "…"


def _text(x: float, y: float, text: str, *, room: float | None = None, size: float = SIZE,
          anchor: str | None = None, fill: str = INK, transform: str | None = None) -> str:
    """Text on the baseline `y`; cut to `room`, with the whole text as its tooltip."""
    shown = text if room is None else fit(text, room, size)
    element = _tag("text", _esc(shown), x=x, y=y, font_size=None if size == SIZE else size,
                   text_anchor=anchor, fill=fill, transform=transform)
    return element if shown == text else _tag("g", _tag("title", _esc(text)) + element)


def _svg(w: float, h: float, title: str, desc: str, body: Sequence[str], lang: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(w)} {_num(h)}" width="100%" role="img" '
        f'aria-label="{_esc(title)}" lang="{_esc(lang)}" font-family="{FONTS.get(lang, FONT)}" font-size="{SIZE}">'
        f"<title>{_esc(title)}</title><desc>{_esc(desc)}</desc>{''.join(body)}</svg>"
    )


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _pct(rate: float) -> int:
    return round(min(max(rate, 0.0), 1.0) * 100)


def _signed(value: float) -> str:
    """One decimal with its sign (a true minus), and none on zero."""
    rounded = round(value, 1) or 0.0
    return f"{rounded:.1f}" if rounded == 0 else f"{rounded:+.1f}".replace("-", MINUS)


def _middle(y: float, size: float = SIZE) -> float:
    """The baseline that centres a line of text of `size` on `y`."""
    return y + size * 0.35


# Rows of horizontal bars or dots: label column, plot, the value at the end of each row.
W, PAD, LABEL, END, ROW, BAR = 480, 8, 150, 96, 24, 14
X0 = PAD + LABEL + 6
PLOT = W - X0 - END


def _ticks(ticks: Sequence[tuple[float, str]], top: float, bottom: float) -> list[str]:
    """Vertical gridlines at shares 0..1 of the plot, their labels under the last row."""
    out = []
    for share, text in ticks:
        x = X0 + share * PLOT
        out.append(_tag("line", x1=x, y1=top, x2=x, y2=bottom, stroke=GRID, stroke_width=1))
        out.append(_text(x, bottom + 14, text, size=SMALL, anchor="middle", fill=MUTED))
    return out


def _notes(notes: Sequence[str], y: float) -> list[str]:
    return [_text(PAD, y + 16 * i, note, room=W - 2 * PAD, size=SMALL, fill=MUTED) for i, note in enumerate(notes)]


def _hbars(items: Sequence[_Bar], *, title: str, desc: str, ticks: Sequence[tuple[float, str]],
           rule: tuple[float, str] | None, notes: Sequence[str], lang: str) -> str:
    top = 26 if rule else 8
    bottom = top + len(items) * ROW
    body = [_tag("rect", x=0, y=top + i * ROW, width=W, height=ROW, fill=BAND) for i, item in enumerate(items) if item.band]
    body += _ticks(ticks, top, bottom)
    body.append(_tag("line", x1=X0, y1=top, x2=X0, y2=bottom, stroke=AXIS, stroke_width=1))
    spans: list[tuple[float, float]] = []
    label_x = PAD + (26 if any(item.rank for item in items) else 0)
    for i, item in enumerate(items):
        y = top + i * ROW
        if item.rank:
            body.append(_text(label_x - 6, _middle(y + ROW / 2), item.rank, anchor="end", fill=MUTED))
        body.append(_text(label_x, _middle(y + ROW / 2), item.label, room=X0 - 6 - label_x))
        end = X0 + 4.0
        if item.share is not None:
            length = min(max(item.share, 0.0), 1.0) * PLOT
            body.append(_tag("rect", _tag("title", _esc(item.tip)), class_="bar", x=X0, y=y + (ROW - BAR) / 2,
                             width=length, height=BAR, fill=TINT[item.colour] if item.tint else item.colour,
                             stroke=item.colour if item.tint else None, stroke_dasharray="3 2" if item.tint else None))
            end += length
        body.append(_text(end, _middle(y + ROW / 2), item.text, fill=INK if item.share is not None else MUTED))
        spans.append((end, end + width(item.text, SIZE)))
    if rule:
        x = X0 + min(max(rule[0], 0.0), 1.0) * PLOT
        # The line stops short of the values it would cross, and goes on below them.
        d, start = [], top - 6.0
        for i, (left, right) in enumerate(spans):
            if left - 3 <= x <= right + 3:
                d.append(f"M{_num(x)} {_num(start)}V{_num(top + i * ROW + 5)}")
                start = top + i * ROW + ROW - 5
        d.append(f"M{_num(x)} {_num(start)}V{_num(bottom)}")
        body.append(_tag("path", class_="pass", d="".join(d), stroke=INK, stroke_width=1.5, stroke_dasharray="5 3"))
        body.append(_text(x, top - 10, rule[1], size=SMALL, anchor="middle"))
    body += _notes(notes, bottom + 36)
    return _svg(W, bottom + 26 + 16 * len(notes), title, desc, body, lang)


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
                          f"{r.label}: {_score(r.score)} ({r.n} {labels['n']}){mark}"))
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
        text = labels["none"] if r.rate is None else f"{_pct(r.rate)}% {r.failed}/{r.observed}"
        items.append(_Bar(r.label, "", r.rate, text, VERMILLION, False, False, f"{r.label}: {text}"))
    ticks = [(v / 100, f"{v}%") for v in (0, 25, 50, 75, 100)]
    desc = "; ".join(i.tip for i in items)
    return _hbars(items, title=labels["title"], desc=desc, ticks=ticks, rule=None, notes=[], lang=lang)


def _marker(shape: int, x: float, y: float, colour: str, hollow: bool, tip: str | None, class_: str | None) -> str:
    """Circle, square, triangle or diamond: the point's shape tells series apart without colour."""
    body = None if tip is None else _tag("title", _esc(tip))
    paint: dict[str, str | float | None] = {"fill": "#ffffff" if hollow else colour, "stroke": colour, "stroke_width": 1.5}
    if shape == 0:
        return _tag("circle", body, class_=class_, cx=x, cy=y, r=3.8, **paint)
    if shape == 1:
        return _tag("rect", body, class_=class_, x=x - 3.4, y=y - 3.4, width=6.8, height=6.8, **paint)
    corners = ((0, -4.6), (4.2, 3), (-4.2, 3)) if shape == 2 else ((0, -5), (5, 0), (0, 5), (-5, 0))
    d = "M" + " L".join(f"{_num(x + dx)} {_num(y + dy)}" for dx, dy in corners) + " Z"
    return _tag("path", body, class_=class_, d=d, **paint)


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
        body.append(_tag("line", x1=left, y1=y(v), x2=tw - right, y2=y(v), stroke=AXIS if v == 0 else GRID, stroke_width=1))
        body.append(_text(left - 6, _middle(y(v), SMALL), str(v), size=SMALL, anchor="end", fill=MUTED))
    every = max(1, math.ceil((max((width(m, SMALL) for m in months), default=0) + 10) / step))
    for i, month in enumerate(months):
        if (len(months) - 1 - i) % every == 0:
            body.append(_text(x(i), y(0) + 16, month, size=SMALL, anchor="middle", fill=MUTED))
    if pass_line is not None and pass_text is not None:
        body.append(_tag("line", x1=left, y1=y(pass_line), x2=tw - right, y2=y(pass_line), stroke=INK, stroke_width=1.2,
                         stroke_dasharray="2 3"))
        body.append(_text(tw - right + 6, _middle(y(pass_line), SMALL), pass_text, size=SMALL))
    points, summaries = [], []
    for k, s in enumerate(series):
        colour, shape, hollow = _style(k)
        by_month = {month: (score, n) for month, score, n in s.points}
        d, pen, said = [], False, []
        for i, month in enumerate(months):
            score, n = by_month.get(month, (None, 0))
            said.append(f"{month} {_score(score)}" + ("" if score is None else f" ({n} {labels['n']})"))
            if score is None:
                pen = False
                continue
            d.append(f"{'L' if pen else 'M'}{_num(x(i))} {_num(y(score))}")
            pen = True
            points.append(_marker(shape, x(i), y(score), colour, hollow, f"{s.label} {month}: {score:.1f} (n={n})", "point"))
        if any(c.startswith("L") for c in d):
            body.append(_tag("path", class_="line", d=" ".join(d), fill="none", stroke=colour, stroke_width=2,
                             stroke_linejoin="round", stroke_dasharray="6 3" if hollow else None))
        summaries.append(f"{s.label}: " + ", ".join(said))
    body += points
    legend_top = y(0) + 36
    item_w = min(180.0, 50 + max((width(s.label, SMALL) for s in series), default=0))
    columns = max(1, int((tw - left) // item_w))
    for k, s in enumerate(series):
        colour, shape, hollow = _style(k)
        lx, ly = left + (k % columns) * item_w, legend_top + (k // columns) * 18
        body.append(_tag("line", x1=lx, y1=ly, x2=lx + 24, y2=ly, stroke=colour, stroke_width=2,
                         stroke_dasharray="6 3" if hollow else None))
        body.append(_marker(shape, lx + 12, ly, colour, hollow, None, None))
        body.append(_text(lx + 30, _middle(ly, SMALL), s.label, room=item_w - 38, size=SMALL))
    height = legend_top + math.ceil(len(series) / columns) * 18
    return _svg(tw, height, labels["title"], "; ".join(summaries), body, lang)


def _heat(rate: float) -> tuple[str, str]:
    percent = _pct(rate)
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
        body.append(_text(cx, cy, column, room=120, size=SMALL, transform=f"rotate(-45 {_num(cx)} {_num(cy)})"))
    summaries = []
    for i, (row, line) in enumerate(zip(rows, cells)):
        y = top + i * row_h
        body.append(_text(PAD, _middle(y + row_h / 2, SMALL), row, room=label_w - 8, size=SMALL))
        said = []
        for j, (column, cell) in enumerate(zip(columns, line)):
            shown = "–" if cell.rate is None else f"{_pct(cell.rate)}%"
            fill, ink = (NO_DATA, MUTED) if cell.rate is None else _heat(cell.rate)
            tip = f"{row} · {column}: " + (labels["none"] if cell.rate is None else f"{shown} (n={cell.n})")
            body.append(_tag("rect", _tag("title", _esc(tip)), class_="cell", x=x0 + j * col, y=y, width=col, height=row_h,
                             fill=fill, stroke="#ffffff", stroke_width=2))
            if cell.rate is None or show:
                body.append(_text(x0 + (j + 0.5) * col, _middle(y + row_h / 2, cell_size), shown, size=cell_size,
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
        body.append(_tag("rect", x=kx, y=ky - 6, width=14, height=12, fill=fill, stroke=AXIS, stroke_width=0.5))
        body.append(_text(kx + 18, _middle(ky, SMALL), text, size=SMALL, fill=MUTED))
        kx += room
    return _svg(total_w, ky + 12, labels["title"], "; ".join(summaries), body, lang)


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
    body = [_tag("rect", x=x(-t), y=top, width=x(t) - x(-t), height=bottom - top, fill="#f3f4f6")]
    ticks = [(v, f"{v:g}".replace("-", MINUS) if v <= 0 else f"+{v:g}") for v in (-extent, -extent / 2, 0, extent / 2, extent)]
    body += _ticks([((v + extent) / (2 * extent), text) for v, text in ticks], top, bottom)
    for v in (-t, t):
        body.append(_tag("line", x1=x(v), y1=top, x2=x(v), y2=bottom, stroke=MUTED, stroke_width=1, stroke_dasharray="3 3"))
    body.append(_tag("line", x1=x(0), y1=top, x2=x(0), y2=bottom, stroke=INK, stroke_width=1.2))
    summaries = []
    for i, r in enumerate(rows):
        cy = top + i * ROW + ROW / 2
        body.append(_text(PAD, _middle(cy), r.label, room=X0 - 6 - PAD))
        if r.low is not None and r.high is not None:
            body.append(_tag("line", x1=x(r.low), y1=cy, x2=x(r.high), y2=cy, stroke=MUTED, stroke_width=1.5))
        if r.mean is None:
            text = labels["none"]
        else:
            beyond = abs(r.mean) > threshold
            tip = f"{r.label}: {_signed(r.mean)} ({r.n} {labels['n']})"
            body.append(_marker(3 if beyond else 0, x(r.mean), cy, VERMILLION if beyond else BLUE, False, tip, "point"))
            text = f"{_signed(r.mean)} n={r.n}"
        body.append(_text(X0 + PLOT + 10, _middle(cy), text, fill=INK if r.mean is not None else MUTED))
        summaries.append(f"{r.label}: {text}")
    legend_y = bottom + 36
    body.append(_marker(3, PAD + 5, legend_y - 4, VERMILLION, False, None, None))
    body.append(_text(PAD + 16, legend_y, f"{labels['beyond']} (±{threshold:g})", room=W - 2 * PAD - 16, size=SMALL, fill=MUTED))
    return _svg(W, legend_y + 10, labels["title"], "; ".join(summaries), body, lang)

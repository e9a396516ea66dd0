"""The SVG the charts are drawn with: fonts, colours, escaping, elements, text that fits its
room, and numbers as the charts print them.

Everything is a presentation attribute, never `style`: the dashboard's Content-Security-Policy
has no 'unsafe-inline'. WeasyPrint draws SVG with its own renderer, which places text by its
baseline only and reads `font-family` by splitting on commas, so text sits on explicit
baselines and label widths are estimated here (CJK 1 em, Latin about 0.55 em, capitals wider):
neither renderer is asked to measure.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
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


def esc(text: str) -> str:
    """Escaped for text and for attributes alike, without the characters XML cannot hold."""
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})


def num(x: float) -> str:
    value = round(x, 1) or 0.0
    return f"{value:.1f}".removesuffix(".0")


def tag(name: str, body: str | None = None, /, **attrs: str | float | None) -> str:
    """An element; `font_size` becomes font-size, `class_` class; None leaves an attribute out."""
    parts = [name]
    for key, value in attrs.items():
        if value is not None:
            shown = esc(value) if isinstance(value, str) else num(value)
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


def text_at(x: float, y: float, text: str, *, room: float | None = None, size: float = SIZE,
          anchor: str | None = None, fill: str = INK, transform: str | None = None) -> str:
    """Text on the baseline `y`; cut to `room`, with the whole text as its tooltip."""
    shown = text if room is None else fit(text, room, size)
    element = tag("text", esc(shown), x=x, y=y, font_size=None if size == SIZE else size,
                   text_anchor=anchor, fill=fill, transform=transform)
    return element if shown == text else tag("g", tag("title", esc(text)) + element)


def svg_document(w: float, h: float, title: str, desc: str, body: Sequence[str], lang: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(w)} {num(h)}" width="100%" role="img" '
        f'aria-label="{esc(title)}" lang="{esc(lang)}" font-family="{FONTS.get(lang, FONT)}" font-size="{SIZE}">'
        f"<title>{esc(title)}</title><desc>{esc(desc)}</desc>{''.join(body)}</svg>"
    )


def score_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def pct(rate: float) -> int:
    return round(min(max(rate, 0.0), 1.0) * 100)


def signed(value: float) -> str:
    """One decimal with its sign (a true minus), and none on zero."""
    rounded = round(value, 1) or 0.0
    return f"{rounded:.1f}" if rounded == 0 else f"{rounded:+.1f}".replace("-", MINUS)


def middle(y: float, size: float = SIZE) -> float:
    """The baseline that centres a line of text of `size` on `y`."""
    return y + size * 0.35

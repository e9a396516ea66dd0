"""The report in the reader's words: languages, answers, pass rules, dates and durations."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import answers
from .model import Item
from .visits import parse_time

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Moments the server records (reviews, answers, exports) are UTC; people read them in the
# organisation's own time (AUDIT_TIMEZONE, an IANA name; Shanghai by default).
DISPLAY_ZONE = ZoneInfo(os.environ.get("AUDIT_TIMEZONE", "Asia/Shanghai"))
LANGUAGES = ("zh-Hans", "zh-Hant", "en")
_ALIASES = {"zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant"}
TEXT: dict[str, dict[str, str]] = json.loads((TEMPLATES / "report-text.json").read_text(encoding="utf-8"))


def known_language(requested: str | None) -> str | None:
    """One of LANGUAGES for a code like zh-Hant, zh_hant or zh-TW; None if the report does not speak it."""
    if not requested:
        return None
    wanted = requested.strip().replace("_", "-").lower()
    return next((lang for lang in LANGUAGES if lang.lower() == wanted), None) or _ALIASES.get(wanted)


def language(requested: str | None, default: str) -> str:
    """The reader's language if the report speaks it, else the checklist's default."""
    return known_language(requested) or (default if default in LANGUAGES else "en")


def pick(text: dict[str, str] | None, lang: str, default: str) -> str:
    if not text:
        return ""
    return text.get(lang) or text.get(default) or next(iter(text.values()))


def clock(value: str | None) -> str:
    """A stored moment as "YYYY-MM-DD HH:MM" in the organisation's time; one without an offset
    (a time of day the phone wrote as it saw it) is shown as written."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value[:16].replace("T", " ")
    if moment.tzinfo is not None:
        moment = moment.astimezone(DISPLAY_ZONE)
    return moment.strftime("%Y-%m-%d %H:%M")


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def duration(seconds: float, t: dict[str, str]) -> str:
    whole = int(round(seconds))
    minutes, secs = divmod(whole, 60)
    if minutes == 0:
        return t["secs"].format(s=secs)
    if secs == 0:
        return t["mins"].format(m=minutes)
    return t["mins_secs"].format(m=minutes, s=f"{secs:02d}")


class Words:
    """Answers and pass rules in the reader's words."""

    def __init__(self, lang: str, default: str) -> None:
        self.lang, self.default, self.t = lang, default, TEXT[lang]

    def text(self, value: dict[str, str] | None) -> str:
        return pick(value, self.lang, self.default)

    def date(self, moment: datetime, key: str = "date") -> str:
        return self.t[key].format(y=moment.year, m=moment.month, d=moment.day, mon=MONTHS[moment.month - 1])

    def amount(self, item: Item, value: float) -> str:
        return duration(value, self.t) if item.type == "timer" else f"{_number(value)} {self.text(item.unit)}".strip()

    def answer(self, item: Item, answer: dict[str, Any] | None, photos: int) -> str:
        t = self.t
        if item.type == "photo":
            return t["photos_n"].format(n=photos) if photos else t["na"] if answer and answer.get("na") else t["unanswered"]
        if answer is None or not answers.answered(item, answer):
            return t["unanswered"]
        if answer.get("na"):
            return t["na"]
        value = answer["value"]
        if item.type == "yes_no":
            return t["yes"] if value == "yes" else t["no"]
        if item.type == "scale":
            label = self.text(item.labels.get(str(value)))
            shown = f"{value} / {_number(item.max or 0)}"
            return shown + t["aside"].format(label) if label else shown
        if item.type in ("choice", "multi_choice"):
            labels = {choice.id: self.text(choice.label) for choice in item.choices}
            return t["list_sep"].join(labels.get(v, str(v)) for v in (value if isinstance(value, list) else [value]))
        if item.type in ("number", "timer"):
            return self.amount(item, value)
        if item.type == "timestamp":
            parsed = parse_time(value)
            return parsed.strftime("%H:%M") if parsed else str(value)
        return str(value)

    def expected(self, item: Item) -> str:
        """What passes, for the kinds of item where it can be said briefly."""
        t, low, high = self.t, item.pass_min, item.pass_max
        threshold = item.pass_score if item.pass_score is not None else 0.5
        if item.type in ("number", "timer"):
            if low is not None and high is not None:
                return t["between"].format(a=self.amount(item, low), b=self.amount(item, high))
            if high is not None:
                return t["at_most"].format(a=self.amount(item, high))
            return t["at_least"].format(a=self.amount(item, low)) if low is not None else ""
        if item.type == "yes_no":
            return t["yes"]
        if item.type == "scale" and item.min is not None and item.max is not None:
            return t["at_least"].format(a=_number(item.min + threshold * (item.max - item.min)))
        if item.type == "choice":
            return t["list_sep"].join(self.text(c.label) for c in item.choices if c.score >= threshold)
        return ""


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def span(start: datetime, end: datetime | None, t: dict[str, str]) -> str:
    """When a visit ran, from its start day: "10:15–10:50 (35 min)"; a case that went on over
    several days (a repair, a stay) ends on its own day: "10:15 – 2026-06-24 14:02 (10 days)"."""
    offset = start.strftime("%z")
    zone = f" UTC{offset[:3]}:{offset[3:]}"
    if end is None:
        return start.strftime("%H:%M") + zone
    if end.date() != start.date():
        days = (end.date() - start.date()).days + 1
        return f"{start.strftime('%H:%M')} – {end.strftime('%Y-%m-%d %H:%M')} ({t['days'].format(n=days)}){zone}"
    return f"{start.strftime('%H:%M')}–{end.strftime('%H:%M')} ({t['minutes'].format(n=round((end - start).total_seconds() / 60))}){zone}"

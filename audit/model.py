"""The validated checklist as typed records, its canonical JSON and its content hash.

The canonical form is the checklist with every default filled in, so two files that mean
the same thing (other comments, key order, quoting, an explicit default) hash the same.

Every text has an audience. Most are shown to the inspector and to the store alike; the
ones in INSPECTOR_ONLY hold the inspector's method, and mystery-shopping codes of conduct
require that the method never reaches the store, or the store learns how it will be tested.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .holidays import Calendar
from .schema import SCORED_TYPES, STAGES

Text = dict[str, str]

INSPECTOR_ONLY: tuple[str, ...] = ("description", "guidance")
"""The text fields the store never sees: `Checklist.description` (how a visit runs) and
`Item.guidance` (how to check, what to say, what to avoid). Anything shown to a store
manager (report, page, export) leaves them out; `for_store` does so for a whole checklist."""

DEFAULT_PASS_SCORE = 0.5
DEFAULT_BANDS: list[dict[str, Any]] = [
    {"id": "excellent", "min": 90, "label": {"zh-Hans": "优秀", "zh-Hant": "優秀", "en": "Excellent"}},
    {"id": "pass", "min": 75, "label": {"zh-Hans": "合格", "zh-Hant": "合格", "en": "Pass"}},
    {"id": "fail", "min": 0, "label": {"zh-Hans": "不合格", "zh-Hant": "不合格", "en": "Fail"}},
]


@dataclass(frozen=True)
class Choice:
    id: str
    label: Text
    score: float
    exclusive: bool = False


@dataclass(frozen=True)
class Condition:
    """When an item is shown: every part given must hold. `item` and `values`: an earlier item's
    answer is one of the values; `days`: the visit starts on one of these kinds of day
    (holidays.DAY_KINDS); `hours`: it starts from the first minute of the day up to, not
    including, the second (across midnight when the second is the smaller)."""

    item: str | None
    values: tuple[str | int, ...]
    days: tuple[str, ...] | None = None
    hours: tuple[int, int] | None = None


@dataclass(frozen=True)
class Item:
    id: str
    text: Text  # inspector and store: the standard itself
    guidance: Text  # inspector only: how to check it (see INSPECTOR_ONLY)
    fix: Text  # store: how to put a failure right (empty in versions stored before it existed)
    type: str
    required: bool = True
    weight: float = 1
    na: bool = False
    critical_cap: float | None = None
    evidence_photo: str | None = None
    evidence_note: str | None = None
    when: Condition | None = None
    min: float | None = None
    max: float | None = None
    labels: dict[str, Text] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    unit: Text | None = None
    pass_min: float | None = None
    pass_max: float | None = None
    pass_score: float | None = None
    partial_min: float | None = None  # number, timer: the range of partial credit, pass widened on the sides `partial` names
    partial_max: float | None = None
    partial_score: float | None = None  # None: no partial credit (nor in versions stored before it existed)
    day: int | None = None  # a case's day on which the detail is due (its own, else its section's)

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES

    @property
    def recorded(self) -> bool:
        """Records its answer and never scores or fails: an unscored type, or weight 0 (whose
        file may state no standard, so nothing may show it as a pass or a fail)."""
        return not self.scored or self.weight == 0


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    weight: float
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Stage:
    key: str
    weight: float
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Band:
    id: str
    min: float
    label: Text


@dataclass(frozen=True)
class FindingDays:
    """Days the store has to answer a failed detail once its report is released."""

    critical: int = 3
    other: int = 14


@dataclass(frozen=True)
class Checklist:
    id: str
    title: Text
    description: Text | None  # inspector only: what the checklist is for, how a visit runs
    language: str
    languages: tuple[str, ...]
    site_types: tuple[str, ...]
    bands: tuple[Band, ...]
    stages: tuple[Stage, ...]
    finding_days: FindingDays = FindingDays()
    case_days: int | None = None  # a case over this many days (`case: {days: N}`); None: a single visit
    calendar: Calendar | None = None  # public holidays, carried by a checklist whose conditions name a day kind

    def items(self) -> list[Item]:
        return [item for stage in self.stages for section in stage.sections for item in section.items]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def canonical_json(self) -> str:
        return json.dumps(
            _canonical(self.as_dict()), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )

    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


# Fields the format gained after checklists were in use, left out of the canonical form while
# unused (None): a checklist that uses none of them keeps the hash, and so the version, it had
# before they existed, rather than every store minting a new version of every checklist.
# from_dict fills them back in with their defaults.
LATER_FIELDS = frozenset({"partial_min", "partial_max", "partial_score", "day", "case_days", "days", "hours", "calendar"})


def _canonical(value: Any) -> Any:
    """Writes 2 and 2.0 alike, so that the hash follows what a number means, not how it was
    typed; leaves out LATER_FIELDS that are unused."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items() if not (item is None and key in LATER_FIELDS)}
    if isinstance(value, (list, tuple)):
        return [_canonical(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def text(value: Any, language: str) -> Text:
    return {language: value} if isinstance(value, str) else dict(value)


def condition_value(value: Any) -> str | int:
    """YAML 1.1 reads a bare yes/no as a boolean; a condition means the answer 'yes'/'no'."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value  # type: ignore[no-any-return]


def _number(value: Any) -> float | None:
    return None if value is None else value


def _minutes(clock: str) -> int:
    """Minutes since midnight of an "HH:MM" the schema has accepted."""
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


def _condition(when: dict[str, Any]) -> Condition:
    hours = when.get("hours")
    return Condition(
        item=when.get("item"),
        values=tuple(condition_value(v) for v in ([when["equals"]] if "equals" in when else when.get("in", []))),
        days=tuple(when["day"]) if "day" in when else None,
        hours=(_minutes(hours[:5]), _minutes(hours[6:])) if hours else None,
    )


def uses_days(data: dict[str, Any]) -> bool:
    """Whether any item's `when` names a day kind, so that the checklist needs the calendar."""
    return any(
        isinstance(item, dict) and isinstance(item.get("when"), dict) and "day" in item["when"]
        for stage in data["stages"].values()
        for section in stage["sections"]
        for item in section["items"]
    )


def _item(data: dict[str, Any], language: str, section_day: int | None) -> Item:
    when = data.get("when")
    evidence = data.get("evidence", {})
    critical = data.get("critical")
    passing = data.get("pass", {})
    partial = data.get("partial")
    kind = data["type"]
    pass_score = data.get("pass_score", DEFAULT_PASS_SCORE) if kind in ("scale", "choice", "multi_choice") else None
    return Item(
        id=data["id"],
        text=text(data["text"], language),
        guidance=text(data["guidance"], language),
        fix=text(data["fix"], language),
        type=kind,
        required=data.get("required", True),
        weight=data.get("weight", 1) if kind in SCORED_TYPES else 0,
        na=data.get("na", False),
        critical_cap=critical["cap"] if critical else None,
        evidence_photo=evidence.get("photo"),
        evidence_note=evidence.get("note"),
        when=_condition(when) if when else None,
        min=_number(data.get("min")),
        max=_number(data.get("max")),
        labels={key: text(label, language) for key, label in data.get("labels", {}).items()},
        choices=tuple(
            Choice(
                id=choice["id"],
                label=text(choice["label"], language),
                score=choice["score"],
                exclusive=choice.get("exclusive", False),
            )
            for choice in data.get("choices", [])
        ),
        unit=text(data["unit"], language) if "unit" in data else None,
        pass_min=_number(passing.get("min")),
        pass_max=_number(passing.get("max")),
        pass_score=pass_score,
        partial_min=_number(partial.get("min", passing.get("min"))) if partial else None,
        partial_max=_number(partial.get("max", passing.get("max"))) if partial else None,
        partial_score=partial["score"] if partial else None,
        day=data.get("day", section_day),
    )


def build(data: dict[str, Any], calendar: Calendar | None) -> Checklist:
    """Typed checklist from data the validator has accepted, with defaults filled in; it keeps
    `calendar` when its conditions name a day kind (the validator has then given one)."""
    language = data["language"]
    stages = data["stages"]
    return Checklist(
        id=data["id"],
        title=text(data["title"], language),
        description=text(data["description"], language) if "description" in data else None,
        language=language,
        languages=tuple(data["languages"]),
        site_types=tuple(data["site_types"]),
        bands=tuple(
            Band(id=band["id"], min=band["min"], label=text(band["label"], language))
            for band in data.get("bands", DEFAULT_BANDS)
        ),
        stages=tuple(
            Stage(
                key=key,
                weight=stages[key].get("weight", 1),
                sections=tuple(
                    Section(
                        id=section["id"],
                        title=text(section["title"], language),
                        weight=section.get("weight", 1),
                        items=tuple(_item(item, language, section.get("day")) for item in section["items"]),
                    )
                    for section in stages[key]["sections"]
                ),
            )
            for key in STAGES
            if key in stages
        ),
        finding_days=FindingDays(**data.get("finding_days", {})),
        case_days=data["case"]["days"] if "case" in data else None,
        calendar=calendar if uses_days(data) else None,
    )


def _item_from_dict(data: dict[str, Any]) -> Item:
    when = data.get("when")
    return Item(
        **{
            "fix": {},  # versions stored before items had a fix: the store is told nothing, never the guidance
            **data,
            "when": Condition(
                item=when["item"],
                values=tuple(when["values"]),
                days=tuple(when["days"]) if when.get("days") is not None else None,
                hours=(when["hours"][0], when["hours"][1]) if when.get("hours") is not None else None,
            )
            if when
            else None,
            "choices": tuple(Choice(**choice) for choice in data.get("choices", [])),
        }
    )


def from_dict(data: dict[str, Any]) -> Checklist:
    """The checklist back from its canonical JSON, as stored for every version served."""
    return Checklist(
        **{
            **data,
            "languages": tuple(data["languages"]),
            "site_types": tuple(data["site_types"]),
            "bands": tuple(Band(**band) for band in data["bands"]),
            "finding_days": FindingDays(**data.get("finding_days", {})),  # versions stored before it existed: the defaults
            "calendar": Calendar(tuple(data["calendar"]["holidays"]), tuple(data["calendar"]["workdays"])) if data.get("calendar") else None,
            "stages": tuple(
                Stage(
                    key=stage["key"],
                    weight=stage["weight"],
                    sections=tuple(
                        Section(
                            id=section["id"],
                            title=section["title"],
                            weight=section["weight"],
                            items=tuple(_item_from_dict(item) for item in section["items"]),
                        )
                        for section in stage["sections"]
                    ),
                )
                for stage in data["stages"]
            ),
        }
    )


def for_store(checklist: Checklist) -> dict[str, Any]:
    """The checklist as a dict with every INSPECTOR_ONLY field dropped wherever it occurs, for
    anything a store manager may read (no field name in the model means one thing in one
    record and another elsewhere, so dropping by name is safe)."""
    return _without_inspector_only(checklist.as_dict())  # type: ignore[no-any-return]


def _without_inspector_only(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_inspector_only(item) for key, item in value.items() if key not in INSPECTOR_ONLY}
    if isinstance(value, (list, tuple)):
        return [_without_inspector_only(item) for item in value]
    return value

"""Checks a checklist file completely: YAML, schema, and the rules a schema cannot state.

Every problem of a file is reported at once, located by line and column; a file with no
problems becomes a typed Checklist. Nothing here raises on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path as FilePath
from typing import Any, TypeGuard

from . import holidays, model
from .problems import Problem, ProblemsFound
from .schema import ID_PATTERN, RANGE_TYPES, UNSCORED_TYPES
from .schema_errors import schema_problems, suggest, unquoted, where
from .yamlsource import MAX_BYTES, Path, Source, load, value_at

_CONDITION_TYPES = ("yes_no", "scale", "choice", "multi_choice")


def _numeric(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@dataclass(frozen=True)
class Result:
    """What checking one file found: the checklist when valid, its problems otherwise."""

    path: str
    checklist: model.Checklist | None
    problems: tuple[Problem, ...]


def _items(data: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    stages = data.get("stages")
    if not isinstance(stages, dict):
        return
    for key, stage in stages.items():
        sections = stage.get("sections") if isinstance(stage, dict) else None
        for s, section in enumerate(sections if isinstance(sections, list) else []):
            items = section.get("items") if isinstance(section, dict) else None
            for i, item in enumerate(items if isinstance(items, list) else []):
                if isinstance(item, dict):
                    yield ("stages", key, "sections", s, "items", i), item


def _day(data: dict[str, Any], path: Path) -> int | None:
    """The day of the case an item (at path) is due: its own `day`, else its section's."""
    for row in (value_at(data, path), value_at(data, path[:4])):
        day = row.get("day") if isinstance(row, dict) else None
        if isinstance(day, int) and not isinstance(day, bool):
            return day
    return None


def _sections(data: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    stages = data.get("stages")
    for key, stage in (stages.items() if isinstance(stages, dict) else []):
        sections = stage.get("sections") if isinstance(stage, dict) else None
        for s, section in enumerate(sections if isinstance(sections, list) else []):
            if isinstance(section, dict):
                yield ("stages", key, "sections", s), section


def _texts(data: dict[str, Any]) -> Iterator[Path]:
    """Paths of every text field in the file."""
    yield from (("title",), ("description",))
    for b, _ in enumerate(data.get("bands") or []):
        yield ("bands", b, "label")
    for path, _ in _sections(data):
        yield path + ("title",)
    for path, item in _items(data):
        yield from (path + ("text",), path + ("guidance",), path + ("fix",), path + ("unit",))
        choices = item.get("choices")
        for c, _ in enumerate(choices if isinstance(choices, list) else []):
            yield path + ("choices", c, "label")
        labels = item.get("labels")
        for key in labels if isinstance(labels, dict) else []:
            yield path + ("labels", key)


class _Checker:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.data: dict[str, Any] = source.data
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str, *, key: bool = False) -> None:
        self.problems.append(Problem(*self.source.position(path, key=key), message))

    def languages(self) -> None:
        language = self.data.get("language")
        languages = self.data.get("languages")
        if not isinstance(language, str) or not isinstance(languages, list):
            return
        if language not in languages:
            self.add(("languages",), f"languages must include the default language {language!r}")
        for path in _texts(self.data):
            value = value_at(self.data, path)
            if not isinstance(value, dict):
                continue
            at = where(self.data, path)
            field = "label" if path[-2:-1] == ("labels",) else str(path[-1])
            if language not in value:
                self.add(path, f"{at}: {field} has no {language} text (the default language)")
            for code in value:
                if code not in languages and code != language:
                    self.add(
                        path + (code,),
                        f"{at}: {field} is given in {code!r}{suggest(code, languages)}, "
                        "which languages does not list",
                        key=True,
                    )

    def ids(self) -> None:
        for kind, rows in (("section", _sections(self.data)), ("item", _items(self.data))):
            seen: dict[str, int] = {}
            for path, row in rows:
                ident = row.get("id")
                if not isinstance(ident, str):
                    continue
                if ident in seen:
                    self.add(
                        path + ("id",),
                        f"duplicate {kind} id {ident!r} (first at line {seen[ident]})",
                    )
                else:
                    seen[ident] = self.source.position(path + ("id",))[0]

    def bands(self) -> None:
        bands = self.data.get("bands")
        if not isinstance(bands, list) or not all(isinstance(b, dict) for b in bands):
            return
        mins = [b.get("min") for b in bands]
        if not all(isinstance(m, (int, float)) and not isinstance(m, bool) for m in mins):
            return
        for b in range(1, len(bands)):
            if mins[b] >= mins[b - 1]:
                self.add(
                    ("bands", b, "min"),
                    f"{where(self.data, ('bands', b))}: bands must go from the highest min to the "
                    f"lowest, but {mins[b]} follows {mins[b - 1]}",
                )
        if mins and mins[-1] != 0:
            self.add(("bands", len(bands) - 1, "min"), "the last band must start at min 0")
        seen: set[Any] = set()
        for b, band in enumerate(bands):
            if band.get("id") in seen:
                self.add(("bands", b, "id"), f"duplicate band id {band.get('id')!r}")
            seen.add(band.get("id"))

    def items(self) -> None:
        earlier: dict[str, dict[str, Any]] = {}
        every = {item.get("id") for _, item in _items(self.data)}
        days = {item.get("id"): _day(self.data, path) for path, item in _items(self.data)}
        for path, item in _items(self.data):
            at = where(self.data, path)
            kind = item.get("type")
            if kind == "scale":
                self.scale(path, item, at)
            elif kind in ("choice", "multi_choice"):
                self.choices(path, item, at)
            elif kind in RANGE_TYPES:
                self.number(path, item, at)
            evidence = item.get("evidence")
            if isinstance(evidence, dict) and (kind in UNSCORED_TYPES or item.get("weight") == 0):
                what_item = f"a {kind} item" if kind in UNSCORED_TYPES else "an item of weight 0 (recorded only)"
                for what, rule in evidence.items():
                    if rule == "on_fail":
                        self.add(path + ("evidence", what), f"{at}: {what_item} cannot fail, so {what}: on_fail never applies")
            when = item.get("when")
            if isinstance(when, dict):
                self.moment(path + ("when",), when, at)
            if isinstance(when, dict) and isinstance(when.get("item"), str):
                self.when(path, when, at, earlier, every)
                due, target_due = days.get(item.get("id")), days.get(when["item"])
                if when["item"] in earlier and due is not None and target_due is not None and target_due > due:
                    self.add(path + ("when", "item"), f"{at}: due on day {due}, it depends on {when['item']!r}, due later on day {target_due}; it cannot be shown before that is answered")
            if isinstance(item.get("id"), str):
                earlier.setdefault(item["id"], item)

    def scale(self, path: Path, item: dict[str, Any], at: str) -> None:
        low, high = item.get("min"), item.get("max")
        if not (isinstance(low, int) and isinstance(high, int)):
            return
        if not 1 <= high - low <= 10:
            self.add(path + ("max",), f"{at}: a scale runs from min to max, 1 to 10 steps apart; {low} to {high} is not")
            return
        labels = item.get("labels")
        for key in labels if isinstance(labels, dict) else []:
            if key.lstrip("-").isdigit() and not low <= int(key) <= high:
                self.add(path + ("labels", key), f"{at}: label for {key}, outside the scale {low} to {high}", key=True)

    def choices(self, path: Path, item: dict[str, Any], at: str) -> None:
        choices = item.get("choices")
        if not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
            return
        seen: set[Any] = set()
        for c, choice in enumerate(choices):
            if choice.get("id") in seen:
                self.add(path + ("choices", c, "id"), f"{at}: duplicate choice id {choice.get('id')!r}")
            seen.add(choice.get("id"))
        scores = [c.get("score") for c in choices if isinstance(c.get("score"), (int, float))]
        pass_score = item.get("pass_score", model.DEFAULT_PASS_SCORE)
        if not isinstance(pass_score, (int, float)) or not scores:
            return
        best = sum(scores) if item.get("type") == "multi_choice" else max(scores)
        if best < pass_score:
            self.add(path + ("choices",), f"{at}: no answer can reach pass_score {pass_score}, so the item always fails")
        if item.get("type") == "multi_choice" and all(c.get("exclusive") for c in choices):
            self.add(path + ("choices",), f"{at}: every choice is exclusive; use type choice instead")

    def number(self, path: Path, item: dict[str, Any], at: str) -> None:
        low, high = item.get("min"), item.get("max")
        passing: dict[str, Any] = item["pass"] if isinstance(item.get("pass"), dict) else {}
        partial: dict[str, Any] = item["partial"] if isinstance(item.get("partial"), dict) else {}
        pmin, pmax = passing.get("min"), passing.get("max")
        if _numeric(low) and _numeric(high) and low >= high:
            self.add(path + ("max",), f"{at}: max {high} must be greater than min {low}")
        if _numeric(pmin) and _numeric(pmax) and pmin > pmax:
            self.add(path + ("pass",), f"{at}: pass min {pmin} is above pass max {pmax}, so nothing passes")
        for bound, below in (("min", True), ("max", False)):
            value, limit = partial.get(bound), passing.get(bound)
            if not _numeric(value) or not passing:  # no pass at all: the schema has said so
                continue
            if not _numeric(limit):
                self.add(path + ("partial", bound), f"{at}: partial {bound} {value} widens pass on a side it leaves open; pass has no {bound}, so partial may not have one")
            elif (value >= limit) if below else (value <= limit):
                side = "below pass min" if below else "above pass max"
                self.add(path + ("partial", bound), f"{at}: partial {bound} {value} must be {side} {limit}: partial credit is for answers just outside what passes")
        bounds = [(key, bound, rule.get(bound)) for key, rule in (("pass", passing), ("partial", partial)) for bound in ("min", "max")]
        if item.get("type") == "timer":
            for key, bound, value in bounds:
                if _numeric(value) and value < 0:
                    self.add(path + (key, bound), f"{at}: {key} {bound} {value} is negative; a timer counts seconds from 0")
            return
        for key, bound, value in bounds:
            if not _numeric(value):
                continue
            if (_numeric(low) and value < low) or (_numeric(high) and value > high):
                self.add(path + (key, bound), f"{at}: {key} {bound} {value} lies outside what may be entered ({low} to {high})")

    def when(self, path: Path, when: dict[str, Any], at: str, earlier: dict[str, dict[str, Any]], every: set[Any]) -> None:
        target_id = when["item"]
        if target_id not in earlier:
            if target_id == value_at(self.data, path + ("id",)):
                message = f"{at}: when points at the item itself"
            elif target_id in every:
                message = f"{at}: when points at {target_id!r}, which comes later; it must point at an earlier item"
            else:
                message = f"{at}: when points at {target_id!r}, which is not an item{suggest(target_id, [str(i) for i in every if i])}"
            self.add(path + ("when", "item"), message)
            return
        target = earlier[target_id]
        kind = target.get("type")
        if kind not in _CONDITION_TYPES:
            self.add(path + ("when", "item"), f"{at}: when cannot depend on {target_id!r}, a {kind} item; only yes_no, scale, choice and multi_choice")
            return
        values = [when["equals"]] if "equals" in when else when.get("in", [])
        key = "equals" if "equals" in when else "in"
        for index, value in enumerate(values if isinstance(values, list) else []):
            at_value = path + (("when", key) if key == "equals" else ("when", key, index))
            written = self.source.typed.get(at_value, "")
            if isinstance(value, bool) and written and written.lower() not in ("yes", "no"):
                # condition_value reads true/false as the answers yes/no; `on`, `off`, `true` and `false` say neither
                self.add(at_value, f"{at}: {unquoted(written, value)}; write yes or no for a yes/no answer, or quote a choice id: \"{written}\"")
                continue
            allowed = self.answers(target)
            value = model.condition_value(value)
            if allowed is not None and value not in allowed:
                shown = ", ".join(str(a) for a in allowed)
                self.add(path + ("when", key), f"{at}: {value!r} is not a possible answer of {target_id!r} ({shown})")

    def moment(self, path: Path, when: dict[str, Any], at: str) -> None:
        """What the schema cannot say of a condition on the visit's start: hours that span no
        time, days that are every day, and day kinds without a calendar to tell them apart."""
        hours = when.get("hours")
        if isinstance(hours, str) and len(hours) == 11 and hours[:5] == hours[6:]:
            self.add(path + ("hours",), f"{at}: when hours {hours!r} starts and ends at the same time; give the first minute and the minute after the last, e.g. \"11:00-14:00\"")
        days = when.get("day")
        if not isinstance(days, list) or not days:
            return
        if set(holidays.DAY_KINDS) <= set(days):
            self.add(path + ("day",), f"{at}: when day lists every kind of day, so it always holds; leave it out")
        elif holidays.library_calendar()[0] is None:
            self.add(path + ("day",), f"{at}: when day needs the calendar of public holidays, {holidays.CALENDAR}, which has problems; run audit check on it")

    def site_types(self, known: Collection[str]) -> None:
        """Site types are the organisation's: given its list, each one the checklist names must be on it."""
        listed = self.data.get("site_types")
        for index, value in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(value, str) and re.fullmatch(ID_PATTERN, value) and value not in known:
                every = sorted(known)
                self.add(
                    ("site_types", index),
                    f"{where(self.data, ('site_types',))}: site type {value!r} is not in the organisation file"
                    f"{suggest(value, every)}; its site types are {', '.join(every) or 'none'}",
                )

    def days(self) -> None:
        """A `day` places a detail in a case over several days: it needs the case, and falls within it."""
        case = self.data.get("case")
        days = case.get("days") if isinstance(case, dict) else None
        dated = [(path, section) for path, section in _sections(self.data)] + list(_items(self.data))
        for path, row in dated:
            day = row.get("day")
            if not isinstance(day, int) or isinstance(day, bool):
                continue
            at = where(self.data, path)
            if case is None:
                self.add(path + ("day",), f"{at}: day {day} places it in a case over several days, but the checklist has no case; add case: {{days: N}} at the top")
            elif isinstance(days, int) and day > days:
                self.add(path + ("day",), f"{at}: day {day} falls after the case's last day ({days})")

    @staticmethod
    def answers(target: dict[str, Any]) -> list[Any] | None:
        kind = target.get("type")
        if kind == "yes_no":
            return ["yes", "no", "na"] if target.get("na") else ["yes", "no"]
        if kind == "scale":
            low, high = target.get("min"), target.get("max")
            if isinstance(low, int) and isinstance(high, int) and high - low <= 10:
                return list(range(low, high + 1))
            return None
        choices = target.get("choices")
        if isinstance(choices, list):
            return [c.get("id") for c in choices if isinstance(c, dict)]
        return None


def check_source(
    source: Source, problems: list[Problem], *, site_types: Collection[str] | None = None
) -> tuple[model.Checklist | None, list[Problem]]:
    """With `site_types` (an organisation's), a site type not among them is a problem too."""
    if not isinstance(source.data, dict):
        found = "empty" if source.data is None else f"a {'list' if isinstance(source.data, list) else 'single value'}"
        return None, problems + [Problem(*source.position(()), f"a checklist file must be a mapping of keys (id, title, stages, ...); this file is {found}")]
    problems = problems + schema_problems(source)
    checker = _Checker(source)
    for check in (checker.languages, checker.ids, checker.bands, checker.items, checker.days):
        check()
    if site_types is not None:
        checker.site_types(site_types)
    problems += checker.problems
    if problems:
        return None, sorted(set(problems))
    return model.build(source.data, holidays.library_calendar()[0]), []


def check_bytes(raw: bytes, path: str, *, site_types: Collection[str] | None = None) -> Result:
    try:
        source, problems = load(raw)
        checklist, problems = check_source(source, problems, site_types=site_types)
    except ProblemsFound as found:
        return Result(path, None, tuple(found.problems))
    except Exception as error:  # a validator bug must still not lose the user's other files
        message = f"internal error while checking ({type(error).__name__}: {error}); please report it"
        return Result(path, None, (Problem(1, 1, message),))
    return Result(path, checklist, tuple(problems))


def check_file(path: FilePath, *, site_types: Collection[str] | None = None) -> Result:
    """Reads at most one byte past the limit, so a huge file is refused without loading it."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as error:
        return Result(str(path), None, (Problem(1, 1, f"cannot read the file: {error.strerror}"),))
    if len(raw) > MAX_BYTES:
        return Result(str(path), None, (Problem(1, 1, f"file is larger than the limit of {MAX_BYTES:,} bytes"),))
    return check_bytes(raw, str(path), site_types=site_types)

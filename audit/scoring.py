"""Scores of a visit, from the pinned checklist version and the answers alone.

Pure functions: the same version and answers give the same scores, today or in five years,
so a stored score can always be recomputed and checked. Item-level rules (score, fail,
visibility) live in answers.py and are shared with the phone; this module aggregates them.

Section = weighted mean of its shown, answered, scored items (N/A, hidden and unanswered
items leave the denominator); stage = weighted mean of its sections that have a score;
overall = weighted mean of the stages that have a score, as a percentage; then every failed
critical item caps the overall score at its `cap`; the band is the first whose `min` the
capped score reaches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from . import answers
from .answers import Answers
from .model import Band, Checklist


class ItemResult(NamedTuple):
    """One per shown item of every visit scored: a tuple, which is made several times faster
    than a frozen dataclass on the path that stores each visit."""

    item_id: str
    score: float | None
    failed: bool
    na: bool


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    score: float | None
    weight: float
    items: tuple[ItemResult, ...]

    @property
    def failed(self) -> int:
        return sum(1 for item in self.items if item.failed)


@dataclass(frozen=True)
class StageScore:
    stage: str
    score: float | None
    weight: float
    sections: tuple[SectionScore, ...]


@dataclass(frozen=True)
class VisitScore:
    score: float | None
    uncapped: float | None
    band: str | None
    critical_failures: tuple[str, ...]
    failures: tuple[str, ...]
    stages: tuple[StageScore, ...]

    def items(self) -> dict[str, ItemResult]:
        return {item.item_id: item for stage in self.stages for section in stage.sections for item in section.items}


def weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    """Mean of (value, weight) pairs; None when nothing carries weight."""
    total = sum(weight for _, weight in pairs)
    if total <= 0:
        return None
    return sum(value * weight for value, weight in pairs) / total


def band_for(bands: tuple[Band, ...], score: float | None) -> str | None:
    if score is None:
        return None
    for band in bands:
        if score >= band.min - 1e-9:
            return band.id
    return bands[-1].id


def score_visit(checklist: Checklist, given: Answers, started_at: object) -> VisitScore:
    """`started_at`: the visit body's, by which conditions on the visit's time show items."""
    shown = set(answers.visible(checklist, given, started_at))
    stages: list[StageScore] = []
    failures: list[str] = []
    critical: list[tuple[str, float]] = []
    for stage in checklist.stages:
        sections: list[SectionScore] = []
        for section in stage.sections:
            results: list[ItemResult] = []
            pairs: list[tuple[float, float]] = []
            for item in section.items:
                if item.id not in shown:
                    continue
                answer = given.get(item.id)
                value = answers.score(item, answer)
                fail = answers.fails(item, value)
                results.append(ItemResult(item.id, value, fail, bool(answer and answer.get("na"))))
                if value is not None:
                    pairs.append((value, item.weight))
                if fail:
                    failures.append(item.id)
                    if item.critical_cap is not None:
                        critical.append((item.id, item.critical_cap))
            mean = weighted_mean(pairs)
            sections.append(SectionScore(section.id, None if mean is None else mean * 100, section.weight, tuple(results)))
        stage_mean = weighted_mean([(s.score, s.weight) for s in sections if s.score is not None])
        stages.append(StageScore(stage.key, stage_mean, stage.weight, tuple(sections)))
    uncapped = weighted_mean([(s.score, s.weight) for s in stages if s.score is not None])
    capped = uncapped
    if capped is not None:
        for _, cap in critical:
            capped = min(capped, cap)
    return VisitScore(
        score=capped,
        uncapped=uncapped,
        band=band_for(checklist.bands, capped),
        critical_failures=tuple(item_id for item_id, _ in critical),
        failures=tuple(failures),
        stages=tuple(stages),
    )

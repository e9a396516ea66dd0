"""Stored scores: the rows written when a visit is accepted, recomputable from the pinned version."""

from __future__ import annotations

from typing import Any

from .db import now
from .scoring import VisitScore


def rows(visit_uuid: str, result: VisitScore) -> dict[str, list[dict[str, Any]]]:
    """The visit's, its stages' and its sections' scores, as rows of their tables."""
    return {
        "visit_scores": [
            {
                "visit_uuid": visit_uuid,
                "score": result.score,
                "uncapped": result.uncapped,
                "band": result.band,
                "failures": len(result.failures),
                "critical_failures": len(result.critical_failures),
                "computed_at": now(),
            }
        ],
        "stage_scores": [{"visit_uuid": visit_uuid, "stage": s.stage, "score": s.score} for s in result.stages],
        "section_scores": [
            {"visit_uuid": visit_uuid, "stage": stage.stage, "section_id": s.section_id, "score": s.score, "failures": s.failed}
            for stage in result.stages
            for s in stage.sections
        ],
    }

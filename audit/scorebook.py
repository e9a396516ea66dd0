"""Stored scores: written when a visit is accepted, recomputable from the pinned version."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .answers import Answers
from .db import now
from .model import Checklist
from .scoring import VisitScore, score_visit


def rows(visit_uuid: str, result: VisitScore) -> dict[str, list[dict[str, Any]]]:
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


def store(db: sqlite_utils.Database, visit_uuid: str, checklist: Checklist, given: Answers) -> VisitScore:
    """Writes the visit's scores; call inside the transaction that stores the visit."""
    result = score_visit(checklist, given)
    for table, table_rows in rows(visit_uuid, result).items():
        db.table(table).insert_all(table_rows, replace=True)
    return result

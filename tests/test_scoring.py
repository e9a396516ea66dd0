"""Visit scores against the golden cases, and stored scores that recompute to the same values."""

from __future__ import annotations

from typing import Any

import pytest

from audit.scoring import score_visit

from .golden_cases import score_cases

CHECKLIST, CASES = score_cases()


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_golden_score(case: dict[str, Any]) -> None:
    result = score_visit(CHECKLIST, case["answers"], case.get("started_at"))
    expect = case["expect"]
    sections = {s.section_id: s.score for stage in result.stages for s in stage.sections}
    assert sections == pytest.approx(expect["sections"]), case["why"]
    assert {s.stage: s.score for s in result.stages} == pytest.approx(expect["stages"]), case["why"]
    assert result.uncapped == pytest.approx(expect["uncapped"]), case["why"]
    assert result.score == pytest.approx(expect["score"]), case["why"]
    assert result.band == expect["band"], case["why"]
    assert list(result.failures) == expect["failures"], case["why"]
    assert list(result.critical_failures) == expect["critical_failures"], case["why"]


def test_scores_are_stored_on_acceptance_and_recompute_alike(tmp_path: Any) -> None:
    import json
    import random
    from datetime import datetime, timezone

    from starlette.testclient import TestClient

    from audit import db, demo, library
    from audit.app import create_app
    from audit.pinned import pinned_checklist
    from audit.startup import Settings

    from .conftest import ROOT, demo_database, sign_in

    path = demo_database(tmp_path / "audit.db")
    checklist = next(c for c in library.load(ROOT / "checklists") if c.id == "service-hall")
    rng = random.Random(7)
    body, _ = demo.visit_body(checklist, "gz-tianhe-service-hall", rng, quality=0.6, started=datetime(2026, 1, 5, 9, tzinfo=timezone.utc))
    with TestClient(create_app(Settings(db_path=path))) as client:
        sign_in(client, "inspector")
        assert client.put("/api/visits/6f1c1c1e-1111-4aaa-8bbb-123456789abc", json=body).status_code == 200
    database = db.connect(path)
    stored = database["visit_scores"].get("6f1c1c1e-1111-4aaa-8bbb-123456789abc")
    visit = database["visits"].get("6f1c1c1e-1111-4aaa-8bbb-123456789abc")
    pinned = pinned_checklist(database, visit["checklist_hash"])
    assert pinned is not None
    sent = json.loads(visit["body"])
    again = score_visit(pinned, sent["answers"], sent["started_at"])
    assert stored["score"] == pytest.approx(again.score)
    assert stored["band"] == again.band
    stages = {row["stage"]: row["score"] for row in database["stage_scores"].rows}
    assert stages == pytest.approx({s.stage: s.score for s in again.stages})

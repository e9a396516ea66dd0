"""Loads the golden cases shared by the phone's rules and the server's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from audit.model import Checklist
from audit.validate import check_bytes

GOLDEN = Path(__file__).parent / "golden"


def answer_cases() -> tuple[Checklist, list[dict[str, Any]]]:
    data = yaml.safe_load((GOLDEN / "answers.yaml").read_text(encoding="utf-8"))
    result = check_bytes(data["checklist"].encode("utf-8"), "golden")
    assert result.checklist is not None, result.problems
    return result.checklist, data["cases"]


def score_cases() -> tuple[Checklist, list[dict[str, Any]]]:
    data = yaml.safe_load((GOLDEN / "scores.yaml").read_text(encoding="utf-8"))
    result = check_bytes(data["checklist"].encode("utf-8"), "golden-scores")
    assert result.checklist is not None, result.problems
    return result.checklist, data["cases"]


def assert_matches(got: dict[str, Any], case: dict[str, Any]) -> None:
    """The phone's and the server's results, held to the same expectations of one case."""
    import pytest

    expect = case["expect"]
    assert got["visible"] == expect["visible"], case["why"]
    assert sorted(got["invalid"]) == sorted(expect["invalid"]), case["why"]
    if "missing" in expect:
        assert got["missing"] == expect["missing"], case["why"]
    if "scores" in expect:
        assert got["scores"] == pytest.approx(expect["scores"]), case["why"]
        assert got["failed"] == expect["failed"], case["why"]

"""The checklist library in checklists/: valid, and good enough to send inspectors out with."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from audit import demo, library
from audit.model import Checklist
from audit.schema import SCHEMA, STAGES

from .conftest import ROOT


@pytest.fixture(scope="module")
def checklists() -> list[Checklist]:
    results = library.check([ROOT / "checklists"])
    problems = [p.format(r.path) for r in results for p in r.problems]
    assert not problems, "\n".join(problems)
    return [r.checklist for r in results if r.checklist is not None]


def test_every_file_passes_the_published_schema(library_files: list[Path]) -> None:
    schema = json.loads((ROOT / "checklists" / "schema.json").read_text())
    assert schema == SCHEMA, "checklists/schema.json is stale: run `audit schema > checklists/schema.json`"
    validator = Draft202012Validator(schema)
    for path in library_files:
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert not errors, (path, errors[0].message)


def test_library_size_and_coverage(checklists: list[Checklist]) -> None:
    items = [item for checklist in checklists for item in checklist.items()]
    assert len(items) >= 220  # issue 12: every domain-brief detail and the gaps a chain's checklist has
    stages = {stage.key for checklist in checklists for stage in checklist.stages}
    assert stages == set(STAGES)
    covered = {site_type for checklist in checklists for site_type in checklist.site_types}
    assert covered == {site_type.id for site_type in demo.organisation().site_types}
    types = {item.type for item in items}
    assert types >= {"yes_no", "scale", "choice", "multi_choice", "number", "timer", "timestamp", "text", "photo"}


# Every text in three languages, each in its own script: test_library_languages.py.


def test_ids_match_file_names(library_files: list[Path], checklists: list[Checklist]) -> None:
    assert sorted(path.stem for path in library_files) == sorted(c.id for c in checklists)


def test_duplicate_checklist_id_across_files(tmp_path: Path) -> None:
    source = (ROOT / "checklists").glob("*.yaml").__next__().read_bytes()
    (tmp_path / "a.yaml").write_bytes(source)
    (tmp_path / "b.yaml").write_bytes(source)
    results = library.check([tmp_path])
    assert results[0].problems == ()
    assert "is already used by" in results[1].problems[0].message

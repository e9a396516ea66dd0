"""The `audit` command as a user runs it: exit codes, output, and docs that match."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit.cli import main

from .checklist_cases import BASE
from .conftest import ROOT


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_check_passes_on_the_library() -> None:
    result = run("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_check_reports_problems_with_exit_1(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(BASE.replace("type: yes_no", "type: yesno"), encoding="utf-8")
    result = run("check", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout.strip() == (
        f"{tmp_path / 'bad.yaml'}:16:19: item 'carts': unknown response type 'yesno' (did you mean 'yes_no'?); "
        "types are yes_no, scale, choice, multi_choice, number, timer, timestamp, text, photo"
    )
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("check", str(tmp_path / "missing.yaml")).returncode == 2
    assert run("check", str(tmp_path)).returncode == 2  # no checklist files there
    assert run("check", "--no-such-flag").returncode == 2


def test_check_json_summary() -> None:
    result = run("check", "--json")
    assert result.returncode == 0
    summary = json.loads(result.stdout)
    assert summary and all(entry["valid"] and entry["problems"] == [] for entry in summary)
    entry = summary[0]
    assert set(entry) >= {"id", "title", "hash", "stages", "sections", "items", "languages", "problems"}
    assert len(entry["hash"]) == 64


def test_check_json_lists_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE + "            wieght: 2\n", encoding="utf-8")
    summary = json.loads(run("check", "--json", str(bad)).stdout)
    assert summary == [
        {
            "path": str(bad),
            "valid": False,
            "problems": [{"line": 17, "column": 13, "message": "item 'carts': unknown key 'wieght' (did you mean 'weight'?)"}],
        }
    ]


def test_schema_command_prints_the_committed_schema() -> None:
    result = run("schema")
    assert json.loads(result.stdout) == json.loads((ROOT / "checklists" / "schema.json").read_text())


def test_every_command_has_help_and_a_readme_entry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    runner = CliRunner()
    for name, command in main.commands.items():
        assert command.help, name
        assert f"`audit {name}" in readme, name
        assert runner.invoke(main, [name, "--help"]).exit_code == 0


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "```sh"
    run_line, test_line = lines[1], lines[2]
    assert "audit demo" in run_line and "audit serve" in run_line
    assert "pytest" in test_line
    ci = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert ci == [test_line]


def test_readme_example_is_a_valid_checklist(tmp_path: Path) -> None:
    doc = (ROOT / "checklists" / "README.md").read_text(encoding="utf-8")
    example = doc.split("## A complete example")[1].split("```yaml\n")[1].split("```")[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    result = run("check", str(path))
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("args", [["demo"], ["serve", "--port", "99999"]])
def test_bad_options_are_usage_errors(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr

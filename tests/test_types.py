"""The package type-checks under mypy --strict, as design.md asks of every module."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "audit"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr

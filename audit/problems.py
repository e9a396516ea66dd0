"""A problem found in an input file, located by line and column for editors and reviewers.

A problem in a file of records (an organisation file's rows) also names its field, which
tells the reader more than a column number: such a problem is printed `file:line: field:
message`, the others `file:line:column: message`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    column: int
    message: str
    field: str = ""

    def format(self, path: str) -> str:
        if self.field:
            return f"{path}:{self.line}: {self.field}: {self.message}"
        return f"{path}:{self.line}:{self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        located: dict[str, object] = {"line": self.line, "column": self.column}
        if self.field:
            located["field"] = self.field
        return {**located, "message": self.message}


class ProblemsFound(Exception):
    """Raised where a caller needs a value and the input had problems instead."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.line}:{p.column}: {p.message}" for p in problems))
        self.problems = problems

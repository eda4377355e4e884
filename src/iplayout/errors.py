"""Exception types that carry where the problem is (file, line, column, value, parameter).

Input checks raise these, never ``assert`` (asserts vanish under ``python -O``).
"""
from __future__ import annotations

from dataclasses import dataclass


class IplayoutError(Exception):
    """Base class for every error this package raises on purpose."""


@dataclass
class Problem:
    """One located problem in an input file."""

    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column!r}")
        loc = ":".join(where[:1]) + (", " + ", ".join(where[1:]) if len(where) > 1 else "")
        val = f" (value {self.value!r})" if self.value is not None else ""
        return f"{loc}: {self.message}{val}" if loc else f"{self.message}{val}"


class DataError(IplayoutError):
    """Input data failed validation; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem] | Problem | str, *, file: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, file=file)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        head = f"{len(self.problems)} problem(s)"
        body = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{head}:\n{body}{more}")


class SpecError(IplayoutError):
    """A YAML spec / parameter set is invalid (unknown key, wrong type, inconsistent setting)."""


class ParameterError(IplayoutError):
    """A notebook or run parameter is invalid; raised before any kernel starts."""


class MethodError(IplayoutError):
    """A method cannot be applied to the given data (e.g. AHP consistency ratio too high)."""

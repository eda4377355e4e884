"""Exception types that carry where the problem is (file, line, column, value, parameter).

Input checks raise these, never ``assert`` (asserts vanish under ``python -O``).
"""
from __future__ import annotations

from dataclasses import dataclass

#: longest text of one value quoted in a message; a huge cell or document is cut, never echoed whole
MAX_QUOTE = 200


def shorten(text: object, limit: int = MAX_QUOTE) -> str:
    """``text`` as str, cut to ``limit`` characters with a note of how much was left out."""
    s = str(text)
    return s if len(s) <= limit else f"{s[:limit]}… [{len(s) - limit:,} more characters]"


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
        val = f" (value {shorten(repr(self.value))})" if self.value is not None else ""
        msg = shorten(self.message, 2000)
        return f"{loc}: {msg}{val}" if loc else f"{msg}{val}"


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


class BusyError(IplayoutError):
    """Another process has held the database's writer lock for longer than the timeout."""

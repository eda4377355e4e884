"""Region names → GB/T 2260 codes through the explicit alias table.

Names are never guessed: a name the table does not list is a located :class:`~iplayout.errors.Problem`;
a name the table lists as ``exclude`` is dropped, and the reason travels with the drop count.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem

ACTIONS = ("map", "exclude")


@dataclass(frozen=True)
class AliasTable:
    """Alias → (code, action, reason); lookups strip outer whitespace only (inner padding is an alias)."""

    table: pd.DataFrame

    @classmethod
    def from_frames(cls, aliases: pd.DataFrame, region_codes: set[str], file: str = "region_aliases.csv") -> "AliasTable":
        """Check the alias table itself (known codes, valid actions, no alias listed twice)."""
        problems: list[Problem] = []
        for i, row in enumerate(aliases.itertuples(index=False), start=2):
            if row.action not in ACTIONS:
                problems.append(Problem("action must be map or exclude", file, i, "action", row.action))
            elif row.action == "map" and row.code not in region_codes:
                problems.append(Problem("alias maps to a code not in regions.csv", file, i, "code", row.code))
            elif row.action == "exclude" and not str(row.reason).strip():
                problems.append(Problem("an excluded alias needs a reason", file, i, "reason", row.alias))
        dup = aliases[aliases["alias"].duplicated(keep=False)]
        for idx, row in dup.iterrows():
            problems.append(Problem("alias listed more than once", file, int(idx) + 2, "alias", row["alias"]))
        if problems:
            raise DataError(problems)
        return cls(aliases.set_index("alias"))

    def resolve(self, names: pd.Series, *, file: str, lines: pd.Series, column: str) -> tuple[pd.Series, pd.Series, list[Problem]]:
        """Map names to codes.

        Returns ``(codes, excluded_mask, problems)``: codes are '' where excluded or unknown;
        every unknown name is a Problem naming the file, the spreadsheet line, the column and the value.
        """
        key = names.astype(str).str.strip()
        hit = key.map(self.table["code"])
        action = key.map(self.table["action"])
        unknown = action.isna()
        problems = [
            Problem("unknown region name (add it to data/reference/region_aliases.csv with map or exclude)",
                    file, int(ln), column, v)
            for v, ln in zip(names[unknown], lines[unknown])
        ]
        excluded = action.eq("exclude").fillna(False).astype(bool)
        codes = hit.where(action.eq("map"), "").fillna("").astype(str)
        return codes, excluded, problems

    def reason(self, name: str) -> str:
        return str(self.table.loc[name.strip(), "reason"])


def load_alias_table(reference_dir: Path, region_codes: set[str]) -> AliasTable:
    path = reference_dir / "region_aliases.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return AliasTable.from_frames(df, region_codes, file=str(path))

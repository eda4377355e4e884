"""Region names → GB/T 2260 codes through the explicit alias table.

Names are never guessed: a name the table does not list is a located :class:`~iplayout.errors.Problem`;
a name the table lists as ``exclude`` is dropped, and the reason travels with the drop count.

Before any lookup, names (in the data and in the table alike) pass :func:`normalise_name`: yearbooks
pad two-character city names to the width of three with a full-width or ideographic space
(``南\u3000京``), and PDFs/Excel leave non-breaking spaces and full-width brackets. Only such
*typography* is normalised; spelling never is.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem

ACTIONS = ("map", "exclude")
_CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def normalise_name(name: object) -> str:
    """Typographic normal form of a region name: NFKC (full-width → ASCII forms, ideographic and
    non-breaking spaces → spaces), no blanks between Chinese characters, runs of blanks → one, stripped.

    ``'南\u3000京'`` → ``'南京'``, ``'全   国'`` → ``'全国'``, ``'无锡市（含江阴）'`` → ``'无锡市(含江阴)'``,
    ``'Korea,\u00a0Rep.'`` → ``'Korea, Rep.'``.
    """
    s = unicodedata.normalize("NFKC", str(name if name is not None else ""))
    s = _SPACE_BETWEEN_CJK.sub("", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass(frozen=True)
class AliasTable:
    """Alias → (code, action, reason); lookups compare :func:`normalise_name` forms of both sides."""

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
        norm = cls.normalised(aliases).table
        same = aliases.assign(key=aliases["alias"].map(normalise_name), code=aliases["code"].fillna(""))
        n_meanings = same.groupby("key")[["code", "action"]].nunique().max(axis=1)
        for idx, row in same[same["key"].map(n_meanings) > 1].iterrows():  # spellings of one name must agree
            problems.append(Problem(f"alias equals {row['key']!r} up to spacing/full-width forms but maps "
                                    "differently", file, int(idx) + 2, "alias", row["alias"]))
        if problems:
            raise DataError(problems)
        return cls(norm)

    @classmethod
    def normalised(cls, aliases: pd.DataFrame) -> "AliasTable":
        """The table keyed by normal forms, without re-checking it (a built database's table was checked)."""
        norm = aliases.assign(alias=aliases["alias"].map(normalise_name))
        return cls(norm.drop_duplicates("alias").set_index("alias"))

    def resolve(self, names: pd.Series, *, file: str, lines: pd.Series, column: str) -> tuple[pd.Series, pd.Series, list[Problem]]:
        """Map names to codes.

        Returns ``(codes, excluded_mask, problems)``: codes are '' where excluded or unknown;
        every unknown name is a Problem naming the file, the spreadsheet line, the column and the value.
        """
        key = names.map(normalise_name)
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
        return str(self.table.loc[normalise_name(name), "reason"])

    def lookup(self, name: object) -> tuple[str | None, str | None, str]:
        """``(code, action, reason)`` of one name; ``(None, None, '')`` when the table does not list it."""
        key = normalise_name(name)
        if key not in self.table.index:
            return None, None, ""
        row = self.table.loc[key]
        return str(row["code"]), str(row["action"]), str(row["reason"])


def load_alias_table(reference_dir: Path, region_codes: set[str]) -> AliasTable:
    path = reference_dir / "region_aliases.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return AliasTable.from_frames(df, region_codes, file=str(path))

"""What a record import did, in words: rows read / bad / duplicate, new / updated / unchanged, placement shares."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .schema import PLACEMENTS


def year_shares(con, table: str, year_col: str, where: str = "", weight: str | None = None) -> pd.DataFrame:
    """Records per year and placement with shares: ``year, records, field, address, foreign, non_cn_office,
    unplaced`` counts and ``placed_share, foreign_share, unplaced_share`` (placed = field + address).
    ``weight``: a column of ``table`` counting the records each row stands for (one each when None)."""
    if weight is None:
        total, counts = "count(*)", [f"count(*) FILTER (WHERE placement = '{p}')" for p in PLACEMENTS]
    else:
        total, counts = f"sum({weight})", [f"coalesce(sum({weight}) FILTER (WHERE placement = '{p}'), 0)"
                                           for p in PLACEMENTS]
    cols = ", ".join(f"{c} AS {p}" for c, p in zip(counts, PLACEMENTS))
    df = con.execute(f"SELECT {year_col} AS year, {total} AS records, {cols} FROM {table} {where} "
                     "GROUP BY 1 ORDER BY 1").df()
    for c in ["records", *PLACEMENTS]:
        df[c] = df[c].astype("int64")
    n = df["records"].where(df["records"] > 0)
    df["placed_share"] = (df["field"] + df["address"]) / n
    df["foreign_share"] = df["foreign"] / n
    df["non_cn_office_share"] = df["non_cn_office"] / n
    df["unplaced_share"] = df["unplaced"] / n
    return df


def share_lines(shares: pd.DataFrame, indent: str = "  ") -> list[str]:
    out = [f"{indent}year  records  placed%  foreign%  non-CN office%  unplaced%"]
    for r in shares.itertuples():
        out.append(f"{indent}{r.year}  {r.records:>7,}  {100 * r.placed_share:6.1f}  {100 * r.foreign_share:7.1f}  "
                   f"{100 * r.non_cn_office_share:13.1f}  {100 * r.unplaced_share:8.1f}")
    return out


@dataclass
class RecordImportReport:
    file: Path
    db_path: Path
    kind: str
    source_format: str
    dry_run: bool
    import_id: str
    is_demo: bool = False
    encoding: str = ""
    rows_read: int = 0
    rows_bad: int = 0
    rows_duplicate: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    already_imported: bool = False
    written: bool = False
    source_id: str = ""
    rejects_file: Path | None = None
    shares: pd.DataFrame | None = None
    offices: dict = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    observations: dict | None = None
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if self.dry_run:
            head = "DRY RUN — nothing written / 试运行，未写入"
        elif self.already_imported:
            head = f"already imported ({self.import_id}): nothing changed / 该文件已导入，数据库未改变"
        elif not self.written:
            head = "no record new or changed: nothing written / 无新增或变更记录，数据库未改变"
        else:
            head = f"imported into {self.db_path} as {self.import_id}"
        out = [head, f"  file: {self.file} ({self.kind}, format {self.source_format}, encoding {self.encoding})"
               + ("  [DEMO data, flagged is_demo / 演示数据]" if self.is_demo else ""),
               f"  rows read: {self.rows_read:,}; bad: {self.rows_bad:,}; duplicate record ids collapsed "
               f"(last row kept): {self.rows_duplicate:,}",
               f"  records new: {self.new:,}, updated: {self.updated:,}, unchanged: {self.unchanged:,}"]
        if self.rejects_file:
            out.append(f"  {self.rows_bad:,} bad row(s) skipped, written with their reason to {self.rejects_file}")
        if self.offices:
            out.append("  offices: " + ", ".join(f"{k or '?'} {v:,}" for k, v in self.offices.items()))
        if self.shares is not None and len(self.shares):
            out.append("  placement by year (placed = region field or address; shares of this file's records):")
            out += share_lines(self.shares, "    ")
        if self.ignored_columns:
            out.append(f"  columns not in the mapping, ignored: {self.ignored_columns}")
        if self.observations:
            out.append("  record-based observations: " + ", ".join(f"{k} {v:,}" for k, v in self.observations.items()))
        out += [f"  note: {n}" for n in self.notes]
        return out

"""Coverage of the record tables: by kind, office, region and year, with placed / foreign / unplaced shares.

Used by ``iplayout db records info``, ``iplayout db info`` (its records section) and ``db records unplaced``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from ..api import open_db
from .report import year_shares
from .schema import KIND_TABLE, has_record_tables

YEAR = {"patent": "application_year", "trademark": "application_year", "copyright": "year",
        "plant_variety": "application_year"}


def record_counts(con) -> pd.DataFrame:
    """``kind, records, demo, imports, first_year, last_year`` for every kind with records."""
    parts = []
    for kind, table in KIND_TABLE.items():
        y = YEAR[kind]
        parts.append(f"SELECT '{kind}' AS kind, count(*) AS records, count(*) FILTER (WHERE is_demo) AS demo, "
                     f"count(DISTINCT import_id) AS imports, min({y}) AS first_year, max({y}) AS last_year FROM {table}")
    df = con.execute(" UNION ALL ".join(parts)).df()
    return df[df["records"] > 0].reset_index(drop=True)


def shares_by_import(con) -> pd.DataFrame:
    """Placement shares per import × year (the per-file shares of the import summary, as stored)."""
    out = []
    for kind, table in KIND_TABLE.items():
        imports = [r[0] for r in con.execute(f"SELECT DISTINCT import_id FROM {table} ORDER BY 1").fetchall()]
        for imp in imports:
            df = year_shares(con, table, YEAR[kind], where=f"WHERE import_id = '{imp}'")
            out.append(df.assign(kind=kind, import_id=imp))
    cols = ["kind", "import_id", "year", "records", "placed_share", "foreign_share", "non_cn_office_share",
            "unplaced_share"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)


def by_region(con) -> pd.DataFrame:
    """Records per kind × region (name from ``regions`` when the code is there) × year."""
    parts = [f"SELECT '{k}' AS kind, coalesce(region_code, '—' || placement) AS region_code, {YEAR[k]} AS year, "
             f"count(*) AS records FROM {t} GROUP BY ALL" for k, t in KIND_TABLE.items()]
    df = con.execute(" UNION ALL ".join(parts)).df()
    names = con.execute("SELECT code, name FROM regions").df().set_index("code")["name"]
    df["region"] = df["region_code"].map(names).fillna(df["region_code"])
    return df.sort_values(["kind", "region_code", "year"]).reset_index(drop=True)


def offices(con) -> pd.DataFrame:
    return con.execute("SELECT office, patent_type, count(*) AS records FROM patent_records GROUP BY ALL "
                       "ORDER BY office, patent_type").df()


def _table(title: str, df: pd.DataFrame, pct: tuple[str, ...] = ()) -> Table:
    t = Table(title=title)
    for c in df.columns:
        t.add_column(str(c), justify="left" if df[c].dtype == object else "right")
    for row in df.itertuples(index=False):
        t.add_row(*[f"{100 * v:.1f}%" if c in pct and pd.notna(v) else
                    (f"{v:,}" if isinstance(v, int) and "year" not in str(c) else str(v))
                    for c, v in zip(df.columns, row)])
    return t


def print_records_section(con, console: Console) -> None:
    """The records part of ``db info`` (nothing when there are no record tables or records)."""
    if not has_record_tables(con):
        console.print("record tables: none (database built before record imports; rebuild with `iplayout db build`)")
        return
    counts = record_counts(con)
    if counts.empty:
        console.print("records 记录级数据: none imported (`iplayout db records import FILE --format …`)")
        return
    console.print(_table("Records 记录 by kind", counts))
    off = offices(con)
    if len(off):
        console.print(_table("Patent records by office 受理局 × type", off))
    reg = by_region(con)
    wide = reg.pivot_table(index=["kind", "region_code", "region"], columns="year", values="records",
                           aggfunc="sum", fill_value=0).reset_index()
    wide.columns = [str(c) for c in wide.columns]
    console.print(_table("Records by region 地区 × year", wide))
    sh = shares_by_import(con)
    console.print(_table("Placement by import × year (placed / foreign / non-CN office / unplaced)", sh,
                         pct=("placed_share", "foreign_share", "non_cn_office_share", "unplaced_share")))


def print_records_info(db_path: Path | None = None, console: Console | None = None) -> None:
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    with open_db(db_path) as db:
        imports = db.con.execute("SELECT * FROM record_imports ORDER BY imported_at").df() \
            if has_record_tables(db.con) else pd.DataFrame()
        if len(imports):
            console.print(_table("Record imports 导入", imports[["import_id", "kind", "source_format", "file_name",
                                                               "imported_at", "rows_read", "rows_imported",
                                                               "rows_skipped", "is_demo"]]))
        print_records_section(db.con, console)


def unplaced_rows(db_path: Path | None = None, *, import_id: str | None = None, kind: str | None = None,
                  limit: int = 50) -> tuple[pd.DataFrame, int]:
    """Unplaced records (first ``limit``, by record id) and how many there are."""
    with open_db(db_path) as db:
        parts, params = [], []
        for k, t in KIND_TABLE.items():
            if kind and k != kind:
                continue
            prov = ("applicant_province_raw, applicant_city_raw, applicant_county_raw" if k == "patent"
                    else "NULL, NULL, NULL")
            parts.append(f"SELECT '{k}' AS kind, record_id, import_id, {YEAR[k]} AS year, {prov}, address "
                         f"FROM {t} WHERE placement = 'unplaced'" + (" AND import_id = ?" if import_id else ""))
            params += [import_id] if import_id else []
        sql = " UNION ALL ".join(parts)
        total = db.con.execute(f"SELECT count(*) FROM ({sql})", params).fetchone()[0]
        df = db.con.execute(f"SELECT * FROM ({sql}) ORDER BY kind, record_id LIMIT {int(limit)}", params).df()
    df.columns = ["kind", "record_id", "import_id", "year", "province_raw", "city_raw", "county_raw", "address"]
    return df, int(total)

"""``iplayout db info``: what the database covers (rich tables)."""
from __future__ import annotations

from pathlib import Path

import sys

from rich.console import Console
from rich.table import Table

from .api import open_db

COVERAGE_SQL = """
SELECT r.level, COALESCE(NULLIF(r.parent_code, ''), '—') AS territory,
       COUNT(DISTINCT o.region_code) AS regions, MIN(o.year) AS first_year, MAX(o.year) AS last_year,
       COUNT(DISTINCT o.year) AS years, COUNT(DISTINCT o.indicator_code) AS indicators,
       COUNT(DISTINCT o.industry_code) AS industries, COUNT(*) AS facts,
       AVG(CASE WHEN o.is_demo THEN 1.0 ELSE 0.0 END) AS demo_share,
       COUNT(DISTINCT o.source_id) AS sources
FROM observations o JOIN regions r ON r.code = o.region_code
GROUP BY 1, 2 ORDER BY CASE r.level WHEN 'country' THEN 0 WHEN 'province' THEN 1 WHEN 'city' THEN 2 ELSE 3 END, 2
"""


def coverage(db) -> "pd.DataFrame":  # noqa: F821
    """Regions × years × indicators per level and territory, with the demo share and source count."""
    return db.con.execute(COVERAGE_SQL).df()


def print_info(db_path: Path | None = None, console: Console | None = None) -> None:
    console = console or Console(width=None if sys.stdout.isatty() else 140)
    with open_db(db_path) as db:
        info = db.build_info()
        cov = coverage(db)
        n_sources = db.con.execute("SELECT COUNT(*), SUM(CASE WHEN is_demo THEN 1 ELSE 0 END) FROM sources").fetchone()
        total, demo = db.con.execute("SELECT COUNT(*), SUM(CASE WHEN is_demo THEN 1 ELSE 0 END) FROM observations").fetchone()
        pk = db.packages()
    console.print(f"[bold]{db.path}[/bold]  built {info.get('built_at', '?')}  code {info.get('code_version', '?')}"
                  f"  demo seed {info.get('demo_seed') or '—'}")
    t = Table(title="Coverage 覆盖范围 (regions × years × indicators)")
    for col in ["level", "territory", "regions", "years", "first", "last", "indicators", "industries", "facts",
                "demo %", "sources"]:
        t.add_column(col, justify="left" if col in ("level", "territory") else "right")
    for r in cov.itertuples():
        t.add_row(r.level, r.territory, str(r.regions), str(r.years), str(r.first_year), str(r.last_year),
                  str(r.indicators), str(r.industries), f"{r.facts:,}", f"{100 * r.demo_share:.1f}", str(r.sources))
    console.print(t)
    p = Table(title="Data packages 数据包")
    for col in ["id", "title", "level", "demo"]:
        p.add_column(col)
    for r in pk.itertuples():
        p.add_row(r.id, r.title, r.level, "yes" if r.is_demo else "")
    console.print(p)
    console.print(f"observations: {total:,} (demo {demo or 0:,} = {100 * (demo or 0) / max(total, 1):.1f} %); "
                  f"sources: {n_sources[0]} (demo {n_sources[1] or 0}); "
                  f"identical duplicates collapsed at build: {info.get('collapsed_duplicates', '?')}")
    from .records.info import print_records_section  # the records part (issue 11)

    with open_db(db_path) as db:
        print_records_section(db.con, console)

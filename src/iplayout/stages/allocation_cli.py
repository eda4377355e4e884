"""``iplayout catalogue`` (the guidance catalogue as a workbook) and ``iplayout policy`` (policy inventory)."""
from __future__ import annotations

from pathlib import Path

import click

from ..config import default_db_path

DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                         help="DuckDB file (default: build/iplayout.duckdb or $IPLAYOUT_DB).")


@click.command(help="Write the allocation guidance catalogue (知识产权资源配置导向目录) as an Excel workbook.")
@click.option("--territory", required=True, help="Territory code, e.g. 320000 (quoted codes stay strings).")
@click.option("--year", required=True, type=int, help="Reference year.")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--industry", default=None, help="Only this industry (e.g. SEI01).")
@DB_OPTION
def catalogue(territory, year, out, industry, db_path) -> None:
    from ..allocation.workbook import catalogue_sheets, write_workbook
    from .api import load_stage

    res = load_stage("allocation", territory=str(territory), year=int(year), db_path=str(db_path or default_db_path()))
    meta = {**res.meta, "territory": res.territory, "year": res.year}
    path = write_workbook(out, catalogue_sheets(res.tables, meta, industry_code=industry))
    n = len(res.tables["catalogue"])
    click.echo(f"{n} catalogue entries written to {path}" + ("  [含演示数据 / DEMO data]" if res.is_demo else ""))


@click.group(help="Policy inventory (政策清单): template and all-or-nothing import.")
def policy() -> None:
    pass


@policy.command(name="import", help="Import a policy inventory (XLSX sheet 政策清单, or CSV) into the database.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DB_OPTION
@click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
@click.option("--replace", is_flag=True, help="Replace the current inventory (including the bundled example).")
def import_(file, db_path, dry_run, replace) -> None:
    from ..db.policies import import_policies

    report = import_policies(file, db_path=db_path or default_db_path(), dry_run=dry_run, replace=replace)
    for line in report.lines():
        click.echo(line)


@policy.command(help="Write the XLSX inventory template (with Chinese instructions).")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template(out) -> None:
    from ..db.policies import write_template

    click.echo(f"template written to {write_template(out)}")

"""``iplayout db records …`` — demo exports, record imports, coverage and unplaced rows (docs/records.md)."""
from __future__ import annotations

from pathlib import Path

import click

from ..options import DB_OPTION, LOCK_OPTION


@click.group(help="Record-level IP data: patent, trademark, copyright and plant-variety exports (记录级数据).")
def records() -> None:
    pass


@records.command(help="Write a seeded DEMO Patsnap-style patent export (synthetic, flagged demo by a .demo.json sidecar).")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--n", type=click.IntRange(min=1), default=100_000, show_default=True, help="Number of records.")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed (same seed and n → same file).")
@click.option("--variant", type=click.Choice(["original", "stripped"]), default="original", show_default=True,
              help="Header variant: 公开(公告)号 … or the stripped 公开公告号 …")
@click.option("--encoding", type=click.Choice(["utf-8", "utf-8-sig", "gb18030", "utf-16"]), default="utf-8",
              show_default=True)
@click.option("--years", default="2014-2018", show_default=True, help="Application years FIRST-LAST.")
@click.option("--kind", type=click.Choice(["patent", "trademark", "copyright"]), default="patent", show_default=True)
def demo(out, n, seed, variant, encoding, years, kind) -> None:
    from ...errors import ParameterError
    from . import generator

    try:
        first, last = (int(y) for y in years.split("-"))
    except ValueError:
        raise ParameterError(f"--years must look like 2014-2018, got {years!r}") from None
    if kind == "patent":
        res = generator.write_demo_patents(out, n=n, seed=seed, years=range(first, last + 1),
                                           header_variant=variant, encoding=encoding)
    else:
        write = generator.write_demo_trademarks if kind == "trademark" else generator.write_demo_copyrights
        res = write(out, n=n, seed=seed, years=range(first, last + 1), encoding=encoding)
    click.echo(f"{res['rows']:,} demo {kind} records written to {out} in {res['seconds']:.1f} s "
               f"({res['rows_per_s']:,.0f} rows/s); sidecar {out}.demo.json")
    click.echo("演示数据（合成），非真实记录 — import with: iplayout db records import " + str(out)
               + (" --format patsnap" if kind == "patent" else f" --format {kind}"))


@records.command(name="import", help="Import a record export (CSV in UTF-8/GBK/UTF-16, or XLSX); all or nothing.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["patsnap", "incopat", "cnipa", "trademark", "copyright",
                                                    "plant_variety"]), default=None,
              help="A shipped mapping (params/records/mappings/<format>.yaml).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Your own mapping YAML instead of --format (docs/records.md, 'Mappings').")
@click.option("--sheet", default=None, help="Sheet of an XLSX file (default: the first data sheet).")
@click.option("--skip-bad", is_flag=True,
              help="Import the good rows; write the bad ones with their reason to <file>.rejects.csv.")
@click.option("--dry-run", is_flag=True, help="Check and count; write nothing.")
@click.option("--demo", is_flag=True, help="Flag every record as demo (also implied by a <file>.demo.json sidecar).")
@DB_OPTION
@LOCK_OPTION
@click.option("--max-mb", type=click.FloatRange(min=0), default=None,
              help="Largest file read, MB (default $IPLAYOUT_MAX_RECORDS_MB or 20000).")
def import_cmd(file, fmt, mapping, sheet, skip_bad, dry_run, demo, db_path, lock_timeout, max_mb) -> None:
    from ...config import default_db_path
    from ...errors import ParameterError
    from .importer import import_records

    if (fmt is None) == (mapping is None):
        raise ParameterError("give exactly one of --format and --mapping")
    report = import_records(file, db_path=db_path or default_db_path(), fmt=fmt, mapping=mapping, sheet=sheet,
                            skip_bad=skip_bad, dry_run=dry_run, demo=demo, lock_timeout=lock_timeout,
                            max_bytes=None if max_mb is None else int(max_mb * 1_000_000))
    for line in report.lines():
        click.echo(line)


@records.command(help="Records by kind, office, region and year, and the placed / foreign / unplaced shares.")
@DB_OPTION
def info(db_path) -> None:
    from .info import print_records_info

    print_records_info(db_path)


@records.command(help="List records that could not be placed in a region (unplaced), with their region fields.")
@DB_OPTION
@click.option("--import", "import_id", default=None, help="Only this import (rec-…; see `db records info`).")
@click.option("--kind", type=click.Choice(["patent", "trademark", "copyright", "plant_variety"]), default=None)
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
def unplaced(db_path, import_id, kind, limit) -> None:
    from .info import unplaced_rows

    df, total = unplaced_rows(db_path, import_id=import_id, kind=kind, limit=limit)
    click.echo(f"unplaced records: {total:,} (showing {len(df):,}) / 未能定位到地区的记录")
    if len(df):
        click.echo(df.to_string(index=False))

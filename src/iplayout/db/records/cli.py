"""``iplayout db records …`` — demo exports, record imports, coverage and unplaced rows (docs/records.md)."""
from __future__ import annotations

from pathlib import Path

import click

DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                         help="DuckDB file (default: build/iplayout.duckdb or $IPLAYOUT_DB).")


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

"""``iplayout db`` — build, inspect and import into the integrated database."""
from __future__ import annotations

from pathlib import Path

import click

from ..config import default_db_path

from .options import DB_OPTION, LOCK_OPTION


@click.group(help="Build, inspect and import into the integrated database (集成数据库).")
def db() -> None:
    pass


@db.command(help="Build the database from the bundled data packages (atomic: temp file + rename).")
@DB_OPTION
@click.option("--seed", type=int, default=None, help="Seed of the Jiangsu demo generator (default: fixed).")
@click.option("--no-demo", is_flag=True, help="Leave out the Jiangsu city demo panel.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of data packages (default: data/).")
@click.option("--no-imports", is_flag=True, help="Do not replay the imports recorded next to the database.")
@LOCK_OPTION
def build(db_path, seed, no_demo, data_dir, no_imports, lock_timeout) -> None:
    from .build import build_database
    from .demo import DEFAULT_SEED

    summary = build_database(db_path or default_db_path(), data_dir=data_dir,
                             seed=DEFAULT_SEED if seed is None else seed, demo=not no_demo,
                             imports=not no_imports, lock_timeout=lock_timeout)
    for line in summary.lines():
        click.echo(line)
    click.echo(f"数据库已生成 / database written: {summary.db_path}")


@db.command(help="Print coverage: regions × years × indicators per level and territory, demo share, sources.")
@DB_OPTION
def info(db_path) -> None:
    from .info import print_info

    print_info(db_path)


@db.command(name="import", help="Import your own yearbook tables (long CSV/XLSX, or a wide sheet with --mapping).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Mapping YAML (required for wide, yearbook-style sheets).")
@DB_OPTION
@click.option("--dry-run", is_flag=True, help="Validate and show what would change; write nothing.")
@click.option("--sheet", default=None, help="Sheet name of an XLSX file (default: first data sheet).")
@click.option("--source-title", default=None, help="Title of the new source row (default: the file name).")
@click.option("--source-publisher", default="", help="Publisher of the data.")
@click.option("--source-url", default="", help="URL of the data.")
@click.option("--source-licence", default="", help="Licence of the data.")
@click.option("--replace", is_flag=True, help="Allow changing values already in the database (default: refuse).")
@click.option("--unit-check", type=click.Choice(["on", "off"]), default="on", show_default=True,
              help="Refuse magnitudes that contradict the region's series or its parent's total (a unit slip).")
@LOCK_OPTION
def import_(file, mapping, db_path, dry_run, sheet, source_title, source_publisher, source_url, source_licence,
            replace, unit_check, lock_timeout) -> None:
    from .importer import SourceInfo, import_file

    report = import_file(file, db_path=db_path or default_db_path(), mapping=mapping, dry_run=dry_run, sheet=sheet,
                         source=SourceInfo(title=source_title, publisher=source_publisher, url=source_url,
                                           licence=source_licence), allow_changes=replace,
                         unit_check=unit_check == "on", lock_timeout=lock_timeout)
    for line in report.lines():
        click.echo(line)


@db.command(name="demo-countries",
            help="Write a seeded DEMO country file (synthetic, is_demo=true) for the world territory WLD.")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@DB_OPTION
@click.option("--seed", type=int, default=None, help="Seed of the generator (default: fixed).")
@click.option("--years", default="2015-2023", show_default=True, help="Year range FIRST-LAST.")
def demo_countries(out, db_path, seed, years) -> None:
    from ..errors import ParameterError
    from .demo_countries import DEFAULT_SEED, write_demo_countries

    try:
        first, last = (int(y) for y in years.split("-"))
    except ValueError as exc:
        raise ParameterError(f"--years must look like 2015-2023, got {years!r}") from exc
    rows = write_demo_countries(out, db_path=db_path, years=range(first, last + 1),
                                seed=DEFAULT_SEED if seed is None else seed)
    click.echo(f"{len(rows)} demo facts for {rows['region'].nunique()} regions written to {out}")
    click.echo("演示数据（合成），非官方统计 — import with: iplayout db import " + str(out))


from .records.cli import records  # noqa: E402  (the `db records` group lives with its package)

db.add_command(records)

from .records.concordance_cli import concordance  # noqa: E402  (the `db concordance` group lives with its package)

db.add_command(concordance)

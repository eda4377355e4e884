"""``iplayout db concordance …`` — list, import and apply IPC concordance versions (docs/records.md)."""
from __future__ import annotations

from pathlib import Path

import click

from ..options import DB_OPTION, LOCK_OPTION

PARAMS_OPTION = click.option("--params-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                             help="Folder with records/counting.yaml and records/highvalue.yaml (default: params/).")


@click.group(help="IPC concordances (IPC→技术领域/战略性新兴产业对照表): list, import, re-apply.")
def concordance() -> None:
    pass


@concordance.command(name="list", help="List the concordance versions in the database.")
@DB_OPTION
def list_(db_path) -> None:
    from ...config import default_db_path
    from ..api import connect_db
    from .concordance import versions

    con = connect_db(db_path or default_db_path(), read_only=True)
    try:
        for r in versions(con).itertuples(index=False):
            click.echo(f"{r.version:<20} {r.scheme:<9} {r.status:<9} {r.n_rows:>6} rows  {r.title}")
    finally:
        con.close()


@concordance.command(name="import", help="Import a concordance CSV/XLSX (ipc_pattern, match, target_code, weight[, "
                                         "source]) as a new version; validated, all or nothing.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--version", "version", required=True, help="Version name, e.g. sei-2021 (letters, digits, . _ -).")
@click.option("--title", default=None, help="Title of the version (default: from the file name).")
@click.option("--status", type=click.Choice(["official", "proposal"]), default="official", show_default=True)
@click.option("--replace", is_flag=True, help="Overwrite an imported version of the same name.")
@DB_OPTION
@PARAMS_OPTION
@LOCK_OPTION
def import_(file, version, title, status, replace, db_path, params_dir, lock_timeout) -> None:
    from ...config import default_db_path
    from .concordance_import import import_concordance

    res = import_concordance(file, db_path=db_path or default_db_path(), version=version, title=title, status=status,
                             replace=replace, params_dir=params_dir, lock_timeout=lock_timeout)
    click.echo(f"concordance {res['version']} ({res['scheme']}, {res['status']}): {res['rows']} rows, "
               f"{res['targets']} targets; record observations re-derived: {res['observations']}")
    click.echo("select it with concordance_version in params/records/counting.yaml, then "
               "`iplayout db concordance apply`")


@concordance.command(help="Re-derive the record-based observations with the current counting.yaml "
                          "(after switching concordance_version or basis).")
@DB_OPTION
@PARAMS_OPTION
@LOCK_OPTION
def apply(db_path, params_dir, lock_timeout) -> None:
    from ...config import default_db_path
    from ..transaction import WriteTransaction
    from .aggregate import bounded, refresh_record_observations

    with WriteTransaction(db_path or default_db_path(), tag="records-refresh", timeout=lock_timeout) as tx:
        counts = tx.write(lambda con: refresh_record_observations(bounded(con), params_dir=params_dir))
    click.echo(", ".join(f"{k} {v:,}" for k, v in counts.items()))

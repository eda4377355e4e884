"""Click options shared by the ``iplayout db`` commands and the ``db records`` group (one definition)."""
from __future__ import annotations

from pathlib import Path

import click

LOCK_OPTION = click.option("--lock-timeout", type=click.FloatRange(min=0), default=None,
                           help="Seconds to wait for another writer of the database (default: "
                                "$IPLAYOUT_LOCK_TIMEOUT or 600).")
DB_OPTION = click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                         help="DuckDB file (default: build/iplayout.duckdb or $IPLAYOUT_DB).")

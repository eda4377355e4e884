"""Write a database file atomically: work on a temporary file beside it, then rename over it.

A failed build or import therefore leaves the previous database byte-identical, and readers never see
a half-written file (``os.replace`` is atomic on one file system).
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_replace(db_path: Path, *, tag: str, copy_existing: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``db_path``; replace ``db_path`` with it when the block succeeds.

    ``copy_existing`` starts from a copy of the current file (imports); otherwise from nothing (builds).
    On any exception the temporary file (and its DuckDB ``.wal``) is removed and the exception re-raised.
    """
    tmp = db_path.with_name(f".{db_path.name}.{tag}-{os.getpid()}")
    wal = tmp.with_name(tmp.name + ".wal")
    for leftover in (tmp, wal):
        leftover.unlink(missing_ok=True)
    if copy_existing:
        shutil.copy2(db_path, tmp)
    try:
        yield tmp
        os.replace(tmp, db_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        wal.unlink(missing_ok=True)
        raise

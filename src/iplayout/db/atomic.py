"""Write a database file atomically: work on a temporary file beside it, then rename over it.

A failed build or import therefore leaves the previous database byte-identical, and readers never see
a half-written file (``os.replace`` is atomic on one file system). The temporary file is removed on
every failure, a full disk included, and an operating-system error (no space, read-only folder or file
system) becomes a :class:`~iplayout.errors.DataError` naming the database.
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import DataError, Problem


def check_writable(db_path: Path) -> None:
    """Refuse a database file or folder marked read-only (also for root, who could write anyway)."""
    folder = db_path.parent
    if db_path.exists() and not db_path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise DataError(Problem("the database file is read-only (chmod u+w to allow writing): nothing written",
                                str(db_path)))
    if folder.exists() and (not os.access(folder, os.W_OK)
                            or not folder.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)):
        raise DataError(Problem("the database's folder is read-only: nothing written", str(folder)))


@contextmanager
def atomic_replace(db_path: Path, *, tag: str, copy_existing: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``db_path``; replace ``db_path`` with it when the block succeeds.

    ``copy_existing`` starts from a copy of the current file (imports); otherwise from nothing (builds).
    On any exception the temporary file (and its DuckDB ``.wal``) is removed and the exception re-raised
    (an ``OSError`` as a DataError that says the database is unchanged).
    """
    tmp = db_path.with_name(f".{db_path.name}.{tag}-{os.getpid()}")
    wal = tmp.with_name(tmp.name + ".wal")
    try:
        for leftover in (tmp, wal):
            leftover.unlink(missing_ok=True)
        if copy_existing:
            shutil.copyfile(db_path, tmp)  # contents only: a read-only mode must not travel to the new file
        yield tmp
        os.replace(tmp, db_path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        wal.unlink(missing_ok=True)
        if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
            why = "no space left on the device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise DataError(Problem(f"cannot write the database ({why}); the temporary copy was removed and the "
                                    "database is unchanged", str(db_path))) from None
        raise

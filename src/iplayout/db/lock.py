"""The database's exclusive writer lock: one writer at a time, readers never wait.

Every write to a database file — ``db build``, ``db import`` (and the record importers built on
:class:`~iplayout.db.transaction.WriteTransaction`) — holds ``<database>.lock`` (a lock file beside it,
:mod:`filelock`) for its whole read → copy → write → rename cycle. Without it two writers each copy the
same file and the second rename silently drops the first writer's facts. Readers open the database
read-only and take no lock: a rename is atomic, so they see the old or the new file, never half of one.

A writer that finds the lock taken says so on stderr and waits up to the timeout (parameter, else
``$IPLAYOUT_LOCK_TIMEOUT`` seconds, default 600), then gives up with :class:`~iplayout.errors.BusyError`.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import BusyError, DataError, Problem, SpecError

DEFAULT_TIMEOUT = 600.0


def lock_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


def lock_timeout(timeout: float | None = None) -> float:
    """Seconds to wait for the lock: ``timeout``, else ``$IPLAYOUT_LOCK_TIMEOUT``, else 600."""
    if timeout is not None:
        return float(timeout)
    raw = os.environ.get("IPLAYOUT_LOCK_TIMEOUT", "").strip()
    try:
        return float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        raise SpecError(f"IPLAYOUT_LOCK_TIMEOUT must be a number of seconds, got {raw!r}") from None


@contextmanager
def writer_lock(db_path: Path, *, timeout: float | None = None) -> Iterator[Path]:
    """Hold the exclusive writer lock of ``db_path`` for the block (yields the lock file's path)."""
    path = lock_path(db_path)
    wait = lock_timeout(timeout)
    lock = FileLock(str(path), is_singleton=False)
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            print(f"waiting for another writer of {db_path} (lock {path}, up to {wait:g} s) …", file=sys.stderr)
            lock.acquire(timeout=wait)
    except Timeout:
        raise BusyError(f"{db_path}: another process has been writing this database for more than {wait:g} s "
                        f"(lock file {path}); try again later, or raise IPLAYOUT_LOCK_TIMEOUT / --lock-timeout") from None
    except OSError as exc:
        raise DataError(Problem(f"cannot create the lock file beside the database ({exc.strerror}): "
                                "is the folder read-only?", str(path))) from None
    try:
        yield path
    finally:
        lock.release()

"""One write transaction on the integrated database: lock → validate → diff → write → record.

This is the piece every importer reuses (``db import`` of observations today, the record-level
patent/trademark importers next). Use it like this::

    from iplayout.db.transaction import WriteTransaction

    with WriteTransaction(db_path, timeout=None) as tx:      # exclusive writer lock, held to the end
        con = tx.reader()                                   # read-only view of the *current* database
        changes = validate_and_diff(rows, con)              # raise DataError → nothing is written
        tx.write(lambda wcon: write_changes(wcon, changes)) # one SQL transaction on a copy, renamed over
        tx.record(lambda: record_import(...))               # then keep what was imported for rebuilds

Guarantees: validation and diff see the database as it is under the lock (no lost update between
two importers); a failure anywhere — a data error, a full disk, a read-only folder — leaves the
database byte-identical and removes the temporary copy; the database is checked to be a DuckDB file
before anything is read.
"""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import duckdb

from ..errors import DataError, Problem
from ..fileio import atomic_path
from .api import check_duckdb_file, connect_db
from .lock import writer_lock

_WRITE_BITS = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def check_writable(db_path: Path) -> None:
    """Refuse a database file or folder marked read-only (also for root, who could write anyway)."""
    folder = Path(db_path).parent
    if Path(db_path).exists() and not Path(db_path).stat().st_mode & _WRITE_BITS:
        raise DataError(Problem("the database file is read-only (chmod u+w to allow writing): nothing written",
                                str(db_path)))
    if folder.exists() and (not os.access(folder, os.W_OK) or not folder.stat().st_mode & _WRITE_BITS):
        raise DataError(Problem("the database's folder is read-only: nothing written", str(folder)))


@contextmanager
def replace_database(db_path: Path, *, tag: str, copy_existing: bool = False) -> Iterator[Path]:
    """:func:`iplayout.fileio.atomic_path` for a DuckDB file (its ``.wal`` is a companion), with an
    operating-system error — a full disk, a read-only file system — turned into a DataError saying that
    the temporary copy is gone and the database unchanged."""
    try:
        with atomic_path(db_path, tag=tag, copy_existing=copy_existing, companions=(".wal",)) as tmp:
            yield tmp
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        why = "no space left on the device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise DataError(Problem(f"cannot write the database ({why}); the temporary copy was removed and the "
                                "database is unchanged", str(db_path))) from None


class WriteTransaction:
    """Context manager holding the writer lock of ``db_path`` for a validate → write → record cycle.

    Parameters
    ----------
    db_path : the database file (must exist: imports never create one).
    timeout : seconds to wait for the lock (default ``$IPLAYOUT_LOCK_TIMEOUT`` or 600).
    tag : name part of the temporary copy (``.<db>.<tag>-<pid>``).
    lock : False when the caller already holds the lock (a build replaying imports into its temp file).
    """

    def __init__(self, db_path: Path | str, *, timeout: float | None = None, tag: str = "import", lock: bool = True):
        self.db_path = Path(db_path)
        self.timeout, self.tag, self.lock = timeout, tag, lock
        self._stack = ExitStack()
        self._con: duckdb.DuckDBPyConnection | None = None
        self.written = False

    def __enter__(self) -> "WriteTransaction":
        if not self.db_path.exists():
            raise DataError(Problem("database not found — run `iplayout db build` first", str(self.db_path)))
        check_duckdb_file(self.db_path)
        if self.lock:
            self._stack.enter_context(writer_lock(self.db_path, timeout=self.timeout))
        return self

    def __exit__(self, *exc) -> None:
        self._close_reader()
        self._stack.close()

    def _close_reader(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def reader(self) -> duckdb.DuckDBPyConnection:
        """Read-only connection to the database as it is now (under the lock)."""
        if self._con is None:
            self._con = connect_db(self.db_path, read_only=True)
        return self._con

    def write(self, fn: Callable[[duckdb.DuckDBPyConnection], Any]) -> Any:
        """Run ``fn(con)`` in one SQL transaction on a copy of the database that then replaces it atomically."""
        self._close_reader()
        check_writable(self.db_path)
        with replace_database(self.db_path, tag=self.tag, copy_existing=True) as tmp:
            try:
                con = duckdb.connect(str(tmp))
            except duckdb.Error as exc:
                raise DataError(Problem(f"cannot open the temporary copy: {str(exc).splitlines()[0][:300]}",
                                        str(self.db_path))) from None
            try:
                con.execute("BEGIN TRANSACTION")
                out = fn(con)
                con.execute("COMMIT")
                con.execute("CHECKPOINT")
            except duckdb.Error as exc:  # e.g. the disk filled up while DuckDB wrote the copy
                raise DataError(Problem(f"cannot write the database ({str(exc).splitlines()[0][:300]}); the "
                                        "temporary copy was removed and the database is unchanged",
                                        str(self.db_path))) from None
            finally:
                con.close()
        self.written = True
        return out

    @contextmanager
    def attached(self, con: duckdb.DuckDBPyConnection, alias: str = "cur") -> Iterator[str]:
        """The database as it is now (under the lock), attached read-only to ``con`` (a caller's own, e.g.
        in-memory staging connection) as ``alias``, so a diff can join staged rows with stored ones in one SQL
        statement instead of copying the staged rows out first."""
        self._close_reader()
        self._attach(con, self.db_path, alias, "the database", " (READ_ONLY)")
        try:
            yield alias
        finally:
            con.execute(f"DETACH {alias}")

    def write_into(self, con: duckdb.DuckDBPyConnection, fn: Callable[[duckdb.DuckDBPyConnection], Any],
                   alias: str = "w") -> Any:
        """:meth:`write`, but on the caller's connection ``con``: the copy is attached to it as ``alias`` (and made
        the default database), so ``fn`` writes the copy from ``con``'s temp tables with plain ``INSERT … SELECT``
        — no export of millions of staged rows to a file and back. Same guarantees as :meth:`write`."""
        self._close_reader()
        check_writable(self.db_path)
        previous = con.execute("SELECT current_database()").fetchone()[0]
        with replace_database(self.db_path, tag=self.tag, copy_existing=True) as tmp:
            self._attach(con, tmp, alias, "the temporary copy")
            try:
                con.execute(f"USE {alias}")
                con.execute("BEGIN TRANSACTION")
                try:
                    out = fn(con)
                    con.execute("COMMIT")
                except BaseException:
                    try:
                        con.execute("ROLLBACK")
                    except duckdb.Error:  # a failed COMMIT has ended the transaction already
                        pass
                    raise
                con.execute(f"CHECKPOINT {alias}")
            except duckdb.Error as exc:  # e.g. the disk filled up while DuckDB wrote the copy
                raise DataError(Problem(f"cannot write the database ({str(exc).splitlines()[0][:300]}); the "
                                        "temporary copy was removed and the database is unchanged",
                                        str(self.db_path))) from None
            finally:
                con.execute(f"USE {previous}")
                con.execute(f"DETACH {alias}")  # closes the copy before it is renamed over the database
        self.written = True
        return out

    def _attach(self, con: duckdb.DuckDBPyConnection, path: Path, alias: str, what: str, options: str = "") -> None:
        try:
            con.execute(f"ATTACH {_literal(path)} AS {alias}{options}")
        except duckdb.Error as exc:
            raise DataError(Problem(f"cannot open {what}: {str(exc).splitlines()[0][:300]}",
                                    str(self.db_path))) from None

    def record(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn()`` (keep a copy of what was imported) after a successful write, still under the lock."""
        if not self.written:
            raise RuntimeError("record() before write()")
        return fn()


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"

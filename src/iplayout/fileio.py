"""File I/O on the ground floor: checksums and atomic writes, the one copy every layer uses.

- :func:`sha256_file`, :func:`sha256_files`, :func:`sha256_tree` — hex SHA-256 of a file, of a list of files
  under a root (relative names + contents), of a whole folder; :func:`cached_sha256_file` hashes each version
  of a file once per process.
- :func:`atomic_write` — bytes or text to a file: temporary file in the same folder, ``fsync``, ``os.replace``.
- :func:`atomic_path` — the same for writers that need a path (DuckDB, WeasyPrint, ``zipfile``): yields a
  temporary path beside the target and moves it into place only when the block succeeds.
- :func:`read_yaml` — a researcher-edited YAML file, loaded safely; a missing file or a syntax error is the
  caller's error type naming the file.
- :func:`atomic_dir` — a whole folder (stage results, recorded imports): filled under a temporary name, then
  renamed over the old one.

``os.replace`` is atomic on one file system, so a reader sees the old file or the new one, never a half-written
one; a failed writer leaves the target byte-identical and no temporary file behind. The temporary names carry
the process id, so two processes writing the same target never share one.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import IplayoutError, ParameterError

CHUNK = 1 << 20  # 1 MiB: large database files are hashed without being read into memory


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


@lru_cache(maxsize=128)
def _sha256_version(path: str, inode: int, size: int, mtime_ns: int) -> str:
    return sha256_file(path)


def cached_sha256_file(path: str | Path) -> str:
    """:func:`sha256_file`, computed once per version of the file (inode, size, modification time).

    For large inputs checked many times in one process (the database, once per stage and dependency).
    Writers here replace files by rename, which gives a new inode, so a rewritten file is hashed again.
    """
    p = Path(path).resolve()
    st = p.stat()
    return _sha256_version(str(p), st.st_ino, st.st_size, st.st_mtime_ns)


def sha256_files(files: Iterable[str | Path], *, root: str | Path) -> str:
    """One SHA-256 over ``files`` in sorted order of their names relative to ``root``.

    Each file contributes ``<relative posix name> NUL <sha256 of its content> LF``, so renaming a file or
    moving bytes from one file to the next changes the digest.
    """
    root = Path(root)
    h = hashlib.sha256()
    for rel, p in sorted((Path(f).relative_to(root).as_posix(), Path(f)) for f in files):
        h.update(rel.encode("utf-8") + b"\0" + sha256_file(p).encode() + b"\n")
    return h.hexdigest()


def sha256_tree(folder: str | Path, *, exclude: Iterable[str] = (), pattern: str = "*") -> str | None:
    """:func:`sha256_files` over every file under ``folder`` matching ``pattern`` (None when no folder).

    ``exclude`` names files or folders skipped wherever they occur (``stage.json``, ``__pycache__``).
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None
    skip = set(exclude)
    files = [p for p in folder.rglob(pattern)
             if p.is_file() and not skip.intersection(p.relative_to(folder).parts)]
    return sha256_files(files, root=folder)


def read_yaml(path: str | Path, *, what: str = "file", error: type[IplayoutError] = ParameterError) -> Any:
    """``yaml.safe_load`` of ``path``; raises ``error`` naming the file when it is missing or not valid YAML."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: {what} not found")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc


def _tmp_name(path: Path, tag: str) -> Path:
    return path.with_name(f".{path.name}.{tag}{os.getpid()}.tmp")


def _fsync_dir(folder: Path) -> None:
    """Persist a rename (POSIX); a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: str | Path, data: str | bytes, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` (text is encoded with ``encoding``) to ``path`` atomically; creates the parent folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode(encoding) if isinstance(data, str) else bytes(data)
    tmp = _tmp_name(path, "")
    try:
        with open(tmp, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)
    return path


@contextmanager
def atomic_path(path: str | Path, *, tag: str = "", copy_existing: bool = False,
                companions: tuple[str, ...] = ()) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it over ``path`` when the block succeeds.

    Parameters
    ----------
    path : path
        The target file.
    tag : str
        Part of the temporary name (``build``, ``import``) so leftovers say who made them.
    copy_existing : bool
        Start from a copy of the current file (an import edits the database in place) instead of nothing.
    companions : tuple of str
        Suffixes of side files a writer may leave next to the temporary one (DuckDB's ``.wal``), removed too.

    On any exception the temporary file and its companions are removed and the exception re-raised; the
    target is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path, f"{tag}-" if tag else "")
    leftovers = [tmp] + [tmp.with_name(tmp.name + s) for s in companions]
    for p in leftovers:
        p.unlink(missing_ok=True)
    if copy_existing and path.exists():
        shutil.copy2(path, tmp)
    try:
        yield tmp
        if tmp.exists():
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        for p in leftovers:
            p.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


@contextmanager
def atomic_dir(folder: str | Path, *, tag: str = "") -> Iterator[Path]:
    """Yield an empty temporary folder beside ``folder``; rename it to ``folder`` when the block succeeds.

    An existing ``folder`` is replaced. When another process renames its own copy into place between our
    removal and our rename (two notebooks filling the same cache entry), ours is dropped: both were computed
    from the same inputs. On an exception the temporary folder is removed and ``folder`` is untouched.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(folder, f"{tag}-" if tag else "")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
    try:
        os.replace(tmp, folder)
    except OSError:  # another process finished the same folder first
        shutil.rmtree(tmp, ignore_errors=True)
    _fsync_dir(folder.parent)

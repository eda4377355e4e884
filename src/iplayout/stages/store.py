"""Stage folders on disk: ``<out_dir>/<stage>/<territory>-<year>/`` with parquet tables and ``stage.json``.

Tables are written with a canonical row order and no timestamps, so the same inputs give byte-identical
parquet files; ``stage.json`` holds the spec, the log of steps, input checksums and the demo flag.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem
from ..fileio import atomic_dir

META_FILE = "stage.json"


@dataclass
class StageResult:
    """A stage's tables (name → DataFrame) and its metadata (spec, log, inputs, is_demo …)."""

    stage: str
    territory: str
    year: int
    tables: dict[str, pd.DataFrame]
    meta: dict = field(default_factory=dict)
    path: Path | None = None

    def table(self, name: str) -> pd.DataFrame:
        if name not in self.tables:
            raise DataError([Problem(f"stage {self.stage!r} has no table {name!r}", file=str(self.path),
                                     value=sorted(self.tables))])
        return self.tables[name]

    @property
    def is_demo(self) -> bool:
        return bool(self.meta.get("is_demo", False))


def stage_folder(out_dir: Path | str, stage: str, territory: str, year: int) -> Path:
    """``<out_dir>/<stage>/<territory>-<year>``."""
    return Path(out_dir) / stage / f"{territory}-{int(year)}"


def write_stage(result: StageResult, out_dir: Path | str) -> Path:
    """Write tables + stage.json into a fresh folder, atomically (temp folder, then rename)."""
    folder = stage_folder(out_dir, result.stage, result.territory, result.year)
    meta = {**result.meta, "stage": result.stage, "territory": result.territory, "year": int(result.year),
            "tables": sorted(result.tables)}
    # two notebooks filling the same cache entry each write their own temp folder (same inputs, same bytes)
    with atomic_dir(folder, tag="stage") as tmp:
        for name, df in sorted(result.tables.items()):
            _to_parquet(df, tmp / f"{name}.parquet")
        (tmp / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True, default=str),
                                     encoding="utf-8")
    return folder


def read_meta(folder: Path | str) -> dict | None:
    """``stage.json`` of a stage folder without reading its tables (None when there is none)."""
    path = Path(folder) / META_FILE
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


#: tables of recently read stage folders, by content key (see :func:`read_stage`)
_READ_CACHE: dict[tuple, dict[str, pd.DataFrame]] = {}
_READ_CACHE_MAX = 4


def read_stage(folder: Path | str) -> StageResult:
    """Read a folder written by :func:`write_stage`.

    A warm report kernel reads the same stage folder for every report of a territory (31 province
    reports: 31 reads of ~20 parquet files, 0.05–0.1 CPU-s each), so the decoded tables are kept per
    process, keyed by the folder, the text of ``stage.json`` (which records the stage's input
    checksums) and each table file's size and modification time: a rewritten folder is a miss.
    Callers get copies, so a report that changes a table in place cannot reach the next report.
    """
    folder = Path(folder)
    meta_path = folder / META_FILE
    if not meta_path.exists():
        raise DataError([Problem("not a stage folder (stage.json missing)", file=str(folder))])
    meta_text = meta_path.read_text(encoding="utf-8")
    meta = json.loads(meta_text)
    names = list(meta.get("tables", []))
    key = (str(folder.resolve()), meta_text, tuple(_file_stamp(folder / f"{n}.parquet") for n in names))
    cached = _READ_CACHE.get(key)
    if cached is None:
        cached = {name: _from_parquet(folder / f"{name}.parquet") for name in names}
        while len(_READ_CACHE) >= _READ_CACHE_MAX:
            _READ_CACHE.pop(next(iter(_READ_CACHE)))
        _READ_CACHE[key] = cached
    tables = {name: df.copy() for name, df in cached.items()}
    return StageResult(stage=meta["stage"], territory=str(meta["territory"]), year=int(meta["year"]),
                       tables=tables, meta=meta, path=folder)


def _file_stamp(path: Path) -> tuple:
    try:
        st = path.stat()
    except OSError:
        return (path.name, None)  # the read below raises the error a missing table deserves
    return (path.name, st.st_size, st.st_mtime_ns, st.st_ino)


def _to_parquet(df: pd.DataFrame, path: Path) -> None:
    # string codes stay strings; the index is stored only when it carries information
    keep_index = not isinstance(df.index, pd.RangeIndex)
    df.to_parquet(path, index=keep_index, engine="pyarrow", compression="zstd")


def _from_parquet(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path, engine="pyarrow")

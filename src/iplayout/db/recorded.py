"""Recorded imports: what ``iplayout db import`` wrote, kept next to the database so that ``iplayout db build``
can replay it (:mod:`.replay`) and a rebuild does not lose the users' own tables.

Layout: ``<db folder>/imports/<db stem>/<NNN>-<source id digest>/`` holding a copy of the imported
file, its mapping (if any) and ``import.yaml`` (options, source row, source id).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ..fileio import atomic_dir

RECORD_FILE = "import.yaml"


def imports_dir(db_path: Path) -> Path:
    """``<db folder>/imports/<db stem>``: where the imports into ``db_path`` are recorded."""
    db_path = Path(db_path)
    return db_path.parent / "imports" / db_path.stem


def record_import(db_path: Path, file: Path, mapping: Path | None, options: dict) -> Path:
    """Store a copy of a successful import (atomically: a temp folder renamed into place)."""
    root = imports_dir(db_path)
    root.mkdir(parents=True, exist_ok=True)
    n = 1 + max((int(p.name.split("-")[0]) for p in root.iterdir() if p.name[:3].isdigit()), default=0)
    final = root / f"{n:03d}-{options['source_id'].rsplit(':', 1)[-1]}"
    with atomic_dir(final, tag="import") as tmp:
        shutil.copy2(file, tmp / file.name)
        rec = dict(options, file=file.name, original_path=str(file))
        if mapping:
            shutil.copy2(mapping, tmp / ("mapping-" + Path(mapping).name))
            rec["mapping"] = "mapping-" + Path(mapping).name
        (tmp / RECORD_FILE).write_text(yaml.safe_dump(rec, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return final


def recorded_imports(folder: Path) -> list[tuple[Path, dict]]:
    """``(record folder, import.yaml content)`` of every recorded import under ``folder``, in replay order."""
    if not Path(folder).is_dir():
        return []
    return [(d, yaml.safe_load((d / RECORD_FILE).read_text(encoding="utf-8")))
            for d in sorted(p for p in Path(folder).iterdir() if p.is_dir() and p.name[:3].isdigit())]

"""Recorded imports: what ``iplayout db import`` wrote, kept next to the database and replayed by
``iplayout db build`` so a rebuild does not lose the users' own tables.

Layout: ``<db folder>/imports/<db stem>/<NNN>-<source id digest>/`` holding a copy of the imported
file, its mapping (if any) and ``import.yaml`` (options, source row, source id). Replays run in
folder order; the build's demo panel is generated after them, so imported real values win over demo.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from ..errors import DataError, Problem


def imports_dir(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.parent / "imports" / db_path.stem


def record_import(db_path: Path, file: Path, mapping: Path | None, options: dict) -> Path:
    """Store a copy of a successful import (atomically: a temp folder renamed into place)."""
    root = imports_dir(db_path)
    root.mkdir(parents=True, exist_ok=True)
    n = 1 + max((int(p.name.split("-")[0]) for p in root.iterdir() if p.name[:3].isdigit()), default=0)
    final = root / f"{n:03d}-{options['source_id'].rsplit(':', 1)[-1]}"
    tmp = root / f".tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    shutil.copy2(file, tmp / file.name)
    rec = dict(options, file=file.name, original_path=str(file))
    if mapping:
        shutil.copy2(mapping, tmp / ("mapping-" + Path(mapping).name))
        rec["mapping"] = "mapping-" + Path(mapping).name
    (tmp / "import.yaml").write_text(yaml.safe_dump(rec, allow_unicode=True, sort_keys=True), encoding="utf-8")
    os.replace(tmp, final)
    return final


def replay_imports(db_path: Path, folder: Path) -> list[str]:
    """Re-apply every recorded import to ``db_path`` (the build's temp file); returns the source ids."""
    from .importer import SourceInfo, import_file  # local: importer imports this module

    if not folder.is_dir():
        return []
    done = []
    for rec_dir in sorted(p for p in folder.iterdir() if p.is_dir() and p.name[:3].isdigit()):
        rec = yaml.safe_load((rec_dir / "import.yaml").read_text(encoding="utf-8"))
        if rec.get("kind") == "policies":  # a policy inventory (db.policies), not observations
            from .policies import import_policies

            try:
                import_policies(rec_dir / rec["file"], db_path=db_path, replace=bool(rec.get("replace")), record=False)
            except DataError as exc:
                raise DataError([Problem(f"recorded policy import {rec_dir.name} no longer applies (fix or remove "
                                         "that folder, or build with --no-imports)", str(rec_dir))] + exc.problems) from exc
            done.append(rec["source_id"])
            continue
        try:
            import_file(rec_dir / rec["file"], db_path=db_path,
                        mapping=rec_dir / rec["mapping"] if rec.get("mapping") else None, sheet=rec.get("sheet"),
                        source=SourceInfo(**rec["source"]), allow_changes=rec.get("allow_changes", False),
                        source_id=rec["source_id"], accessed=rec["accessed"], record=False)
        except DataError as exc:
            raise DataError([Problem(f"recorded import {rec_dir.name} no longer applies (fix or remove that folder, "
                                     "or build with --no-imports)", str(rec_dir))] + exc.problems) from exc
        done.append(rec["source_id"])
    return done

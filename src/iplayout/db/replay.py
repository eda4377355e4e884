"""Replay the recorded imports (:mod:`.recorded`) into a fresh build, so a rebuild keeps the users' own tables.

Replays run in folder order; the build's demo panel is generated after them, so imported real values win over
demo. This module sits above :mod:`.importer` (which records, never replays), so the two never import each other.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import DataError, Problem
from .importer import SourceInfo, import_file
from .policies import import_policies
from .recorded import imports_dir, recorded_imports

__all__ = ["imports_dir", "replay_imports"]


def replay_imports(db_path: Path, folder: Path) -> list[str]:
    """Re-apply every recorded import to ``db_path`` (the build's temp file); returns the source ids."""
    done = []
    for rec_dir, rec in recorded_imports(folder):
        if rec.get("kind") == "concordance":  # an IPC concordance version (db.records.concordance)
            from .records.concordance_import import import_concordance

            try:
                import_concordance(rec_dir / rec["file"], db_path=db_path, version=rec["version"], title=rec["title"],
                                   status=rec["status"], replace=True, record=False, lock=False)
            except DataError as exc:
                raise DataError([Problem(f"recorded concordance import {rec_dir.name} no longer applies (fix or remove "
                                         "that folder, or build with --no-imports)", str(rec_dir))] + exc.problems) from exc
            done.append(rec["source_id"])
            continue
        if rec.get("kind") == "records":  # a record export (db.records), not observations
            from .records.importer import import_records

            try:
                import_records(rec_dir / rec["file"], db_path=db_path, fmt=rec.get("format"),
                               mapping=rec_dir / rec["mapping"] if rec.get("mapping") else None, sheet=rec.get("sheet"),
                               skip_bad=bool(rec.get("skip_bad")), demo=bool(rec.get("is_demo")), record=False,
                               lock=False, imported_at=rec.get("imported_at"), write_rejects=False)
            except DataError as exc:
                raise DataError([Problem(f"recorded record import {rec_dir.name} no longer applies (fix or remove "
                                         "that folder, or build with --no-imports)", str(rec_dir))] + exc.problems) from exc
            done.append(rec["source_id"])
            continue
        if rec.get("kind") == "policies":  # a policy inventory (db.policies), not observations
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
                        source_id=rec["source_id"], accessed=rec["accessed"], record=False, lock=False,
                        unit_check=rec.get("unit_check", True))
        except DataError as exc:
            raise DataError([Problem(f"recorded import {rec_dir.name} no longer applies (fix or remove that folder, "
                                     "or build with --no-imports)", str(rec_dir))] + exc.problems) from exc
        done.append(rec["source_id"])
    return done

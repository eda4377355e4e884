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


def _replay_one(rec_dir: Path, rec: dict, db_path: Path) -> None:
    """Re-apply one recorded import (its ``kind`` picks the importer) to ``db_path``."""
    kind = rec.get("kind")
    if kind == "concordance":  # an IPC concordance version (db.records.concordance_import)
        from .records.concordance_import import import_concordance

        import_concordance(rec_dir / rec["file"], db_path=db_path, version=rec["version"], title=rec["title"],
                           status=rec["status"], replace=True, record=False, lock=False)
    elif kind == "records":  # a record export (db.records), not observations
        from .records.importer import import_records

        import_records(rec_dir / rec["file"], db_path=db_path, fmt=rec.get("format"),
                       mapping=rec_dir / rec["mapping"] if rec.get("mapping") else None, sheet=rec.get("sheet"),
                       skip_bad=bool(rec.get("skip_bad")), demo=bool(rec.get("is_demo")), record=False,
                       lock=False, imported_at=rec.get("imported_at"), write_rejects=False)
    elif kind == "policies":  # a policy inventory (db.policies), not observations
        import_policies(rec_dir / rec["file"], db_path=db_path, replace=bool(rec.get("replace")), record=False)
    else:
        import_file(rec_dir / rec["file"], db_path=db_path,
                    mapping=rec_dir / rec["mapping"] if rec.get("mapping") else None, sheet=rec.get("sheet"),
                    source=SourceInfo(**rec["source"]), allow_changes=rec.get("allow_changes", False),
                    source_id=rec["source_id"], accessed=rec["accessed"], record=False, lock=False,
                    unit_check=rec.get("unit_check", True))


_WHAT = {"concordance": "concordance import", "records": "record import", "policies": "policy import"}


def replay_imports(db_path: Path, folder: Path) -> list[str]:
    """Re-apply every recorded import to ``db_path`` (the build's temp file); returns the source ids."""
    done = []
    for rec_dir, rec in recorded_imports(folder):
        try:
            _replay_one(rec_dir, rec, db_path)
        except DataError as exc:
            what = _WHAT.get(rec.get("kind"), "import")
            raise DataError([Problem(f"recorded {what} {rec_dir.name} no longer applies (fix or remove that folder, "
                                     "or build with --no-imports)", str(rec_dir))] + exc.problems) from exc
        done.append(rec["source_id"])
    return done

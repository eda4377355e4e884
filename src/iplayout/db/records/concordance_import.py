"""Import a concordance version (``iplayout db concordance import``): validated, all or nothing, recorded.

Kept apart from :mod:`.concordance` (tables, validation, matching) because it sits above the write transaction
and the record aggregation, which themselves use the matching.
"""
from __future__ import annotations

from pathlib import Path

from ...errors import DataError, Problem
from ..recorded import record_import
from ..transaction import WriteTransaction
from .aggregate import bounded, refresh_record_observations
from .concordance import PACKAGE, check_version_name, has_concordance, read_concordance_file, write_version


def import_concordance(file: Path | str, *, db_path: Path | str, version: str, title: str | None = None,
                       status: str = "official", replace: bool = False, record: bool = True, lock: bool = True,
                       params_dir: str | Path | None = None, lock_timeout: float | None = None) -> dict:
    """Import a concordance file as ``version`` (validated, all or nothing) and re-derive the record observations.

    The official 《战略性新兴产业分类与国际专利分类参照关系表（2021）》 goes in this way once converted to the
    columns ``ipc_pattern, match, target_code, weight[, source]``; select it with ``concordance_version`` in
    ``params/records/counting.yaml``. A bundled version is never replaced; an imported one only with ``replace``.
    The import is recorded next to the database, so ``iplayout db build`` replays it.
    """
    file, version = Path(file), check_version_name(version)
    if status not in ("official", "proposal"):
        raise DataError(Problem("status must be official or proposal", None, None, "--status", status))
    with WriteTransaction(db_path, timeout=lock_timeout, tag="concordance", lock=lock) as tx:
        con = tx.reader()
        if not has_concordance(con):
            raise DataError(Problem("the database has no concordance tables: rebuild it with `iplayout db build`",
                                    str(db_path)))
        known = {r[0] for r in con.execute("SELECT code FROM industries").fetchall()}
        old = dict(con.execute("SELECT version, source_id FROM concordance_versions").fetchall())
        if old.get(version) == PACKAGE:
            raise DataError(Problem("a bundled concordance version cannot be replaced: choose another --version",
                                    str(file), None, "--version", version))
        if version in old and not replace:
            raise DataError(Problem("version already imported (give --replace to overwrite it)", str(file), None,
                                    "--version", version))
        rows, scheme = read_concordance_file(file, known_targets=known)
        source_id = f"concordance:{version}"
        label = title or f"IPC concordance {version} ({file.name})"

        def write(wcon):
            write_version(wcon, version, rows, scheme=scheme, title=label, status=status, source_id=source_id)
            wcon.execute("INSERT INTO sources VALUES (?, ?, '', '', '', '', ?, FALSE) ON CONFLICT DO UPDATE SET "
                         "title = excluded.title, notes = excluded.notes",
                         [source_id, label, f"imported from {file.name}; status {status}"]).fetchall()
            return refresh_record_observations(bounded(wcon), params_dir=params_dir)

        counts = tx.write(write)
        if record:
            tx.record(lambda: record_import(Path(db_path), file, None, {
                "kind": "concordance", "version": version, "title": label, "status": status, "source_id": source_id}))
    return {"version": version, "scheme": scheme, "rows": len(rows), "targets": int(rows["target_code"].nunique()),
            "status": status, "observations": counts.get("observations", 0)}

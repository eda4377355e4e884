"""Reports reused from earlier runs when nothing they depend on has changed (incremental re-runs).

Researchers re-run the whole set after changing one table. Every report reads only its prepared stage tables
(``stage_dir``), so a report whose *content key* — notebook, parameters, the checksums of the stage tables it
reads (its stage and every stage that one needs), the project's code and parameter files, the installed
package versions and the PDF engine — equals that of a report in an earlier run folder has the same content.
Its files are copied from that run instead of being executed again; the manifest records where they came
from (``reused_from``) and the index marks them 沿用.

Why a content key and not the database checksum: the database file is rebuilt by every ``make report`` and is
not byte-identical between builds, while the stage tables computed from it are (sorted, deterministic
writers). A changed Jiangsu city table changes the Jiangsu stages only, so the national reports are reused
and the Jiangsu ones re-rendered.

Never reused: reports without a stage (they may read anything), reports that take the run folder as a
parameter (the progress report lists the run's own reports), and any report whose earlier files are missing
or no longer match the checksums recorded in their manifest.
"""
from __future__ import annotations

import hashlib
import os
import platform
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..fileio import atomic_path, sha256_file, sha256_tree
from ..log import logger
from .jobs import canonical_json
from .manifest import package_versions, run_manifests

#: parameters the runner fills with locations of this run; what they point at is covered by the stage checksums
RUNNER_LOCATIONS = ("db_path", "stage_dir")
#: a report taking one of these depends on the run itself and is never reused
RUN_BOUND = ("run_dir",)
#: fields of an earlier job record carried over to the reused one
CARRIED = ("duration", "is_demo", "report_title", "sources", "warnings")


@lru_cache(maxsize=4)
def code_fingerprint(pdf_engine: str) -> str:
    """One checksum over what renders a report besides its inputs: the package source (views, plots, templates,
    CSS), the project's parameter files, installed package versions, Python and the PDF engine (Chromium's
    binary when it is the engine). Computed once per process and engine."""
    from ..config import project_root  # noqa: PLC0415

    pkg = Path(__file__).resolve().parents[1]
    params = project_root() / "params"
    payload: dict[str, Any] = {
        "package": sha256_tree(pkg, exclude=("__pycache__",)),
        "params": sha256_tree(params, exclude=("__pycache__",)) if params.is_dir() else None,
        "versions": package_versions(), "python": platform.python_version(), "pdf_engine": pdf_engine,
    }
    if pdf_engine == "chromium":
        from .chromium_pdf import browser_path  # noqa: PLC0415

        exe = browser_path()
        if exe:
            st = Path(exe).resolve().stat()
            payload["browser"] = [str(Path(exe).resolve()), st.st_size, st.st_mtime_ns]
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def stages_read_by(job_stage: str | None, territory: str | None, year: int | None,
                    stages: dict[str, dict[str, Any]]) -> dict[str, str] | None:
    """``{stage: sha256}`` of the report's stage and every stage it needs, or None when one is missing or failed."""
    if not job_stage or territory is None or year is None:
        return None
    from ..stages import stage_order  # noqa: PLC0415

    out: dict[str, str] = {}
    for name in stage_order([job_stage]):
        rec = stages.get(f"{name}:{territory}:{year}")
        if not rec or rec.get("status") != "ok" or not rec.get("sha256"):
            return None
        out[name] = rec["sha256"]
    return out


def content_key(*, notebook_sha: str, parameters: dict[str, Any], stage_shas: dict[str, str] | None,
                code_sha: str, pdf: bool) -> str | None:
    """The report's content key (see the module docstring), None for a report that is never reused."""
    if stage_shas is None or any(k in parameters for k in RUN_BOUND):
        return None
    params = {k: v for k, v in parameters.items() if k not in RUNNER_LOCATIONS}
    payload = {"notebook": notebook_sha, "parameters": params, "stages": stage_shas, "code": code_sha, "pdf": pdf}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


class EarlierReports:
    """Index of the reports of earlier run folders under ``reports_root``, by content key (newest run first)."""

    def __init__(self, reports_root: Path, *, exclude: Path | None = None):
        self._by_key: dict[str, tuple[Path, dict[str, Any]]] = {}
        runs = [(str(m.get("started") or ""), d.resolve(), m) for d, m in run_manifests(reports_root, exclude=exclude)]
        for _, run_dir, m in sorted(runs, key=lambda r: r[0], reverse=True):
            for j in m.get("jobs") or []:
                key = j.get("content_key")
                if key and j.get("status") in ("ok", "reused") and key not in self._by_key:
                    self._by_key[key] = (run_dir, j)

    def __len__(self) -> int:
        return len(self._by_key)

    def find(self, key: str | None) -> tuple[Path, dict[str, Any]] | None:
        """The earlier run folder and job record with this key whose files are all present and unchanged."""
        hit = self._by_key.get(key) if key else None
        if hit is None:
            return None
        run_dir, rec = hit
        outputs = rec.get("outputs") or {}
        recorded = rec.get("sha256") or {}
        for rel in outputs.values():
            src = run_dir / rel
            if not src.is_file() or recorded.get(rel) is None or sha256_file(src) != recorded[rel]:
                logger.info("not reusing %s from %s: %s is missing or changed", rec.get("job_id"), run_dir.name, rel)
                return None
        return hit


def copy_outputs(src_run: Path, dst_run: Path, outputs: dict[str, str]) -> None:
    """Copy a report's files into the new run folder, each written atomically (a copy cut short leaves nothing).

    Copies, not hard links: an accepted run's files must never change when a later run's files are edited.
    """
    for rel in outputs.values():
        rel_path = Path(rel)
        if rel_path.is_absolute() or ".." in rel_path.parts:  # the manifest is data: never follow it out of the run
            raise ValueError(f"output path {rel!r} leaves the run folder")
        with atomic_path(dst_run / rel_path, tag="reuse") as tmp:
            shutil.copyfile(src_run / rel_path, tmp)


def copy_attachments(src_run: Path, dst_run: Path, stage_folder: str) -> list[str]:
    """Workbooks a reused report wrote next to its stage tables in the earlier run (the catalogue's
    ``catalogue.xlsx``) that this run's stage folder lacks; returns what was copied."""
    copied = []
    src = src_run / stage_folder
    for f in sorted(src.glob("*.xlsx")) if src.is_dir() else ():
        dst = dst_run / stage_folder / f.name
        if not f.name.startswith(".") and not dst.exists():
            with atomic_path(dst, tag="reuse") as tmp:
                shutil.copyfile(f, tmp)
            copied.append(os.path.relpath(dst, dst_run))
    return copied


def adopt(rec: dict[str, Any], hit: tuple[Path, dict[str, Any]], run_dir: Path, stage_folder: str | None) -> None:
    """Copy the earlier report ``hit`` (from :meth:`EarlierReports.find`) into ``run_dir`` and make ``rec`` its
    record: status ``reused``, ``reused_from`` the earlier run, its outputs, checksums and carried fields."""
    src_run, prev = hit
    copy_outputs(src_run, run_dir, prev["outputs"])
    if stage_folder:
        copy_attachments(src_run, run_dir, stage_folder)
    rec.update({k: prev.get(k) for k in CARRIED}, status="reused", outputs=dict(prev["outputs"]),
               sha256=dict(prev["sha256"]), reused_from=src_run.name)

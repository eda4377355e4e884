"""Run provenance: ``manifest.json`` (plan, resolved parameters, input checksums, versions, timings, errors).

Also the per-job *input hash* that ``--resume`` compares: a job is redone when its notebook file, its
parameters, the database or the stage tables it reads have changed.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from ..db.api import open_db
from ..fileio import atomic_write, sha256_file, sha256_tree  # noqa: F401  (re-exported)
from .jobs import canonical_json

MANIFEST = "manifest.json"
SCHEMA_VERSION = 1
_PACKAGES = ("iplayout", "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "weasyprint", "pandas",
             "numpy", "scipy", "statsmodels", "duckdb", "pyarrow", "matplotlib", "geopandas", "pydantic",
             "noto-cjk-sans-otc", "dask", "distributed", "jinja2")


def job_input_hash(*, notebook_sha: str, parameters: dict[str, Any], db_sha: str | None,
                   stage_sha: str | None) -> str:
    """Hash of everything a report's content depends on (what ``--resume`` compares)."""
    payload = {"notebook": notebook_sha, "parameters": parameters, "db": db_sha, "stage": stage_sha}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def package_versions() -> dict[str, str | None]:
    """Installed versions of the packages a report set depends on (None when absent)."""
    out: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def code_version(root: str | Path | None = None) -> str:
    """``git describe --always --dirty --tags`` of the checkout, else the package version."""
    from .._version import __version__  # noqa: PLC0415
    from ..config import project_root  # noqa: PLC0415

    try:
        res = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=str(root or project_root()),
                             capture_output=True, text=True, timeout=10, check=False)
        if res.returncode == 0 and res.stdout.strip():
            return f"{__version__}+git.{res.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    return __version__


def db_build_info(db_path: str | Path) -> dict[str, str]:
    """The database's ``build_info`` table (package checksums, build time), {} if unreadable."""
    try:
        with open_db(db_path) as db:
            return {str(k): str(v) for k, v in db.build_info().items()}
    except Exception:  # noqa: BLE001  (older or fixture databases have no build_info)
        return {}


def db_sources(db_path: str | Path) -> list[dict[str, Any]]:
    """Rows of the database's ``sources`` table ([] if unreadable)."""
    try:
        with open_db(db_path) as db:
            rows = db.source_records()
    except Exception:  # noqa: BLE001
        return []
    return [{k: None if v is None else (v if isinstance(v, (bool, int, float)) else str(v)) for k, v in r.items()}
            for r in rows]


def relative_paths(obj: Any, run_dir: str | Path) -> Any:
    """A copy of ``obj`` with machine paths made relative to the run folder.

    A string that is an absolute path becomes ``os.path.relpath`` to ``run_dir`` (the database as
    ``../../build/iplayout.duckdb``); inside longer strings (error messages) the run folder and the project
    root are replaced the same way. A run folder then reads the same on every machine and in its zip.
    """
    import os  # noqa: PLC0415

    from ..config import project_root  # noqa: PLC0415

    run = os.path.abspath(str(run_dir))
    root = os.path.abspath(str(project_root()))
    rel_root = os.path.relpath(root, run)
    inside_root = (run + os.sep).startswith(root + os.sep)

    def fix(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        if isinstance(v, str) and v:
            if os.path.isabs(v) and "\n" not in v and " " not in v.strip():
                # a project file seen from a run folder outside the project reads as project-relative
                # (params/…, data/…), not as a climb to the file-system root that spells the machine path
                if not inside_root and os.path.abspath(v).startswith(root + os.sep):
                    return Path(os.path.relpath(v, root)).as_posix()
                return Path(os.path.relpath(v, run)).as_posix()
            return v.replace(run + os.sep, "").replace(root + os.sep, rel_root + "/")
        return v

    return fix(obj)


def write_manifest(run_dir: str | Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` atomically (UTF-8, sorted keys, Chinese kept readable)."""
    path = Path(run_dir) / MANIFEST
    manifest = relative_paths(manifest, run_dir)
    atomic_write(path, json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n")
    return path


def load_manifest(run_dir: str | Path) -> dict[str, Any]:
    """Read a run folder's manifest; ``{}`` when it has none; :class:`SpecError` naming the file when it is not JSON
    (a manifest cut short by a full disk, or edited by hand)."""
    path = Path(run_dir) / MANIFEST
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        from ..errors import SpecError  # noqa: PLC0415

        raise SpecError(f"{path}: not a readable run manifest ({exc})") from exc


def run_manifests(reports_root: str | Path, *, exclude: Path | None = None) -> list[tuple[Path, dict[str, Any]]]:
    """``(folder, manifest)`` of every run folder under ``reports_root``, newest first (folder names start with
    the run time). A folder without a manifest is skipped; one whose manifest is unreadable is skipped with a
    warning naming it, so another run's torn manifest never stops this run's index or the explorer."""
    from ..errors import SpecError  # noqa: PLC0415
    from ..log import logger  # noqa: PLC0415

    root = Path(reports_root)
    if not root.is_dir():
        return []
    out = []
    for d in sorted((p for p in root.iterdir() if p.is_dir()), reverse=True):
        if exclude is not None and d.resolve() == Path(exclude).resolve():
            continue
        try:
            m = load_manifest(d)
        except (OSError, SpecError) as exc:
            logger.warning("%s", exc)
            continue
        if m:
            out.append((d, m))
    return out

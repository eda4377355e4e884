"""The one place where project paths are built.

The project root is found from the package location (src layout: ``<root>/src/iplayout``);
``IPLAYOUT_HOME`` overrides it, e.g. when the package is installed outside a checkout.
Build outputs (the integrated database) go to ``IPLAYOUT_BUILD_DIR`` or ``<root>/build``.
"""
from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """Root of the checkout (folder holding ``data/``, ``params/`` and ``notebooks/``)."""
    env = os.environ.get("IPLAYOUT_HOME")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Bundled data packages (immutable: the pipeline never writes here)."""
    return project_root() / "data"


def params_dir() -> Path:
    """What researchers edit: indicator systems, run plans, zoning rules."""
    return project_root() / "params"


def params_file(name: str, params_dir: str | Path | None = None) -> Path:
    """``<params_dir>/<name>``; when that folder has no such file, the project's ``params/<name>``.

    A folder of edited specs (a test's, a researcher's copy of ``params/evaluation``) need not copy every
    other parameter file: what it lacks comes from the project.
    """
    if params_dir:
        p = Path(params_dir) / name
        if p.exists():
            return p
    return project_root() / "params" / name


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def build_dir() -> Path:
    env = os.environ.get("IPLAYOUT_BUILD_DIR")
    return Path(env).resolve() if env else project_root() / "build"


def default_db_path() -> Path:
    """Default location of the integrated DuckDB database."""
    env = os.environ.get("IPLAYOUT_DB")
    return Path(env).resolve() if env else build_dir() / "iplayout.duckdb"


def reports_dir() -> Path:
    env = os.environ.get("IPLAYOUT_REPORTS_DIR")
    return Path(env).resolve() if env else project_root() / "reports"


def cache_dir() -> Path:
    """Writable scratch space (fontconfig cache, matplotlib cache)."""
    env = os.environ.get("IPLAYOUT_CACHE_DIR")
    return Path(env).resolve() if env else build_dir() / "cache"

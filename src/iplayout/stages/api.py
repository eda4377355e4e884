"""``prepare_stage`` / ``load_stage`` (docs/architecture.md, "Stage results")."""
from __future__ import annotations

import time
from pathlib import Path

from .. import __version__
from ..config import cache_dir, default_db_path, params_dir as default_params_dir
from ..errors import ParameterError
from ..log import logger
from .store import StageResult, file_checksum, read_stage, stage_folder, write_stage

STAGES = ("survey", "evaluation")
# Source folders whose code shapes stage tables; their hash is part of the cache key.
_CODE_DIRS = ("stages", "survey", "evaluation", "methods")


def code_fingerprint() -> str:
    """SHA-256 over the source of the modules that compute stage tables (cache key part)."""
    import hashlib

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for d in _CODE_DIRS:
        for f in sorted((root / d).glob("*.py")):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def _param_inputs(stage: str, territory: str, params_dir: Path) -> dict[str, str]:
    """Checksums of the researcher-edited files a stage reads (the evaluation spec), for the cache key.

    Without this, editing ``params/evaluation/pilot.yaml`` and reopening a notebook would show the
    cached result of the old spec.
    """
    if stage != "evaluation":
        return {}
    from .evaluation import spec_path

    return {"spec_sha256": file_checksum(spec_path(params_dir, territory))}


def _compute(stage: str, db, territory: str, year: int, params_dir: Path):
    if stage == "survey":
        from .survey import compute_survey

        return compute_survey(db, territory=territory, year=year)
    from .evaluation import compute_evaluation

    return compute_evaluation(db, territory=territory, year=year, params_dir=params_dir)


def prepare_stage(stage: str, *, db_path=None, territory: str, year: int, out_dir, params_dir=None) -> Path:
    """Compute ``stage`` for one territory-year from the database and write its folder.

    Parameters
    ----------
    stage : {"survey", "evaluation"}
    db_path : path, optional
        Integrated database (default ``iplayout.config.default_db_path()``).
    territory : str
        Parent region code, e.g. ``"100000"`` or ``"320000"``.
    year : int
        Reference year.
    out_dir : path
        Run folder's stage root; the result goes to ``out_dir/<stage>/<territory>-<year>/``.
    params_dir : path, optional
        Where evaluation specs live (default ``params/``).

    Returns
    -------
    Path of the stage folder.
    """
    from ..db.api import open_db

    if stage not in STAGES:
        raise ParameterError(f"unknown stage {stage!r}; expected one of {STAGES}")
    if not isinstance(territory, str):
        raise ParameterError(f"territory must be a string code, got {territory!r}")
    db_file = Path(db_path) if db_path else default_db_path()
    params = Path(params_dir) if params_dir else default_params_dir()
    t0 = time.perf_counter()
    with open_db(db_file) as db:
        tables, meta = _compute(stage, db, territory, int(year), params)
        meta["territory_name"] = str(db.region(territory)["name"])
    meta = {**meta, "inputs": {"db_sha256": file_checksum(db_file), "code_sha256": code_fingerprint(),
                               **_param_inputs(stage, territory, params)},
            "code_version": __version__}
    folder = write_stage(StageResult(stage=stage, territory=territory, year=int(year), tables=tables, meta=meta), out_dir)
    logger.info("stage %s %s-%s prepared in %.1f s → %s", stage, territory, year, time.perf_counter() - t0, folder)
    return folder


def load_stage(stage: str, *, territory: str, year: int, stage_dir="", db_path="", params_dir=None) -> StageResult:
    """Read a prepared stage; with an empty ``stage_dir`` compute it into the cache first (once per database).

    The cache is keyed by the database checksum and the code fingerprint recorded in ``stage.json``: a rebuilt
    database or changed stage code is recomputed.
    """
    if stage not in STAGES:
        raise ParameterError(f"unknown stage {stage!r}; expected one of {STAGES}")
    territory = str(territory)
    if stage_dir:
        folder = stage_folder(stage_dir, stage, territory, int(year))
        if not (folder / "stage.json").exists():
            raise ParameterError(f"stage {stage} for {territory}-{year} not found under {stage_dir}; "
                                 "run prepare_stage first (iplayout run does this)")
        return read_stage(folder)
    root = cache_dir() / "stages"
    folder = stage_folder(root, stage, territory, int(year))
    db_file = Path(db_path) if db_path else default_db_path()
    if (folder / "stage.json").exists():
        cached = read_stage(folder)
        inputs = cached.meta.get("inputs", {})
        params = Path(params_dir) if params_dir else default_params_dir()
        if (db_file.exists() and inputs.get("db_sha256") == file_checksum(db_file)
                and inputs.get("code_sha256") == code_fingerprint()
                and all(inputs.get(k) == v for k, v in _param_inputs(stage, territory, params).items())):
            return cached
    prepare_stage(stage, db_path=db_file, territory=territory, year=int(year), out_dir=root, params_dir=params_dir)
    return read_stage(folder)

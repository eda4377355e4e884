"""``prepare_stage`` / ``load_stage`` (docs/architecture.md, "Stage results")."""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from .._version import __version__
from ..config import cache_dir, default_db_path, params_dir as default_params_dir
from ..errors import ParameterError
from ..fileio import cached_sha256_file
from ..log import logger
from . import chain as _chain  # noqa: F401  (registers the stages)
from .registry import code_fingerprint, get_stage, stage_names
from .store import StageResult, read_meta, read_stage, stage_folder, write_stage

#: The stages of the report chain (``stages/chain.py``), in dependency order.
STAGES = stage_names()


def _spec_inputs(stage: str, territory: str, params_dir: Path) -> dict[str, str]:
    """Checksums of the researcher-edited files a stage reads (its specs), for the cache key.

    Without this, editing ``params/evaluation/pilot.yaml`` and reopening a notebook would show the
    cached result of the old spec.
    """
    out = {}
    for f in get_stage(stage).spec_files(Path(params_dir), territory):
        f = Path(f)
        name = f.relative_to(params_dir).as_posix() if f.is_relative_to(params_dir) else f.name
        out[f"spec:{name}"] = cached_sha256_file(f)
    return out


def stage_key(stage: str, *, db_file: Path, territory: str, params_dir: Path) -> dict[str, str]:
    """The cache key of a stage: database, own code, specs, and the keys of the stages it needs.

    A dependency enters as one SHA-256 of its whole key, so a changed evaluation spec also changes the key of
    every stage that needs the evaluation.
    """
    key = {"db_sha256": cached_sha256_file(db_file), "code_sha256": code_fingerprint(stage),
           **_spec_inputs(stage, territory, Path(params_dir))}
    for dep in get_stage(stage).needs:
        dk = stage_key(dep, db_file=db_file, territory=territory, params_dir=params_dir)
        key[f"needs:{dep}"] = hashlib.sha256(json.dumps(dk, sort_keys=True).encode()).hexdigest()
    return key


def _fresh(folder: Path, key: dict[str, str]) -> bool:
    """True when ``folder`` holds a stage computed from exactly these inputs."""
    meta = read_meta(folder)
    if meta is None:
        return False
    inputs = meta.get("inputs", {})
    return all(inputs.get(k) == v for k, v in key.items())


def prepare_stage(stage: str, *, db_path=None, territory: str, year: int, out_dir, params_dir=None) -> Path:
    """Compute ``stage`` for one territory-year from the database and write its folder.

    Parameters
    ----------
    stage : str
        A registered stage (``iplayout.stages.registry``); the stages it needs are computed first.
    db_path : path, optional
        Integrated database (default ``iplayout.config.default_db_path()``).
    territory : str
        Parent region code, e.g. ``"100000"`` or ``"320000"``.
    year : int
        Reference year.
    out_dir : path
        Run folder's stage root; the result goes to ``out_dir/<stage>/<territory>-<year>/``.
    params_dir : path, optional
        Where the stage specs live (default ``params/``): ``survey.yaml``, ``evaluation/*.yaml``,
        ``territories.yaml``.

    Returns
    -------
    Path of the stage folder.
    """
    from ..db.api import open_db

    st = get_stage(stage)
    if not isinstance(territory, str):
        raise ParameterError(f"territory must be a string code, got {territory!r}")
    db_file = Path(db_path) if db_path else default_db_path()
    params = Path(params_dir) if params_dir else default_params_dir()
    t0 = time.perf_counter()
    # dependencies first, into the same root; a fresh one (the runner prepared it) is reused, not recomputed
    inputs: dict[str, StageResult] = {}
    for dep in st.needs:
        dep_folder = stage_folder(out_dir, dep, territory, int(year))
        if not _fresh(dep_folder, stage_key(dep, db_file=db_file, territory=territory, params_dir=params)):
            prepare_stage(dep, db_path=db_file, territory=territory, year=year, out_dir=out_dir, params_dir=params)
        inputs[dep] = read_stage(dep_folder)
    key = stage_key(stage, db_file=db_file, territory=territory, params_dir=params)
    with open_db(db_file) as db:
        tables, meta = st.compute_fn()(db, territory=territory, year=int(year), params_dir=params, inputs=inputs)
        meta["territory_name"] = str(db.region(territory)["name"])
    meta = {**meta, "inputs": key, "code_version": __version__}
    folder = write_stage(StageResult(stage=stage, territory=territory, year=int(year), tables=tables, meta=meta), out_dir)
    logger.info("stage %s %s-%s prepared in %.1f s → %s", stage, territory, year, time.perf_counter() - t0, folder)
    return folder


def load_stage(stage: str, *, territory: str, year: int, stage_dir="", db_path="", params_dir=None) -> StageResult:
    """Read a prepared stage; with an empty ``stage_dir`` compute it into the cache first (once per database).

    The cache is keyed by :func:`stage_key` (database, the stage's own code, its specs, the keys of the stages
    it needs) recorded in ``stage.json``: a rebuilt database, changed stage code or an edited spec — its own
    or a dependency's — is recomputed.
    """
    get_stage(stage)
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
    params = Path(params_dir) if params_dir else default_params_dir()
    if db_file.exists() and _fresh(folder, stage_key(stage, db_file=db_file, territory=territory, params_dir=params)):
        return read_stage(folder)
    prepare_stage(stage, db_path=db_file, territory=territory, year=int(year), out_dir=root, params_dir=params)
    return read_stage(folder)

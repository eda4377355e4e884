"""The stage registry: every stage of the report chain declared once (docs/architecture.md, "Stage registry").

A stage is *inputs in → tables out*: its compute function receives the open database, the territory, the year,
the ``params/`` folder and the results of the stages it ``needs``, and returns ``(tables, meta)``. The runner and
``prepare_stage`` read this registry to compute dependencies first, in order, and to key the stage cache by the
stage's own code, its spec files and its dependencies' keys (OWID etl's step DAG, in miniature).
"""
from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ParameterError

#: compute(db, *, territory, year, params_dir, inputs) -> (tables, meta); ``inputs`` maps needed stage → StageResult
ComputeFn = Callable[..., tuple]
#: spec_files(params_dir, territory) -> the researcher-edited files the stage reads (their checksums key the cache)
SpecFilesFn = Callable[[Path, str], list]


@dataclass(frozen=True)
class Stage:
    """One stage of the chain.

    Attributes
    ----------
    name : str
        Identifier used in ``params/notebooks.yaml`` (``stage:``) and in stage folders (``survey``).
    name_zh, name_en : str
        Reader-facing names (资源调查 / Survey).
    compute : str
        ``"module:function"`` of the compute function, imported only when the stage runs (so declaring a stage
        never imports its code, and computing one never imports another's).
    needs : tuple of str
        Stages whose tables this stage reads; computed first and passed as ``inputs``.
    spec_files : callable
        ``(params_dir, territory) -> [Path, ...]``: the spec files it reads (part of the cache key).
    code : tuple of str
        Package-relative folders or modules (``"survey"``, ``"stages/survey.py"``) whose source shapes its tables
        (part of the cache key; drawing code is never listed).
    """

    name: str
    name_zh: str
    name_en: str
    compute: str
    needs: tuple[str, ...] = ()
    spec_files: SpecFilesFn = field(default=lambda params_dir, territory: [])
    code: tuple[str, ...] = ()

    def compute_fn(self) -> ComputeFn:
        module, _, func = self.compute.partition(":")
        return getattr(importlib.import_module(module), func)


REGISTRY: dict[str, Stage] = {}


def register(stage: Stage) -> Stage:
    """Add a stage; its dependencies must already be registered (so the registry is a DAG by construction)."""
    if stage.name in REGISTRY:
        raise ParameterError(f"stage {stage.name!r} is registered twice")
    missing = [n for n in stage.needs if n not in REGISTRY]
    if missing:
        raise ParameterError(f"stage {stage.name!r} needs unregistered stage(s) {missing}")
    REGISTRY[stage.name] = stage
    return stage


def get_stage(name: str) -> Stage:
    """The registered stage ``name``; an unknown name is a :class:`ParameterError` listing the known ones."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ParameterError(f"unknown stage {name!r}; registered stages: {', '.join(REGISTRY)}") from None


def stage_names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def stage_order(names) -> list[str]:
    """``names`` plus everything they need, dependencies first (registration order breaks ties)."""
    want: set[str] = set()

    def visit(n: str) -> None:
        if n in want:
            return
        for d in get_stage(n).needs:
            visit(d)
        want.add(n)

    for n in names:
        visit(n)
    return [n for n in REGISTRY if n in want]


def code_fingerprint(stage: str | Stage) -> str:
    """SHA-256 over the source files listed in the stage's ``code`` (sorted, names included)."""
    st = get_stage(stage) if isinstance(stage, str) else stage
    root = Path(__file__).resolve().parents[1]
    files: list[Path] = []
    for entry in st.code:
        p = root / entry
        files.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()

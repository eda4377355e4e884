"""The stage registry: every stage of the report chain declared once (docs/architecture.md, "Stage registry").

A stage is *inputs in → tables out*: its compute function receives the open database, the territory, the year,
the ``params/`` folder and the results of the stages it ``needs``, and returns ``(tables, meta)``. The runner and
``prepare_stage`` read this registry to compute dependencies first, in order, and to key the stage cache by the
stage's own code, its spec files and its dependencies' keys (OWID etl's step DAG, in miniature).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ParameterError
from ..fileio import sha256_files

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
    compute : str or callable
        ``"module:function"`` of the compute function, imported only when the stage runs (so declaring a stage
        never imports its code, and computing one never imports another's); a callable is used as is
        (tests, plug-ins).
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
    compute: str | ComputeFn
    needs: tuple[str, ...] = ()
    spec_files: SpecFilesFn = field(default=lambda params_dir, territory: [])
    code: tuple[str, ...] = ()

    def compute_fn(self) -> ComputeFn:
        if callable(self.compute):
            return self.compute
        module, _, func = self.compute.partition(":")
        return getattr(importlib.import_module(module), func)


REGISTRY: dict[str, Stage] = {}


#: Drawing code: never part of a stage's code (editing a chart must not invalidate a stage cache).
DRAWING_CODE = ("plots", "views")


def register(stage: Stage) -> Stage:
    """Add a stage; its dependencies must already be registered (so the registry is a DAG by construction).

    Raises
    ------
    ParameterError
        The name is taken or not a plain identifier, a needed stage is unknown, or ``code`` lists drawing code.
    """
    if not stage.name.isidentifier() or not stage.name.isascii():
        raise ParameterError(f"stage name must be an ASCII identifier (it names folders), got {stage.name!r}")
    if stage.name in REGISTRY:
        raise ParameterError(f"stage {stage.name!r} is registered twice")
    missing = [n for n in stage.needs if n not in REGISTRY]
    if missing:
        raise ParameterError(f"stage {stage.name!r} needs unregistered stage(s) {missing}")
    drawing = [c for c in stage.code if c.split("/")[0] in DRAWING_CODE]
    if drawing:
        raise ParameterError(f"stage {stage.name!r} lists drawing code {drawing}: views and plots never shape "
                             "stage tables")
    REGISTRY[stage.name] = stage
    return stage


def unregister(name: str) -> None:
    """Remove stage ``name`` (tests, plug-ins); refused while another registered stage needs it."""
    get_stage(name)
    users = [s.name for s in REGISTRY.values() if name in s.needs]
    if users:
        raise ParameterError(f"stage {name!r} is needed by {users}; unregister those first")
    del REGISTRY[name]


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


#: Code every stage's tables depend on: the store's canonical row order and file format.
COMMON_CODE = ("stages/store.py",)


def code_files(stage: str | Stage) -> list[Path]:
    """The source files whose content keys ``stage``'s cache (its ``code`` plus :data:`COMMON_CODE`)."""
    st = get_stage(stage) if isinstance(stage, str) else stage
    root = package_root()
    files: set[Path] = set()
    for entry in st.code + COMMON_CODE:
        p = root / entry
        if p.is_dir():
            files.update(q for q in p.rglob("*.py") if "__pycache__" not in q.parts)
        elif p.is_file():
            files.add(p)
        else:
            raise ParameterError(f"stage {st.name!r} lists code {entry!r}, which does not exist under {root}")
    return sorted(files)


def package_root() -> Path:
    """The ``iplayout`` package folder (stage ``code`` entries are relative to it)."""
    return Path(__file__).resolve().parents[1]


def code_fingerprint(stage: str | Stage) -> str:
    """SHA-256 over the source files that compute ``stage``'s tables (relative names + contents).

    Drawing code (``plots``, ``views``) is never part of it: editing a chart does not invalidate a stage.
    """
    return sha256_files(code_files(stage), root=package_root())

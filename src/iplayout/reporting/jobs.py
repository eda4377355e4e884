"""Expand a validated run plan into report jobs with stable ids and safe output names.

A job id is built from the notebook path and the expanded codes (``01_survey__region--320100``); it
never depends on order or time, so ``--resume`` can match jobs across runs. Every path component that
comes from a plan or the data passes :func:`safe_component` — a name from data never becomes a path
unchecked.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Problem
from .parameters import CodeBook, Declarations, raise_problems, validate_parameters
from .plans import LoadedPlan

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_component(text: str, *, max_len: int = 80) -> str:
    """Return a file-name component made only of ``[A-Za-z0-9._-]``.

    Anything else (slashes, spaces, Chinese, ``..``) is replaced; when the text changed, a short hash
    of the original is appended so two different inputs never collapse to the same name.
    """
    cleaned = _UNSAFE.sub("_", text).strip("._-") or "x"
    cleaned = cleaned[:max_len]
    if cleaned != text:
        cleaned = f"{cleaned}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"
    return cleaned


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no whitespace variation: the basis of every hash we take."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


@dataclass
class Job:
    """One report to execute and render."""

    job_id: str
    notebook: str                 # relative to the notebooks folder (posix)
    notebook_path: str            # absolute
    parameters: dict[str, Any]
    output_stem: str              # relative to the run folder, posix, no suffix
    group: str
    title: str
    stage: str | None = None
    territory: str | None = None
    year: int | None = None
    region: str | None = None
    industry: str | None = None
    labels: dict[str, str | None] = field(default_factory=dict)   # code -> name, for the index

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def matches(self, token: str) -> bool:
        """``--only`` matching: a code, a notebook path (with or without .ipynb) or the job id."""
        nb = self.notebook.removesuffix(".ipynb")
        return token in (self.job_id, self.notebook, nb, self.region, self.industry, self.territory) \
            or nb.endswith("/" + token) or nb.startswith(token.rstrip("/") + "/")


def _expand_values(spec: Any, name: str, params: dict[str, Any], codes: CodeBook,
                   where: str, problems: list[Problem]) -> list[Any]:
    if spec == "members":
        terr = params.get("territory")
        members = codes.members(terr) if isinstance(terr, str) else []
        if not members:
            problems.append(Problem(f"'over: {name}: members' needs a territory with members", file=where,
                                    column="territory", value=terr))
        return members
    if spec == "industries":
        return sorted(c for c in codes.industries if c != "_T")
    return list(spec)


def expand_plan(loaded: LoadedPlan, decls: Declarations, codes: CodeBook) -> list[Job]:
    """Validate every parameter of every report in the plan and return the jobs.

    Raises :class:`~iplayout.errors.ParameterError` listing all problems before anything runs.
    """
    plan, where = loaded.plan, str(loaded.path)
    problems: list[Problem] = []
    jobs: list[Job] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(plan.reports):
        decl = decls.notebooks.get(entry.notebook)
        if decl is None:
            problems.append(Problem(f"notebook {entry.notebook!r} is not declared in {loaded.declarations_path}",
                                    file=where, column=f"reports[{i}].notebook", value=entry.notebook))
            continue
        nb_path = loaded.notebooks_dir / entry.notebook
        if not nb_path.is_file():
            problems.append(Problem(f"notebook file not found: {nb_path}", file=where,
                                    column=f"reports[{i}].notebook", value=entry.notebook))
            continue
        base = {k: v for k, v in plan.defaults.items() if k in decl.parameters}
        if plan.as_of is not None and "as_of" in decl.parameters:  # the plan's date reaches its progress report
            base.setdefault("as_of", plan.as_of.isoformat())
        base.update(entry.parameters)
        names = list(entry.over)
        value_lists = [_expand_values(entry.over[n], n, base, codes, where, problems) for n in names]
        for combo in itertools.product(*value_lists):
            given = dict(base, **dict(zip(names, combo)))
            resolved, probs = validate_parameters(entry.notebook, decl, given, codes, where=f"{where} reports[{i}]")
            problems.extend(probs)
            if probs:
                continue
            nb_stem = entry.notebook.removesuffix(".ipynb")
            # codes name the report even when given as plain parameters rather than expanded
            codes_in_name = list(combo) + [given[k] for k in ("region_code", "industry_code")
                                           if k not in entry.over and isinstance(given.get(k), str)]
            suffix = "-".join(safe_component(str(v)) for v in codes_in_name)
            job_id = safe_component(nb_stem.replace("/", "__"), max_len=120) + (f"--{suffix}" if suffix else "")
            parts = [safe_component(p) for p in Path(nb_stem).parts]
            stem = "/".join(parts[:-1] + [parts[-1] + (f"-{suffix}" if suffix else "")])
            if job_id in seen:  # same notebook and codes with other parameters: disambiguate stably
                digest = hashlib.sha256(canonical_json(resolved).encode()).hexdigest()[:8]
                job_id, stem = f"{job_id}--{digest}", f"{stem}-{digest}"
            seen[job_id] = i
            region = resolved.get("region_code")
            industry = resolved.get("industry_code")
            territory = resolved.get("territory")
            labels = {c: codes.name(c) for c in (territory, region, industry) if c is not None}
            jobs.append(Job(
                job_id=job_id, notebook=entry.notebook, notebook_path=str(nb_path), parameters=resolved,
                output_stem=stem, group=entry.group or decl.group, title=entry.title or decl.title,
                stage=decl.stage, territory=territory, year=resolved.get("year"),
                region=region, industry=industry, labels=labels,
            ))
    raise_problems(problems)
    return jobs


def filter_jobs(jobs: list[Job], only: tuple[str, ...] | list[str]) -> list[Job]:
    """Keep jobs matching any ``--only`` token (all jobs when no token is given)."""
    if not only:
        return jobs
    return [j for j in jobs if any(j.matches(t) for t in only)]

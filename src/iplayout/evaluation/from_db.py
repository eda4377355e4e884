"""Run the evaluation engine on the integrated database: ``evaluate(db, spec, territory, year)``.

Indicator codes in a spec are database codes (stored or derived). Derived codes are resolved through
the database API's helpers:

- ``<code>_per_10k_pop`` → ``db.per_10k_pop(code)``; ``<code>_per_100m_gdp`` → ``db.per_100m_gdp(code)``
- ``invention_share_<applications|grants|valid>`` → ``db.invention_share(kind)``
- ``<code>_share_of_territory`` → ``db.share_of_territory(code, territory)``
- ``<code>_cagr_<n>y`` → ``db.cagr(code, territory, end_year=year, n_years=n)``
- ``<code>@<industry>`` (e.g. ``industry_revenue@HT``) selects one industry (default ``_T``).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..errors import DataError, Problem, SpecError
from ..territories import territory_profile
from .engine import evaluate_table
from .result import EvaluationResult
from .spec import EvaluationSpec, load_spec, parse_spec

_SUFFIXES = ("_per_10k_pop", "_per_100m_gdp", "_share_of_territory")


def _split_industry(code: str) -> tuple[str, str]:
    base, _, ind = code.partition("@")
    return base, (ind or "_T")


def fetch_indicator(db, code: str, territory: str, years: list[int]) -> pd.DataFrame:
    """Tidy rows (``region_code, year, value, is_demo``) of one stored or derived indicator."""
    m = re.fullmatch(r"invention_share_(applications|grants|valid)", code)
    if m:
        return db.invention_share(m.group(1), territory=territory, years=years)
    m = re.fullmatch(r"(.+)_cagr_(\d+)y", code)
    if m:
        base, ind = _split_industry(m.group(1))
        return pd.concat([db.cagr(base, territory, end_year=y, n_years=int(m.group(2)), industry=ind) for y in years])
    for suf in _SUFFIXES:
        if code.endswith(suf):
            base, ind = _split_industry(code[: -len(suf)])
            if suf == "_share_of_territory":
                return db.share_of_territory(base, territory, years=years, industry=ind)
            fn = db.per_10k_pop if suf == "_per_10k_pop" else db.per_100m_gdp
            return fn(base, territory=territory, years=years, industry=ind)
    base, ind = _split_industry(code)
    return db.observations(indicators=[base], territory=territory, years=years, industries=[ind])


def load_panel(db, spec: EvaluationSpec, territory: str, years: list[int]) -> tuple[pd.DataFrame, bool, list[str]]:
    """Wide table (``region_code``, ``year``, one column per spec code) for the territory's members."""
    codes = list(spec.codes)
    if spec.dea:
        codes += [c for c in spec.dea.inputs + spec.dea.outputs if c not in codes]
    members = db.members(territory)
    if members.empty:
        raise DataError([Problem("territory has no member regions", column="territory", value=territory)])
    frame = pd.MultiIndex.from_product([members["code"].astype(str), years], names=["region_code", "year"]).to_frame(index=False)
    demo, sources = False, set()
    for code in codes:
        try:
            obs = fetch_indicator(db, code, territory, years)
        except Exception as exc:  # unknown code in the database: name it
            raise SpecError(f"indicator {code!r} cannot be read from the database: {exc}") from exc
        if obs.empty:
            raise DataError([Problem("no observations for this indicator in the territory/years",
                                     column=code, value=f"{territory} {years}")])
        demo |= bool(obs["is_demo"].any())
        sources |= set(obs["source_id"].astype(str))
        vals = obs[["region_code", "year", "value"]].drop_duplicates(["region_code", "year"]).rename(columns={"value": code})
        vals["region_code"] = vals["region_code"].astype(str)
        frame = frame.merge(vals, on=["region_code", "year"], how="left")
    return frame, demo, sorted(sources)


#: Spec of a territory whose profile (params/territories.yaml) names none.
FALLBACK_SPEC = "pilot.yaml"


def default_spec_path(territory: str, params_dir: Path | None = None) -> Path:
    """The shipped spec for ``territory``: ``params/evaluation/<evaluation_spec of its territory profile>``,
    :data:`FALLBACK_SPEC` (the pilot system) when the profile names none."""
    from ..config import params_dir as _params_dir

    base = Path(params_dir or _params_dir()) / "evaluation"
    return base / (territory_profile(str(territory), params_dir).evaluation_spec or FALLBACK_SPEC)


def evaluate(db, spec: EvaluationSpec | dict | str | Path | None, territory: str,
             year: int | list[int]) -> EvaluationResult:
    """Evaluate the members of ``territory`` in ``year`` (an int, or a list for a panel).

    ``spec`` is a spec object, a mapping, a YAML path, or None for :func:`default_spec_path`; its ``id_column``/``year_column`` are set to
    ``region_code``/``year``. The result's scores gain ``region_name``; the log records whether any
    value used is demo data and which sources were used.
    """
    if spec is None:
        spec = default_spec_path(territory)
    if isinstance(spec, (str, Path)):
        spec = load_spec(spec)
    elif isinstance(spec, dict):
        spec = parse_spec(spec)
    years = [int(y) for y in (year if isinstance(year, (list, tuple)) else [year])]
    spec = spec.model_copy(update={"id_column": "region_code", "year_column": "year"})
    spec = parse_spec(spec.model_dump(mode="json"))
    table, demo, sources = load_panel(db, spec, str(territory), years)
    res = evaluate_table(table, spec, source=f"db:{territory}:{years}")
    names = db.members(territory).set_index("code")["name"]
    res.scores.insert(1, "region_name", res.scores["region_code"].map(names).astype(str))
    res.log.insert(1, {"step": "data", "args": {"territory": str(territory), "years": years, "is_demo": demo,
                                                "sources": sources}})
    return res

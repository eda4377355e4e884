"""Preprocessing shared by the engine and its uncertainty step: indicator types → outlier treatment →
normalisation, pool group by pool group (a year, or all rows). Pure: DataFrames in, DataFrames out.

Kept apart from :mod:`.engine` so that :mod:`.robustness` can re-run it under alternative normalisations
without importing the engine (which imports robustness).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..methods.normalise import normalise
from ..methods.transform import apply_types
from ..methods.treatment import treat_outliers
from .spec import EvaluationSpec


def _normalise_params(spec: EvaluationSpec, method: str) -> dict:
    n = spec.normalise
    return {"minmax": {"bounded_policy": n.bounded_policy}, "eps_shrink": {"eps": n.eps},
            "minmax_range": {"lower": n.range[0], "upper": n.range[1], "bounded_policy": n.bounded_policy},
            "zscore": {"ddof": n.ddof},
            "goalposts": {"goalposts": {i.code: i.goalposts for i in spec.indicators}}}.get(method, {})


def transformed_and_normalised(df: pd.DataFrame, spec: EvaluationSpec, pools: np.ndarray,
                               methods: list[str]) -> tuple[pd.DataFrame, pd.Series, dict[str, pd.DataFrame], pd.DataFrame]:
    """Type transform, treatment and each requested normalisation, pool group by pool group."""
    types = {i.code: i.model_dump() for i in spec.indicators}
    x_all, z_all, audits = [], {m: [] for m in methods}, []
    direction = bounded = None
    for pool in pd.unique(pools):
        rows = df.index[pools == pool]
        x, direction, bounded = apply_types(df.loc[rows, spec.codes], types)
        if spec.treatment.method == "coinr":
            t = spec.treatment
            free = [c for c in spec.codes if not bounded[c]]
            treated, audit = treat_outliers(x[free], skew_max=t.skew_max, kurt_max=t.kurt_max,
                                            winsor_max=t.winsor_max, action=t.action, bias=t.bias)
            x_tr = x.copy()
            x_tr[free] = treated
            audits.append(audit.assign(pool=str(pool)))
        else:
            x_tr = x
        x_all.append(x)
        for m in methods:
            # the shift (平移) applies after every normalisation so that alternatives stay comparable
            z_all[m].append(normalise(m, x_tr, direction, bounded, **_normalise_params(spec, m)) + spec.normalise.shift)
    audit = pd.concat(audits, ignore_index=True) if audits else pd.DataFrame()
    return pd.concat(x_all).sort_index(), direction, {m: pd.concat(v).sort_index() for m, v in z_all.items()}, audit

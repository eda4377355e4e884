"""Steps shared by the two-level path (:mod:`.engine`) and index hierarchies (:mod:`.levels`): ranks
within the year, coupling coordination of the subsystem scores, DEA efficiency."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import MethodError
from ..methods import coupling as cp
from ..methods.dea import dea
from ..methods.weights import weights_entropy
from .spec import EvaluationSpec

ALL = "_all"


def rank_units(score: pd.Series, df: pd.DataFrame, spec: EvaluationSpec, *, nullable: bool = False) -> pd.Series:
    """Rank within each year, 1 = best; ties by ``score.rank_ties`` (pandas' method names; scores are
    rounded to 12 decimals first so that float noise does not break a published tie). A missing score
    has no rank; ``nullable`` always returns pandas' Int64 (level tables mixing nodes with and without gaps)."""
    by = df[spec.year_column] if spec.year_column else pd.Series(0, index=df.index)
    r = score.round(12).groupby(by).rank(ascending=False, method=spec.score.rank_ties)
    if spec.score.rank_ties == "average":
        return r
    # a missing score (hierarchy: too few children present) has no rank
    return r.astype("Int64") if (nullable or r.isna().any()) else r.astype(int)


def coupling_step(u: pd.DataFrame, spec: EvaluationSpec, log: list[dict], labels: pd.Series) -> pd.DataFrame:
    c = spec.coupling
    names = [col[2:] for col in u.columns]
    uu = u.copy()
    uu.columns = names
    if c.rescale:
        uu = cp.rescale_panel(uu)
    if uu.min().min() < 0:
        raise MethodError("coupling needs non-negative subsystem scores: set coupling.rescale: true "
                          "or use a non-negative normalisation (not zscore)")
    if c.alpha == "equal":
        alpha = pd.Series(1.0 / len(names), index=names)
    elif c.alpha == "fixed":
        alpha = pd.Series(c.alpha_weights, dtype=float).reindex(names)
        alpha = alpha / alpha.sum()
    else:
        alpha = weights_entropy(uu, zero="zero_log")
    zero = uu.index[(uu == 0).any(axis=1)]
    # index by unit label while coupling so the zero-subsystem warning names units, not row numbers
    res = cp.coupling_coordination(uu.set_axis(labels.to_numpy()), alpha, form=c.form,
                                   exponent=c.exponent).set_axis(uu.index)
    idx = cp.classify_d(res["D"], boundary=c.boundary)
    res["class"] = cp.class_names(idx)
    res["class_en"] = cp.class_names(idx, lang="en")
    res["lagging"] = cp.lagging_subsystem(uu)
    if c.relative is not None:
        res = res.join(cp.relative_development(uu[c.relative.a], uu[c.relative.b],
                                               lower=c.relative.lower, upper=c.relative.upper))
    log.append({"step": "coupling", "args": {**c.model_dump(mode="json"), "alpha_used": alpha.to_dict(),
                                             "zero_subsystem_rows": [int(i) for i in zero],
                                             "zero_subsystem_units": labels.loc[zero].tolist()}})
    return res


def dea_step(df, spec, keys, log) -> pd.DataFrame:
    if spec.dea is None:
        return pd.DataFrame()
    d = spec.dea
    parts = []
    groups = df.groupby(spec.year_column).groups if spec.year_column else {ALL: df.index}
    for _, rows in groups.items():
        ids = df.loc[rows, spec.id_column]
        r = dea(df.loc[rows, d.inputs].set_axis(ids), df.loc[rows, d.outputs].set_axis(ids),
                model=d.model, orientation=d.orientation).set_axis(rows)
        parts.append(pd.concat([df.loc[rows, keys], r], axis=1))
    log.append({"step": "dea", "args": d.model_dump()})
    return pd.concat(parts).sort_index()

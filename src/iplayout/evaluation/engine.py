"""Evaluate a wide table with a spec: types → treatment → normalisation → weights → scores →
coupling → obstacles → DEA → uncertainty. Pure: DataFrame + spec in, :class:`EvaluationResult` out.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..methods.scores import DEFAULT_SCALE, get_score, obstacle_degree
from .preprocess import transformed_and_normalised  # noqa: F401  (re-exported)
from .levels import evaluate_levels
from .result import EvaluationResult
from .robustness import run_uncertainty
from .two_level import add_level_tables
from .spec import EvaluationSpec, parse_spec
from .steps import coupling_step as _coupling, dea_step as _dea, rank_units as _rank
from .weighting import _ahp_consistency, compute_weights, subsystem_of, subsystem_weights  # noqa: F401 (re-exported)

ALL = "_all"
#: index name marking a table whose index holds each row's line number in the source file
SOURCE_LINE = "__line__"


def _prepare(table: pd.DataFrame, spec: EvaluationSpec, source: str) -> tuple[pd.DataFrame, list[dict]]:
    """Check columns and types, apply the missing-value policy. Returns the clean table and log."""
    need = [spec.id_column] + ([spec.year_column] if spec.year_column else []) + spec.codes
    if spec.dea:
        need += [c for c in spec.dea.inputs + spec.dea.outputs if c not in need]
    missing_cols = [c for c in need if c not in table.columns]
    if missing_cols:
        present = ", ".join(map(str, table.columns[:30]))
        raise DataError([Problem(f"column missing from the table (columns present: {present})", file=source,
                                 column=c) for c in missing_cols])
    # the CLI reader indexes rows by their line in the file (blank lines skipped); otherwise line = row + 2
    lines = (table.index.to_numpy(int) if table.index.name == SOURCE_LINE
             else np.arange(len(table)) + 2)
    df = table[need].copy().reset_index(drop=True)
    if df[spec.id_column].isna().any():
        i = int(np.flatnonzero(df[spec.id_column].isna().to_numpy())[0])
        raise DataError(Problem("missing unit id", file=source, line=int(lines[i]), column=spec.id_column))
    df[spec.id_column] = df[spec.id_column].astype(str).str.strip()
    problems = []
    value_cols = need[1 + bool(spec.year_column):]
    for c in ([spec.year_column] if spec.year_column else []) + value_cols:
        col = df[c]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            # tolerate what spreadsheets export: surrounding blanks and thousands separators (1,234.5);
            # only well-formed groups of three, so a decimal comma such as 3,5 is an error, not 35
            col = col.astype("string").str.strip()
            grouped = col.str.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?").fillna(False).astype(bool)
            col = col.where(~grouped, col.str.replace(",", "", regex=False))
        num = pd.to_numeric(col, errors="coerce")
        bad = num.isna() & df[c].notna() & (df[c].astype(str).str.strip() != "")
        for i in np.flatnonzero(bad.to_numpy()):
            problems.append(Problem("not a number", file=source, line=int(lines[i]), column=c, value=df[c].iloc[i]))
        df[c] = num.astype(float)
    if spec.year_column:
        if df[spec.year_column].isna().any():
            i = int(np.flatnonzero(df[spec.year_column].isna().to_numpy())[0])
            problems.append(Problem("missing year", file=source, line=int(lines[i]), column=spec.year_column))
        else:
            df[spec.year_column] = df[spec.year_column].astype(int)
    keys = [spec.id_column] + ([spec.year_column] if spec.year_column else [])
    dup = df.duplicated(keys, keep=False)
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(Problem("duplicate unit", file=source, line=int(lines[i]), column=spec.id_column,
                                value=df[spec.id_column].iloc[i]))
    if problems:
        raise DataError(problems)
    log = []
    na = df[value_cols].isna()
    if na.any().any():
        cells = [(int(i), c) for c in value_cols for i in np.flatnonzero(na[c].to_numpy())]
        if spec.missing == "available":  # hierarchies: gaps stay; each node aggregates the children present
            log.append({"step": "missing", "args": {"policy": "available", "missing_cells": [
                f"{'/'.join(map(str, df.loc[i, keys]))}:{c}" for i, c in cells]}})
            return df, log
        if spec.missing == "error":
            raise DataError([Problem(f"missing value for unit {df[spec.id_column].iloc[i]!r} (spec missing: error; "
                                     "or set missing: drop_unit / impute_median / interpolate_median)",
                                     file=source, line=int(lines[i]), column=c) for i, c in cells])
        if spec.missing == "drop_unit":
            dropped = df.loc[na.any(axis=1), keys].astype(str).agg("/".join, axis=1).tolist()
            df = df.loc[~na.any(axis=1)].reset_index(drop=True)
            log.append({"step": "missing", "args": {"policy": "drop_unit", "dropped": dropped}})
        else:
            df, args = _impute(df, spec, value_cols, source)
            log.append({"step": "missing", "args": args})
        if len(df) < 2:
            raise DataError(f"fewer than 2 units left after the missing-value policy {spec.missing!r}", file=source)
    else:
        log.append({"step": "missing", "args": {"policy": spec.missing, "missing_cells": 0}})
    return df, log


def interpolate_interior(years: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Linear interpolation of missing values between observed years (no extrapolation at the ends).

    Notes
    -----
    ``x_t = x_a + (x_b − x_a)(t − a)/(b − a)`` for the nearest observed years ``a < t < b``
    (线性插值); values before the first or after the last observation stay missing.
    """
    ok = ~np.isnan(values)
    if ok.sum() < 2:
        return values
    out = values.copy()
    inner = ~ok & (years > years[ok].min()) & (years < years[ok].max())
    order = np.argsort(years[ok])
    out[inner] = np.interp(years[inner], years[ok][order], values[ok][order])
    return out


def _impute(df: pd.DataFrame, spec: EvaluationSpec, value_cols: list[str], source: str) -> tuple[pd.DataFrame, dict]:
    """``interpolate_median``: linear interpolation between a unit's own years (interior gaps only),
    then, like ``impute_median``, the median of the pool group for what is left. Each filled cell is
    logged; an indicator with no value at all in a year is an error (a median must not invent a year)."""
    df = df.copy()
    args: dict = {"policy": spec.missing}
    if spec.missing == "interpolate_median" and spec.year_column:
        filled = []
        for c in value_cols:
            before = df[c].isna()
            for _, rows in df.groupby(spec.id_column).groups.items():
                df.loc[rows, c] = interpolate_interior(df.loc[rows, spec.year_column].to_numpy(float),
                                                       df.loc[rows, c].to_numpy(float))
            filled += [f"{df.at[i, spec.id_column]}/{df.at[i, spec.year_column]}:{c}"
                       for i in df.index[before & df[c].notna()]]
        args["interpolated"] = filled
    na = df[value_cols].isna()
    if spec.year_column:
        empty = na.groupby(df[spec.year_column]).all()
        bad = [(int(y), c) for y in empty.index for c in value_cols if empty.loc[y, c]]
        if bad:
            raise DataError([Problem(f"no value at all in year {y}: {spec.missing} refuses to fill a whole year",
                                     file=source, column=c) for y, c in bad])
    groups = df[spec.year_column] if (spec.year_column and spec.normalise.pool == "year") else pd.Series(0, index=df.index)
    args["imputed"] = [f"{df[spec.id_column].iloc[i]}:{c}" for c in value_cols for i in np.flatnonzero(na[c].to_numpy())]
    for c in value_cols:
        df[c] = df[c].fillna(df.groupby(groups)[c].transform("median"))
    return df, args


def _pool_labels(df: pd.DataFrame, spec: EvaluationSpec) -> np.ndarray:
    if spec.year_column and spec.normalise.pool == "year":
        return df[spec.year_column].astype(str).to_numpy()
    return np.full(len(df), ALL, dtype=object)


def _score(spec: EvaluationSpec, z: pd.DataFrame, x: pd.DataFrame, direction: pd.Series,
           w: pd.Series, scale: float) -> pd.Series:
    return get_score(spec.score.method, z, w, x=x, direction=direction, norm=spec.score.topsis_norm,
                     distance=spec.score.topsis_distance, cost=spec.score.topsis_cost, scale=scale)


def _u_uses_global(spec: EvaluationSpec) -> bool:
    return spec.weights.scope == "all" and spec.score.method == "weighted_sum"


def _beta_by_pool(primary: pd.DataFrame) -> dict:
    """Subsystem weights β_s = Σ_{j∈s} global weight, per pool group (one entry when pooled)."""
    b = primary.groupby(["pool", "subsystem"], sort=False)["global_weight"].sum()
    out = {p: {s: float(v) for (pp, s), v in b.items() if pp == p} for p in b.index.get_level_values(0).unique()}
    return out[ALL] if list(out) == [ALL] else out


def evaluate_table(table: pd.DataFrame, spec: EvaluationSpec | dict, *, source: str = "<table>") -> EvaluationResult:
    """Evaluate ``table`` (one row per unit[-year]) with ``spec``; see docs/evaluation.md.

    Same table and spec → identical tables (the only randomness is the seeded Monte Carlo).
    """
    if isinstance(spec, dict):
        spec = parse_spec(spec)
    log: list[dict] = [{"step": "spec", "args": spec.model_dump(mode="json")}]
    df, mlog = _prepare(table, spec, source)
    log += mlog
    keys = [spec.id_column] + ([spec.year_column] if spec.year_column else [])
    pools = _pool_labels(df, spec)
    nm = spec.normalise.method
    x, direction, zs, audit = transformed_and_normalised(df, spec, pools, [nm])
    z = zs[nm]
    log.append({"step": "types", "args": {i.code: {k: v for k, v in i.model_dump().items()
                                                   if k in ("type", "target", "lower", "upper") and v is not None}
                                          for i in spec.indicators}})
    if not audit.empty:
        log.append({"step": "treatment", "args": {**spec.treatment.model_dump(),
                                                  "treated": audit.loc[audit.action != "none", "indicator"].tolist()}})
    log.append({"step": "normalise", "args": {**spec.normalise.model_dump(), "pools": sorted(map(str, pd.unique(pools)))}})
    if spec.groups:  # an index hierarchy: aggregated level by level (evaluation.levels)
        return evaluate_levels(df, spec, pools, keys, x, direction, z, audit, log)

    weights = compute_weights(z, spec, pools, raw=x)
    log.append({"step": "weights", "args": {**spec.weights.model_dump(mode="json"), **_ahp_consistency(spec)}})
    primary = weights[weights.primary]
    subs = subsystem_of(spec)
    scale = spec.score.scale if spec.score.scale is not None else DEFAULT_SCALE[spec.score.method]
    out = df[keys].copy()
    u_cols, overall = {}, pd.Series(np.nan, index=df.index)
    for pool in pd.unique(pools):
        rows = df.index[pools == pool]
        wp = primary[primary.pool == str(pool)]
        if spec.subsystems:
            for s in pd.unique(subs):
                # scope all + weighted sum: U_s = Σ_{j∈s} w_j z_j with the overall weights (Σ_s U_s = score/scale)
                col = "global_weight" if _u_uses_global(spec) else "weight"
                ws = wp[wp.subsystem == s].set_index("indicator")[col]
                u = _score(spec, z.loc[rows], x.loc[rows], direction, ws, 1.0)
                u_cols.setdefault(f"U_{s}", pd.Series(np.nan, index=df.index)).loc[rows] = u
        wg = wp.set_index("indicator")["global_weight"]
        overall.loc[rows] = _score(spec, z.loc[rows], x.loc[rows], direction, wg, scale)
    for k, v in u_cols.items():
        out[k] = v
    log.append({"step": "score", "args": {**spec.score.model_dump(), "scale": scale,
                                          "subsystem_weights": _beta_by_pool(primary)}})

    if spec.subsystems and len(spec.subsystems) >= 2 and spec.coupling.enabled:
        labels = out[keys].astype(str).agg("/".join, axis=1)  # unit[/year], to name rows in warnings
        out = out.join(_coupling(out[list(u_cols)], spec, log, labels))
    out["score"] = overall
    out["rank"] = _rank(overall, df, spec)

    obstacles = _obstacles(z, primary, pools, df, spec, keys, subs)
    dea_tab = _dea(df, spec, keys, log)
    if not dea_tab.empty:
        out["dea_efficiency"] = dea_tab["efficiency"].to_numpy()

    res = EvaluationResult(spec=spec, scores=out, weights=weights,
                           normalised=pd.concat([df[keys], z[spec.codes]], axis=1),
                           obstacles=obstacles, treatment=audit, dea=dea_tab, log=log)
    if spec.uncertainty.enabled:
        run_uncertainty(res, df, spec, pools, keys, x, direction, primary)
    add_level_tables(res, df, pools, keys)  # the same result restated level by level (new tables only)
    return res


def _obstacles(z, primary, pools, df, spec, keys, subs) -> pd.DataFrame:
    if spec.normalise.method == "zscore":
        return pd.DataFrame()  # deviation 1 − z needs z in [0, 1]
    parts = []
    for pool in pd.unique(pools):
        rows = df.index[pools == pool]
        wg = primary[primary.pool == str(pool)].set_index("indicator")["global_weight"]
        ind, sub = obstacle_degree(z.loc[rows].clip(0, 1), wg, subs if spec.subsystems else None)
        for level, tab in (("indicator", ind), ("subsystem", sub)):
            if tab.empty:
                continue
            long = tab.join(df.loc[rows, keys]).melt(id_vars=keys, var_name="code", value_name="obstacle")
            parts.append(long.assign(level=level))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

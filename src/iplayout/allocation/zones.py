"""IP functional zones (知识产权功能区): a rule typology on the three subsystem scores and its stability.

The typology is this project's proposal (no official zone typology is published): a region is *high* on a
subsystem when its score reaches the threshold (territory median by default), and the high/low pattern on
(IP creation and use, innovation capacity, industrial base) names one of eight zone types
(``params/allocation/zones.yaml``). Stability reuses the evaluation's Monte Carlo draws of the subsystem
scores — never new draws.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from .spec import ZONE_SUBSYSTEMS, Threshold, ZoneSpec

COLS = [f"U_{s}" for s in ZONE_SUBSYSTEMS]
SUB_NAMES = {"ip": "知识产权", "innovation": "创新能力", "industry": "产业基础"}


def _check(u: pd.DataFrame, where: str) -> None:
    missing = [c for c in COLS if c not in u.columns]
    if missing:
        raise DataError([Problem(f"{where}: subsystem score column(s) missing (the evaluation spec needs "
                                 "subsystems ip, innovation and industry)", column=c) for c in missing])


def zone_thresholds(u: np.ndarray, threshold: Threshold) -> np.ndarray:
    """Thresholds per subsystem (…, S) from scores (…, n, S) along the region axis.

    Notes
    -----
    ``median``: ``t_s = median_r U_rs``; ``quantile``: the ``q`` quantile (linear interpolation, numpy's
    default); ``fixed``: the configured values. The same function serves the nominal scores and every
    Monte Carlo draw, so a draw is classified exactly as the nominal result would be.
    """
    if threshold.method == "fixed":
        vals = np.array([threshold.values[s] for s in ZONE_SUBSYSTEMS], dtype=float)
        return np.broadcast_to(vals, u.shape[:-2] + (len(ZONE_SUBSYSTEMS),)).copy()
    q = 0.5 if threshold.method == "median" else threshold.q
    return np.quantile(u, q, axis=-2)


def patterns(u: np.ndarray, t: np.ndarray) -> np.ndarray:
    """High/low pattern strings (``"HHL"``) from scores (…, n, S) and thresholds (…, S): high ⇔ ``U ≥ t``."""
    high = u >= t[..., None, :]
    letters = np.where(high, "H", "L")
    return np.char.add(np.char.add(letters[..., 0], letters[..., 1]), letters[..., 2])


def assign_zones(scores: pd.DataFrame, spec: ZoneSpec, *, factor: float = 1.0) -> pd.DataFrame:
    """Zone of every region from its subsystem scores.

    Parameters
    ----------
    scores : DataFrame
        ``region_code`` and ``U_ip``, ``U_innovation``, ``U_industry`` (the evaluation's ``scores``).
    spec : ZoneSpec
    factor : float
        Multiplies the thresholds (threshold sensitivity: 0.9 and 1.1 move them ±10 %).

    Returns
    -------
    DataFrame
        ``region_code``, ``t_<s>``, ``high_<s>`` (bool), ``near_<s>`` (|U − t| ≤ band·|t|), ``pattern``,
        ``zone``, ``zone_name``, ``zone_name_en``, ``meaning``, ``band`` (临界 sub-band label, "" when clear).
    """
    _check(scores, "assign_zones")
    u = scores[COLS].to_numpy(float)
    t = zone_thresholds(u, spec.threshold) * factor
    pat = patterns(u, t)
    types = spec.by_pattern()
    out = pd.DataFrame({"region_code": scores["region_code"].astype(str).to_numpy()})
    near_names = [[] for _ in range(len(out))]
    for j, s in enumerate(ZONE_SUBSYSTEMS):
        out[f"t_{s}"] = t[j]
        out[f"high_{s}"] = u[:, j] >= t[j]
        near = np.abs(u[:, j] - t[j]) <= spec.band * abs(t[j])
        out[f"near_{s}"] = near
        for i in np.flatnonzero(near):
            near_names[i].append(SUB_NAMES[s])
    out["pattern"] = pat
    out["zone"] = [types[p].code for p in pat]
    out["zone_name"] = [types[p].name for p in pat]
    out["zone_name_en"] = [types[p].name_en for p in pat]
    out["meaning"] = [types[p].meaning for p in pat]
    # Regional Innovation Scoreboard-style sub-band: a score within ±band of a threshold is 临界
    out["band"] = ["临界（" + "、".join(n) + "）" if n else "" for n in near_names]
    return out


def zone_probabilities(draws: pd.DataFrame, spec: ZoneSpec) -> pd.DataFrame:
    """Share of Monte Carlo draws in which each region falls in each zone.

    Parameters
    ----------
    draws : DataFrame
        ``draw``, ``region_code``, ``U_ip``, ``U_innovation``, ``U_industry`` — the evaluation stage's
        ``subsystem_draws`` (every draw holds every region).

    Returns
    -------
    DataFrame
        ``region_code``, ``zone``, ``probability`` (zones never reached are left out; each region's
        probabilities sum to 1), sorted by region then zone code.

    Notes
    -----
    Each draw is classified with thresholds computed from *that draw's* scores (:func:`zone_thresholds`),
    so the probability measures how robust the zone is to the weights, normalisation and aggregation
    varied by the evaluation's uncertainty analysis (Saisana, Saltelli & Tarantola 2005).
    """
    _check(draws, "zone_probabilities")
    d = draws.sort_values(["draw", "region_code"], kind="mergesort")
    regions = sorted(d["region_code"].astype(str).unique())
    n_draws = d["draw"].nunique()
    if len(d) != n_draws * len(regions):
        raise DataError([Problem("subsystem draws: every draw must hold every region once",
                                 column="draw", value=int(len(d)))])
    u = d[COLS].to_numpy(float).reshape(n_draws, len(regions), len(COLS))
    pat = patterns(u, zone_thresholds(u, spec.threshold))
    code_of = {t.pattern: t.code for t in spec.types}
    zones = np.vectorize(code_of.get)(pat)  # (R, n)
    long = pd.DataFrame({"region_code": np.tile(regions, n_draws), "zone": zones.reshape(-1)})
    counts = long.groupby(["region_code", "zone"], sort=True).size()
    out = (counts / n_draws).rename("probability").reset_index()
    out["n_draws"] = n_draws
    return out


def zone_stability(zones: pd.DataFrame, probs: pd.DataFrame, spec: ZoneSpec) -> pd.DataFrame:
    """Add ``probability`` (of the assigned zone), ``most_likely`` (+ ``_name``, ``p_most_likely``),
    ``borderline`` and ``candidates``.

    A region is 边界地区 (``borderline``) when its most likely zone has probability below
    ``spec.borderline_probability`` (0.6); ``candidates`` then names its two most likely zones
    ("协同引领区/知识产权输出区"), otherwise it is "".
    """
    names = {t.code: t.name for t in spec.types}
    out = zones.copy()
    if probs.empty:  # no Monte Carlo (uncertainty disabled): nothing to say about stability
        out["probability"], out["most_likely"], out["p_most_likely"] = np.nan, out["zone"], np.nan
        out["most_likely_name"] = out["zone_name"]
        out["borderline"], out["candidates"] = False, ""
        return out
    p = probs.sort_values(["region_code", "probability", "zone"], ascending=[True, False, True], kind="mergesort")
    top = p.groupby("region_code").head(2)
    first = top.groupby("region_code").nth(0).set_index("region_code")
    second = top.groupby("region_code").nth(1).set_index("region_code")
    own = probs.set_index(["region_code", "zone"])["probability"]
    out["probability"] = [float(own.get((r, z), 0.0)) for r, z in zip(out["region_code"], out["zone"])]
    out["most_likely"] = out["region_code"].map(first["zone"])
    out["p_most_likely"] = out["region_code"].map(first["probability"]).astype(float)
    out["most_likely_name"] = out["most_likely"].map(names)
    out["borderline"] = out["p_most_likely"] < spec.borderline_probability
    cand = []
    for r, b in zip(out["region_code"], out["borderline"]):
        if b and r in second.index:
            cand.append(f"{names[first.loc[r, 'zone']]}/{names[second.loc[r, 'zone']]}")
        else:
            cand.append("")
    out["candidates"] = cand
    return out


def threshold_sensitivity(scores: pd.DataFrame, spec: ZoneSpec) -> pd.DataFrame:
    """Regions that change zone when every threshold moves by ±``spec.sensitivity_shift`` (10 %).

    Returns
    -------
    DataFrame
        One row per shift (``-10%``, ``+10%``) and one ``±10%`` row (either shift): ``shift``,
        ``factor``, ``n_changed``, ``regions`` (codes, "、"-joined), ``n_regions``.
    """
    base = assign_zones(scores, spec).set_index("region_code")["zone"]
    rows, either = [], set()
    for sign, factor in (("-", 1 - spec.sensitivity_shift), ("+", 1 + spec.sensitivity_shift)):
        moved = assign_zones(scores, spec, factor=factor).set_index("region_code")["zone"]
        changed = sorted(base.index[moved.reindex(base.index).to_numpy() != base.to_numpy()])
        either |= set(changed)
        rows.append({"shift": f"{sign}{spec.sensitivity_shift:.0%}", "factor": factor, "n_changed": len(changed),
                     "regions": "、".join(changed), "n_regions": len(base)})
    rows.append({"shift": f"±{spec.sensitivity_shift:.0%}", "factor": np.nan, "n_changed": len(either),
                 "regions": "、".join(sorted(either)), "n_regions": len(base)})
    return pd.DataFrame(rows)


def zone_types_table(spec: ZoneSpec) -> pd.DataFrame:
    """The typology as a table (code, pattern, names, meaning), in the spec's order."""
    return pd.DataFrame([{"zone": t.code, "pattern": t.pattern, "zone_name": t.name, "zone_name_en": t.name_en,
                          "meaning": t.meaning, "meaning_en": t.meaning_en} for t in spec.types])


def zone_group_table(zones: pd.DataFrame, members: pd.DataFrame, spec: ZoneSpec) -> pd.DataFrame:
    """Counts of regions per zone × region group (苏南/苏中/苏北; 东部/中部/西部/东北), long form."""
    grp = members.assign(code=members["code"].astype(str)).set_index("code")["region_group"].fillna("未分组")
    z = zones.assign(region_group=zones["region_code"].map(grp).fillna("未分组"))
    order = {t.code: i for i, t in enumerate(spec.types)}
    out = z.groupby(["zone", "zone_name", "region_group"]).size().rename("n").reset_index()
    out["_o"] = out["zone"].map(order)
    return out.sort_values(["_o", "region_group"]).drop(columns="_o").reset_index(drop=True)

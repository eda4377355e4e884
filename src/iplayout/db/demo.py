"""Seeded Jiangsu 13-city demo panel, constrained to the real figures.

No complete public 13-city IP panel exists, so the build generates one — clearly flagged
(``is_demo = true``, source ``jiangsu_demo``) — for what the evaluation needs. Rules:

1. A real fact always wins: a (city, year, indicator) cell with a real value is never generated.
2. The demo cells of a year receive ``T − Σ real`` where ``T`` is Jiangsu's real provincial total
   (allocated with the largest-remainder method at the indicator's precision, so the sum is exact).
   Where no real total is bundled, ``T`` is a proxy province indicator times a ratio interpolated
   between real anchor years (or the configured ratio); that demo total is not stored.
3. City weights are weighted geometric means of real member shares of driver indicators
   (GDP, population, R&D 2021, sector value added), interpolated in time between years with complete
   13-city sets, times a seeded smooth perturbation (linear drift + random walk), then calibrated so a
   city's series passes through its own real figures where it has some (:func:`anchor_to_real`).
Same seed and same packages → identical rows.
"""
from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from .packages import OBS_COLUMNS, PackageMeta

DEFAULT_SEED = 20160101
SOURCE_ID = "jiangsu_demo"
EXACT_FLAGS = {"", "provisional"}  # real totals with these flags are exact sum targets


def largest_remainder(total_units: int, weights: np.ndarray) -> np.ndarray:
    """Split a non-negative integer into integer parts proportional to ``weights`` (Hamilton method).

    Notes
    -----
    Hare–Hamilton largest-remainder apportionment: each part gets ``floor(T·w_i/Σw)``; the units left
    go one each to the largest fractional remainders (ties to the lower index, for determinism), so the
    parts sum to ``T`` exactly.

    References
    ----------
    Balinski, M. L. & Young, H. P. (2001). *Fair Representation*, 2nd ed., Brookings, ch. 2.
    """
    w = np.asarray(weights, dtype="float64")
    if total_units < 0:
        raise ValueError(f"total must be non-negative, got {total_units}")
    if w.size == 0:
        return np.zeros(0, dtype="int64")
    if w.sum() <= 0:
        w = np.ones_like(w)
    quota = total_units * w / w.sum()
    base = np.floor(quota).astype("int64")
    left = int(total_units - base.sum())
    order = np.lexsort((np.arange(w.size), -(quota - base)))
    base[order[:left]] += 1
    return base


def _rng(seed: int, *keys: str) -> np.random.Generator:
    """Child generator per (indicator, purpose): adding an indicator does not change the others' draws."""
    words = [seed] + [zlib.crc32(k.encode("utf-8")) for k in keys]
    return np.random.default_rng(np.random.SeedSequence(words))


def driver_shares(real: pd.DataFrame, indicator: str, cities: list[str], years: list[int]) -> pd.DataFrame:
    """Member shares of a real city indicator, years × cities, interpolated in log space.

    Uses the years in which all cities have a real value; other years take the log-linear interpolation
    between them (flat before the first and after the last complete year).
    """
    sub = real[(real["indicator_code"] == indicator) & real["region_code"].isin(cities) & (real["industry_code"] == "_T")]
    wide = sub.pivot_table(index="year", columns="region_code", values="value", aggfunc="first").reindex(columns=cities)
    wide = wide.dropna()
    wide = wide[(wide > 0).all(axis=1)]
    if wide.empty:
        raise ValueError(f"no year with a complete 13-city set of {indicator!r} to drive the demo shares")
    logs = np.log(wide.div(wide.sum(axis=1), axis=0))
    out = pd.DataFrame({c: np.interp(years, logs.index.to_numpy(), logs[c].to_numpy()) for c in cities}, index=years)
    shares = np.exp(out)
    return shares.div(shares.sum(axis=1), axis=0)


def _weights(real, spec: dict, cities, years, seed: int, indicator: str, noise_sd: float, drift_sd: float,
             cache: dict | None = None) -> pd.DataFrame:
    cache = {} if cache is None else cache
    for drv in spec["drivers"]:
        if drv not in cache:
            cache[drv] = np.log(driver_shares(real, drv, cities, years))
    logw = sum(exp * cache[drv] for drv, exp in spec["drivers"].items())
    rng = _rng(seed, indicator, "weights")
    drift = rng.normal(0.0, drift_sd, size=len(cities))
    steps = rng.normal(0.0, noise_sd, size=(len(years), len(cities)))
    walk = np.cumsum(steps, axis=0) - steps.mean(axis=0)  # smooth over time, no level shift on average
    t = np.asarray(years, dtype="float64")[:, None] - np.mean(years)
    w = np.exp(logw.to_numpy() + drift[None, :] * t + walk)
    return pd.DataFrame(w, index=years, columns=cities)


def _province_totals(real, indicator, spec, territory, years) -> tuple[pd.Series, pd.Series]:
    """Provincial totals per year and whether each is an exact (real, clean) target."""
    prov = real[(real["region_code"] == territory) & (real["indicator_code"] == indicator) & (real["industry_code"] == "_T")]
    vals = prov.set_index("year")["value"]
    exact = prov.set_index("year")["quality_flag"].isin(EXACT_FLAGS)
    totals = pd.Series(np.nan, index=years)
    is_exact = pd.Series(False, index=years)
    for y in years:
        if y in vals.index and exact.get(y, False):
            totals[y], is_exact[y] = vals[y], True
    if totals.notna().all():
        return totals, is_exact
    conf = spec.get("total", {"proxy": "gdp", "ratio": None})
    proxy = real[(real["region_code"] == territory) & (real["indicator_code"] == conf["proxy"])
                 & (real["industry_code"] == "_T")].set_index("year")["value"]
    anchors = {y: vals[y] / proxy[y] for y in vals.index if y in proxy.index and proxy[y] > 0}
    if not anchors and conf.get("ratio") is None:
        raise ValueError(f"demo total for {indicator!r}: no real anchor and no configured ratio")
    ay = sorted(anchors)
    for y in years:
        if np.isnan(totals[y]):
            ratio = np.interp(y, ay, [anchors[a] for a in ay]) if ay else conf["ratio"]
            totals[y] = ratio * proxy.get(y, np.nan)
    return totals, is_exact


def anchor_to_real(w: pd.DataFrame, real_values: pd.DataFrame, totals: pd.Series) -> pd.DataFrame:
    """Calibrate modelled city shares to the real city values of the same indicator.

    Notes
    -----
    With modelled shares ``s_c,t = w_c,t / Σ_j w_j,t``, a city with real values ``x_c,t`` in anchor years
    gets the factor ``f_c,t = (x_c,t / T_t) / s_c,t`` there (``T_t`` the provincial total); ``log f`` is
    interpolated linearly between anchor years (flat outside them) and the city's share becomes
    ``s_c,t · f_c,t``. The cities without real values share the rest, ``1 − Σ_anchored``, in their
    modelled proportions. So an anchored city's series passes through its real shares smoothly.
    Returns shares (rows sum to 1).
    """
    share = w.div(w.sum(axis=1), axis=0)
    years = w.index.to_numpy()
    target = {}
    for c, grp in real_values.groupby("region_code"):
        pts = [(y, np.log((v / totals[y]) / share.loc[y, c])) for y, v in zip(grp["year"], grp["value"])
               if y in totals.index and totals[y] > 0 and v > 0 and c in share.columns]
        if pts:
            ys, lf = zip(*sorted(pts))
            target[c] = share[c] * np.exp(np.interp(years, ys, lf))
    if not target:
        return share
    fixed = pd.DataFrame(target)
    rest = [c for c in share.columns if c not in target]
    room = (1.0 - fixed.sum(axis=1)).clip(lower=0.0)
    out = share.copy()
    out[list(target)] = fixed
    if rest:
        out[rest] = share[rest].div(share[rest].sum(axis=1), axis=0).mul(room, axis=0)
    return out


def _allocate(remainder: float, weights: np.ndarray, decimals: int) -> np.ndarray:
    scale = 10 ** decimals
    units = int(round(remainder * scale))
    return largest_remainder(units, weights) / scale


def generate_demo(real: pd.DataFrame, regions: pd.DataFrame, meta: PackageMeta, *,
                  seed: int = DEFAULT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Demo observations for the territory's cities plus the one source row (see module docstring)."""
    gen = meta.generator.model_dump(exclude_none=True)  # validated in PackageMeta; plain dicts below
    territory = gen["territory"]
    years = list(range(gen["years"][0], gen["years"][1] + 1))
    cities = sorted(regions.loc[(regions["parent_code"] == territory) & (regions["level"] == "city"), "code"])
    have = real[real["region_code"].isin(cities) & (real["industry_code"] == "_T")]
    real_cells = set(zip(have["region_code"], have["year"], have["indicator_code"]))
    rows: list[tuple] = []
    made: dict[tuple, float] = {}
    stats = {"infeasible": []}
    shares: dict = {}  # driver → log shares, computed once

    for ind, spec in gen["indicators"].items():
        w = _weights(real, spec, cities, years, seed, ind, spec.get("noise_sd", gen["noise_sd"]),
                     spec.get("drift_sd", gen["drift_sd"]), shares)
        totals, _ = _province_totals(real, ind, spec, territory, years)
        # the city's own real figures (or, for a patent type, those of its total) anchor its share
        own = have[have["indicator_code"] == ind]
        if own.empty and "parts_of" in spec:
            parent_totals, _ = _province_totals(real, spec["parts_of"], {}, territory, years)
            w = anchor_to_real(w, have[have["indicator_code"] == spec["parts_of"]], parent_totals)
        else:
            w = anchor_to_real(w, own, totals)
        for y in years:
            demo_c = [c for c in cities if (c, y, ind) not in real_cells]
            if not demo_c or np.isnan(totals[y]):
                continue
            real_sum = sum(have.loc[(have["year"] == y) & (have["indicator_code"] == ind), "value"])
            rem = totals[y] - real_sum
            if rem < 0:
                stats["infeasible"].append((ind, y))
                continue
            vals = _allocate(rem, w.loc[y, demo_c].to_numpy(), spec["decimals"])
            for c, v in zip(demo_c, vals):
                made[(c, y, ind)] = v

    # totals of patent stocks/flows: the sum of the city's three types when the city has no real total
    parents = sorted({s["parts_of"] for s in gen["indicators"].values() if "parts_of" in s})
    for parent in parents:
        parts = [k for k, s in gen["indicators"].items() if s.get("parts_of") == parent]
        totals, _ = _province_totals(real, parent, {}, territory, years)
        for y in years:
            demo_c = [c for c in cities if (c, y, parent) not in real_cells]
            if not demo_c:
                continue
            value = {c: sum(made.get((c, y, p), np.nan) if (c, y, p) not in real_cells
                            else float(have.loc[(have["region_code"] == c) & (have["year"] == y)
                                                & (have["indicator_code"] == p), "value"].iloc[0]) for p in parts)
                     for c in demo_c}
            real_sum = sum(have.loc[(have["year"] == y) & (have["indicator_code"] == parent), "value"])
            if any(np.isnan(v) for v in value.values()) or not np.isclose(sum(value.values()) + real_sum, totals[y]):
                # a city's real total or types break additivity: allocate the total directly instead
                wts = _weights(real, gen["indicators"][parts[0]], cities, years, seed, parent, gen["noise_sd"],
                               gen["drift_sd"], shares)
                wts = anchor_to_real(wts, have[have["indicator_code"] == parent], totals).loc[y, demo_c].to_numpy()
                rem = totals[y] - real_sum
                if rem < 0:
                    stats["infeasible"].append((parent, y))
                    continue
                value = dict(zip(demo_c, _allocate(rem, wts, 0)))
            for c, v in value.items():
                made[(c, y, parent)] = v

    for (c, y, ind), v in made.items():
        rows.append((c, y, ind, "_T", float(v)))
    rows += _industry_rows(gen["industries"], made, have, real_cells, cities, years, seed)
    demo = pd.DataFrame(rows, columns=["region_code", "year", "indicator_code", "industry_code", "value"])
    demo["source_id"] = SOURCE_ID
    demo["quality_flag"] = ""
    demo["is_demo"] = True
    demo = demo.sort_values(["region_code", "year", "indicator_code", "industry_code"]).reset_index(drop=True)
    source = pd.DataFrame([dict(id=SOURCE_ID, title=f"{meta.title}（seed={seed}）", publisher=meta.publisher, url="",
                                licence=meta.licence, accessed=meta.accessed,
                                notes=meta.original_source + f" Infeasible cells skipped: {stats['infeasible']}",
                                is_demo=True)])
    return demo[OBS_COLUMNS], source


def _industry_rows(conf: dict, made: dict, have: pd.DataFrame, real_cells: set, cities: list[str],
                   years: list[int], seed: int) -> list[tuple]:
    """Output, employment and patent applications by strategic emerging industry (SEI01…SEI08).

    Output_c,k,t = GDP_c,t × r_t × m_c,k,t, with r_t linear between the configured ratios and the city
    mix m_c drawn once from a Dirichlet around the provincial mix (then drifting smoothly);
    employment = output / productivity_k (with noise); patent applications = largest-remainder split of
    ``patent_share × patent_applications_c,t`` by the mix.
    """
    codes = conf["codes"]
    mix = np.asarray(conf["mix"], dtype="float64")
    prod = np.asarray(conf["productivity"], dtype="float64")
    r = np.linspace(conf["output_to_gdp"][0], conf["output_to_gdp"][1], len(years))
    real_val = {(c, y, i): v for c, y, i, v in have[["region_code", "year", "indicator_code", "value"]].itertuples(index=False)}

    def city_value(c, y, ind):
        return real_val.get((c, y, ind), made.get((c, y, ind), np.nan))

    out = []
    for c in cities:
        rng = _rng(seed, c, "sei")
        m0 = rng.dirichlet(mix * conf["mix_concentration"])
        steps = rng.normal(0.0, 0.02, size=(len(years), len(codes)))
        emp_noise = rng.normal(0.0, 0.05, size=(len(years), len(codes)))
        for t, y in enumerate(years):
            m = m0 * np.exp(np.cumsum(steps[: t + 1], axis=0)[-1])
            m = m / m.sum()
            gdp = city_value(c, y, "gdp")
            pats = city_value(c, y, "patent_applications")
            if np.isnan(gdp):
                continue
            output = np.round(gdp * r[t] * m, 2)
            employment = np.round(output / (prod * np.exp(emp_noise[t])), 2)
            for k, code in enumerate(codes):
                out.append((c, y, "industry_output", code, float(output[k])))
                out.append((c, y, "industry_employment", code, float(employment[k])))
            if not np.isnan(pats):
                split = largest_remainder(int(round(conf["patent_share"] * pats)), m)
                for k, code in enumerate(codes):
                    out.append((c, y, "industry_patent_applications", code, float(split[k])))
    return out

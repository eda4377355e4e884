"""A seeded DEMO country file for the world territory ``WLD`` (countries as regions).

The bundle holds no figures for other countries, and invented figures must never pass for official
statistics. This module writes a *synthetic* long table in the import format (``region, year, indicator,
value, unit, source, is_demo``) with ``is_demo = true`` on every row and the source "演示数据（合成）", so
tests and demonstrations can run the international comparison end to end through ``iplayout db import``.
It is generated on demand (``iplayout db demo-countries OUT.csv``) and never committed as data.

China (``100000``) keeps every real value the database holds; only the gaps the comparison needs
(population, GDP in US$ …) are filled, from the provinces' real totals where the database has them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ParameterError
from ..territories import CHINA, WORLD

DEFAULT_SEED = 20160101
DEFAULT_YEARS = tuple(range(2015, 2024))
DEMO_SOURCE = "演示数据（合成，非官方统计）DEMO — iplayout demo-countries"
#: Internationally comparable catalogue indicators (code → unit written in the file).
INDICATORS = {
    "patent_applications_invention": "件", "patent_grants_invention": "件", "pct_applications": "件",
    "trademark_applications": "件", "rd_intensity": "%", "rd_researchers_fte": "人年", "gdp_usd": "亿美元",
    "population": "万人",
}
# Demo-only conversion of China's yuan GDP: a fixed rate, stated in the file's source column.
DEMO_CNY_PER_USD = 7.0
COLUMNS = ["region", "year", "indicator", "value", "unit", "source", "is_demo"]


def _china_anchor(real: pd.DataFrame, years: list[int]) -> dict[tuple[int, str], float]:
    """China's missing inputs from the 31 provinces' real totals (population; GDP at the demo rate)."""
    prov = real[real["parent_code"] == CHINA]
    tot = prov.groupby(["year", "indicator_code"])["value"].agg(["sum", "size"])
    full = tot[tot["size"] == 31]["sum"]  # a partial sum would understate the country
    out = {}
    for y in years:
        if (y, "population") in full.index:
            out[(y, "population")] = float(full[(y, "population")])
        if (y, "gdp") in full.index:
            out[(y, "gdp_usd")] = float(full[(y, "gdp")]) / DEMO_CNY_PER_USD
    return out


def demo_country_rows(members: pd.DataFrame, real: pd.DataFrame, *, years=DEFAULT_YEARS,
                      seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Synthetic facts for every member of ``WLD`` × ``years`` × :data:`INDICATORS` without a real value.

    Parameters
    ----------
    members : DataFrame
        Members of ``WLD`` (``code``), i.e. China's national row and the peer economies.
    real : DataFrame
        Real (non-demo) observations with ``region_code, year, indicator_code, value, parent_code``;
        a (region, year, indicator) present here is never generated, so importing the file changes no
        real value.
    years : iterable of int
    seed : int
        Seed of ``numpy.random.default_rng``; same inputs and seed → identical rows.

    Returns
    -------
    DataFrame with :data:`COLUMNS`, sorted by region, year, indicator; ``is_demo`` is ``"true"``.

    Notes
    -----
    Each peer gets a level in the base year drawn on a log scale (population 300–35,000 万人, GDP per
    capita 0.2–9 万美元) and intensities per 10,000 residents (R&D intensity 0.7–5 %, researchers
    ∝ R&D intensity, invention applications, grant ratio 0.3–0.7, PCT share 5–40 % of applications,
    trademarks); every series then grows by ``g + ε_t`` per year (g ~ N(3 %, 1 %), ε ~ N(0, 1.5 %)).
    The values are plausible in size only; they describe no real country.
    """
    years = sorted(int(y) for y in years)
    if not years:
        raise ParameterError("years must not be empty")
    rng = np.random.default_rng(seed)
    have = set(zip(real["region_code"].astype(str), real["year"].astype(int), real["indicator_code"]))
    anchor = _china_anchor(real, years)
    rows = []
    for code in sorted(members["code"].astype(str)):
        # draws happen for every member in code order, so adding real data never shifts other countries
        pop0 = float(np.exp(rng.uniform(np.log(300), np.log(35_000))))
        gdp_pc = float(np.exp(rng.uniform(np.log(0.2), np.log(9.0))))            # 万美元/人
        rd_int = float(np.clip(0.7 + 4.3 * rng.beta(2, 3) * (0.5 + gdp_pc / 18), 0.3, 6.0))
        res_pk = rd_int * rng.uniform(15, 35)                                      # 人年/万人
        app_pk = rd_int * rng.uniform(0.5, 12)                                     # 件/万人
        level0 = {"population": pop0, "gdp_usd": pop0 * gdp_pc, "rd_intensity": rd_int,
                  "rd_researchers_fte": res_pk * pop0, "patent_applications_invention": app_pk * pop0,
                  "patent_grants_invention": app_pk * pop0 * rng.uniform(0.3, 0.7),
                  "pct_applications": app_pk * pop0 * rng.uniform(0.05, 0.4),
                  "trademark_applications": pop0 * rng.uniform(5, 120)}
        growth = {k: rng.normal(0.03, 0.01) for k in INDICATORS}
        growth["population"] = rng.normal(0.004, 0.004)
        growth["rd_intensity"] = rng.normal(0.01, 0.01)
        noise = rng.normal(0.0, 0.015, size=(len(years), len(INDICATORS)))
        for t, y in enumerate(years):
            for j, (ind, unit) in enumerate(INDICATORS.items()):
                if (code, y, ind) in have:
                    continue
                if code == CHINA:  # China: only gaps the real provinces can fill
                    if (y, ind) not in anchor:
                        continue
                    value = anchor[(y, ind)]
                else:
                    value = level0[ind] * (1 + growth[ind]) ** t * (1 + noise[t, j])
                rows.append((code, y, ind, _round(ind, value), unit))
    out = pd.DataFrame(rows, columns=["region", "year", "indicator", "value", "unit"])
    out["source"] = DEMO_SOURCE + (f"; 中国GDP按演示汇率{DEMO_CNY_PER_USD:g}元/美元由分省合计换算" if len(out) else "")
    out["is_demo"] = "true"
    return out.sort_values(["region", "year", "indicator"], kind="mergesort").reset_index(drop=True)[COLUMNS]


def _round(indicator: str, value: float) -> float:
    """Counts as whole numbers, shares and levels to 2 or 1 decimals (as the published tables print them)."""
    if indicator == "rd_intensity":
        return round(min(value, 100.0), 2)
    if INDICATORS[indicator] in ("件", "人年"):
        return float(round(value))
    return round(value, 1)


def write_demo_countries(out: Path | str, *, db_path: Path | str | None = None, years=DEFAULT_YEARS,
                         seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Write the demo country CSV (UTF-8 with BOM, so Excel shows 中文) and return its rows."""
    from .api import open_db

    with open_db(db_path) as db:
        members = db.members(WORLD)
        real = db.con.execute(
            "SELECT o.region_code, o.year, o.indicator_code, o.value, r.parent_code FROM observations o "
            "JOIN regions r ON r.code = o.region_code WHERE NOT o.is_demo AND o.industry_code = '_T' "
            "AND (r.parent_code IN (?, ?) OR r.code = ?)", [WORLD, CHINA, CHINA]).df()
    rows = demo_country_rows(members, real, years=years, seed=seed)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(out, index=False, encoding="utf-8-sig", float_format="%.10g")
    return rows

"""International comparison for the evaluation stage: China against the peer economies a user imported.

Countries are regions: the world territory ``WLD`` has China's national row (``100000``) and peer
economies (ISO 3166-1 alpha-3 codes) as members. The bundle holds no figures for other countries, so
this table is empty until a user imports them (``iplayout db import``; see docs/data.md); the
evaluation report then prints the comparison instead of the sentence explaining how to import.
"""
from __future__ import annotations

import pandas as pd

from ..errors import IplayoutError
from ..territories import CHINA, WORLD

#: Display name of China's national row in an international table (the row itself is 全国).
CHINA_NAME = "中国"
#: How many years before the report year a country's latest figure may be (WIPO/OECD tables lag 1–2 years).
MAX_LAG = 3
#: The 15 core IP economies of the bundled benchmarks (data/international; complete 2015–2022), China first.
CORE_ECONOMIES = ["100000", "USA", "JPN", "KOR", "DEU", "FRA", "GBR", "CHE", "NLD", "SWE", "ISR", "SGP", "ITA",
                  "CAN", "IND"]
#: Real benchmarks (World Bank WDI, WIPO): (code, name, unit, how); ``per_million`` = x / population_wdi.
REAL = [
    ("patent_applications_origin_per_million", "每百万人发明专利申请量（按申请人来源，WIPO）", "件/百万人", "per_million"),
    ("rd_intensity_wdi", "R&D经费投入强度（世界银行）", "%", "stored"),
    ("researchers_per_million", "每百万人R&D研究人员", "人/百万人", "stored"),
    ("ip_receipts_usd", "知识产权使用费收入", "亿美元", "stored"),
    ("hightech_exports_share", "高技术产品出口占制成品出口比重", "%", "stored"),
]
#: Indicators a user can add by importing country rows (data/templates/international_template.xlsx).
COMPARABLE = REAL + [
    ("patent_applications_invention_per_10k_pop", "每万人发明专利申请量", "件/万人", "per_10k_pop"),
    ("patent_grants_invention_per_10k_pop", "每万人发明专利授权量", "件/万人", "per_10k_pop"),
    ("pct_applications_per_10k_pop", "每万人PCT国际专利申请量", "件/万人", "per_10k_pop"),
    ("trademark_applications_per_10k_pop", "每万人商标申请量", "件/万人", "per_10k_pop"),
    ("rd_intensity", "R&D经费投入强度", "%", "stored"),
    ("rd_researchers_fte_per_10k_pop", "每万人R&D研究人员全时当量", "人年/万人", "per_10k_pop"),
    ("gdp_usd_per_10k_pop", "人均GDP", "万美元/人", "per_10k_pop"),
    ("patent_applications_invention", "发明专利申请量", "件", "stored"),
    ("pct_applications", "PCT国际专利申请量", "件", "stored"),
    ("gdp_usd", "GDP（美元）", "亿美元", "stored"),
]
COLUMNS = ["region_code", "region_name", "name_en", "indicator_code", "indicator_name", "unit", "year", "value",
           "is_demo", "source_id"]


def international_comparison(db, year: int, *, max_lag: int = MAX_LAG) -> pd.DataFrame:
    """Latest values (report year, else up to ``max_lag`` years earlier) of :data:`COMPARABLE` for WLD's members.

    Parameters
    ----------
    db : IPDatabase
    year : int
        Report year.
    max_lag : int
        Oldest year accepted is ``year − max_lag``; the table keeps each value's own year.

    Returns
    -------
    DataFrame with :data:`COLUMNS`, one row per (country, indicator) with a value, China first. Empty
    when the database has no world territory or no peer economy has any comparable value (China alone
    is not a comparison).

    Notes
    -----
    Intensities are ``x / population`` with population in 万人 (:meth:`IPDatabase.per_10k_pop`), so
    ``gdp_usd_per_10k_pop`` (亿美元/万人) reads as 万美元 per person. Nothing is converted between
    currencies: GDP abroad is ``gdp_usd`` (亿美元), China's yuan GDP (``gdp``) is not used here.
    """
    try:
        members = db.members(WORLD)
    except IplayoutError:  # a database built before the world territory existed
        return pd.DataFrame(columns=COLUMNS)
    years = list(range(int(year) - int(max_lag), int(year) + 1))
    parts = []
    for code, name, unit, how in COMPARABLE:
        if how == "stored":
            obs = db.observations(indicators=[code], territory=WORLD, years=years)
        elif how == "per_million":
            obs = _per_million(db, code.removesuffix("_per_million"), years)
        else:
            obs = db.per_10k_pop(code.removesuffix("_per_10k_pop"), territory=WORLD, years=years)
        obs = obs.dropna(subset=["value"])
        if len(obs):
            parts.append(obs.assign(indicator_code=code, indicator_name=name, unit=unit))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    long = pd.concat(parts, ignore_index=True)
    latest = long.sort_values("year").groupby(["region_code", "indicator_code"], sort=False).tail(1)
    if not (latest["region_code"].astype(str) != CHINA).any():
        return pd.DataFrame(columns=COLUMNS)
    # the core economies, plus any economy a user imported figures for
    imported = latest["source_id"].astype(str).str.contains("import:")
    latest = latest[latest["region_code"].isin(CORE_ECONOMIES) | imported]
    names = members.set_index("code")
    latest = latest.assign(
        region_name=latest["region_code"].map(lambda c: CHINA_NAME if c == CHINA else str(names.loc[c, "name"])),
        name_en=latest["region_code"].map(lambda c: "China" if c == CHINA else str(names.loc[c, "name_en"])))
    order = {c: i for i, (c, *_) in enumerate(COMPARABLE)}
    latest = latest.assign(_china=latest["region_code"].ne(CHINA), _ind=latest["indicator_code"].map(order))
    latest = latest.sort_values(["_china", "region_code", "_ind"], kind="mergesort")
    out = latest[COLUMNS].reset_index(drop=True)
    out["is_demo"] = out["is_demo"].astype(bool)
    out["year"] = out["year"].astype("int64")
    out["rank"] = out.groupby("indicator_code")["value"].rank(ascending=False, method="min").astype("int64")
    out["n"] = out.groupby("indicator_code")["value"].transform("size").astype("int64")
    return out


def _per_million(db, code: str, years: list[int]) -> pd.DataFrame:
    """``code`` per million people with WDI midyear population (万人): x / (P / 100)."""
    x = db.observations(indicators=[code], territory=WORLD, years=years)
    pop = db.observations(indicators=["population_wdi"], territory=WORLD, years=years)
    m = x.merge(pop[["region_code", "year", "value", "source_id"]], on=["region_code", "year"], suffixes=("", "_pop"))
    m["value"] = m["value"] / (m["value_pop"] / 100.0)
    m["source_id"] = m["source_id"] + " + " + m["source_id_pop"]
    return m.drop(columns=["value_pop", "source_id_pop"])


#: A province placed among economies on the comparable measures: (benchmark code, province measure, how).
PLACEMENT = [
    ("patent_applications_origin_per_million", "patent_applications_invention", "国内发明专利申请受理量/年末常住人口"),
    ("rd_intensity_wdi", "rd_intensity", "R&D经费投入强度（国家统计局）"),
]


def place_provinces(db, intl: pd.DataFrame, provinces: list[str], year: int) -> pd.DataFrame:
    """Where each province would rank among the economies of ``intl`` on :data:`PLACEMENT`.

    Only invention patents are compared (CNIPA 国内发明专利申请受理量 per million residents against WIPO
    applications by origin; never CNIPA's 专利 totals, which include utility models and designs); R&D
    intensity is the NBS figure against the WDI release. Rank = 1 + number of economies above the province.
    Returns ``region_code, region_name, indicator_code, value, year, rank_among, n, note``.
    """
    rows = []
    if intl.empty or not provinces:
        return pd.DataFrame(columns=["region_code", "region_name", "indicator_code", "value", "year", "rank_among",
                                     "n", "note"])
    names = db.regions().set_index("code")["name"].astype(str)
    pat = db.observations(indicators=["patent_applications_invention"], regions=provinces, years=[year])
    pop = db.observations(indicators=["population"], regions=provinces, years=[year])
    rdi = db.observations(indicators=["rd_intensity"], regions=provinces, years=[year])
    vals = {"patent_applications_origin_per_million":
            pat.set_index("region_code")["value"] / (pop.set_index("region_code")["value"] / 100.0),
            "rd_intensity_wdi": rdi.set_index("region_code")["value"]}
    for code, _, note in PLACEMENT:
        bench = intl[intl["indicator_code"] == code]["value"]
        for prov, v in vals[code].dropna().items():
            rows.append({"region_code": str(prov), "region_name": names.get(prov, prov), "indicator_code": code,
                         "value": float(v), "year": int(year), "rank_among": int((bench > v).sum()) + 1,
                         "n": int(len(bench)), "note": note})
    return pd.DataFrame(rows)


def imported_sources(db, source_ids) -> pd.DataFrame:
    """Source rows of user imports (``import:…`` ids, also inside derived ``a + b`` ids) shaped like ``packages``.

    Imports are not data packages, but a report built on them must name them (and their demo flag) in its
    title block and data notes just as it names the bundled packages.
    """
    ids = sorted({part.strip() for s in source_ids for part in str(s).split(" + ") if part.strip().startswith("import:")})
    cols = ["id", "title", "publisher", "original_source", "licence", "years", "is_demo", "attribution"]
    if not ids:
        return pd.DataFrame(columns=cols)
    src = db.sources()
    src = src[src["id"].astype(str).isin(ids)]
    return pd.DataFrame({"id": src["id"].astype(str), "title": src["title"].astype(str),
                         "publisher": src["publisher"].fillna("").astype(str),
                         "original_source": "用户导入 / user import (" + src["accessed"].fillna("").astype(str) + ")",
                         "licence": src["licence"].fillna("").astype(str), "years": "",
                         "is_demo": src["is_demo"].astype(bool), "attribution": ""})[cols].reset_index(drop=True)

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
#: Comparable indicators: (code, name, unit, how) — how is the stored code or ``per_10k_pop`` of it.
COMPARABLE = [
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
    return out


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

"""The explorer's data: one payload per territory-indicator, straight from the integrated database.

Values, demo flags, quality flags and source ids are the database's (``IPDatabase.observations``; derived
per-capita / per-GDP measures through the ``db.api`` helpers declared in the ``indicators`` table). Ranks and
class breaks are computed here, once, so the page only looks them up.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import DataError, Problem
from ..plots.interactive import value_decimals
from ..views.common import flags_zh
from .breaks import fixed_breaks, jenks_breaks, quantile_breaks

K_CLASSES = 5
#: derived indicators computed by ``IPDatabase.derive``: ``per_10k_pop(x)``, ``per_100m_gdp(x)``, ``invention_share(k)``
_DERIVED = re.compile(r"^\s*(per_10k_pop|per_100m_gdp|invention_share)\((\w+)\)")
_SAFE = re.compile(r"^[A-Za-z0-9_]+$")
SUBSYSTEM_ZH = {"ip": "知识产权创造与运用", "innovation": "创新能力", "industry": "产业基础", "": "其他"}


@dataclass(frozen=True)
class Series:
    """One territory-indicator (an ``industry_code`` other than ``_T`` makes ``code@industry``)."""

    code: str
    industry: str
    tidy: pd.DataFrame  # observations rows of this indicator and industry

    @property
    def key(self) -> str:
        return self.code if self.industry == "_T" else f"{self.code}@{self.industry}"


def file_key(key: str) -> str:
    """File stem of an indicator key (``industry_revenue@HT`` → ``industry_revenue--HT``), checked to be a plain name."""
    stem = key.replace("@", "--")
    if not _SAFE.match(stem.replace("--", "_")):
        raise DataError([Problem("indicator or industry code is not a plain name; refusing it as a file name",
                                 column="indicator_code", value=key)])
    return stem


def territory_series(db, territory: str) -> list[Series]:
    """Every stored indicator × industry with facts for ``territory``'s members, plus the derived measures."""
    obs = db.observations(territory=territory, industries=None)
    out = [Series(str(c), str(i), g.reset_index(drop=True))
           for (c, i), g in obs.groupby(["indicator_code", "industry_code"], sort=True)]
    have = {s.code for s in out}
    inds = db.indicators()
    for row in inds[inds["kind"] == "derived"].itertuples():
        m = _DERIVED.match(str(row.definition or ""))
        if not m or row.code in have:
            continue
        name, arg = m.groups()
        if name != "invention_share" and arg not in have:
            continue
        frame = db.derive(name, arg, territory=territory)
        frame = frame[np.isfinite(frame["value"].astype("float64"))]
        if len(frame):
            out.append(Series(str(row.code), "_T", frame.reset_index(drop=True)))
    return out


def ranks(v: np.ndarray, direction: str) -> np.ndarray:
    """Rank per row of ``v`` (years × regions): 1 = best (largest; smallest for a negative indicator).

    ``rank = 1 + #{regions strictly better}`` (ties share the best rank, pandas ``method="min"``); NaN stays NaN.
    """
    x = -v if direction == "-" else v
    with np.errstate(invalid="ignore"):
        better = (x[:, None, :] > x[:, :, None]).sum(axis=2).astype("float64") + 1.0
    return np.where(np.isfinite(v), better, np.nan)


def _cell(v) -> float | None:
    return None if v is None or not np.isfinite(v) else round(float(v), 6)


def series_payload(s: Series, *, territory: str, members: list[str], indicator: dict, industry_name: str = "") -> dict:
    """JSON-able payload of one territory-indicator: year × region matrices of value, rank, demo, source.

    Matrices are year-major (``v[y][r]``) in the order of ``years`` and ``regions`` (the territory's members);
    ``src`` indexes ``sources`` (-1 where no value); ``breaks`` holds class upper bounds per scheme (per year for
    quantile and Jenks, one set over all years for fixed).
    """
    t = s.tidy
    # plain numpy/object arrays: per-row pandas ops on Arrow strings dominate the build time otherwise
    ridx = {c: i for i, c in enumerate(members)}
    codes = t["region_code"].to_numpy(dtype=object)
    keep = np.fromiter((c in ridx for c in codes), dtype=bool, count=len(codes))
    yrs = t["year"].to_numpy(dtype="int64")[keep]
    years = sorted(set(yrs.tolist()))
    yidx = {y: i for i, y in enumerate(years)}
    yi = np.fromiter((yidx[y] for y in yrs.tolist()), dtype=int, count=len(yrs))
    ri = np.fromiter((ridx[c] for c in codes[keep]), dtype=int, count=len(yrs))
    src_ids = [str(x) for x in t["source_id"].to_numpy(dtype=object)[keep]]
    sources = sorted(set(src_ids))
    sidx = {x: i for i, x in enumerate(sources)}
    shape = (len(years), len(members))
    v = np.full(shape, np.nan)
    demo = np.zeros(shape, dtype=int)
    src = np.full(shape, -1, dtype=int)
    v[yi, ri] = pd.to_numeric(t["value"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)[keep]
    demo[yi, ri] = t["is_demo"].to_numpy(dtype=bool)[keep]
    src[yi, ri] = [sidx[x] for x in src_ids]
    qf = t["quality_flag"].to_numpy(dtype=object)[keep]
    flags = {f"{a},{b}": flags_zh(q) for a, b, q in zip(yi.tolist(), ri.tolist(), qf) if q}  # 约数、下限 …
    direction = str(indicator.get("direction") or "+")
    rank = ranks(v, direction)
    finite = v[np.isfinite(v)]
    return {
        "territory": territory, "key": s.key, "code": s.code, "industry": s.industry,
        "industry_name": industry_name, "name": str(indicator.get("name") or s.code),
        "name_en": str(indicator.get("name_en") or ""), "unit": str(indicator.get("unit") or ""),
        "subsystem": str(indicator.get("subsystem") or ""), "direction": direction,
        "definition": str(indicator.get("definition") or ""), "decimals": value_decimals(finite),
        "years": years, "regions": list(members),
        "v": [[_cell(x) for x in row] for row in v],
        "rank": [[None if not np.isfinite(x) else int(x) for x in row] for row in rank],
        "n": [int(np.isfinite(row).sum()) for row in v],
        "demo": demo.tolist(), "src": src.tolist(), "sources": sources, "flags": flags,
        "is_demo": bool(demo.any()),
        "breaks": {"quantile": [quantile_breaks(row, K_CLASSES) for row in v],
                   "jenks": [jenks_breaks(row, K_CLASSES) for row in v],
                   "fixed": fixed_breaks(finite, K_CLASSES)},
    }


def indicator_entry(p: dict) -> dict:
    """The menu entry of a payload (no values): key, names, unit, group, years, demo flag."""
    label = f"{p['name']}·{p['industry_name']}" if p["industry"] != "_T" else p["name"]
    return {"key": p["key"], "file": file_key(p["key"]), "label": label, "unit": p["unit"],
            "subsystem": p["subsystem"], "group": SUBSYSTEM_ZH.get(p["subsystem"], p["subsystem"]),
            "years": [p["years"][0], p["years"][-1]] if p["years"] else [], "is_demo": p["is_demo"],
            "derived": p["definition"].startswith(("per_", "invention_share"))}


def territory_payloads(db, territory: str, members: list[str]) -> list[dict]:
    """Payloads of every indicator of ``territory``, menu order: subsystem, then all-industry before per-industry."""
    inds = {str(r["code"]): r for r in db.indicators().to_dict("records")}
    inames = dict(zip(db.industries()["code"].astype(str), db.industries()["name"].astype(str)))
    out = []
    for s in territory_series(db, territory):
        p = series_payload(s, territory=territory, members=members, indicator=inds.get(s.code, {}),
                           industry_name=inames.get(s.industry, s.industry) if s.industry != "_T" else "")
        if p["years"]:
            out.append(p)
    order = {k: i for i, k in enumerate(SUBSYSTEM_ZH)}
    return sorted(out, key=lambda p: (order.get(p["subsystem"], 9), p["industry"] != "_T", p["key"]))


def source_table(db) -> dict[str, dict]:
    """Source id → title, publisher, licence, demo flag (what the hover and the CSV cite)."""
    return {str(r["id"]): {"title": str(r["title"] or ""), "publisher": str(r["publisher"] or ""),
                           "licence": str(r["licence"] or ""), "is_demo": bool(r["is_demo"])}
            for r in db.sources().to_dict("records")}

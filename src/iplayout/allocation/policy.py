"""Policy fit (政策适应性): which catalogue entries current policy supports, the gaps, and recommendations.

A policy *covers* a catalogue entry (region r, industry i) in year Y when it is in force at the end of Y
(issued on or before 31 December Y; status 现行, or 废止/到期 only after Y), names industry i or all
industries (``_T``), and names region r or one of its ancestors (``100000`` 全国 covers every province and
city; ``320000`` every Jiangsu city). Gaps are 重点布局 entries with no covering instrument at all, or
whose lever has none of the instruments that serve it (``lever_instruments`` in ``catalogue.yaml``).
Recommendations are generated from the gaps by rule, each naming the gaps it answers.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .catalogue import LEVER_SEP
from .spec import CatalogueSpec

PRIORITY = "重点布局"
ALL_INDUSTRIES = "_T"
ITEM_SEP = "、"


def _split(text) -> list[str]:
    return [p for p in str(text or "").split(ITEM_SEP) if p]


def in_force(policies: pd.DataFrame, year: int) -> pd.DataFrame:
    """Policies in force on 31 December ``year`` (see module notes)."""
    if policies.empty:
        return policies.copy()
    end = dt.date(int(year), 12, 31).isoformat()
    issued = policies["issued"].astype(str) <= end
    ended = policies["ended"].fillna("").astype(str)
    alive = (policies["status"] == "现行") | ((ended != "") & (ended > end))
    return policies[issued & alive].copy()


def covering(policies: pd.DataFrame, region: str, industry: str, ancestors: dict[str, list[str]]) -> pd.DataFrame:
    """The policies (already filtered by :func:`in_force`) that apply to one region × industry."""
    if policies.empty:
        return policies
    scope = {region, *ancestors.get(region, [])}
    hit_r = policies["regions"].map(lambda s: bool(scope & set(_split(s))))
    hit_i = policies["industries"].map(lambda s: bool({industry, ALL_INDUSTRIES} & set(_split(s))))
    return policies[hit_r & hit_i]


def coverage(catalogue: pd.DataFrame, policies: pd.DataFrame, *, year: int, ancestors: dict[str, list[str]],
             instruments: list[str]) -> pd.DataFrame:
    """Per catalogue entry: the in-force instruments and policy ids that cover it.

    Returns
    -------
    DataFrame
        ``region_code``, ``industry_code``, ``action``, ``levers``, ``instruments`` ("、"-joined, in the
        controlled-list order), ``policy_ids``, ``n_policies``, and one boolean column per instrument.
    """
    live = in_force(policies, year)
    rows = []
    for rec in catalogue[["region_code", "industry_code", "action", "levers"]].to_dict("records"):
        cov = covering(live, rec["region_code"], rec["industry_code"], ancestors)
        have = {x for s in cov.get("instruments", pd.Series(dtype=str)) for x in _split(s)}
        row = {**rec, "instruments": ITEM_SEP.join(i for i in instruments if i in have),
               "policy_ids": ITEM_SEP.join(sorted(cov["policy_id"].astype(str))) if len(cov) else "",
               "n_policies": int(len(cov))}
        row.update({f"has_{i}": i in have for i in instruments})
        rows.append(row)
    cols = ["region_code", "industry_code", "action", "levers", "instruments", "policy_ids", "n_policies"]
    return pd.DataFrame(rows, columns=cols + [f"has_{i}" for i in instruments])


def coverage_matrix(cov: pd.DataFrame, classes: list[str], instruments: list[str]) -> pd.DataFrame:
    """Catalogue priorities × instruments: number of entries of each class covered by each instrument."""
    rows = []
    for cls in classes:
        sel = cov[cov["action"] == cls]
        row = {"action": cls, "entries": int(len(sel)), "uncovered": int((sel["n_policies"] == 0).sum())}
        row.update({i: int(sel[f"has_{i}"].sum()) if len(sel) else 0 for i in instruments})
        rows.append(row)
    return pd.DataFrame(rows, columns=["action", "entries", "uncovered"] + list(instruments))


def policy_gaps(cov: pd.DataFrame, spec: CatalogueSpec, *, region_names: dict, industry_names: dict) -> pd.DataFrame:
    """Gaps of the 重点布局 entries (``gap_id``, region, industry, action, ``gap_type``, ``lever``, ``gap``).

    ``gap_type`` ``none``: no instrument in force for the industry and region at all; ``lever``: the
    entry's lever has none of the instruments that serve it.
    """
    rows = []
    for rec in cov[cov["action"] == PRIORITY].to_dict("records"):
        label = f"{region_names.get(rec['region_code'], rec['region_code'])}·{industry_names.get(rec['industry_code'], rec['industry_code'])}"
        have = set(_split(rec["instruments"]))
        if not have:
            rows.append({**_key(rec), "gap_type": "none", "lever": "", "needed": "",
                         "gap": f"{label}为重点布局，但当年无任何现行政策工具覆盖该产业和地区"})
            continue
        for lever in _split(rec["levers"].replace(LEVER_SEP, ITEM_SEP)):
            need = spec.lever_instruments.get(lever, [])
            if need and not (have & set(need)):
                rows.append({**_key(rec), "gap_type": "lever", "lever": lever, "needed": ITEM_SEP.join(need),
                             "gap": f"{label}为重点布局、配置手段含“{lever}”，但无{'/'.join(need)}类现行政策工具"})
    out = pd.DataFrame(rows, columns=["region_code", "industry_code", "action", "gap_type", "lever", "needed", "gap"])
    out.insert(0, "gap_id", [f"G{i + 1:02d}" for i in range(len(out))])
    return out


def _key(rec) -> dict:
    return {"region_code": rec["region_code"], "industry_code": rec["industry_code"], "action": rec["action"]}


def recommendations(gaps: pd.DataFrame, *, region_names: dict, industry_names: dict) -> pd.DataFrame:
    """Recommendations generated from the gaps by rule, each naming the gaps it answers.

    Rules: (1) gaps of type ``none`` of one industry → one recommendation to issue industry policy for those
    regions; (2) gaps of type ``lever`` of one industry and lever → one recommendation to add the serving
    instruments there. Returns ``rec_id``, ``rule``, ``industry_code``, ``gap_ids``, ``text``.
    """
    rows = []
    for ind, grp in gaps[gaps["gap_type"] == "none"].groupby("industry_code", sort=True):
        regions = ITEM_SEP.join(region_names.get(r, r) for r in grp["region_code"])
        rows.append({"rule": "P1", "industry_code": ind, "gap_ids": ITEM_SEP.join(grp["gap_id"]),
                     "text": f"建议在{regions}出台或明确覆盖{industry_names.get(ind, ind)}的知识产权支持政策"
                             f"（资金资助、保护执法、运营转化等），回应缺口{ITEM_SEP.join(grp['gap_id'])}。"})
    for (ind, lever), grp in gaps[gaps["gap_type"] == "lever"].groupby(["industry_code", "lever"], sort=True):
        regions = ITEM_SEP.join(region_names.get(r, r) for r in grp["region_code"])
        need = grp["needed"].iloc[0].replace(ITEM_SEP, "/")
        rows.append({"rule": "P2", "industry_code": ind, "gap_ids": ITEM_SEP.join(grp["gap_id"]),
                     "text": f"建议针对{industry_names.get(ind, ind)}在{regions}补充{need}类政策工具，"
                             f"以支撑“{lever}”配置手段，回应缺口{ITEM_SEP.join(grp['gap_id'])}。"})
    out = pd.DataFrame(rows, columns=["rule", "industry_code", "gap_ids", "text"])
    out.insert(0, "rec_id", [f"J{i + 1:02d}" for i in range(len(out))])
    return out

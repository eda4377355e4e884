"""Technology specialisation and applicant structure from patent records: RTA, top applicants, co-applicant links.

Pure pandas. The location quotient of one industry against any base is ``survey.location_quotient``, and HHI /
CR-n are ``survey.concentration.hhi`` / ``concentration_ratio`` (the survey stage applies them to applicant
counts); here are the matrix form (RTA over regions × fields), applicant rankings and the co-applicant network.
"""
from __future__ import annotations

from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd

from ..errors import DataError, Problem


def rta(counts: pd.DataFrame) -> pd.DataFrame:
    """Revealed technological advantage (Balassa index) of every region in every field.

    Parameters
    ----------
    counts : DataFrame
        Regions (index) × fields or industries (columns): patent counts (fractional counts allowed), ≥ 0.

    Returns
    -------
    DataFrame
        Same shape; > 1 = the region's share of patents in the field exceeds the field's share in the whole set of
        regions. NaN where the region has no patents or the field none in any region.

    Notes
    -----
    :math:`RTA_{ij} = \\dfrac{x_{ij} / \\sum_k x_{ik}}{\\sum_r x_{rj} / \\sum_{r,k} x_{rk}}`. It is the location
    quotient computed on patent counts with all patents as the base; the reference set is the regions given
    (the territory's members), not the world.

    References
    ----------
    Balassa, B. (1965). Trade liberalisation and "revealed" comparative advantage. *The Manchester School*
    33(2), 99–123. Soete, L. (1987). The impact of technological innovation on international trade patterns: the
    evidence reconsidered. *Research Policy* 16, 101–130 (RTA for patents).
    """
    x = counts.astype("float64")
    bad = [Problem("negative patent count", column=str(c), value=str(r)) for c in x.columns for r in x.index[x[c] < 0]]
    if bad:
        raise DataError(bad)
    row = x.sum(axis=1)
    col = x.sum(axis=0)
    total = float(x.to_numpy().sum())
    if total <= 0:
        return x * np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        share_in_region = x.div(row.where(row > 0), axis=0)
        out = share_in_region.div((col / total).where(col > 0), axis=1)
    return out


def top_applicants(counts: pd.DataFrame, *, n: int = 10, by: str | None = None, totals=None) -> pd.DataFrame:
    """The ``n`` applicants with most patents (per group ``by`` if given), with their share and rank.

    Parameters
    ----------
    counts : DataFrame
        ``applicant, patents`` (+ the ``by`` column): one row per applicant (and group).
    n : int
        How many to keep; ties at the cut are all kept (rank ``min``).
    totals : mapping, optional
        Number of patents of each group (or a number when ``by`` is None) as the share's denominator; default the
        sum over applicants.

    Returns
    -------
    DataFrame
        ``[by,] rank, applicant, patents, share`` sorted by group, rank, then name.

    Notes
    -----
    Whole counting: a co-applied patent counts once for each of its applicants, so with ``totals`` = patents the
    shares of all applicants can add up to more than 1. :math:`share_a = p_a / P`.
    """
    if n < 1:
        raise DataError(Problem("n must be at least 1", column="n", value=n))
    keys = [by] if by else []
    rows = []
    for key, grp in (counts.groupby(by, sort=True) if by else [(None, counts)]):
        total = (totals.get(key) if by else totals) if totals is not None else None
        g = grp.assign(rank=grp["patents"].rank(ascending=False, method="min").astype(int))
        g = g[g["rank"] <= n].copy()
        g["share"] = g["patents"] / (total if total else grp["patents"].sum())
        rows.append(g.sort_values(["rank", "applicant"]))
    cols = [*keys, "rank", "applicant", "patents", "share"]
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)


def applicant_home_regions(first: pd.DataFrame) -> pd.Series:
    """Each applicant's region: the region where it is most often a record's first applicant.

    Parameters
    ----------
    first : DataFrame
        ``applicant, region_code, n`` — records per (first applicant, region).

    Returns
    -------
    Series indexed by applicant name, values region codes. Exports place a record by its first applicant (Patsnap
    当前申请(专利权)人地市 / CNIPA 国省代码), so that is the only applicant-level placement there is; ties go to the
    smallest region code (deterministic).
    """
    df = first.dropna(subset=["applicant", "region_code"])
    if df.empty:
        return pd.Series(dtype=object, name="region_code")
    c = df.groupby(["applicant", "region_code"], as_index=False)["n"].sum()
    c = c.sort_values(["applicant", "n", "region_code"], ascending=[True, False, True])
    return c.drop_duplicates("applicant").set_index("applicant")["region_code"]


def homes_from_names(applicants, places: dict[str, str]) -> pd.Series:
    """Place applicants whose name begins with a place name (南京…有限公司 → 南京's code): the longest match wins.

    Parameters
    ----------
    applicants : iterable of str
    places : mapping
        Place name (``南京市`` and ``南京``) → region code.

    Returns
    -------
    Series applicant → region code, for the applicants that begin with a known place name only. A fallback
    for co-applicants never seen as a first applicant; a name that merely contains a place is not placed.
    """
    keys = sorted(places, key=len, reverse=True)
    out = {}
    for name in dict.fromkeys(a for a in applicants if a):
        hit = next((k for k in keys if str(name).startswith(k)), None)
        if hit is not None:
            out[name] = places[hit]
    return pd.Series(out, dtype=object, name="region_code")


def label_agreement(pairs: pd.DataFrame, names: dict[str, str]) -> tuple[pd.DataFrame, float]:
    r"""Agreement of an export's own industry label with our top industry per record.

    Parameters
    ----------
    pairs : DataFrame
        ``export_industry, top_sei, records`` (records per label and our top SEI code).
    names : mapping
        SEI code → Chinese name (``新一代信息技术产业``); a label matches a code when its first part (before `` | ``
        or ``-``) equals the name with or without the trailing 产业.

    Returns
    -------
    (DataFrame, float)
        Confusion table ``export_code, export_industry, top_sei, records`` (``export_code`` ``""`` when the label
        matches no SEI name) and the share of labelled records whose label's code equals our top SEI.

    Notes
    -----
    :math:`agreement = \sum_k n_{kk} / \sum_{k,l} n_{kl}` over all labelled records (simple percentage agreement;
    unmatched labels count as disagreement).
    """
    keys = {}
    for code, name in names.items():
        keys[name] = code
        keys[name.removesuffix("产业")] = code

    def code_of(label: str) -> str:
        first = str(label).split("|")[0].split("-")[0].strip()
        return keys.get(first, keys.get(first.removesuffix("产业"), ""))

    t = pairs.assign(export_code=pairs["export_industry"].map(code_of))
    t = t[["export_code", "export_industry", "top_sei", "records"]].sort_values(["export_code", "export_industry", "top_sei"])
    total = t["records"].sum()
    share = float(t.loc[t["export_code"] == t["top_sei"], "records"].sum() / total) if total else float("nan")
    return t.reset_index(drop=True), share


def co_applicant_links(applicants: pd.Series, home: pd.Series) -> pd.DataFrame:
    """Links between regions from co-applied patents (records with ≥ 2 applicants).

    Parameters
    ----------
    applicants : Series of lists
        One list of applicant names per record.
    home : Series
        Applicant → region (:func:`applicant_home_regions`).

    Returns
    -------
    DataFrame
        ``region_a, region_b, links`` with ``region_a < region_b``, sorted by links (desc) then codes; and in
        ``attrs``: ``records_multi`` (records with ≥ 2 applicants), ``records_placed`` (all co-applicants placed),
        ``records_cross`` (placed in ≥ 2 regions).

    Notes
    -----
    A record counts only when **every** co-applicant has a known region; it then adds one link to each unordered
    pair of the distinct regions among its applicants (a record with applicants in 南京, 南京 and 苏州 adds one
    南京–苏州 link). Records whose applicants share one region add none (intra-regional co-operation).
    Approximation: applicants are placed by where they appear as first applicant (:func:`applicant_home_regions`),
    else by a place name their name begins with (:func:`homes_from_names`); a co-applicant placed by neither
    makes the record unplaced rather than guessed.

    References
    ----------
    Ma, H., Fang, C., Pang, B. & Li, G. (2014). The effect of geographical proximity on scientific cooperation
    among Chinese cities from 1990 to 2010. *PLoS ONE* 9(11), e111705 (city co-operation links from co-authorship;
    the same counting applied to co-applicants).
    """
    links: Counter = Counter()
    multi = placed = cross = 0
    lookup = home.to_dict()
    for names in applicants:
        names = list(dict.fromkeys(n for n in (names if names is not None else []) if n))
        if len(names) < 2:
            continue
        multi += 1
        regions = [lookup.get(n) for n in names]
        if any(r is None for r in regions):
            continue
        placed += 1
        distinct = sorted(set(regions))
        if len(distinct) > 1:
            cross += 1
            links.update(combinations(distinct, 2))
    out = pd.DataFrame([(a, b, k) for (a, b), k in links.items()], columns=["region_a", "region_b", "links"])
    out = out.sort_values(["links", "region_a", "region_b"], ascending=[False, True, True]).reset_index(drop=True)
    out.attrs.update(records_multi=multi, records_placed=placed, records_cross=cross)
    return out

"""Result tables of an index hierarchy: the tree, every level's scores and ranks, contributions and
obstacle degrees per level (long tables: one row per unit[-year] and node)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .spec import EvaluationSpec
from .steps import rank_units
from .tree import Tree, level_name


def level_tables(df, keys, tree: Tree, vals: dict, eff: dict, scale: float,
                 spec: EvaluationSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``level_scores`` (score and rank of every group and the goal) and ``contributions``.

    ``vals`` holds the scores of the groups (scale 1) and the normalised values of the indicators.

    Notes
    -----
    Group scores are on the subsystem scale (0–1, the ``U_*`` of the scores table); the goal is on
    the score's scale (×100 for sums). Contribution of child c to parent p: ``ŵ_c · S_c / S_p``
    (``ŵ`` the weight renormalised over the children present); under the weighted sum the
    contributions of a parent sum to 1.
    """
    parts, cparts = [], []
    for g in tree.top_down:
        node = tree.nodes[g]
        s = pd.Series(vals[g] * (scale if g == tree.goal else 1.0), index=df.index)
        t = df[keys].copy()
        t["node"], t["name"], t["parent"] = g, node.name, node.parent or ""
        t["depth"], t["level"] = node.depth, node.level
        t["score"], t["rank"] = s, rank_units(s, df, spec, nullable=True)
        parts.append(t)
        parent = vals[g]
        for k, c in enumerate(node.children):
            child = vals[c]
            ct = df[keys].copy()
            ct["parent"], ct["node"], ct["depth"] = g, c, tree.nodes[c].depth
            ct["level"] = tree.nodes[c].level
            ct["weight"] = eff[g][:, k]
            ct["child_score"], ct["parent_score"] = child, parent
            with np.errstate(invalid="ignore", divide="ignore"):
                ct["contribution"] = np.where(parent > 0, eff[g][:, k] * np.nan_to_num(child) / parent,
                                              np.nan)
            cparts.append(ct)
    order = {g: i for i, g in enumerate(tree.top_down)}
    ls = pd.concat(parts, ignore_index=True)
    ls = ls.assign(_o=ls["node"].map(order)).sort_values(["_o"] + keys[1:] + keys[:1], kind="stable")
    return ls.drop(columns="_o").reset_index(drop=True), pd.concat(cparts, ignore_index=True)


def path_weights(tree: Tree, eff: dict, n: int) -> dict[str, np.ndarray]:
    """Effective weight of every node in the goal per row: the product of ``ŵ`` along its path."""
    g_w = {tree.goal: np.ones(n)}
    for g in reversed(tree.groups):
        for k, c in enumerate(tree.nodes[g].children):
            g_w[c] = g_w[g] * eff[g][:, k]
    return g_w


def obstacles_by_level(z, df, keys, tree: Tree, eff: dict, spec: EvaluationSpec) -> pd.DataFrame:
    """Obstacle degree of every indicator and group (障碍度 per level).

    Notes
    -----
    Factor contribution ``F_ij`` = product of the effective weights on the path of indicator j for
    unit i (a missing indicator has F = 0), deviation ``1 − z_ij``,
    ``O_ij = F_ij(1 − z_ij)/Σ_j F_ij(1 − z_ij)``; a group's obstacle is the sum over its indicators,
    so each level's obstacles sum to 1 per unit. ``level``: ``indicator``, ``subsystem`` (the
    coupling level) or ``group``.
    """
    if spec.normalise.method == "zscore":
        return pd.DataFrame()
    gw = path_weights(tree, eff, len(df))
    codes = spec.codes
    dev = 1.0 - np.nan_to_num(z[codes].to_numpy(float).clip(0, 1), nan=1.0)
    f = np.stack([gw[c] for c in codes], axis=1) * dev
    tot = f.sum(axis=1, keepdims=True)
    o = np.divide(f, tot, out=np.zeros_like(f), where=tot > 0)
    ind = pd.DataFrame(o, index=df.index, columns=codes)
    parts = [_long(ind, df, keys, "indicator", {c: tree.nodes[c].depth for c in codes})]
    groups = [g for g in tree.groups if g != tree.goal]
    grp = pd.DataFrame({g: ind[tree.descendants(g)].sum(axis=1) for g in groups}, index=df.index)
    for g in groups:
        level = "subsystem" if tree.nodes[g].depth == tree.coupling_level else "group"
        parts.append(_long(grp[[g]], df, keys, level, {g: tree.nodes[g].depth}))
    return pd.concat(parts, ignore_index=True)


def _long(tab, df, keys, level, depth) -> pd.DataFrame:
    long = tab.join(df[keys]).melt(id_vars=keys, var_name="code", value_name="obstacle")
    return long.assign(level=level, depth=long["code"].map(depth))


def tree_table(tree: Tree, level_weights: pd.DataFrame) -> pd.DataFrame:
    """One row per node (goal, groups, indicators) in tree order: level, parent, weighting method of
    its children, aggregation, nominal weight within the parent and in the goal (primary method,
    first pool group)."""
    lw = level_weights[level_weights["primary"]]
    lw = lw[lw["pool"] == lw["pool"].iloc[0]].set_index("node") if len(lw) else lw
    rows = []

    def visit(code: str) -> None:
        n = tree.nodes[code]
        rows.append({"node": code, "parent": n.parent or "", "kind": n.kind, "depth": n.depth, "level": n.level,
                     "level_en": "indicators" if n.kind == "indicator" else level_name(n.depth, en=True),
                     "name": n.name, "name_en": n.name_en,
                     "weighting": n.weighting if n.kind != "indicator" else "",
                     "aggregation": n.aggregation if n.kind != "indicator" else "",
                     "min_share": n.min_share if n.kind != "indicator" else np.nan,
                     "weight": 1.0 if code == tree.goal else float(lw.loc[code, "weight"]),
                     "global_weight": 1.0 if code == tree.goal else float(lw.loc[code, "global_weight"]),
                     "subsystem": "" if n.depth < tree.coupling_level else tree.ancestor_at(code, tree.coupling_level),
                     "n_children": len(n.children)})
        for c in n.children:
            visit(c)

    visit(tree.goal)
    return pd.DataFrame(rows)

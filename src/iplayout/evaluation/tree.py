"""The index hierarchy of a spec (目标层 → 准则层 → 子准则层 → 指标层): structure and load-time checks.

A hierarchy is written flat: ``groups: [{code, parent, …}]`` with ``parent`` naming another group
(omitted = a child of the goal) and each indicator naming its leaf group in ``group``. Flat rows
with parent links were chosen over nested lists because that is how indicator-system tables are
drawn up (one row per item with its 上级指标), a YAML diff of a moved group is one changed line,
and the JSON Schema stays non-recursive (editor completion works at every depth).
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: reader-facing names of the levels by depth (the goal is depth 0; indicators are always 指标层)
LEVEL_NAMES = {0: "目标层", 1: "准则层", 2: "子准则层"}
LEVEL_NAMES_EN = {0: "goal", 1: "criteria", 2: "sub-criteria"}
INDICATOR_LEVEL = ("指标层", "indicators")
#: code of the goal node in the level tables of a two-level spec (subsystems → indicators)
TWO_LEVEL_GOAL = "goal"


def level_name(depth: int, *, en: bool = False) -> str:
    """目标层 / 准则层 / 子准则层 / 第3级子准则层 … by depth."""
    names = LEVEL_NAMES_EN if en else LEVEL_NAMES
    if depth in names:
        return names[depth]
    return f"sub-criteria {depth - 1}" if en else f"第{depth - 1}级子准则层"


@dataclass
class Node:
    code: str
    name: str
    name_en: str
    parent: str | None
    depth: int
    kind: str  # goal | group | indicator
    children: list[str] = field(default_factory=list)
    weighting: str = ""
    aggregation: str = ""
    min_share: float = 0.0
    by: str = "count"
    weight: float | None = None

    @property
    def level(self) -> str:
        return INDICATOR_LEVEL[0] if self.kind == "indicator" else level_name(self.depth)


@dataclass
class Tree:
    goal: str
    nodes: dict[str, Node]
    coupling_level: int

    @property
    def groups(self) -> list[str]:
        """Group codes children-first (post-order), the goal last."""
        out: list[str] = []

        def visit(code: str) -> None:
            for c in self.nodes[code].children:
                if self.nodes[c].kind != "indicator":
                    visit(c)
            out.append(code)

        visit(self.goal)
        return out

    @property
    def top_down(self) -> list[str]:
        """Group codes parents-first (pre-order, the goal first): the reading order of reports."""
        out: list[str] = []

        def visit(code: str) -> None:
            out.append(code)
            for c in self.nodes[code].children:
                if self.nodes[c].kind != "indicator":
                    visit(c)

        visit(self.goal)
        return out

    def leaf_groups(self) -> list[str]:
        return [g for g in self.groups if self.nodes[g].children
                and self.nodes[self.nodes[g].children[0]].kind == "indicator"]

    def ancestor_at(self, code: str, depth: int) -> str:
        node = self.nodes[code]
        while node.depth > depth:
            node = self.nodes[node.parent]
        return node.code

    def coupling_groups(self) -> list[str]:
        return [g for g in self.groups if self.nodes[g].depth == self.coupling_level
                and self.nodes[g].kind == "group"]

    def descendants(self, code: str) -> list[str]:
        """Indicator codes under ``code``."""
        node = self.nodes[code]
        if node.kind == "indicator":
            return [code]
        return [i for c in node.children for i in self.descendants(c)]


def node_kwargs(spec, tree: "Tree", code: str, aggregation: str | None = None) -> dict:
    """Keyword arguments of :func:`iplayout.methods.hierarchy.node_scores` for one group."""
    n = tree.nodes[code]
    return {"method": aggregation or n.aggregation, "min_share": n.min_share, "by": n.by,
            "topsis_norm": spec.score.topsis_norm, "topsis_distance": spec.score.topsis_distance}


def _default_aggregation(spec) -> str:
    return "weighted_sum" if spec.score.method == "topsis" else spec.score.method


def build_tree(spec) -> Tree:
    """The spec's hierarchy as nodes with depths, children (in spec order) and per-node conventions."""
    goal = spec.goal or GoalDefaults()
    nodes = {goal.code: Node(goal.code, goal.name or spec.name, goal.name_en or spec.name_en, None, 0, "goal",
                             weighting=goal.weighting, aggregation=goal.aggregation or spec.score.method,
                             **_rule(goal.availability or spec.availability))}
    for g in spec.groups:
        nodes[g.code] = Node(g.code, g.name, g.name_en, g.parent or goal.code, -1, "group",
                             aggregation=g.aggregation or _default_aggregation(spec), weight=g.weight,
                             **_rule(g.availability or spec.availability))
    for i in spec.indicators:
        nodes[i.code] = Node(i.code, i.name, i.name_en, i.group, -1, "indicator", weight=i.weight)
    for code, n in nodes.items():
        if n.parent is not None:
            nodes[n.parent].children.append(code)

    def set_depth(code: str, d: int) -> None:
        nodes[code].depth = d
        for c in nodes[code].children:
            set_depth(c, d + 1)

    set_depth(goal.code, 0)
    by_code = {g.code: g for g in spec.groups}
    for code, n in nodes.items():
        if n.kind == "indicator":
            continue
        leaf = bool(n.children) and nodes[n.children[0]].kind == "indicator"
        explicit = goal.weighting if n.kind == "goal" else by_code[code].weighting
        n.weighting = explicit or (spec.weights.method if leaf else "equal")
    return Tree(goal.code, nodes, spec.coupling_level or 1)


@dataclass(frozen=True)
class GoalDefaults:
    """The goal of a hierarchy whose spec gives no ``goal`` (the defaults of ``spec.Goal``)."""

    code: str = "goal"
    name: str = ""
    name_en: str = ""
    weighting: str = "equal"
    aggregation: str | None = None
    availability: object = None


def _rule(a) -> dict:
    return {"min_share": a.min_share, "by": a.by}


def coupling_groups(spec) -> list[str]:
    """Codes of the groups used as subsystems (U_*, coupling, lagging): the groups at ``coupling_level``."""
    return build_tree(spec).coupling_groups()


def check_hierarchy(spec) -> None:
    """Load-time checks of ``goal`` / ``groups`` / ``indicators[].group`` (raise ValueError)."""
    if not spec.groups:
        if spec.goal is not None or spec.coupling_level is not None:
            raise ValueError("'goal' and 'coupling_level' need an index hierarchy: declare 'groups'")
        return
    if spec.subsystems:
        raise ValueError("give either 'subsystems' (two levels) or 'groups' (a hierarchy), not both")
    if spec.weights.scope != "subsystem" or spec.weights.subsystems != "equal":
        raise ValueError("in a hierarchy each group names its own 'weighting' (and the goal 'goal.weighting'); "
                         "weights.scope and weights.subsystems apply to two-level specs only")
    goal = (spec.goal.code if spec.goal else "goal")
    ind = [i.code for i in spec.indicators]
    grp = [g.code for g in spec.groups]
    dup = sorted({c for c in grp if grp.count(c) > 1} | (set(grp) & set(ind)) | ({goal} & (set(grp) | set(ind))))
    if dup:
        raise ValueError(f"codes must be unique across levels (goal, groups, indicators): {dup}")
    for g in spec.groups:
        if g.parent is not None and g.parent != goal and g.parent not in grp:
            raise ValueError(f"group {g.code!r}: parent {g.parent!r} is not a declared group")
    parent = {g.code: (g.parent if g.parent != goal else None) for g in spec.groups}
    for g in grp:
        seen, p = {g}, parent[g]
        while p is not None:
            if p in seen:
                raise ValueError(f"groups form a cycle through {p!r}")
            seen.add(p)
            p = parent[p]
    has_groups = {p for p in parent.values() if p is not None}
    for i in spec.indicators:
        if i.subsystem is not None:
            raise ValueError(f"indicator {i.code!r}: in a hierarchy name the leaf group in 'group', not 'subsystem'")
        if i.group is None or i.group not in grp:
            raise ValueError(f"indicator {i.code!r}: 'group' must name a declared group (got {i.group!r})")
        if i.group in has_groups:
            raise ValueError(f"indicator {i.code!r}: group {i.group!r} contains groups; indicators belong to leaf groups")
    used = {i.group for i in spec.indicators}
    empty = [g for g in grp if g not in used and g not in has_groups]
    if empty:
        raise ValueError(f"groups without indicators or groups: {empty}")
    tree = build_tree(spec)
    _check_levels(spec, tree)


def _check_levels(spec, tree: Tree) -> None:
    for code in tree.groups:
        n = tree.nodes[code]
        if n.aggregation == "topsis" and n.kind != "goal":
            raise ValueError(f"group {code!r}: topsis aggregates the goal only")
        if n.weighting == "fixed":
            miss = [c for c in n.children if tree.nodes[c].weight is None]
            if miss:
                raise ValueError(f"{code!r} weighting fixed: children without 'weight': {miss}")
        uses_ahp = n.weighting == "ahp" or (n.weighting == "combined" and spec.weights.combined.subjective == "ahp")
        if uses_ahp and code not in spec.weights.ahp:
            raise ValueError(f"{code!r} weighting ahp: give its pairwise matrix as weights.ahp.{code}")
        if n.weighting in ("pca", "combined") and tree.nodes[n.children[0]].kind != "indicator":
            raise ValueError(f"{code!r}: weighting {n.weighting} applies to groups of indicators only")
    depths = {tree.nodes[i.code].depth for i in spec.indicators}
    if min(depths) <= tree.coupling_level:
        raise ValueError(f"coupling_level {tree.coupling_level}: every indicator must lie below a group at that "
                         f"depth (indicators found at depth {min(depths)})")

"""The allocation guidance catalogue (知识产权资源配置导向目录): rules → entries → expert overrides.

Every region × industry with the required evidence gets exactly one entry: the first rule (in the order of
``params/allocation/catalogue.yaml``) whose condition holds gives its action class and levers, and the
rule id is kept. A region × industry lacking required evidence gets *no* entry and is listed in
``catalogue_missing`` with the reason — never a default class. Expert overrides
(``overrides.yaml``) are applied afterwards and keep the rule's result beside the decision.

Conditions are structured data, evaluated here by a tiny interpreter (no ``eval``):
``{field, op, value}`` with ``op`` in ``< <= > >= == != in not_in missing present``; ``{all: [...]}``,
``{any: [...]}``, ``{not: ...}``, ``{always: true}``. A comparison on a missing value is false
(``missing`` / ``present`` test for it explicitly).
"""
from __future__ import annotations

import math

import pandas as pd

from ..errors import DataError, Problem
from .spec import AllOf, Always, AnyOf, CatalogueSpec, Compare, NotOf, Override

LEVER_SEP = "、"


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (v is pd.NA)


def condition_holds(cond, row) -> bool:
    """Evaluate one condition on one evidence row (a mapping field → value)."""
    if isinstance(cond, Always):
        return True
    if isinstance(cond, AllOf):
        return all(condition_holds(c, row) for c in cond.all)
    if isinstance(cond, AnyOf):
        return any(condition_holds(c, row) for c in cond.any)
    if isinstance(cond, NotOf):
        return not condition_holds(cond.not_, row)
    if not isinstance(cond, Compare):  # pragma: no cover - the spec's union admits nothing else
        raise TypeError(type(cond))
    v = row.get(cond.field)
    if cond.op == "missing":
        return _is_missing(v)
    if cond.op == "present":
        return not _is_missing(v)
    if _is_missing(v):
        return False
    target = cond.value
    if cond.op in ("in", "not_in"):
        vals = target if isinstance(target, list) else [target]
        inside = any(v == t for t in vals)
        return inside if cond.op == "in" else not inside
    if cond.op == "==":
        return v == target
    if cond.op == "!=":
        return v != target
    try:
        a, b = float(v), float(target)
    except (TypeError, ValueError):
        return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[cond.op]


def first_match(row, spec: CatalogueSpec):
    """The first rule whose condition holds for ``row`` (``None`` when none does)."""
    for rule in spec.rules:
        if condition_holds(rule.when, row):
            return rule
    return None


def build_catalogue(evidence: pd.DataFrame, spec: CatalogueSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the rules to every region × industry.

    Parameters
    ----------
    evidence : DataFrame
        ``region_code``, ``industry_code`` and the evidence fields (``lq_output``, ``ip_specialisation``,
        ``growth``, ``zone``, ``coupling_class``, ``ip_intensive``, ``high_*`` …).

    Returns
    -------
    (catalogue, missing)
        ``catalogue``: the evidence plus ``action``, ``levers`` ("、"-joined), ``rule_id``, ``rule_action``,
        ``rule_levers``, ``overridden`` (False), ``override_reason`` … ; ``missing``: ``region_code``,
        ``industry_code``, ``reason`` for entries lacking required evidence or matched by no rule.
    """
    rows, missing = [], []
    for rec in evidence.to_dict("records"):
        absent = [f for f in spec.require if _is_missing(rec.get(f))]
        if absent:
            missing.append({"region_code": rec["region_code"], "industry_code": rec["industry_code"],
                            "reason": "缺少" + LEVER_SEP.join(EVIDENCE_NAMES.get(f, f) for f in absent)})
            continue
        rule = first_match(rec, spec)
        if rule is None:
            missing.append({"region_code": rec["region_code"], "industry_code": rec["industry_code"],
                            "reason": "无规则适用（请在规则末尾设置兜底规则）"})
            continue
        levers = LEVER_SEP.join(rule.levers)
        rows.append({**rec, "action": rule.action, "levers": levers, "rule_id": rule.id,
                     "rule_action": rule.action, "rule_levers": levers})
    cat = pd.DataFrame(rows, columns=list(evidence.columns) + ["action", "levers", "rule_id", "rule_action",
                                                               "rule_levers"])
    for c, default in (("overridden", False), ("override_reason", ""), ("override_reviewer", ""),
                       ("override_date", "")):
        cat[c] = default
    cat["overridden"] = cat["overridden"].astype(bool)
    miss = pd.DataFrame(missing, columns=["region_code", "industry_code", "reason"])
    return cat.reset_index(drop=True), miss


def apply_overrides(catalogue: pd.DataFrame, overrides: list[Override], *, territory: str, year: int,
                    source: str = "overrides.yaml") -> pd.DataFrame:
    """Apply the expert overrides of this territory (and year, when an override names one).

    An override naming a region × industry without a catalogue entry is an error (:class:`DataError`
    listing every such override), so a typo never silently disappears.
    """
    cat = catalogue.copy()
    mine = [(i, o) for i, o in enumerate(overrides) if o.territory == territory and (o.year in (None, year))]
    if not mine:
        return cat
    key = cat["region_code"].astype(str) + "|" + cat["industry_code"].astype(str)
    problems = []
    for i, o in mine:
        hit = key == f"{o.region}|{o.industry}"
        if not hit.any():
            problems.append(Problem(f"override names region × industry {o.region} × {o.industry}, which has no "
                                    f"catalogue entry for territory {territory} in {year}", file=source,
                                    line=None, column=f"overrides[{i}]", value=f"{o.region}/{o.industry}"))
            continue
        cat.loc[hit, "action"] = o.action
        cat.loc[hit, "levers"] = LEVER_SEP.join(o.levers)
        cat.loc[hit, "overridden"] = True
        cat.loc[hit, "override_reason"] = o.reason
        cat.loc[hit, "override_reviewer"] = o.reviewer
        cat.loc[hit, "override_date"] = o.date.isoformat()
    if problems:
        raise DataError(problems)
    return cat


def rules_table(spec: CatalogueSpec) -> pd.DataFrame:
    """Rules in evaluation order with their description, class, levers and condition text (report appendix)."""
    return pd.DataFrame([{"order": i + 1, "rule_id": r.id, "description": r.description, "action": r.action,
                          "levers": LEVER_SEP.join(r.levers), "condition": condition_text(r.when)}
                         for i, r in enumerate(spec.rules)])


OP_TEXT = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "!=": "≠", "in": "属于", "not_in": "不属于",
           "missing": "缺失", "present": "有值"}
EVIDENCE_NAMES = {"lq_output": "产出区位商", "ip_specialisation": "专利专业化指数", "growth": "产出年均增速",
                  "zone": "功能区", "coupling_class": "耦合协调等级", "ip_intensive": "专利密集标志",
                  "high_ip": "知识产权高", "high_innovation": "创新能力高", "high_industry": "产业基础高",
                  "output_share": "产出占地域比重"}


def condition_text(cond) -> str:
    """Readable Chinese form of a condition (``产出区位商 ≥ 1.2 且 专利专业化指数 ≥ 1``)."""
    if isinstance(cond, Always):
        return "其余情形"
    if isinstance(cond, AllOf):
        return " 且 ".join(_paren(c) for c in cond.all)
    if isinstance(cond, AnyOf):
        return " 或 ".join(_paren(c) for c in cond.any)
    if isinstance(cond, NotOf):
        return f"非（{condition_text(cond.not_)}）"
    name = EVIDENCE_NAMES.get(cond.field, cond.field)
    if cond.op in ("missing", "present"):
        return f"{name}{OP_TEXT[cond.op]}"
    val = "、".join(str(v) for v in cond.value) if isinstance(cond.value, list) else cond.value
    if isinstance(val, bool):
        val = "是" if val else "否"
    elif isinstance(val, float) and cond.field == "growth":
        val = f"{val:.0%}"
    return f"{name} {OP_TEXT[cond.op]} {val}"


def _paren(c) -> str:
    text = condition_text(c)
    return f"（{text}）" if isinstance(c, (AllOf, AnyOf)) else text

"""High-value invention patents (高价值发明专利) from patent records: CNIPA's five criteria, each only where the data has it.

CNIPA counts as high-value a valid invention patent that meets at least one of (国家知识产权局《知识产权强国建设
纲要和“十四五”规划实施年度推进计划》及“每万人口高价值发明专利拥有量”统计口径, 2021):

1. ``sei``       战略性新兴产业的发明专利 — the record maps to an SEI industry through the concordance in use;
2. ``family``    在海外有同族专利权的发明专利 — a family member at an office other than CN;
3. ``maintained`` 维持年限超过10年的发明专利 — valid (in force) and filed more than ``maintained_years`` before ``as_of``;
4. ``pledge``    实现较高质押融资金额的发明专利 — a pledge of at least ``pledge_min_10k_yuan`` 万元;
5. ``award``     获得国家科学技术奖或中国专利奖的发明专利.

A criterion whose field the records do not carry is 不可用 (unavailable) and never assumed: it counts for no
record, and the report lists which criteria were available. The record exports handled here carry no pledge
amounts and no award flags, so criteria 4 and 5 are unavailable unless a later schema adds those columns.
The base is granted invention patents (``invention_grant``), restricted to valid ones where legal status is known.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ...config import params_file
from ...errors import ParameterError
from ...yamlio import load_yaml

CRITERIA = {  # name → (zh label, en label)
    "sei": ("战略性新兴产业", "in a strategic emerging industry"),
    "family": ("有海外同族", "with an overseas family member"),
    "maintained": ("维持年限超过10年", "maintained for more than 10 years"),
    "pledge": ("质押融资额较高", "pledged for a large loan"),
    "award": ("获国家科学技术奖或中国专利奖", "won a national science award or the China Patent Award"),
}
UNAVAILABLE = "不可用"


class HighValueSpec(BaseModel):
    """``params/records/highvalue.yaml``."""

    model_config = ConfigDict(extra="forbid")
    as_of: dt.date | None = None
    maintained_years: int = Field(default=10, ge=1, le=20)
    pledge_min_10k_yuan: float = Field(default=1000.0, gt=0)


def load_records_spec(model: type[BaseModel], name: str, params_dir: str | Path | None = None):
    """``params/records/<name>`` validated into ``model`` (a params folder without it falls back to the project's)."""
    path = params_file(f"records/{name}", params_dir)
    try:
        return model.model_validate(load_yaml(path) or {})
    except ValidationError as exc:
        raise ParameterError(f"{path}: {exc}") from None


def load_highvalue_spec(params_dir: str | Path | None = None) -> HighValueSpec:
    return load_records_spec(HighValueSpec, "highvalue.yaml", params_dir)


def _has_column(con, table: str, column: str) -> bool:
    q = "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?"
    return bool(con.execute(q, [table, column]).fetchall()[0][0])


def _any_value(con, expr: str) -> bool:
    return bool(con.execute(f"SELECT COUNT(*) FROM patent_records WHERE {expr}").fetchall()[0][0])


def criteria(con, spec: HighValueSpec, *, valid_sql: str, sei_available: bool) -> tuple[list[dict], str]:
    """Which criteria the records in ``con`` allow, each with its SQL test on one ``patent_records`` row.

    ``valid_sql`` tests legal status (counting.yaml's ``valid_status``); ``sei_available`` says whether an industry
    concordance is in use (its test refers to the column ``sei_mapped`` that :mod:`.aggregate` computes).
    Returns dicts ``criterion, name, name_en, available, sql, note`` in CNIPA's order, and the SQL test of the
    base (a granted invention, valid where legal status is known); a record is high-value when it passes the base
    and at least one available criterion.
    """
    has_status = _any_value(con, "legal_status IS NOT NULL")
    has_date = _any_value(con, "application_date IS NOT NULL")
    has_family = _any_value(con, "family_offices IS NOT NULL AND len(family_offices) > 0")
    as_of = spec.as_of
    if as_of is None and has_date:
        as_of = con.execute("SELECT max(greatest(coalesce(publication_date, application_date), "
                            "coalesce(grant_date, application_date), application_date)) FROM patent_records").fetchall()[0][0]
    out = []
    for key, (name, name_en) in CRITERIA.items():
        sql, note = "FALSE", ""
        if key == "sei":
            ok = sei_available
            sql, note = ("sei_mapped", "按所用IPC—产业对照表") if ok else ("FALSE", "无产业对照表")
        elif key == "family":
            ok = has_family
            sql = "coalesce(len(list_filter(family_offices, lambda x: x NOT IN ('CN', ''))) > 0, FALSE)" if ok else "FALSE"
            note = "同族受理局含中国以外的专利局" if ok else "导出数据无同族受理局字段"
        elif key == "maintained":
            ok = has_status and has_date and as_of is not None
            if ok:
                cut = dt.date(as_of.year - spec.maintained_years, as_of.month, min(as_of.day, 28))
                sql = f"({valid_sql}) AND application_date < DATE '{cut.isoformat()}'"
                note = f"有效且申请日早于{cut.isoformat()}（截至{as_of.isoformat()}满{spec.maintained_years}年）"
            else:
                note = "导出数据无法律状态或申请日"
        elif key == "pledge":
            ok = _has_column(con, "patent_records", "pledge_amount")
            sql = f"coalesce(pledge_amount >= {spec.pledge_min_10k_yuan}, FALSE)" if ok else "FALSE"
            note = f"质押金额≥{spec.pledge_min_10k_yuan:g}万元" if ok else "导出数据无质押金额"
        else:
            ok = _has_column(con, "patent_records", "award")
            sql = "coalesce(award IS NOT NULL AND award <> '', FALSE)" if ok else "FALSE"
            note = "获奖字段非空" if ok else "导出数据无获奖字段"
        out.append({"criterion": key, "name": name, "name_en": name_en, "available": bool(ok),
                    "sql": sql if ok else "FALSE", "note": note if ok else f"{UNAVAILABLE}：{note}"})
    base = "patent_type = 'invention_grant'" + (f" AND ({valid_sql})" if has_status else "")
    return out, base

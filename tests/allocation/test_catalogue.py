"""Catalogue rules: each shipped rule fires on its hand-made case and nowhere else; first match wins; overrides."""
import datetime as dt

import pandas as pd
import pytest

from iplayout.allocation import catalogue as cat
from iplayout.allocation.spec import Override, load_catalogue_spec, load_overrides
from iplayout.config import params_dir
from iplayout.errors import DataError, SpecError


@pytest.fixture(scope="module")
def spec():
    return load_catalogue_spec(params_dir() / "allocation" / "catalogue.yaml")


# one hand-made evidence row per shipped rule (rule id → row)
CASES = {
    "R01": {"lq_output": 1.5, "ip_specialisation": 1.3, "growth": 0.02, "zone": "Z8"},
    "R02": {"lq_output": 1.3, "ip_specialisation": 0.6, "growth": 0.02, "zone": "Z8"},
    "R03": {"lq_output": 1.1, "ip_specialisation": 1.2, "growth": 0.02, "zone": "Z8"},
    "R04": {"lq_output": 0.7, "ip_specialisation": 0.8, "growth": 0.15, "zone": "Z8"},
    "R05": {"lq_output": 0.7, "ip_specialisation": 0.8, "growth": 0.02, "zone": "Z2"},
    "R06": {"lq_output": 0.7, "ip_specialisation": 0.8, "growth": 0.02, "zone": "Z8"},
}


def test_every_rule_has_a_case(spec):
    assert [r.id for r in spec.rules] == list(CASES)


@pytest.mark.parametrize("rule_id", list(CASES))
def test_rule_fires_on_its_case_and_nowhere_else(spec, rule_id):
    assert cat.first_match(CASES[rule_id], spec).id == rule_id
    # nowhere else: on every other rule's case this rule is not the first match
    others = [cat.first_match(row, spec).id for rid, row in CASES.items() if rid != rule_id]
    assert rule_id not in others


def test_first_match_order(spec):
    # R01's case also satisfies R03 (lq ≥ 1) and R04 (ip ≥ 1): order decides
    row = CASES["R01"]
    holds = [r.id for r in spec.rules if cat.condition_holds(r.when, row)]
    assert holds == ["R01", "R03", "R04", "R06"]
    reordered = spec.model_copy(update={"rules": [spec.rules[2], spec.rules[0]] + spec.rules[3:]})
    assert cat.first_match(row, reordered).id == "R03"


def test_missing_values_never_satisfy_a_comparison(spec):
    row = {"lq_output": float("nan"), "ip_specialisation": None, "growth": None, "zone": None}
    assert cat.first_match(row, spec).id == "R06"


def test_missing_evidence_gets_no_entry(spec):
    ev = pd.DataFrame([{"region_code": "1", "industry_code": "SEI01", **CASES["R01"]},
                       {"region_code": "2", "industry_code": "SEI01", **CASES["R01"], "ip_specialisation": float("nan")}])
    entries, missing = cat.build_catalogue(ev, spec)
    assert entries["region_code"].tolist() == ["1"] and entries["rule_id"].tolist() == ["R01"]
    assert entries["levers"].iloc[0] == "保护、转化运营、导航"
    assert missing.to_dict("records") == [{"region_code": "2", "industry_code": "SEI01", "reason": "缺少专利专业化指数"}]


def _override(**kw):
    base = dict(territory="320000", region="1", industry="SEI01", action="审慎布局", levers=["导航"],
                reason="专家组意见", reviewer="测试", date=dt.date(2016, 12, 20))
    return Override(**{**base, **kw})


def test_override_keeps_rule_result(spec):
    ev = pd.DataFrame([{"region_code": "1", "industry_code": "SEI01", **CASES["R01"]}])
    entries, _ = cat.build_catalogue(ev, spec)
    out = cat.apply_overrides(entries, [_override()], territory="320000", year=2016).iloc[0]
    assert (out["action"], out["levers"], bool(out["overridden"])) == ("审慎布局", "导航", True)
    assert (out["rule_action"], out["rule_id"], out["override_reason"]) == ("重点布局", "R01", "专家组意见")
    # another territory's or year's override is not applied
    same = cat.apply_overrides(entries, [_override(territory="100000"), _override(year=2018)], territory="320000", year=2016)
    assert not same["overridden"].any()


def test_override_of_unknown_entry_is_named_error(spec):
    ev = pd.DataFrame([{"region_code": "1", "industry_code": "SEI01", **CASES["R01"]}])
    entries, _ = cat.build_catalogue(ev, spec)
    with pytest.raises(DataError, match="9 × SEI01"):
        cat.apply_overrides(entries, [_override(region="9")], territory="320000", year=2016)


def test_override_file_checks_class_and_levers(spec, tmp_path):
    f = tmp_path / "o.yaml"
    f.write_text('overrides:\n  - {territory: "320000", region: "320100", industry: SEI01, action: 大力发展,\n'
                 '     levers: [飞行], reason: x, reviewer: y, date: 2016-12-01}\n', encoding="utf-8")
    with pytest.raises(SpecError, match="大力发展") as exc:
        load_overrides(f, spec)
    assert "飞行" in str(exc.value)
    assert load_overrides(params_dir() / "allocation" / "overrides.yaml", spec) == []  # shipped empty


def test_condition_language_rejects_unknown_fields(tmp_path):
    f = tmp_path / "c.yaml"
    text = (params_dir() / "allocation" / "catalogue.yaml").read_text(encoding="utf-8")
    f.write_text(text.replace("field: lq_output, op: \">=\", value: 1.2", "field: __import__, op: \">=\", value: 1.2"),
                 encoding="utf-8")
    with pytest.raises(SpecError, match="unknown field"):
        load_catalogue_spec(f)


def test_rules_table_text(spec):
    t = cat.rules_table(spec).set_index("rule_id")
    assert t.loc["R01", "condition"] == "产出区位商 ≥ 1.2 且 专利专业化指数 ≥ 1.0"
    assert t.loc["R06", "condition"] == "其余情形"

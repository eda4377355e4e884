"""Spec schema: unknown keys are errors naming the key; consistency checks; shipped YAML validates."""
from pathlib import Path

import pytest
import yaml

from iplayout.errors import SpecError
from iplayout.evaluation.spec import load_spec, parse_spec

PARAMS = Path(__file__).resolve().parents[2] / "params" / "evaluation"


def test_unknown_key_names_the_key():
    with pytest.raises(SpecError, match=r"unknown key 'normalise.methd'"):
        parse_spec({"indicators": [{"code": "a"}], "normalise": {"methd": "minmax"}})
    with pytest.raises(SpecError, match=r"unknown key 'indicators.0.direction'"):
        parse_spec({"indicators": [{"code": "a", "direction": "cost"}]})


@pytest.mark.parametrize("bad, msg", [
    ({"indicators": [{"code": "a", "type": "middle"}]}, "needs 'target'"),
    ({"indicators": [{"code": "a", "type": "interval", "lower": 3, "upper": 1}]}, "lower 3.0 > upper"),
    ({"indicators": [{"code": "a"}, {"code": "a"}]}, "duplicate indicator"),
    ({"indicators": [{"code": "a", "subsystem": "ip"}]}, "not declared"),
    ({"indicators": [{"code": "a", "subsystem": "ip"}], "subsystems": [{"code": "ip"}, {"code": "x"}]}, "without indicators"),
    ({"indicators": [{"code": "a"}], "weights": {"method": "fixed"}}, "without 'weight'"),
    ({"indicators": [{"code": "a"}], "normalise": {"method": "zscore"}, "score": {"method": "geometric"}}, "zscore"),
    ({"indicators": [{"code": "a"}], "weights": {"method": "magic"}}, "weights.method"),
    ({"indicators": [{"code": "a"}], "normalise": {"method": "zscore"}}, "zscore gives neither"),
    ({"indicators": [{"code": "a", "type": "cost"}], "normalise": {"method": "none"}}, "cannot reverse cost"),
])
def test_inconsistent_specs_are_rejected(bad, msg):
    with pytest.raises(SpecError, match=msg):
        parse_spec(bad)


def test_defaults_are_complete_and_round_trip():
    spec = parse_spec({"indicators": [{"code": "a"}, {"code": "b", "type": "cost"}]})
    dumped = spec.model_dump(mode="json")
    assert dumped["weights"]["entropy_zero"] == "zero_log" and dumped["coupling"]["boundary"] == "left_closed"
    assert parse_spec(dumped) == spec


@pytest.mark.parametrize("path", sorted(PARAMS.rglob("*.yaml")), ids=lambda p: p.name)
def test_shipped_specs_validate(path):
    spec = load_spec(path)
    assert spec.indicators


def test_pilot_has_three_subsystems_of_database_codes():
    spec = load_spec(PARAMS / "pilot.yaml")
    assert [s.code for s in spec.subsystems] == ["ip", "innovation", "industry"]
    for sub in ("ip", "innovation", "industry"):
        assert sum(i.subsystem == sub for i in spec.indicators) >= 3
    assert all(i.name and i.name_en for i in spec.indicators)  # zh/en side by side


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(SpecError, match="not found"):
        load_spec(tmp_path / "nope.yaml")
    p = tmp_path / "bad.yaml"
    p.write_text("indicators: [", encoding="utf-8")
    with pytest.raises(SpecError, match="invalid YAML"):
        load_spec(p)
    p.write_text(yaml.safe_dump(["a"]), encoding="utf-8")
    with pytest.raises(SpecError, match="mapping"):
        load_spec(p)


def test_uncertainty_candidates_are_checked_too():
    with pytest.raises(SpecError, match="uncertainty candidates"):
        parse_spec({"indicators": [{"code": "a"}],
                    "uncertainty": {"enabled": True, "normalise": ["zscore"], "score": ["geometric"]}})


def test_every_yaml_example_in_the_docs_is_a_valid_spec():
    import re
    from pathlib import Path

    import yaml

    from iplayout.evaluation.spec import parse_spec

    doc = (Path(__file__).resolve().parents[2] / "docs" / "evaluation.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, flags=re.S)
    assert len(blocks) >= 3
    for b in blocks:
        parse_spec(yaml.safe_load(b), source="docs/evaluation.md")

"""params/survey.yaml: validated (unknown keys, unlisted key indicators are errors) and read by the stage."""
import shutil

import pytest
import yaml

from iplayout.config import params_dir
from iplayout.errors import ParameterError
from iplayout.stages.survey_spec import load_survey_spec


def test_shipped_spec():
    spec = load_survey_spec()
    assert (spec.first_year, spec.growth_span) == (2010, 5)
    assert (spec.regression.x, spec.regression.y) == ("rd_expenditure", "patent_grants")
    assert spec.key_indicators[0] == "patent_applications" and "gdp" in spec.context_indicators
    assert len(spec.ip_indicators) == 21 and len(spec.industry_indicators) == 10


def _write(tmp_path, **change):
    raw = yaml.safe_load((params_dir() / "survey.yaml").read_text(encoding="utf-8"))
    raw.update(change)
    (tmp_path / "survey.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("change, match", [
    ({"growth_spam": 5}, "growth_spam"),
    ({"growth_span": 0}, "growth_span"),
    ({"key_indicators": ["patent_grants", "industry_output"]}, "key_indicators not among"),
    ({"regression": {"x": "rd_expenditure", "y": "nope"}}, "regression not among"),
    ({"ip_indicators": ["patent_grants", "patent_grants"]}, "listed twice"),
])
def test_invalid_spec_names_file_and_key(tmp_path, change, match):
    with pytest.raises(ParameterError, match=match) as exc:
        load_survey_spec(_write(tmp_path, **change))
    assert "survey.yaml" in str(exc.value)


def test_a_params_folder_without_survey_yaml_uses_the_project_one(tmp_path):
    shutil.copytree(params_dir() / "evaluation", tmp_path / "evaluation")
    assert load_survey_spec(tmp_path) == load_survey_spec()

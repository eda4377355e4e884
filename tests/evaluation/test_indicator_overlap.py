"""No IP-right count in a non-IP subsystem unless a justification is stated (it would inflate coupling)."""
import pandas as pd
import pytest

from iplayout.errors import SpecError
from iplayout.evaluation.from_db import check_subsystem_overlap
from iplayout.evaluation.spec import load_spec, parse_spec
from iplayout.config import params_dir

CATALOGUE = pd.DataFrame({"code": ["patent_applications_invention", "rd_expenditure", "gdp", "invention_share_grants"],
                          "subsystem": ["ip", "innovation", "industry", "ip"]})


def _spec(sub: str, justification: str = ""):
    return parse_spec({"id_column": "region_code", "subsystems": [{"code": "ip"}, {"code": "innovation"}],
                       "indicators": [{"code": "invention_share_grants", "subsystem": "ip"},
                                      {"code": "rd_expenditure_per_100m_gdp", "subsystem": "innovation"},
                                      {"code": "patent_applications_invention_per_10k_pop", "subsystem": sub,
                                       "name": "每万人发明专利申请量", "justification": justification}]})


def test_ip_count_in_innovation_is_refused_with_a_clear_message():
    with pytest.raises(SpecError) as exc:
        check_subsystem_overlap(_spec("innovation"), CATALOGUE)
    msg = str(exc.value)
    assert "patent_applications_invention_per_10k_pop" in msg and "每万人发明专利申请量" in msg and "justification" in msg


def test_ip_subsystem_or_a_stated_justification_passes():
    check_subsystem_overlap(_spec("ip"), CATALOGUE)
    check_subsystem_overlap(_spec("innovation", "发明申请反映研发活动产出，按试点方案口径列入创新能力"), CATALOGUE)


@pytest.mark.parametrize("name", ["pilot.yaml", "jiangsu_cities.yaml"])
def test_shipped_specs_have_no_overlap(name):
    import iplayout
    from iplayout.config import default_db_path

    spec = load_spec(params_dir() / "evaluation" / name)
    with iplayout.open_db(default_db_path()) as db:
        check_subsystem_overlap(spec, db.indicators())
    js = {i.code: i.subsystem for i in spec.indicators}
    if name == "jiangsu_cities.yaml":  # moved out of the innovation subsystem (issue 14)
        assert js["patent_applications_invention_per_10k_pop"] == "ip"

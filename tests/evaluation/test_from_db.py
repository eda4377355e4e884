"""``evaluate(db, spec, territory, year)`` on the integrated database (skipped if it is not built)."""
from pathlib import Path

import numpy as np
import pytest

from iplayout.config import default_db_path

PARAMS = Path(__file__).resolve().parents[2] / "params" / "evaluation"

pytestmark = pytest.mark.skipif(not default_db_path().exists(), reason="integrated database not built (iplayout db build)")


@pytest.fixture(scope="module")
def db():
    import iplayout
    with iplayout.open_db() as d:
        yield d


@pytest.fixture(scope="module")
def pilot_2018(db):
    from iplayout.evaluation.from_db import evaluate
    return evaluate(db, PARAMS / "pilot.yaml", "100000", 2018)


def test_pilot_31_provinces(pilot_2018):
    s = pilot_2018.scores
    assert len(s) == 31 and s["region_code"].str.fullmatch(r"\d{6}").all()
    assert sorted(s["rank"]) == list(range(1, 32))
    assert {"U_ip", "U_innovation", "U_industry", "C", "T", "D", "class", "lagging", "rank_p05", "rank_p95",
            "dea_efficiency", "region_name"} <= set(s.columns)
    assert pilot_2018.step("data")["is_demo"] is False


def test_derived_indicator_matches_db_helper(db, pilot_2018):
    # the engine's raw input for a derived code is the db helper's value (normalised values are monotone in it)
    per10k = db.per_10k_pop("valid_patents_invention", territory="100000", years=[2018]).set_index("region_code")["value"]
    norm = pilot_2018.normalised.set_index("region_code")["valid_patents_invention_per_10k_pop"]
    assert norm.idxmax() == per10k.idxmax() == "110000"  # 北京 leads valid invention patents per 10k


def test_pilot_jiangsu_ranks_high_nationally(pilot_2018):
    # Sanity anchor: Beijing, Shanghai, Jiangsu, Guangdong and Zhejiang are the top IP provinces in every
    # CNIPA annual report of the pilot period; Jiangsu must be in the top 5 of the composite.
    s = pilot_2018.scores.set_index("region_code")
    assert s.loc["320000", "rank"] <= 5 and s.loc["110000", "rank"] == 1


def test_panel_of_years(db):
    from iplayout.evaluation.from_db import evaluate
    spec = {"indicators": [{"code": "patent_grants_invention_per_10k_pop"}, {"code": "rd_intensity"}],
            "normalise": {"method": "minmax", "pool": "panel"}}
    res = evaluate(db, spec, "100000", [2016, 2017, 2018])
    assert len(res.scores) == 93
    assert res.scores.groupby("year")["rank"].max().tolist() == [31, 31, 31]


def test_unknown_indicator_names_the_code(db):
    from iplayout.evaluation.from_db import evaluate
    with pytest.raises(Exception, match="no_such_indicator"):
        evaluate(db, {"indicators": [{"code": "no_such_indicator"}, {"code": "rd_intensity"}]}, "100000", 2018)


def test_jiangsu_cities(db):
    from iplayout.evaluation.from_db import evaluate
    if not db.is_demo("320000"):
        pytest.skip("Jiangsu city demo panel not in this database build")
    res = evaluate(db, PARAMS / "jiangsu_cities.yaml", "320000", 2018)
    assert len(res.scores) == 13 and res.step("data")["is_demo"] is True
    assert np.isfinite(res.scores["D"]).all()


def test_default_spec_per_territory(db):
    from iplayout.evaluation.from_db import default_spec_path, evaluate
    assert default_spec_path("320000").name == "jiangsu_cities.yaml"
    assert default_spec_path("100000").name == "pilot.yaml"
    res = evaluate(db, None, "100000", 2018)
    assert res.spec.name.startswith("知识产权区域布局")

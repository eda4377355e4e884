"""One evaluation per report: the stage's report-year cross-section is the last point of its trend.

Both default territories (31 provinces, 13 Jiangsu cities) are evaluated with their shipped specs, the Monte
Carlo shortened (it does not touch scores, D or ranks) so the test runs in seconds.
"""
from pathlib import Path

import pandas as pd
import pytest
import yaml

import iplayout
from iplayout.config import default_db_path, params_dir
from iplayout.stages.evaluation import compute_evaluation, panel_years

CASES = [("100000", 2022, "pilot.yaml"), ("320000", 2018, "jiangsu_cities.yaml")]
pytestmark = pytest.mark.slow  # two full stage computations (≈ 40 s on a busy 2-core machine)


@pytest.fixture(scope="module")
def stages(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    (root / "evaluation").mkdir()
    for _, _, name in CASES:
        spec = yaml.safe_load((params_dir() / "evaluation" / name).read_text(encoding="utf-8"))
        spec["uncertainty"].update({"reps": 40, "sensitivity": False, "loo": False})
        (root / "evaluation" / name).write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    out = {}
    with iplayout.open_db(default_db_path()) as db:
        for terr, year, _ in CASES:
            out[(terr, year)] = compute_evaluation(db, territory=terr, year=year, params_dir=root)[0]
    return out


@pytest.mark.parametrize("territory, year", [(t, y) for t, y, _ in CASES])
def test_cross_section_equals_last_point_of_trend(stages, territory, year):
    tables = stages[(territory, year)]
    s = tables["scores"].set_index("region_code").sort_index()
    t = tables["trend"]
    assert t["year"].nunique() >= 2 and int(t["year"].max()) == year
    last = t[t["year"] == year].set_index("region_code").sort_index()
    assert list(last.index) == list(s.index) and len(s) == {"100000": 31, "320000": 13}[territory]
    for col in ["D", "score", "rank", "C", "T"] + [c for c in s.columns if c.startswith("U_")]:
        pd.testing.assert_series_equal(s[col], last[col], check_dtype=False, obj=col)
    assert (s["class"] == last["class"]).all() and (s["lagging"] == last["lagging"]).all()
    # every report-year table is the report year only, and the normalisation pool is the panel
    assert set(tables["normalised"]["year"]) == {year} and set(tables["obstacles"]["year"]) == {year}
    assert set(tables["weights"]["pool"]) == {"_all"}


def test_panel_years_are_the_complete_run_ending_at_the_report_year():
    from iplayout.evaluation.spec import load_spec

    with iplayout.open_db(default_db_path()) as db:
        spec = load_spec(params_dir() / "evaluation" / "pilot.yaml")
        # high-tech manufacturing revenue has no 2017 edition: the national panel starts in 2018
        assert panel_years(db, spec, "100000", 2022) == [2018, 2019, 2020, 2021, 2022]
        assert panel_years(db, spec, "100000", 2017) == [2017]
        js = load_spec(params_dir() / "evaluation" / "jiangsu_cities.yaml")
        assert panel_years(db, js, "320000", 2016) == list(range(2011, 2017))

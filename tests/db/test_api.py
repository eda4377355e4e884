"""open_db and the derived indicators (formulas checked against hand computations)."""
from __future__ import annotations

import math

import pytest

import iplayout
from iplayout.db.api import TIDY_COLUMNS, cagr_values, open_db, ratio
from iplayout.errors import IplayoutError, ParameterError


def test_open_db_missing_file_says_what_to_run(tmp_path):
    with pytest.raises(IplayoutError, match="iplayout db build"):
        open_db(tmp_path / "nope.duckdb")


def test_package_level_open_db(db_path):
    with iplayout.open_db(db_path) as db:
        assert len(db.members("320000")) == 13


def test_read_only_connections_can_coexist(db_path):
    a, b = open_db(db_path), open_db(db_path)
    try:
        assert a.observations(regions="320000", years=2015, indicators=["gdp"])["value"].iloc[0] == \
            b.observations(regions="320000", years=2015, indicators=["gdp"])["value"].iloc[0]
        with pytest.raises(Exception):
            a.con.execute("DELETE FROM observations")
    finally:
        a.close()
        b.close()


def test_observations_tidy_frame(db):
    obs = db.observations(indicators=["gdp", "population"], territory="320000", years=[2015, 2016])
    assert list(obs.columns) == TIDY_COLUMNS
    assert len(obs) == 13 * 2 * 2
    assert obs["region_code"].map(type).eq(str).all()
    assert obs.loc[obs["indicator_code"] == "gdp", "unit"].eq("亿元").all()
    real_only = db.observations(indicators=["gdp"], territory="320000", years=[2016], include_demo=False)
    assert len(real_only) == 1  # 2016 has one verified city GDP; the rest is demo


def test_panel_wide(db):
    p = db.panel(["patent_grants", "gdp"], "100000", years=range(2015, 2018))
    assert p.shape == (31 * 3, 2) and list(p.columns) == ["patent_grants", "gdp"]
    assert p.loc[("320000", 2015), "patent_grants"] == 250290


def test_unknown_codes_raise(db):
    with pytest.raises(ParameterError):
        db.members("999999")
    with pytest.raises(ParameterError):
        db.per_10k_pop("no_such_indicator", regions="320000")


def test_invention_share_golden(db):
    # 36,015 / 250,290 = 14.389 % (江苏 2015 grants)
    s = db.invention_share("grants", regions="320000", years=2015)
    assert s["value"].iloc[0] == pytest.approx(100 * 36015 / 250290)
    assert s["unit"].iloc[0] == "%"


def test_per_10k_pop_and_per_100m_gdp(db):
    obs = db.observations(regions="320000", years=2015, indicators=["valid_patents_invention", "population", "gdp",
                                                                     "patent_grants"]).set_index("indicator_code")["value"]
    d = db.per_10k_pop("valid_patents_invention", regions="320000", years=2015)
    assert d["value"].iloc[0] == pytest.approx(obs["valid_patents_invention"] / obs["population"])
    assert d["indicator_code"].iloc[0] == "valid_patents_invention_per_10k_pop" and d["unit"].iloc[0] == "件/万人"
    assert 13 < d["value"].iloc[0] < 15  # published 每万人发明专利拥有量 2015: 14.22 (pre-census population)
    g = db.per_100m_gdp("patent_grants", regions="320000", years=2015)
    assert g["value"].iloc[0] == pytest.approx(obs["patent_grants"] / obs["gdp"])
    assert "+" in g["source_id"].iloc[0]


def test_share_of_territory_sums_to_100(db):
    s = db.share_of_territory("patent_grants", "100000", years=[2015, 2020])
    assert s.groupby("year")["value"].sum().tolist() == pytest.approx([100.0, 100.0])
    js = s[(s.region_code == "320000") & (s.year == 2015)]["value"].iloc[0]
    members = db.observations(indicators=["patent_grants"], territory="100000", years=2015)["value"].sum()
    assert js == pytest.approx(100 * 250290 / members)


def test_cagr(db):
    c = db.cagr("patent_grants", "100000", end_year=2020, n_years=5)
    js = c[c.region_code == "320000"]["value"].iloc[0]
    a = db.observations(indicators=["patent_grants"], regions="320000", years=[2015, 2020])["value"].tolist()
    assert js == pytest.approx(((a[1] / a[0]) ** (1 / 5) - 1) * 100)
    assert len(c) == 31


def test_ratio_and_cagr_helpers():
    import pandas as pd

    assert ratio(pd.Series([1.0]), pd.Series([0.0])).isna().all()
    assert cagr_values(pd.Series([100.0]), pd.Series([121.0]), 2).iloc[0] == pytest.approx(10.0)
    assert math.isnan(cagr_values(pd.Series([0.0]), pd.Series([1.0]), 2).iloc[0])


def test_is_demo(db):
    assert db.is_demo("320000") is True
    assert db.is_demo("100000") is False
    assert db.is_demo("320000", indicators=["urbanization_rate"]) is False


def test_derive_by_name(db):
    a = db.derive("per_10k_pop", "patent_grants", territory="100000", years=2015)
    b = db.per_10k_pop("patent_grants", territory="100000", years=2015)
    assert a.equals(b) and len(a) == 31
    with pytest.raises(ParameterError):
        db.derive("nope", "gdp")

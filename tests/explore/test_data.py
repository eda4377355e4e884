"""Explorer payloads equal the database: values, demo flags, sources, derived ratios; ranks by hand."""
import numpy as np
import pytest

from iplayout.errors import DataError
from iplayout.explore.data import Series, file_key, indicator_entry, ranks, series_payload
from iplayout.explore.site import read_jsonp


@pytest.fixture(scope="module")
def jiangsu(db, site):
    """The payloads as the page reads them: parsed back from the site's data scripts (a round trip)."""
    members = db.members("320000")["code"].astype(str).tolist()
    out = {}
    for f in sorted((site / "data" / "320000").glob("*.js")):
        key, payload = read_jsonp(f)
        if key.startswith("data:"):
            out[payload["key"]] = payload
    return out, members


def _cell(p, year, code):
    return p["v"][p["years"].index(year)][p["regions"].index(code)]


def test_values_flags_and_sources_are_the_databases(db, jiangsu):
    payloads, members = jiangsu
    p = payloads["patent_grants"]
    obs = db.observations(indicators=["patent_grants"], territory="320000")
    assert p["regions"] == members and p["years"] == sorted(obs["year"].unique().tolist())
    for r in obs.sample(20, random_state=1).itertuples():
        yi, ri = p["years"].index(r.year), members.index(r.region_code)
        assert p["v"][yi][ri] == pytest.approx(r.value)
        assert p["demo"][yi][ri] == int(r.is_demo)
        assert p["sources"][p["src"][yi][ri]] == r.source_id
    assert p["is_demo"] and p["unit"] == "件" and p["name"] == "国内专利授权量（合计）"
    # a real fact inside the demo panel keeps its own flags: 苏州 2014 applications ≈ 103,000 (about), not demo
    a = payloads["patent_applications"]
    yi, ri = a["years"].index(2014), members.index("320500")
    assert a["v"][yi][ri] == 103000.0 and a["demo"][yi][ri] == 0 and a["flags"][f"{yi},{ri}"] == "约数"


def test_industry_series_are_keyed_by_industry(jiangsu):
    payloads, _ = jiangsu
    p = payloads["industry_output@SEI01"]
    assert p["industry_name"] == "新一代信息技术产业" and indicator_entry(p)["file"] == "industry_output--SEI01"
    assert indicator_entry(p)["label"].endswith("·新一代信息技术产业")


def test_derived_per_10k_pop_is_ratio_of_stored_facts(db):
    members = db.members("100000")["code"].astype(str).tolist()
    code = "valid_patents_invention_per_10k_pop"
    ind = db.indicators().set_index("code").loc[code].to_dict()
    p = series_payload(Series(code, "_T", db.derive("per_10k_pop", "valid_patents_invention", territory="100000")),
                       territory="100000", members=members, indicator=ind)
    o = db.observations(indicators=["valid_patents_invention", "population"], regions=["320000"], years=[2020])
    v = o.set_index("indicator_code")["value"]
    assert _cell(p, 2020, "320000") == pytest.approx(v["valid_patents_invention"] / v["population"], rel=1e-6)
    assert indicator_entry(p)["derived"] and p["unit"] == "件/万人"


def test_ranks_by_hand_and_per_year_rank_matches_values(jiangsu):
    assert ranks(np.array([[3.0, 1.0, np.nan, 3.0, 2.0]]), "+").tolist()[0][:2] == [1.0, 4.0]
    r = ranks(np.array([[3.0, 1.0, np.nan, 3.0, 2.0]]), "-")[0]
    assert r[1] == 1 and r[4] == 2 and r[0] == r[3] == 3 and np.isnan(r[2])
    p = jiangsu[0]["patent_grants"]
    yi = p["years"].index(2019)
    top = int(np.nanargmax(np.array(p["v"][yi], dtype=float)))
    assert p["rank"][yi][top] == 1 and p["n"][yi] == 13
    assert sorted(p["rank"][yi]) == list(range(1, 14))


def test_breaks_are_stored_per_year(jiangsu):
    p = jiangsu[0]["patent_grants"]
    yi = p["years"].index(2019)
    row = np.array(p["v"][yi], dtype=float)
    assert p["breaks"]["quantile"][yi][-1] == pytest.approx(row.max())
    assert p["breaks"]["jenks"][yi][-1] == pytest.approx(row.max())
    allv = np.array([x for r in p["v"] for x in r if x is not None])
    assert p["breaks"]["fixed"] == pytest.approx(list(np.linspace(allv.min(), allv.max(), 6)[1:]))


def test_file_key_refuses_paths():
    assert file_key("industry_output@HT") == "industry_output--HT"
    for bad in ("../x", "a/b", "x@../../y", "名"):
        with pytest.raises(DataError):
            file_key(bad)

"""Zone typology, Monte Carlo zone probabilities, threshold sensitivity and the clustering cross-check."""
import numpy as np
import pandas as pd
import pytest

from iplayout.allocation import clusters, zones
from iplayout.allocation.spec import load_zone_spec
from iplayout.config import params_dir


@pytest.fixture(scope="module")
def spec():
    return load_zone_spec(params_dir() / "allocation" / "zones.yaml")


def _scores(rows):
    return pd.DataFrame(rows, columns=["region_code", "U_ip", "U_innovation", "U_industry"])


def test_eight_types_and_median_threshold(spec):
    # 5 regions: medians are 0.5 / 0.5 / 0.5; high ⇔ U ≥ t
    s = _scores([("A", 0.9, 0.9, 0.9), ("B", 0.9, 0.9, 0.1), ("C", 0.5, 0.1, 0.9), ("D", 0.1, 0.5, 0.5),
                 ("E", 0.1, 0.1, 0.1)])
    z = zones.assign_zones(s, spec).set_index("region_code")
    assert z["pattern"].to_dict() == {"A": "HHH", "B": "HHL", "C": "HLH", "D": "LHH", "E": "LLL"}
    assert z.loc["A", "zone_name"] == "协同引领区" and z.loc["B", "zone_name"] == "知识产权输出区"
    assert z.loc["E", "zone"] == "Z8" and z.loc["D", "zone"] == "Z5"
    assert z["t_ip"].iloc[0] == pytest.approx(0.5)
    # C sits exactly on the ip threshold → 临界 sub-band names that subsystem
    assert "知识产权" in z.loc["C", "band"] and z.loc["A", "band"] == ""


def _draws():
    # 4 draws × 3 regions; thresholds are each draw's medians
    rows = []
    pattern = {0: [(0.9, 0.9, 0.9), (0.5, 0.5, 0.5), (0.1, 0.1, 0.1)],   # A HHH, B HHH(on median), C LLL
               1: [(0.9, 0.9, 0.9), (0.5, 0.5, 0.5), (0.1, 0.1, 0.1)],
               2: [(0.9, 0.9, 0.1), (0.1, 0.1, 0.9), (0.5, 0.5, 0.5)],   # A HHL, B LLH, C HHH
               3: [(0.1, 0.9, 0.9), (0.5, 0.1, 0.5), (0.9, 0.5, 0.1)]}   # A LHH, B HLH, C HHL
    for d, vals in pattern.items():
        for code, v in zip("ABC", vals):
            rows.append((d, code, *v))
    return pd.DataFrame(rows, columns=["draw", "region_code", "U_ip", "U_innovation", "U_industry"])


def test_zone_probabilities_equal_hand_counted_shares(spec):
    p = zones.zone_probabilities(_draws(), spec)
    got = p.set_index(["region_code", "zone"])["probability"].to_dict()
    # counted by hand from the four draws above
    assert got == {("A", "Z1"): 0.5, ("A", "Z2"): 0.25, ("A", "Z5"): 0.25,
                   ("B", "Z1"): 0.5, ("B", "Z7"): 0.25, ("B", "Z3"): 0.25,
                   ("C", "Z8"): 0.5, ("C", "Z1"): 0.25, ("C", "Z2"): 0.25}
    assert np.allclose(p.groupby("region_code")["probability"].sum(), 1.0)


def test_borderline_and_candidates(spec):
    base = zones.assign_zones(_draws().query("draw == 0"), spec)
    st = zones.zone_stability(base, zones.zone_probabilities(_draws(), spec), spec).set_index("region_code")
    assert st.loc["A", "probability"] == 0.5 and bool(st.loc["A", "borderline"])
    assert st.loc["A", "candidates"].startswith("协同引领区/")
    one = zones.zone_stability(base, pd.DataFrame({"region_code": list("ABC"), "zone": ["Z1", "Z1", "Z8"],
                                                   "probability": [1.0, 1.0, 1.0]}), spec)
    assert not one["borderline"].any() and (one["candidates"] == "").all()


def test_unequal_draws_are_refused(spec):
    from iplayout.errors import DataError

    with pytest.raises(DataError, match="every draw"):
        zones.zone_probabilities(_draws().iloc[:-1], spec)


def test_threshold_sensitivity_count(spec):
    # medians 0.5; B at 0.52 on ip flips to low when t rises 10 % (0.55); D at 0.47 flips to high when t falls (0.45)
    s = _scores([("A", 0.9, 0.9, 0.9), ("B", 0.52, 0.9, 0.9), ("C", 0.5, 0.5, 0.5), ("D", 0.47, 0.1, 0.1),
                 ("E", 0.1, 0.1, 0.1)])
    t = zones.threshold_sensitivity(s, spec).set_index("shift")
    assert t.loc["-10%", "regions"] == "D"
    assert t.loc["+10%", "regions"] == "B、C"  # C sits on every threshold: +10 % drops it to LLL
    assert t.loc["±10%", "n_changed"] == 3


def test_cluster_check_agreement_is_one_for_separated_groups(spec):
    s = _scores([(f"H{i}", 0.9 + i / 100, 0.9, 0.9) for i in range(4)] + [(f"L{i}", 0.1 + i / 100, 0.1, 0.1) for i in range(4)])
    z = zones.assign_zones(s, spec)
    out = clusters.cluster_check(s, z, spec)
    ag = out["agreement"].set_index("method")
    assert (ag["k"] == 2).all() and np.allclose(ag["ari"], 1.0) and np.allclose(ag["agreement"], 1.0)
    assert out["silhouette"]["chosen"].sum() == 2
    assert clusters.matched_agreement(["a", "a", "b", "b"], [2, 2, 1, 2]) == 0.75

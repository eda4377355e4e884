"""COINr-rule outlier treatment with audit."""
import numpy as np
import pandas as pd
from scipy import stats

from iplayout.methods.treatment import log_transform, skew_kurt, treat_outliers


def test_skew_kurt_are_adjusted_fisher_pearson():
    x = np.array([1.0, 2, 3, 4, 10, 30])
    sk, ku = skew_kurt(x)
    assert sk == stats.skew(x, bias=False) and ku == stats.kurtosis(x, bias=False)


def test_one_outlier_is_winsorised_and_audited():
    x = np.r_[np.linspace(1, 2, 30), 50.0]
    t, audit = treat_outliers(pd.DataFrame({"a": x, "b": np.linspace(0, 1, 31)}))
    row = audit.set_index("indicator").loc["a"]
    assert row.flagged and row.action == "winsorise" and row.n_winsorised == 1
    assert t["a"].max() == 2.0  # replaced by the next value inward
    assert audit.set_index("indicator").loc["b", "action"] == "none"
    assert (t["b"] == np.linspace(0, 1, 31)).all()


def test_heavy_tail_falls_back_to_log():
    x = np.r_[np.ones(20), np.geomspace(10, 1e6, 10)]
    t, audit = treat_outliers(pd.DataFrame({"a": x}), winsor_max=2)
    assert audit.loc[0, "action"] == "log"
    np.testing.assert_allclose(t["a"], log_transform(x))

"""Indicator types (正向化) and the normalise_* family: formulas on hand-checkable data."""
import numpy as np
import pandas as pd
import pytest

from iplayout.errors import MethodError
from iplayout.methods.normalise import NORMALISERS, normalise
from iplayout.methods.transform import apply_types, transform_interval, transform_middle


def test_middle_type_formula():
    # 1 − |x − m| / max|x − m| with m = 7: deviations 0, 2, 4, 1 → 1, 0.5, 0, 0.75
    x = pd.Series([7.0, 5.0, 11.0, 8.0])
    assert transform_middle(x, 7.0).tolist() == [1.0, 0.5, 0.0, 0.75]


def test_interval_type_formula():
    # [a, b] = [10, 20], min 4, max 26 → M = max(10 − 4, 26 − 20) = 6
    x = pd.Series([4.0, 10.0, 15.0, 20.0, 23.0, 26.0])
    np.testing.assert_allclose(transform_interval(x, 10, 20), [0.0, 1.0, 1.0, 1.0, 0.5, 0.0])


def test_interval_all_inside_is_one():
    assert transform_interval(pd.Series([11.0, 12.0]), 10, 20).tolist() == [1.0, 1.0]


def test_apply_types_directions_and_bounded():
    t = pd.DataFrame({"b": [1.0, 2.0], "c": [3.0, 4.0], "m": [1.0, 3.0]})
    x, d, bnd = apply_types(t, {"b": {"type": "benefit"}, "c": {"type": "cost"}, "m": {"type": "middle", "target": 1}})
    assert d.to_dict() == {"b": 1, "c": -1, "m": 1}
    assert bnd.to_dict() == {"b": False, "c": False, "m": True}
    assert x["m"].tolist() == [1.0, 0.0]


def _dir(cols, cost=()):
    return pd.Series([(-1 if c in cost else 1) for c in cols], index=cols)


def _bnd(cols, bounded=()):
    return pd.Series([c in bounded for c in cols], index=cols)


def test_minmax_reverses_cost_and_keeps_bounded():
    x = pd.DataFrame({"b": [0.0, 5.0, 10.0], "c": [0.0, 5.0, 10.0], "m": [0.2, 1.0, 0.0]})
    z = normalise("minmax", x, _dir(x.columns, ["c"]), _bnd(x.columns, ["m"]))
    assert z["b"].tolist() == [0.0, 0.5, 1.0]
    assert z["c"].tolist() == [1.0, 0.5, 0.0]
    assert z["m"].tolist() == [0.2, 1.0, 0.0]  # bounded column kept
    z2 = normalise("minmax", x, _dir(x.columns, ["c"]), _bnd(x.columns, ["m"]), bounded_policy="rescale")
    assert z2["m"].tolist() == [0.2, 1.0, 0.0]  # already spans [0, 1]


def test_eps_shrink_conventions():
    eps = 0.01
    x = pd.DataFrame({"b": [0.0, 5.0, 10.0], "c": [0.0, 5.0, 10.0], "m": [0.2, 1.0, 0.0]})
    z = normalise("eps_shrink", x, _dir(x.columns, ["c"]), _bnd(x.columns, ["m"]), eps=eps)
    np.testing.assert_allclose(z["b"], [0.01, 0.5, 0.99])
    np.testing.assert_allclose(z["c"], [0.99, 0.5, 0.01])
    # bounded: not rescaled, only exact 0 → ε and 1 → 1 − ε
    np.testing.assert_allclose(z["m"], [0.2, 0.99, 0.01])


def test_zscore_and_goalposts():
    x = pd.DataFrame({"b": [1.0, 2.0, 3.0], "c": [1.0, 2.0, 3.0]})
    z = normalise("zscore", x, _dir(x.columns, ["c"]), _bnd(x.columns))
    np.testing.assert_allclose(z["b"], [-1, 0, 1])
    np.testing.assert_allclose(z["c"], [1, 0, -1])
    g = normalise("goalposts", x, _dir(x.columns, ["c"]), _bnd(x.columns), goalposts={"b": (0, 4), "c": (2, 3)})
    np.testing.assert_allclose(g["b"], [0.25, 0.5, 0.75])
    np.testing.assert_allclose(g["c"], [1.0, 1.0, 0.0])  # clipped


def test_constant_column_and_unknown_name():
    x = pd.DataFrame({"k": [3.0, 3.0, 3.0]})
    assert normalise("minmax", x, _dir(x.columns), _bnd(x.columns))["k"].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(MethodError, match="unknown normalisation"):
        normalise("rank", x, _dir(x.columns), _bnd(x.columns))


def test_registry_names_share_prefix():
    import iplayout.methods.normalise as mod
    for name, fn in NORMALISERS.items():
        assert fn is getattr(mod, f"normalise_{name}")

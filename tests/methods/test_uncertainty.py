"""Monte Carlo, sensitivity and leave-one-out: determinism, nominal consistency, known structure."""
import numpy as np
import pytest

from iplayout.methods.scores import topsis_matrix, weighted_sum_matrix
from iplayout.methods.uncertainty import (CompositeModel, evaluate_draws, leave_one_out, monte_carlo,
                                          sample_weights, sensitivity_indices)


def _model(seed=0, n=15, k=6, norms=("minmax",), aggs=("weighted_sum",), coupling=None):
    rng = np.random.default_rng(seed)
    z = rng.uniform(0.01, 1, size=(n, k))
    groups = np.array([0, 0, 1, 1, 2, 2])[:k]
    w = np.tile([0.5, 0.5], 3)[:k]
    zs = {m: z if m == "minmax" else np.sqrt(z) for m in norms}
    r = z / np.sqrt((z ** 2).sum(axis=0))
    return CompositeModel(z=zs, topsis_r=r, topsis_dir=np.ones(k), groups=groups, w_base=w,
                          beta=np.ones(3) / 3, rank_groups=np.zeros(n), coupling=coupling,
                          norms=list(norms), aggs=list(aggs))


def test_same_seed_same_draws_different_seed_differs():
    m = _model(aggs=("weighted_sum", "topsis"), norms=("minmax", "sqrt"))
    a = monte_carlo(m, reps=300, seed=5)
    b = monte_carlo(m, reps=300, seed=5)
    c = monte_carlo(m, reps=300, seed=6)
    assert np.array_equal(a["rank"], b["rank"]) and np.array_equal(a["score"], b["score"])
    assert not np.array_equal(a["score"], c["score"])


def test_chunking_does_not_change_results():
    m = _model(aggs=("weighted_sum", "topsis"))
    a = monte_carlo(m, reps=500, seed=1, chunk=64)
    b = monte_carlo(m, reps=500, seed=1, chunk=10_000)
    np.testing.assert_array_equal(a["rank"], b["rank"])


def test_vectorised_equals_loop():
    m = _model(aggs=("weighted_sum", "topsis"))
    rng = np.random.default_rng(0)
    w = sample_weights(m, 50, rng)
    agg = rng.integers(0, 2, size=50)
    out = evaluate_draws(m, w, np.zeros(50, int), agg)["score"]
    for r in range(50):
        wg = w[r] / 3  # β = 1/3 and each subsystem's weights sum to 1
        ref = (weighted_sum_matrix(m.z["minmax"], wg) if agg[r] == 0
               else topsis_matrix(m.topsis_r, wg, m.topsis_dir))[:, 0]
        np.testing.assert_allclose(out[:, r], ref, rtol=1e-12)


def test_weight_samples_are_centred_and_normalised():
    m = _model()
    w = sample_weights(m, 20000, np.random.default_rng(0), method="dirichlet", concentration=50)
    np.testing.assert_allclose(w[:, :2].sum(axis=1), 1.0)
    np.testing.assert_allclose(w.mean(axis=0), m.w_base, atol=5e-3)
    wn = sample_weights(m, 1000, np.random.default_rng(0), method="noise", pct=0.2)
    ratio = wn[:, 0] / wn[:, 1]
    assert ratio.min() >= 0.8 / 1.2 - 1e-12 and ratio.max() <= 1.2 / 0.8 + 1e-12


def test_no_perturbation_reproduces_nominal_ranks():
    m = _model()
    mc = monte_carlo(m, reps=50, seed=0, weights={"method": "none"})
    nominal = evaluate_draws(m, m.w_base[None, :], np.zeros(1, int), np.zeros(1, int))["rank"]
    assert (mc["rank"] == nominal).all()


def test_sensitivity_identifies_the_only_uncertain_input():
    # Only the aggregation varies (weights fixed): it must carry all the variance.
    m = _model(aggs=("weighted_sum", "topsis"), norms=("minmax", "sqrt"))
    m.z["sqrt"] = m.z["minmax"]  # normalisation choice has no effect
    nominal = evaluate_draws(m, m.w_base[None, :], np.zeros(1, int), np.zeros(1, int))["rank"][:, 0]
    rows = {r["input"]: r for r in sensitivity_indices(m, nominal, n=512, seed=0, weights={"method": "none"})}
    # estimators carry sampling error in V; the other inputs are exactly 0 (f_A = f_AB)
    assert rows["aggregation"]["total"] == pytest.approx(1.0, abs=0.05)
    assert rows["aggregation"]["first_order"] == pytest.approx(1.0, abs=0.1)
    assert rows["normalise"]["total"] == pytest.approx(0.0, abs=1e-12)
    assert rows["weights:0"]["total"] == pytest.approx(0.0, abs=1e-12)


def test_leave_one_out_zero_weight_indicator_changes_nothing():
    m = _model()
    m.w_base = np.array([1.0, 0.0, 0.5, 0.5, 0.5, 0.5])
    loo, base = leave_one_out(m, "minmax", "weighted_sum")
    assert (loo[:, 1] == base).all()
    assert loo.shape == (15, 6)


def test_coupling_class_probabilities_shape():
    m = _model(coupling={"form": "standard", "boundary": "left_closed", "rescale": False,
                         "alpha": np.ones(3) / 3})
    mc = monte_carlo(m, reps=200, seed=0)
    assert mc["class"].shape == (15, 200) and mc["class"].min() >= 0 and mc["class"].max() <= 9

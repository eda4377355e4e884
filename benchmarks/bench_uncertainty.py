"""Benchmark: Monte Carlo rank uncertainty, 10,000 replications × 31 units × 20 indicators.

Prints the vectorised time, a naive per-replication loop timed on fewer replications in the same
process (extrapolated to 10,000), and the ratio. Run: ``.venv/bin/python benchmarks/bench_uncertainty.py``.
"""
from __future__ import annotations

import time

import numpy as np

from iplayout.methods.scores import geometric_matrix, topsis_matrix, weighted_sum_matrix
from iplayout.methods.uncertainty import CompositeModel, monte_carlo, rank_within, sample_weights

N_UNITS, N_IND, REPS, NAIVE_REPS, SEED = 31, 20, 10_000, 500, 20160101


def build_model(coupling: bool) -> CompositeModel:
    rng = np.random.default_rng(SEED)
    x = rng.lognormal(size=(N_UNITS, N_IND))
    z = (x - x.min(0)) / (x.max(0) - x.min(0))
    groups = np.repeat([0, 1, 2], [7, 7, 6])
    w = np.ones(N_IND)
    for s in range(3):
        w[groups == s] /= (groups == s).sum()
    return CompositeModel(z={"minmax": z, "eps_shrink": 0.01 + 0.98 * z},
                          topsis_r=x / np.sqrt((x ** 2).sum(0)), topsis_dir=np.ones(N_IND), groups=groups,
                          w_base=w, beta=np.ones(3) / 3, rank_groups=np.zeros(N_UNITS),
                          coupling={"form": "standard", "boundary": "left_closed", "rescale": False,
                                    "alpha": np.ones(3) / 3} if coupling else None,
                          norms=["minmax", "eps_shrink"], aggs=["weighted_sum", "geometric", "topsis"])


def naive(model: CompositeModel, reps: int) -> np.ndarray:
    """One replication at a time (what the vectorised code replaces)."""
    rng = np.random.default_rng(SEED)
    w = sample_weights(model, reps, rng)
    ni, ai = rng.integers(0, 2, reps), rng.integers(0, 3, reps)
    ranks = np.empty((N_UNITS, reps))
    for r in range(reps):
        wg = w[r] * model.beta[model.groups]
        z = model.z[model.norms[ni[r]]]
        agg = model.aggs[ai[r]]
        if agg == "weighted_sum":
            s = weighted_sum_matrix(z, wg)
        elif agg == "geometric":
            s = geometric_matrix(z, wg)
        else:
            s = topsis_matrix(model.topsis_r, wg, model.topsis_dir)
        ranks[:, r] = rank_within(s, model.rank_groups)[:, 0]
    return ranks


def engine_run() -> float:
    """Whole engine (3 subsystems, coupling, 10,000 MC reps, sensitivity N = 256, leave-one-out)."""
    import pandas as pd

    from iplayout.evaluation import evaluate_table

    rng = np.random.default_rng(SEED)
    table = pd.DataFrame(rng.lognormal(size=(N_UNITS, N_IND)), columns=[f"x{j:02d}" for j in range(N_IND)])
    table.insert(0, "id", [f"{110000 + 10000 * i}" for i in range(N_UNITS)])
    subs = ["ip", "innovation", "industry"]
    spec = {"indicators": [{"code": c, "subsystem": subs[j * 3 // N_IND]} for j, c in enumerate(table.columns[1:])],
            "subsystems": [{"code": s} for s in subs], "normalise": {"method": "eps_shrink"},
            "uncertainty": {"enabled": True, "reps": REPS, "seed": SEED, "normalise": ["minmax"],
                            "score": ["geometric", "topsis"], "sensitivity_n": 256}}
    t0 = time.perf_counter()
    evaluate_table(table, spec)
    return time.perf_counter() - t0


def main() -> None:
    for coupling in (False, True):
        m = build_model(coupling)
        monte_carlo(m, reps=200, seed=SEED)  # warm-up (imports, BLAS threads)
        t0 = time.perf_counter()
        out = monte_carlo(m, reps=REPS, seed=SEED)
        t_vec = time.perf_counter() - t0
        label = "with coupling classes" if coupling else "ranks only"
        print(f"vectorised MC ({label}): {REPS} reps × {N_UNITS} units × {N_IND} indicators: {t_vec:.3f} s "
              f"({'OK' if t_vec < 5 else 'SLOW'}: target < 5 s); rank matrix {out['rank'].shape}")
    m = build_model(False)
    t0 = time.perf_counter()
    naive(m, NAIVE_REPS)
    t_naive = (time.perf_counter() - t0) * REPS / NAIVE_REPS
    t0 = time.perf_counter()
    monte_carlo(m, reps=REPS, seed=SEED)
    t_vec = time.perf_counter() - t0
    print(f"naive loop: {NAIVE_REPS} reps timed, extrapolated to {REPS}: {t_naive:.2f} s; "
          f"vectorised {t_vec:.3f} s; speed-up ×{t_naive / t_vec:.1f}")
    print(f"whole engine (31 × 20, 3 subsystems, coupling, {REPS} MC reps, sensitivity N=256, LOO): "
          f"{engine_run():.2f} s")


if __name__ == "__main__":
    main()

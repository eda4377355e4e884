"""Monte Carlo uncertainty, variance-based sensitivity and leave-one-indicator-out analysis.

Everything is vectorised over replications: a replication is one row of a weight matrix W
(R × k) plus an index into the candidate normalisations and aggregations, and the scores of all
replications sharing a (normalisation, aggregation) pair come out of one matrix product.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import rankdata

from ..errors import MethodError
from .coupling import classify_d, coupling_array
from .scores import geometric_matrix, topsis_matrix, weighted_sum_matrix


@dataclass
class CompositeModel:
    """Everything a replication needs, as plain arrays (rows = units[-years] of one pool group).

    Attributes
    ----------
    z : dict
        Candidate normalisation name → benefit-oriented matrix (n × k).
    topsis_r, topsis_dir : numpy.ndarray
        Vector-normalised type-transformed matrix and directions (TOPSIS with ``norm='vector'``).
    topsis_norm : str
        ``vector`` or ``minmax`` (use ``z`` of the replication's normalisation).
    groups : numpy.ndarray
        Subsystem index (0…S−1) of each indicator.
    w_base : numpy.ndarray
        Nominal within-subsystem weights (k; each subsystem's weights sum to 1).
    beta : numpy.ndarray
        Subsystem weights in the overall score (S, sum 1).
    rank_groups : numpy.ndarray
        Label per row; ranks are computed within each label (e.g. year).
    coupling : dict or None
        ``{"alpha": array(S), "form": str, "boundary": str, "rescale": bool, "exponent": float|None}``.
    u_scaled : bool
        Subsystem scores are ``β_s ·`` the within-subsystem weighted sum (``weights.scope: all``); β is
        held at its nominal value while the within-subsystem weights vary.
    """

    z: dict[str, np.ndarray]
    topsis_r: np.ndarray
    topsis_dir: np.ndarray
    groups: np.ndarray
    w_base: np.ndarray
    beta: np.ndarray
    rank_groups: np.ndarray
    topsis_norm: str = "vector"
    topsis_distance: str = "euclidean"
    u_scaled: bool = False
    coupling: dict | None = None
    norms: list[str] = field(default_factory=list)
    aggs: list[str] = field(default_factory=list)


def _aggregate(model: CompositeModel, agg: str, norm: str, w: np.ndarray) -> np.ndarray:
    if agg == "weighted_sum":
        return weighted_sum_matrix(model.z[norm], w)
    if agg == "geometric":
        return geometric_matrix(model.z[norm], w)
    if agg == "topsis":
        if model.topsis_norm == "vector":
            return topsis_matrix(model.topsis_r, w, model.topsis_dir, distance=model.topsis_distance)
        return topsis_matrix(model.z[norm], w, np.ones(w.shape[1]), distance=model.topsis_distance)
    raise MethodError(f"unknown aggregation {agg!r}")


def global_weights(model: CompositeModel, w: np.ndarray) -> np.ndarray:
    """Overall weights ``β_s · w_j|s`` (R × k); a subsystem whose weights are all 0 drops out and
    the remaining β are renormalised (used by leave-one-out)."""
    n_sub = len(model.beta)
    sums = np.stack([w[:, model.groups == s].sum(axis=1) for s in range(n_sub)], axis=1)  # R × S
    beta = np.where(sums > 0, model.beta[None, :], 0.0)
    beta = beta / beta.sum(axis=1, keepdims=True)
    within = w / np.where(sums > 0, sums, 1.0)[:, model.groups]
    return within * beta[:, model.groups]


def rank_within(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Rank rows (1 = highest score, ties share the lowest rank) within each label, for every column."""
    out = np.empty(scores.shape, dtype=float)
    for lab in np.unique(labels):
        rows = labels == lab
        out[rows] = rankdata(-scores[rows], axis=0, method="min")
    return out


def evaluate_draws(model: CompositeModel, w: np.ndarray, norm_idx: np.ndarray,
                   agg_idx: np.ndarray) -> dict[str, np.ndarray]:
    """Scores, ranks (n × R) and, with coupling, subsystem scores and D class per replication."""
    n, r_count = model.topsis_r.shape[0], w.shape[0]
    n_sub = len(model.beta)
    score = np.empty((n, r_count))
    u = np.empty((n_sub, n, r_count)) if model.coupling else None
    wg = global_weights(model, w)
    for a_i, agg in enumerate(model.aggs):
        for n_i, norm in enumerate(model.norms):
            sel = np.flatnonzero((agg_idx == a_i) & (norm_idx == n_i))
            if sel.size == 0:
                continue
            score[:, sel] = _aggregate(model, agg, norm, wg[sel])
            if u is not None:
                for s in range(n_sub):
                    cols = model.groups == s
                    ws = w[np.ix_(sel, cols)]
                    tot = ws.sum(axis=1, keepdims=True)
                    ws = ws / np.where(tot > 0, tot, 1.0)
                    sub = _sub_model(model, cols)
                    u[s][:, sel] = _aggregate(sub, agg, norm, ws)
                    if model.u_scaled and agg == "weighted_sum":
                        u[s][:, sel] *= model.beta[s]
    out = {"score": score, "rank": rank_within(score, model.rank_groups)}
    if u is not None:
        out["u"] = u
        out["class"] = _coupling_class(model, u)
    return out


def _sub_model(model: CompositeModel, cols: np.ndarray) -> CompositeModel:
    return CompositeModel(z={k: v[:, cols] for k, v in model.z.items()}, topsis_r=model.topsis_r[:, cols],
                          topsis_dir=model.topsis_dir[cols], groups=np.zeros(cols.sum(), int),
                          w_base=model.w_base[cols], beta=np.ones(1), rank_groups=model.rank_groups,
                          topsis_norm=model.topsis_norm, topsis_distance=model.topsis_distance, norms=model.norms, aggs=model.aggs)


def _coupling_class(model: CompositeModel, u: np.ndarray) -> np.ndarray:
    cp = model.coupling
    if cp["rescale"]:
        lo, hi = u.min(axis=1, keepdims=True), u.max(axis=1, keepdims=True)
        u = np.divide(u - lo, hi - lo, out=np.zeros_like(u), where=(hi - lo) > 0)
    n_sub, n, reps = u.shape
    c = coupling_array(u.reshape(n_sub, -1).T, form=cp["form"], exponent=cp.get("exponent")).reshape(n, reps)
    t = np.tensordot(cp["alpha"], u, axes=1)
    return classify_d(np.sqrt(c * np.clip(t, 0, None)), boundary=cp["boundary"])


def sample_weights(model: CompositeModel, reps: int, rng: np.random.Generator, *,
                   method: str = "dirichlet", concentration: float = 50.0, pct: float = 0.25) -> np.ndarray:
    """Perturbed within-subsystem weights (R × k) centred on the nominal weights.

    Notes
    -----
    ``dirichlet``: within each subsystem ``w ~ Dirichlet(κ·k_s·w_base)`` (mean = nominal weights,
    larger κ = tighter); indicators with nominal weight 0 stay 0. ``noise``: ``w_j(1 + U(−p, p))``
    renormalised within the subsystem (COINr-style ±p noise).
    """
    k = model.w_base.size
    w = np.zeros((reps, k))
    for s in np.unique(model.groups):
        cols = np.flatnonzero(model.groups == s)
        base = model.w_base[cols]
        if method == "dirichlet":
            pos = base > 0
            g = np.zeros((reps, cols.size))
            if pos.any():
                g[:, pos] = rng.gamma(concentration * cols.size * base[pos], 1.0, size=(reps, pos.sum()))
        elif method == "noise":
            g = base * (1.0 + rng.uniform(-pct, pct, size=(reps, cols.size)))
        elif method == "none":
            g = np.tile(base, (reps, 1))
        else:
            raise MethodError(f"uncertainty: unknown weight perturbation {method!r} (dirichlet, noise, none)")
        tot = g.sum(axis=1, keepdims=True)
        w[:, cols] = g / np.where(tot > 0, tot, 1.0)
    return w


def _draw(model: CompositeModel, reps: int, rng: np.random.Generator, wparams: dict) -> dict[str, np.ndarray]:
    return {"w": sample_weights(model, reps, rng, **wparams),
            "norm": rng.integers(0, len(model.norms), size=reps),
            "agg": rng.integers(0, len(model.aggs), size=reps)}


def monte_carlo(model: CompositeModel, *, reps: int = 1000, seed: int = 0,
                weights: dict | None = None, chunk: int = 2500, keep_u: bool = False) -> dict[str, np.ndarray]:
    """Seeded Monte Carlo over weights, normalisation and aggregation choices.

    Returns
    -------
    dict
        ``score`` and ``rank`` (n × R), ``class`` (n × R) when coupling is on, and the draws
        (``norm``, ``agg`` indices); with ``keep_u`` (and coupling on) also the subsystem scores
        ``u`` (S × n × R). Same seed → identical arrays.

    References
    ----------
    Saisana M., Saltelli A., Tarantola S. (2005) Uncertainty and sensitivity analysis techniques as
    tools for the quality assessment of composite indicators. *JRSS A* 168(2): 307–323.
    """
    rng = np.random.default_rng(seed)
    d = _draw(model, reps, rng, weights or {})
    parts = [evaluate_draws(model, d["w"][i:i + chunk], d["norm"][i:i + chunk], d["agg"][i:i + chunk])
             for i in range(0, reps, chunk)]
    out = {key: np.concatenate([p[key] for p in parts], axis=-1) for key in parts[0] if key != "u" or keep_u}
    out.update(norm=d["norm"], agg=d["agg"])
    return out


def sensitivity_indices(model: CompositeModel, nominal_rank: np.ndarray, *, n: int = 512, seed: int = 0,
                        weights: dict | None = None) -> list[dict]:
    """First-order and total sensitivity indices of the uncertain inputs.

    The output is the mean absolute rank shift from the nominal ranking (COINr's
    "mean absolute rank change"); the inputs are the weights of each subsystem (as a group),
    the normalisation choice and the aggregation choice (those with more than one option).

    Notes
    -----
    Pick-freeze design with matrices A, B and A_B^(i) (A with input i taken from B):
    ``S_i = mean(f_B (f_{A_B^i} − f_A)) / V`` (Saltelli et al. 2010) and
    ``ST_i = mean((f_A − f_{A_B^i})²) / (2V)`` (Jansen 1999), ``V = Var([f_A, f_B])``.
    Cost: N·(d + 2) model runs.

    References
    ----------
    Saltelli A. et al. (2010) Variance based sensitivity analysis of model output. *Computer
    Physics Communications* 181: 259–270.
    """
    rng = np.random.default_rng(seed)
    wp = weights or {}
    a, b = _draw(model, n, rng, wp), _draw(model, n, rng, wp)
    factors = [(f"weights:{s}", ("w", model.groups == s)) for s in np.unique(model.groups)]
    if len(model.norms) > 1:
        factors.append(("normalise", ("norm", None)))
    if len(model.aggs) > 1:
        factors.append(("aggregation", ("agg", None)))

    def f(d):
        r = evaluate_draws(model, d["w"], d["norm"], d["agg"])["rank"]
        return np.abs(r - nominal_rank[:, None]).mean(axis=0)

    fa, fb = f(a), f(b)
    var = np.var(np.r_[fa, fb])
    rows = []
    for name, (key, cols) in factors:
        ab = {k: v.copy() for k, v in a.items()}
        if cols is None:
            ab[key] = b[key].copy()
        else:
            ab["w"][:, cols] = b["w"][:, cols]
        fab = f(ab)
        s1 = float(np.mean(fb * (fab - fa)) / var) if var > 0 else 0.0
        st = float(np.mean((fa - fab) ** 2) / (2 * var)) if var > 0 else 0.0
        rows.append({"input": name, "first_order": s1, "total": st, "n": n, "output": "mean_abs_rank_shift"})
    return rows


def leave_one_out(model: CompositeModel, norm: str, agg: str) -> tuple[np.ndarray, np.ndarray]:
    """Ranks with each indicator removed in turn (n × k) and the nominal ranks (n,).

    Notes
    -----
    The removed indicator's weight is set to 0 and the rest of its subsystem renormalised; nominal
    weights are not recomputed (convention ``recompute_weights: false``). A subsystem left with no
    indicator drops out of the overall score.
    """
    k = model.w_base.size
    w = np.tile(model.w_base, (k + 1, 1))
    w[np.arange(k), np.arange(k)] = 0.0
    ni = np.full(k + 1, model.norms.index(norm))
    ai = np.full(k + 1, model.aggs.index(agg))
    ranks = evaluate_draws(model, w, ni, ai)["rank"]
    return ranks[:, :k], ranks[:, k]

"""Level-by-level aggregation of an index hierarchy (目标层 → 准则层 → … → 指标层).

One node aggregates its children's values with its own weights; the children may be indicators
(normalised values) or groups (their scores). Everything is vectorised over replications: child
values are ``(n, c, R)`` and weights ``(R, c)``, so the nominal result (R = 1), the Monte Carlo
draws and leave-one-out all run through :func:`node_scores`.
"""
from __future__ import annotations

import numpy as np

from ..errors import MethodError
from .coupling import classify_d, coupling_array


def available_weights(x: np.ndarray, w: np.ndarray, *, min_share: float = 0.0,
                      by: str = "count") -> tuple[np.ndarray, np.ndarray]:
    """Weights renormalised over the children present, and the rows whose score is missing.

    Parameters
    ----------
    x : numpy.ndarray
        Child values ``(n, c, R)``; NaN = missing.
    w : numpy.ndarray
        Weights ``(R, c)`` (non-negative).
    min_share : float
        Minimum share of children present; below it the node's score is missing.
    by : {"count", "weight"}
        Share of children counted (``Σ present / c``) or weighted (``Σ present w / Σ w``).

    Returns
    -------
    eff : numpy.ndarray
        ``(n, c, R)`` effective weights ``w_c m_c / Σ_c w_c m_c`` (0 for missing children).
    missing : numpy.ndarray
        ``(n, R)`` True where the node's score is missing (share below ``min_share``, no child
        present, or present children with zero total weight).

    Notes
    -----
    The data-availability rule of OECD/JRC (2008, §4): aggregate what is present with the weights
    re-normalised, but only when enough of the node is observed.
    """
    present = ~np.isnan(x)
    wt = np.broadcast_to(w.T[None, :, :], x.shape)  # (n, c, R)
    pw = np.where(present, wt, 0.0)
    tot = pw.sum(axis=1)  # (n, R)
    if by == "count":
        share = present.mean(axis=1)
    elif by == "weight":
        allw = wt.sum(axis=1)
        share = np.divide(tot, allw, out=np.zeros_like(tot), where=allw > 0)
    else:
        raise MethodError(f"availability: unknown share {by!r} (count, weight)")
    missing = (share + 1e-12 < min_share) | (tot <= 0)
    eff = np.divide(pw, tot[:, None, :], out=np.zeros_like(pw), where=tot[:, None, :] > 0)
    return eff, missing


def node_scores(x: np.ndarray, w: np.ndarray, *, method: str = "weighted_sum", min_share: float = 0.0,
                by: str = "count", topsis_norm: str = "minmax",
                topsis_distance: str = "euclidean") -> tuple[np.ndarray, np.ndarray]:
    """Score of one node for every row and replication, and the effective child weights.

    Notes
    -----
    With effective weights ``ŵ`` (:func:`available_weights`): ``weighted_sum`` ``S = Σ_c ŵ_c x_c``;
    ``geometric`` ``S = Π_c x_c^{ŵ_c}`` (a zero child gives 0); ``topsis`` (the goal only) closeness
    ``d⁻/(d⁺ + d⁻)`` with ``d± = √Σ_c ŵ_c² (r_c − r±_c)²`` (``manhattan``: ``Σ_c ŵ_c |r_c − r±_c|``),
    ``r`` the child scores (``topsis_norm: minmax``, already benefit-oriented in [0, 1]) or
    ``x/√Σ_i x²`` (``vector``), ideal / anti-ideal = column max / min over the rows present.

    References
    ----------
    OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, §6; Hwang & Yoon (1981) (TOPSIS).
    """
    eff, missing = available_weights(x, w, min_share=min_share, by=by)
    xf = np.nan_to_num(x, nan=0.0)
    if method == "weighted_sum":
        s = (eff * xf).sum(axis=1)
    elif method == "geometric":
        if np.nanmin(x) < 0:
            raise MethodError("geometric aggregation needs non-negative values (not zscore)")
        with np.errstate(divide="ignore", invalid="ignore"):
            lx = np.where(eff > 0, np.log(np.where(xf > 0, xf, 1.0)), 0.0)
        zero = ((xf <= 0) & (eff > 0)).any(axis=1)
        s = np.where(zero, 0.0, np.exp((eff * lx).sum(axis=1)))
    elif method == "topsis":
        s = _topsis(x, eff, topsis_norm, topsis_distance)
    else:
        raise MethodError(f"unknown aggregation {method!r} (weighted_sum, geometric, topsis)")
    return np.where(missing, np.nan, s), eff


def _topsis(x: np.ndarray, eff: np.ndarray, norm: str, distance: str) -> np.ndarray:
    if norm == "vector":
        den = np.sqrt(np.nansum(x ** 2, axis=0, keepdims=True))
        r = np.divide(x, den, out=np.full_like(x, np.nan), where=den > 0)
    elif norm == "minmax":
        r = x
    else:
        raise MethodError(f"TOPSIS: unknown normalisation {norm!r} (vector, minmax)")
    with np.errstate(all="ignore"):
        pos, neg = np.nanmax(r, axis=0, keepdims=True), np.nanmin(r, axis=0, keepdims=True)
    dp_, dn_ = np.nan_to_num(r - pos), np.nan_to_num(r - neg)
    if distance == "euclidean":
        dp, dn = np.sqrt(((eff * dp_) ** 2).sum(axis=1)), np.sqrt(((eff * dn_) ** 2).sum(axis=1))
    elif distance == "manhattan":
        dp, dn = (eff * np.abs(dp_)).sum(axis=1), (eff * np.abs(dn_)).sum(axis=1)
    else:
        raise MethodError(f"TOPSIS: unknown distance {distance!r} (euclidean, manhattan)")
    tot = dp + dn
    return np.divide(dn, tot, out=np.full_like(tot, 0.5), where=tot > 0)


def evaluate_tree(order: list[str], children: dict[str, list[str]], leaves: dict[str, np.ndarray],
                  weights: dict[str, np.ndarray], nodes: dict[str, dict]) -> tuple[dict, dict]:
    """Scores of every group bottom-up for R weight sets at once.

    Parameters
    ----------
    order : list of str
        Group codes children-first (post-order; the goal last).
    children : dict
        Group code → child codes (indicators or groups).
    leaves : dict
        Indicator code → values ``(n,)`` or ``(n, R)`` (NaN = missing).
    weights : dict
        Group code → weights of its children ``(R, c)``.
    nodes : dict
        Group code → keyword arguments of :func:`node_scores` (method, min_share, by, …).

    Returns
    -------
    scores : dict
        Node code → ``(n, R)`` (indicators included, broadcast to R columns).
    eff : dict
        Group code → effective child weights ``(n, c, R)``.
    """
    r_count = next(iter(weights.values())).shape[0]
    vals = {k: (v[:, None] if v.ndim == 1 else v) * np.ones((1, r_count)) for k, v in leaves.items()}
    eff = {}
    for g in order:
        x = np.stack([vals[c] for c in children[g]], axis=1)
        vals[g], eff[g] = node_scores(x, weights[g], **nodes[g])
    return vals, eff


def draw_node_weights(base: np.ndarray, reps: int, rng: np.random.Generator, *, method: str = "dirichlet",
                      concentration: float = 50.0, pct: float = 0.25) -> np.ndarray:
    """``reps`` perturbed weight vectors ``(R, c)`` of one node centred on ``base``.

    Notes
    -----
    ``dirichlet``: ``w ~ Dirichlet(κ·c·w_base)`` (mean = nominal; zero weights stay 0);
    ``noise``: ``w_c(1 + U(−p, p))`` renormalised; ``none``: the nominal weights.
    Same conventions as :func:`iplayout.methods.uncertainty.sample_weights`, applied node by node so
    that the weights of every level are drawn.
    """
    c = base.size
    if method == "dirichlet":
        g = np.zeros((reps, c))
        pos = base > 0
        if pos.any():
            g[:, pos] = rng.gamma(concentration * c * base[pos], 1.0, size=(reps, int(pos.sum())))
    elif method == "noise":
        g = base * (1.0 + rng.uniform(-pct, pct, size=(reps, c)))
    elif method == "none":
        g = np.tile(base, (reps, 1))
    else:
        raise MethodError(f"uncertainty: unknown weight perturbation {method!r} (dirichlet, noise, none)")
    tot = g.sum(axis=1, keepdims=True)
    return g / np.where(tot > 0, tot, 1.0)


def rank_rows(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Rank rows within each label for every column (1 = highest, ties share the lowest rank);
    a missing score has a missing rank and does not take a place."""
    from scipy.stats import rankdata

    out = np.full(scores.shape, np.nan)
    for lab in np.unique(labels):
        rows = labels == lab
        s = scores[rows]
        r = rankdata(-np.where(np.isnan(s), -np.inf, s), axis=0, method="min").astype(float)
        out[rows] = np.where(np.isnan(s), np.nan, r)
    return out


def coupling_classes(u: np.ndarray, alpha: np.ndarray, *, form: str = "standard", exponent: float | None = None,
                     boundary: str = "left_closed") -> np.ndarray:
    """Coupling class index (0…9) of D for subsystem scores ``u`` ``(S, n, R)``; −1 where any U is missing."""
    n_sub, n, reps = u.shape
    flat = u.reshape(n_sub, -1).T
    ok = ~np.isnan(flat).any(axis=1)
    d = np.full(flat.shape[0], np.nan)
    if ok.any():
        c = coupling_array(flat[ok], form=form, exponent=exponent)
        t = flat[ok] @ alpha
        d[ok] = np.sqrt(c * np.clip(t, 0, None))
    cls = np.full(flat.shape[0], -1)
    if ok.any():
        cls[ok] = classify_d(d[ok], boundary=boundary)
    return cls.reshape(n, reps)

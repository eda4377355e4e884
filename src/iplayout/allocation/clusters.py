"""Data-driven cross-check of the zone typology: k-means and Ward clustering of the subsystem scores.

The scores are standardised (z-scores) so no subsystem dominates the distances; k is chosen by the mean
silhouette (Rousseeuw 1987) over ``spec.cluster_k``, and each clustering is compared with the typology by
the adjusted Rand index (Hubert & Arabie 1985) and by the share of regions whose cluster, after the best
one-to-one matching of cluster labels to zones (Hungarian algorithm), equals their zone.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from .spec import ZoneSpec
from .zones import COLS

METHODS = {"kmeans": "K均值聚类", "ward": "Ward层次聚类"}


def _labels(method: str, x: np.ndarray, k: int, seed: int) -> np.ndarray:
    from sklearn.cluster import AgglomerativeClustering, KMeans

    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=20, random_state=seed).fit_predict(x)
    return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)


def standardise(scores: pd.DataFrame) -> np.ndarray:
    """z-scores of the three subsystem columns (population standard deviation; constant column → 0)."""
    x = scores[COLS].to_numpy(float)
    sd = x.std(axis=0)
    return (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)


def matched_agreement(zones, clusters) -> float:
    """Share of units whose cluster maps to their zone under the best one-to-one label matching.

    Notes
    -----
    Maximises the trace of the zone × cluster contingency table over label permutations
    (``scipy.optimize.linear_sum_assignment``); clusters left unmatched count as disagreement.
    """
    ct = pd.crosstab(pd.Series(list(zones), name="zone"), pd.Series(list(clusters), name="cluster"))
    r, c = linear_sum_assignment(-ct.to_numpy())
    return float(ct.to_numpy()[r, c].sum() / ct.to_numpy().sum())


def cluster_check(scores: pd.DataFrame, zones: pd.DataFrame, spec: ZoneSpec) -> dict[str, pd.DataFrame]:
    """Silhouette by k, chosen clusterings, agreement with the typology and the cross-tabulation.

    Returns
    -------
    dict of DataFrame
        ``silhouette`` (method, k, silhouette, chosen), ``clusters`` (region_code, kmeans, ward),
        ``agreement`` (method, method_name, k, ari, agreement), ``crosstab`` (method, zone, cluster, n).
        Empty frames when there are fewer than four regions.
    """
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    x = standardise(scores)
    n = len(x)
    ks = [k for k in spec.cluster_k if 2 <= k < n]
    empty = {"silhouette": pd.DataFrame(columns=["method", "k", "silhouette", "chosen"]),
             "clusters": pd.DataFrame(columns=["region_code"]),
             "agreement": pd.DataFrame(columns=["method", "method_name", "k", "ari", "agreement"]),
             "crosstab": pd.DataFrame(columns=["method", "zone", "cluster", "n"])}
    if n < 4 or not ks:
        return empty
    sil_rows, labels = [], {}
    for method in METHODS:
        best = None
        for k in ks:
            lab = _labels(method, x, k, spec.cluster_seed)
            s = float(silhouette_score(x, lab)) if len(set(lab)) > 1 else float("nan")
            sil_rows.append({"method": method, "k": k, "silhouette": s})
            if best is None or s > best[1] + 1e-12:
                best = (k, s, lab)
        labels[method] = best
    sil = pd.DataFrame(sil_rows)
    sil["chosen"] = [labels[m][0] == k for m, k in zip(sil["method"], sil["k"])]
    codes = scores["region_code"].astype(str).to_numpy()
    zone = zones.set_index("region_code")["zone"].reindex(codes).to_numpy()
    clusters = pd.DataFrame({"region_code": codes})
    agree, cross = [], []
    for method, (k, _, lab) in labels.items():
        # clusters numbered by their mean standardised score, 1 = highest, so labels read the same every run
        order = pd.Series(x.mean(axis=1)).groupby(lab).mean().sort_values(ascending=False).index
        relabel = {old: i + 1 for i, old in enumerate(order)}
        lab = np.array([relabel[v] for v in lab])
        clusters[method] = lab
        agree.append({"method": method, "method_name": METHODS[method], "k": int(k),
                      "ari": float(adjusted_rand_score(zone, lab)), "agreement": matched_agreement(zone, lab)})
        ct = pd.crosstab(pd.Series(zone, name="zone"), pd.Series(lab, name="cluster")).stack().rename("n")
        cross.append(ct.reset_index().assign(method=method))
    return {"silhouette": sil, "clusters": clusters, "agreement": pd.DataFrame(agree),
            "crosstab": pd.concat(cross, ignore_index=True)[["method", "zone", "cluster", "n"]]}

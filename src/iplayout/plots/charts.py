"""Charts for the survey and evaluation reports. Inputs are finished tables; nothing is estimated here."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .png import frame_content
from .style import (BASE, GREY, HIGHLIGHT, LIGHT, PALETTE, finish, legend_outside, new_figure, set_value_label,
                    thousands_formatter)


def plot_trend(wide: pd.DataFrame, *, title: str, ylabel: str = "", highlight: str | None = None,
               source: str | None = None, percent: bool = False):
    """Lines over years: ``wide`` has years as index and one column per series (column name = label).

    The ``highlight`` column is drawn thick in the highlight colour; others thin (context).
    """
    fig, ax = new_figure(height=3.8)
    many = wide.shape[1] > 8
    for i, col in enumerate(wide.columns):
        s = wide[col].dropna()
        if col == highlight:
            ax.plot(s.index, s.values, color=HIGHLIGHT, lw=2.6, marker="o", ms=4, label=col, zorder=5)
        elif many:
            ax.plot(s.index, s.values, color=LIGHT, lw=0.9, zorder=1)
        else:
            ax.plot(s.index, s.values, color=PALETTE[i % len(PALETTE)] if highlight is None else GREY,
                    lw=1.6, marker="o", ms=3, label=col)
    ax.set_title(title)
    set_value_label(ax, ylabel)
    ax.yaxis.set_major_formatter(_pct() if percent else thousands_formatter(_decimals(wide)))
    ax.xaxis.get_major_locator().set_params(integer=True)
    if not many or highlight is not None:
        legend_outside(ax, 1 if many else wide.shape[1])
    return finish(fig, source=source)


def plot_rank_bars(values: pd.Series, *, title: str, xlabel: str = "", highlight: str | None = None,
                   source: str | None = None, percent: bool = False, top: int | None = None):
    """Horizontal bars sorted descending with rank numbers; ``values`` is indexed by label."""
    v = values.dropna().sort_values(ascending=False)
    if top:
        v = v.head(top)
    fig, ax = new_figure(height=_bar_height(len(v)))
    colors = [HIGHLIGHT if lab == highlight else BASE for lab in v.index]
    y = np.arange(len(v))[::-1]
    ax.barh(y, v.values, color=colors)
    ax.set_yticks(y, [f"{i + 1}. {lab}" for i, lab in enumerate(v.index)])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(_pct() if percent else thousands_formatter(_decimals(v)))
    # the highlight only colours a bar: every region's report of a territory has the same layout
    return finish(fig, source=source, layout=("rank_bars", title, xlabel, percent, frame_content(v)))


def plot_lorenz(curves: dict[str, pd.DataFrame], *, title: str, source: str | None = None):
    """Lorenz curves (``pop_share``, ``value_share`` columns) with the equality line; keys are legend labels."""
    fig, ax = new_figure(width=5.2, height=4.6)
    ax.plot([0, 1], [0, 1], color=GREY, lw=1, ls="--", label="完全均等线")
    for i, (label, lc) in enumerate(curves.items()):
        ax.plot(lc["pop_share"], lc["value_share"], color=PALETTE[i % len(PALETTE)], lw=2, marker="o", ms=2.5,
                label=label)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("地区累计占比（由小到大）")
    ax.set_ylabel("指标累计占比")
    ax.xaxis.set_major_formatter(_pct())
    ax.yaxis.set_major_formatter(_pct())
    ax.set_title(title)
    ax.legend(loc="upper left")
    # colours follow the order of the curves: the content names the whole picture, the same in every region's report
    content = ("lorenz", title, tuple((str(k), frame_content(lc[["pop_share", "value_share"]])) for k, lc in curves.items()))
    return finish(fig, source=source, layout=content, image=True)


def plot_regression(points: pd.DataFrame, band: pd.DataFrame, *, labels: pd.Series, title: str, xlabel: str,
                    ylabel: str, highlight: str | None = None, log: bool = True, note: str = "",
                    source: str | None = None):
    """Scatter of regions with the fitted line and its confidence band; outliers and the region are named.

    ``points`` is indexed by region code with ``x, y, outlier``; ``band`` has ``x, fit, ci_low, ci_high``.
    """
    fig, ax = new_figure(height=4.6)
    ax.fill_between(band["x"], band["ci_low"], band["ci_high"], color=LIGHT, alpha=0.7, label="95% 置信带")
    ax.plot(band["x"], band["fit"], color=BASE, lw=1.8, label="拟合线")
    normal = points[~points["outlier"].astype(bool)]
    odd = points[points["outlier"].astype(bool)]
    ax.scatter(normal["x"], normal["y"], s=22, color=BASE, alpha=0.8, zorder=3, label="地区")
    ax.scatter(odd["x"], odd["y"], s=40, facecolor="white", edgecolor="#edae49", lw=1.8, zorder=4, label="离群地区")
    named, free = [], []
    for code, row in points.iterrows():
        if code == highlight or bool(row["outlier"]):
            text = ax.annotate(str(labels.get(code, code)), (row["x"], row["y"]), xytext=(4, 4),
                               textcoords="offset points", fontsize=8.5, color=HIGHLIGHT if code == highlight else "#444444")
            if code == highlight:  # the region's own label moves from report to report: out of the layout and key
                free.append(text)
            else:
                named.append(str(labels.get(code, code)))
    if highlight in points.index:
        ax.scatter([points.loc[highlight, "x"]], [points.loc[highlight, "y"]], s=70, color=HIGHLIGHT, zorder=5,
                   label=str(labels.get(highlight, highlight)))
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if note:
        ax.text(0.02, 0.97, note, transform=ax.transAxes, va="top", fontsize=8.5, color="#333333")
    ax.legend(loc="lower right")  # inside the axes: the region's name in it moves nothing
    content = ("regression", title, xlabel, ylabel, note, log, tuple(named), frame_content(points[["x", "y"]]),
               frame_content(band[["x", "fit", "ci_low", "ci_high"]]))
    return finish(fig, source=source, layout=content, free=free)


def plot_rank_intervals(df: pd.DataFrame, *, title: str, highlight: str | None = None, source: str | None = None):
    """Dot-and-whisker chart of ranks: ``df`` indexed by label with ``rank``, ``rank_p05``, ``rank_p95``.

    Rank 1 is drawn at the top; the whisker is the 5–95 % interval from the uncertainty analysis.
    """
    d = df.sort_values("rank", kind="mergesort")
    fig, ax = new_figure(height=_bar_height(len(d)))
    y = np.arange(len(d))[::-1]
    draw_intervals(ax, d, y, highlight, lw=2, ms=5)
    ax.set_yticks(y, list(d.index))
    ax.invert_xaxis()
    ax.set_xlabel("排名（点为基准排名，线为 5%–95% 区间）")
    ax.set_title(title)
    ax.grid(axis="y", visible=False)
    return finish(fig, source=source, layout=("rank_intervals", title, frame_content(d[["rank", "rank_p05", "rank_p95"]])))


def draw_intervals(ax, d: pd.DataFrame, y, highlight, *, lw: float, ms: float) -> None:
    """Whiskers ``rank_p05``–``rank_p95`` and dots ``rank`` of the rows of ``d`` at heights ``y``; the highlight's red.

    One line (whiskers separated by NaN) and one set of dots per colour rather than two artists per row:
    rows never overlap, so the picture is the same, and 31 regions × 2 artists were most of the chart's time.
    """
    hl = np.array([lab == highlight for lab in d.index], dtype=bool)
    lo, hi, rank = (d[c].to_numpy(dtype="float64") for c in ("rank_p05", "rank_p95", "rank"))
    y = np.asarray(y, dtype="float64")
    for mask, c in ((~hl, BASE), (hl, HIGHLIGHT)):
        if mask.any():
            gap = np.full(mask.sum(), np.nan)
            ax.plot(np.column_stack([lo[mask], hi[mask], gap]).ravel(), np.column_stack([y[mask], y[mask], gap]).ravel(),
                    color=c, lw=lw, alpha=0.8)
            ax.plot(rank[mask], y[mask], "o", color=c, ms=ms)


def plot_grouped_bars(wide: pd.DataFrame, *, title: str, ylabel: str = "", source: str | None = None,
                      percent: bool = False, horizontal: bool = False):
    """Grouped bars: rows = categories (e.g. indicators or groups), columns = series (e.g. weighting methods)."""
    n_rows, n_cols = wide.shape
    fig, ax = new_figure(height=max(3.2, 0.3 * n_rows + 1.2) if horizontal else 3.8)
    width = 0.8 / max(n_cols, 1)
    pos = np.arange(n_rows)
    for j, col in enumerate(wide.columns):
        off = pos - 0.4 + width * (j + 0.5)
        if horizontal:
            ax.barh(n_rows - 1 - off, wide[col].values, height=width, label=col,
                    color=PALETTE[j % len(PALETTE)])
        else:
            ax.bar(off, wide[col].values, width=width, label=col, color=PALETTE[j % len(PALETTE)])
    if horizontal:
        ax.set_yticks(n_rows - 1 - pos, list(wide.index))
        ax.xaxis.set_major_formatter(_pct() if percent else thousands_formatter(_decimals(wide)))
        ax.set_xlabel(ylabel)
        ax.grid(axis="y", visible=False)
    else:
        ax.set_xticks(pos, list(wide.index), rotation=30 if n_rows > 6 else 0, ha="right" if n_rows > 6 else "center")
        ax.yaxis.set_major_formatter(_pct() if percent else thousands_formatter(_decimals(wide)))
        set_value_label(ax, ylabel)
        ax.grid(axis="x", visible=False)
    # legend above the plot area: with many bars any inside position hides some of them
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=min(n_cols, 4), fontsize=8.5)
    ax.set_title(title, pad=22)
    return finish(fig, source=source)


def plot_heatmap(wide: pd.DataFrame, *, title: str, cmap: str = "RdYlBu_r", fmt: str = "{:.2f}",
                 source: str | None = None, center: float | None = None):
    """Annotated heatmap (rows × columns), e.g. rank shifts by method or normalised indicator values."""
    # rows 0.26 in up to 15, 0.2 in beyond; few columns → narrower figure, so cells stay near-square
    rows, cols = wide.shape
    fig, ax = new_figure(width=min(7.2, 3.0 + 1.05 * cols), height=max(2.8, (0.26 if rows <= 15 else 0.2) * rows + 1.4))
    vals = wide.to_numpy(dtype="float64")
    kw = {}
    if center is not None:
        m = np.nanmax(np.abs(vals - center)) or 1.0
        kw = {"vmin": center - m, "vmax": center + m}
    im = ax.imshow(vals, aspect="auto", cmap=cmap, **kw)
    ax.set_xticks(np.arange(wide.shape[1]), list(wide.columns), rotation=30, ha="right")
    ax.set_yticks(np.arange(wide.shape[0]), list(wide.index))
    ax.grid(False)
    if wide.size <= 600:
        for (i, j), v in np.ndenumerate(vals):
            if np.isfinite(v):
                r, g, b, _ = im.cmap(im.norm(v))
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5  # light text on dark cells stays legible
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=7.5, color="white" if dark else "#222222")
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title(title)
    return finish(fig, source=source)


def _bar_height(n: int) -> float:
    """Figure height (inches) for ``n`` horizontal rows: 0.24 in per row up to 15 rows, 0.19 in beyond."""
    return max(2.5, (0.24 if n <= 15 else 0.19) * n + 1.0)


def _pct():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def _decimals(obj) -> int:
    v = np.asarray(obj, dtype="float64")
    v = v[np.isfinite(v)]
    return 0 if v.size == 0 or np.nanmax(np.abs(v)) >= 100 else 2

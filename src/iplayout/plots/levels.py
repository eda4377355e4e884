"""Charts of an index hierarchy: a region's criteria scores as a radar against the territory, and
rank intervals side by side for the goal and each criterion. Inputs are finished tables."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .charts import draw_intervals
from .png import frame_content
from .style import BASE, GREY, HIGHLIGHT, finish, new_figure


def plot_radar(values: pd.DataFrame, *, title: str, source: str | None = None):
    """Radar (spider) chart: rows = series (e.g. the region and the territory mean), columns = axes
    (criteria), values on a common 0–1 scale. The first row is drawn highlighted."""
    setup = values.astype(float)
    labels = list(setup.columns)
    angles = np.linspace(0, 2 * np.pi, len(labels), endpoint=False)
    fig, ax = new_figure(width=4.8, height=4.4, subplot_kw={"projection": "polar"})
    for k, (name, row) in enumerate(setup.iterrows()):
        v = np.r_[row.to_numpy(), row.to_numpy()[:1]]
        a = np.r_[angles, angles[:1]]
        color = HIGHLIGHT if k == 0 else (GREY if k > 1 else BASE)
        ax.plot(a, v, color=color, lw=2 if k == 0 else 1.4, ls="-" if k < 2 else "--", label=str(name))
        if k == 0:
            ax.fill(a, v, color=color, alpha=0.15)
    ax.set_xticks(angles, labels)
    ax.set_ylim(0, max(1.0, float(np.nanmax(setup.to_numpy())) * 1.05))
    ax.set_yticks([0.25, 0.5, 0.75, 1.0], ["0.25", "0.50", "0.75", "1.00"], fontsize=7, color=GREY)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.2), ncol=min(len(setup), 3), fontsize=8.5)
    ax.set_title(title, pad=16)
    return finish(fig, source=source)


def plot_rank_interval_panels(panels: dict[str, pd.DataFrame], *, title: str, highlight: str | None = None,
                              source: str | None = None):
    """Rank intervals (dot = rank, line = 5–95 %) of the same units under several levels, one panel each.

    ``panels`` maps a panel title (e.g. 综合指数, 知识产权) to a frame indexed by unit label with
    ``rank``, ``rank_p05``, ``rank_p95``; units are ordered by the first panel's rank.
    """
    names = list(panels)
    first = panels[names[0]].sort_values("rank", kind="mergesort")
    order = list(first.index)
    n = len(order)
    fig, axes = new_figure(width=7.2, height=max(2.6, (0.24 if n <= 15 else 0.19) * n + 1.2),
                           ncols=len(names), sharey=True)
    axes = np.atleast_1d(axes)
    y = np.arange(n)[::-1]
    for ax, name in zip(axes, names):
        draw_intervals(ax, panels[name].reindex(order), y, highlight, lw=1.8, ms=4)
        ax.invert_xaxis()
        ax.set_title(name, fontsize=9)
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(y, order)
    fig.suptitle(title)
    fig.supxlabel("排名（点为基准排名，线为 5%–95% 区间）", fontsize=8.5)
    # the highlight only colours one unit's marks: the same layout for every region's report
    content = ("rank_interval_panels", title,
               tuple((name, frame_content(panels[name].reindex(order)[["rank", "rank_p05", "rank_p95"]])) for name in names))
    return finish(fig, source=source, layout=content)

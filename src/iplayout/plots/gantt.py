"""Gantt chart of a work plan: one bar per task over its months, coloured by status, with the as-of line."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .style import GREY, finish, new_figure

# status → (colour, legend label); the order is the legend's
STATUS_COLOURS = {"done": ("#66a182", "已完成"), "on_time": ("#2f5d8a", "按期推进"),
                  "late": ("#d1495b", "逾期"), "not_started": ("#c9d6e6", "未开始")}


def plot_gantt(tasks: pd.DataFrame, *, as_of: dt.date, title: str, source: str | None = None,
               phase_column: str = "phase"):
    """Horizontal bars from ``start_date`` to ``end_date`` (inclusive) for each row of ``tasks``.

    ``tasks`` has columns ``label`` (y tick text), ``start_date``, ``end_date`` (dates), ``status``
    (a key of :data:`STATUS_COLOURS`), ``percent`` (0–100, drawn as a darker inner bar) and the
    phase column (phases are separated by thin rules and named on the right). Rows are drawn top to
    bottom in the frame's order; the as-of date is a dashed vertical line.
    """
    import matplotlib.dates as mdates  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    n = len(tasks)
    fig, ax = new_figure(height=max(3.0, 0.24 * n + 1.3))
    starts = pd.to_datetime(tasks["start_date"])
    ends = pd.to_datetime(tasks["end_date"]) + pd.Timedelta(days=1)  # the end day is part of the period
    widths = (ends - starts).dt.days
    ys = list(range(n))[::-1]
    colours = [STATUS_COLOURS.get(s, (GREY, s))[0] for s in tasks["status"]]
    ax.barh(ys, widths, left=mdates.date2num(starts), height=0.62, color=colours, edgecolor="white", lw=0.5)
    done_share = tasks["percent"].fillna(0).clip(0, 100) / 100
    inner = [w * p for w, p in zip(widths, done_share)]
    ax.barh(ys, inner, left=mdates.date2num(starts), height=0.22, color="#333333", alpha=0.55, lw=0)
    ax.set_yticks(ys, list(tasks["label"]), fontsize=7.5)
    ax.set_ylim(-0.7, n - 0.3)
    ax.xaxis_date()
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator())
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", which="major", alpha=0.35)
    # phase separators and names
    phases = list(tasks[phase_column])
    for i in range(1, n):
        if phases[i] != phases[i - 1]:
            ax.axhline(ys[i] + 0.5, color=GREY, lw=0.6, alpha=0.7)
    x_right = mdates.date2num(ends.max())
    for ph in dict.fromkeys(phases):
        rows = [y for y, p in zip(ys, phases) if p == ph]
        ax.text(x_right + 8, (min(rows) + max(rows)) / 2, ph, va="center", ha="left", fontsize=8, color="#555555")
    x_asof = mdates.date2num(pd.Timestamp(as_of))
    ax.axvline(x_asof, color="#d1495b", lw=1.4, ls="--", zorder=6)
    ax.annotate(f"截至 {as_of.isoformat()}", xy=(x_asof, 0.0), xycoords=("data", "axes fraction"),
                xytext=(3, 3), textcoords="offset points", fontsize=8, color="#d1495b", ha="left", va="bottom",
                bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}, zorder=7)
    lo = min(mdates.date2num(starts.min()), x_asof) - 15
    hi = max(x_right, x_asof) + 75  # room for the phase names
    ax.set_xlim(lo, hi)
    handles = [Patch(color=c, label=lab) for c, lab in STATUS_COLOURS.values()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=4, fontsize=8)
    ax.set_title(title)
    return finish(fig, source=source)

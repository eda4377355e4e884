"""House style for every figure: CJK font, size, colours, number formats on axes."""
from __future__ import annotations

from functools import lru_cache

from ..fonts import setup_matplotlib
from .png import figure_png, layout_key

# Muted blues with one warm highlight colour: the region a report is about always stands out.
BASE = "#5b7fa6"
LIGHT = "#c9d6e6"
HIGHLIGHT = "#d1495b"
GREY = "#9aa0a6"
PALETTE = ["#2f5d8a", "#d1495b", "#edae49", "#66a182", "#8d6a9f", "#00798c", "#a3a380", "#6c757d"]
CMAP = "YlGnBu"
FIG_DPI = 200  # charts reach the PDF at ≥ 200 dpi (print quality); CSS scales them to the column
#: zlib level of chart PNGs: level 1 encodes a report's charts in ~0.37 CPU-s instead of ~0.57 (level 6)
#: for files ~10 % larger; the PNG is written once and shared by the notebook, the HTML page and the PDF
PNG_COMPRESS_LEVEL = 1
WIDTH = 7.2  # inches: fills an A4 text column at the report's dpi


@lru_cache(maxsize=1)
def setup_style() -> str:
    """Register the CJK font and set rcParams once per process; returns the font family."""
    family = setup_matplotlib()
    from matplotlib import rcParams

    rcParams.update({
        "figure.dpi": FIG_DPI, "savefig.dpi": FIG_DPI, "figure.figsize": (WIDTH, 4.0),
        "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
        "axes.titlesize": 12, "axes.labelsize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9,
        "legend.fontsize": 9, "legend.frameon": False, "axes.prop_cycle": __import__("cycler").cycler(color=PALETTE),
        "figure.constrained_layout.use": True,
    })
    return family


def new_figure(width: float = WIDTH, height: float = 4.0, **kwargs):
    """A figure + axes in the house style (font set up first: axes keep the font they are created with)."""
    setup_style()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), **kwargs)
    return fig, ax


def thousands_formatter(decimals: int = 0):
    """Axis tick formatter with thousands separators (250,290), as Chinese statistical tables print them."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: f"{v:,.{decimals}f}")


def set_value_label(ax, text: str, axis: str = "y") -> None:
    """Label the value axis; a short unit ("件", "D", "占比") is written horizontally above the axis.

    A one- or two-glyph CJK label turned 90° reads sideways; Chinese statistical charts print the
    unit level with the text at the top of the value axis. Longer labels keep the rotated position.
    """
    if not text:
        return
    from .tables import display_width  # noqa: PLC0415  (pure helper, no matplotlib import)

    if axis == "y" and display_width(text) <= 8:
        ax.set_ylabel("")
        ax.annotate(text, xy=(0, 1), xycoords="axes fraction", xytext=(-6, 8), textcoords="offset points",
                    ha="right", va="bottom", fontsize=9, color="#333333", annotation_clip=False)
    elif axis == "y":
        ax.set_ylabel(text)
    else:
        ax.set_xlabel(text)


def legend_outside(ax, n_series: int, **kwargs) -> None:
    """Legend inside the axes for a few series; beside the plot (right) for many, where it hides no data."""
    if n_series > 3:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)
    else:
        ax.legend(loc="best", **kwargs)


def finish(fig, *, source: str | None = None, layout=None, image: bool = False, free=()):
    """Add a small source line under the figure and close it for pyplot (the caller displays or saves it).

    ``layout``: the content the figure's layout depends on — everything it shows except colours — when the
    caller knows the highlight moves nothing (:mod:`iplayout.plots.png` reuses such layouts); None: laid
    out every time. ``image``: ``layout`` names everything including colours, so the PNG itself is reused.
    ``free``: artists that ``layout`` leaves out (the highlighted point's label): kept out of the layout,
    and the picture's tight box grown to hold them.
    """
    if source:
        import textwrap

        source = "\n".join(textwrap.wrap(source, 70))  # CJK text: ~70 characters fill the figure width
        fig.text(0.01, -0.02, source, ha="left", va="top", fontsize=7.5, color=GREY)
    import matplotlib.pyplot as plt

    plt.close(fig)  # avoid double display in notebooks; IPython still renders the returned Figure
    titles = [t for t in (fig._suptitle.get_text() if fig._suptitle else "",
                          *(ax.get_title() for ax in fig.axes)) if t]
    key = None if layout is None else layout_key(fig, (layout, source))
    for artist in free:
        artist.set_in_layout(False)
    fig._repr_mimebundle_ = lambda include=None, exclude=None: figure_bundle(fig, titles[0] if titles else "图表",
                                                                             layout=key, image=image, free=free)
    defer_inline_formatters()
    return fig


def _defers(fig) -> bool:
    return "_repr_mimebundle_" in vars(fig)


def defer_inline_formatters() -> None:
    """Make the inline backend's per-type Figure formatters step aside for figures made by :func:`finish`.

    IPython calls a formatter registered for a type even when the object's ``_repr_mimebundle_`` already
    gave that MIME type, and keeps the formatter's result: in a Jupyter kernel every finished figure was
    drawn twice — by :func:`figure_bundle`, then by the inline backend's ``savefig(bbox_inches="tight")``,
    whose PNG replaced ours (≈ 45 % of a city report's kernel time). Each registered Figure formatter is
    wrapped once: for a finished figure it returns None (IPython then keeps the bundle's PNG and its alt
    text); any other figure is drawn by the inline backend as before. Runs again after every ``finish``,
    because ``%matplotlib inline`` or an InlineBackend setting registers the formatters anew.
    """
    try:
        from IPython import get_ipython  # noqa: PLC0415
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib.figure import Figure  # noqa: PLC0415

    for formatter in shell.display_formatter.formatters.values():
        try:
            current = formatter.lookup_by_type(Figure)
        except KeyError:
            continue
        if getattr(current, "_iplayout_defers", False):
            continue

        def deferring(fig, _inner=current):
            return None if _defers(fig) else _inner(fig)

        deferring._iplayout_defers = True
        formatter.for_type(Figure, deferring)


def figure_bundle(fig, alt: str, *, layout=None, image: bool = False, free=()) -> tuple[dict, dict]:
    """IPython display bundle of a figure: the PNG at the figure's dpi with the chart title as ``alt`` metadata
    (the renderer writes it into the image's alt attribute for screen readers and text extraction)."""
    import base64

    png = figure_png(fig, compress_level=PNG_COMPRESS_LEVEL, key=layout, image=image, free=free)
    return {"image/png": base64.b64encode(png).decode("ascii")}, {"image/png": {"alt": alt}}

"""A finished figure as PNG bytes: laid out once, drawn once, cropped to its tight box.

``savefig(bbox_inches="tight")`` on a constrained-layout figure draws the whole figure without output
only to run the layout, measures every artist for the tight box, then draws it again. Here the layout
runs once and is frozen and the figure is drawn once; the bytes are the same.

Figures whose layout cannot depend on which region a report is about (bars that differ only in the
highlighted bar's colour, a map whose highlighted region is outlined) pass a ``layout_key`` naming
their content except the highlight: the second report of a territory in a warm kernel reuses the first
one's layout (axes positions and the tight box) instead of running constrained layout again, which
measures every text of the figure twice. A figure that is the same in every region's report (the
territory's Lorenz curves) is keyed with its colours and reuses the PNG itself. The key also holds the figure's size, dpi, every axes' view
limits and the rcParams, so anything that could move an artist is part of it.
"""
from __future__ import annotations

from io import BytesIO

_SUPTEXTS = ("_suptitle", "_supxlabel", "_supylabel")
#: layouts of recently printed figures by content key: (per-axes state, sup-text positions, tight box)
_LAYOUTS: dict = {}
_LAYOUTS_MAX = 64
#: PNG bytes of figures whose key names everything they show, colours included (``finish(image=True)``)
_IMAGES: dict = {}
_IMAGES_MAX = 16


def layout_key(fig, content) -> tuple:
    """The cache key of ``fig``'s layout: the caller's ``content`` (hashable: everything the figure shows
    except colours, or with them for ``image``) plus what else moves artists — figure size and dpi, rcParams, every axes' view limits."""
    from matplotlib import rcParams

    axes = [*fig.axes, *(c for ax in fig.axes for c in ax.child_axes)]
    return (content, tuple(fig.get_size_inches()), fig.dpi, tuple(sorted((k, repr(v)) for k, v in rcParams.items())),
            tuple(tuple(ax.viewLim.bounds) for ax in axes))


def frame_content(obj) -> tuple:
    """Labels and values of a Series / DataFrame as part of a hashable layout key."""
    values = obj.to_numpy(dtype="float64")
    return tuple(str(i) for i in obj.index), tuple(str(c) for c in getattr(obj, "columns", ())), values.tobytes()


def figure_png(fig, *, compress_level: int, key=None, image: bool = False, free=()) -> bytes:
    """PNG bytes of ``fig`` at its dpi cropped to its tight bounding box, as ``savefig(bbox_inches="tight")``.

    ``image``: ``key`` determines the picture itself (a chart of the territory that every region's report
    shows), so an equal figure printed before gives the bytes without drawing. ``free``: artists left out of
    the layout and of ``key`` (the label of the highlighted point, which moves with the region): the figure
    is laid out without them and the tight box then grown to hold them, with or without a cached layout.
    """
    if image and key is not None:
        ikey = (key, compress_level)
        if ikey not in _IMAGES:
            while len(_IMAGES) >= _IMAGES_MAX:
                _IMAGES.pop(next(iter(_IMAGES)))
            _IMAGES[ikey] = figure_png(fig, compress_level=compress_level, key=key, free=free)
        return _IMAGES[ikey]
    from matplotlib import rcParams
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    engine = fig.get_layout_engine()
    hit = _LAYOUTS.get(key) if key is not None and engine is not None else None
    if hit is not None:
        _restore(fig, hit)
        bbox = hit[2]
    else:
        renderer = canvas.get_renderer()
        if engine is not None:
            try:
                engine.execute(fig)
            except ValueError:  # as Figure.draw: a layout that cannot be made leaves the axes where they are
                pass
        state = _axes_state(fig, original=True)
        bbox = fig.get_tightbbox(renderer).padded(rcParams["savefig.pad_inches"])  # applies aspect ratios
        if key is not None and engine is not None:
            while len(_LAYOUTS) >= _LAYOUTS_MAX:
                _LAYOUTS.pop(next(iter(_LAYOUTS)))
            _LAYOUTS[key] = (state, _axes_state(fig, original=False), bbox,
                             tuple((n, getattr(fig, n).get_position()) for n in _SUPTEXTS if getattr(fig, n)))
    if free:
        from matplotlib.transforms import Bbox

        renderer = canvas.get_renderer()
        to_inches = fig.dpi_scale_trans.inverted()
        pad = rcParams["savefig.pad_inches"]
        bbox = Bbox.union([bbox] + [a.get_window_extent(renderer).transformed(to_inches).padded(pad)
                                    for a in free if a.get_visible()])
    # the layout is final. Not set_layout_engine("none"): its placeholder engine still makes print_figure draw
    # the figure once more "to run the layout"; without an engine the figure is drawn once
    fig._layout_engine = None
    buf = BytesIO()
    canvas.print_figure(buf, format="png", dpi=fig.dpi, facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor(),
                        bbox_inches=bbox, pil_kwargs={"compress_level": compress_level})
    return buf.getvalue()


def _axes_state(fig, *, original: bool) -> tuple:
    """Per axes what constrained layout sets: position, and for a colorbar its anchor and box aspect."""
    return tuple((ax.get_position(original=original).frozen(), ax.get_anchor(), ax.get_box_aspect(), ax.get_aspect())
                 for ax in fig.axes)


def _restore(fig, hit) -> None:
    """Put ``fig``'s axes where the cached layout has them, as constrained layout and the tight box would."""
    original, active, _bbox, sup = hit
    for ax, (pos, anchor, box_aspect, aspect), (act, *_rest) in zip(fig.axes, original, active):
        if getattr(ax, "_colorbar_info", None) is not None:  # what reposition_colorbar sets besides the position
            ax.set_transform(fig.transSubfigure)
            ax.set_anchor(anchor)
            ax.set_box_aspect(box_aspect)
            ax.set_aspect(aspect)
        ax._set_position(pos, which="original")
        ax._set_position(act, which="active")  # after the aspect ratio, which the tight box applies
    for name, xy in sup:
        getattr(fig, name).set_position(xy)

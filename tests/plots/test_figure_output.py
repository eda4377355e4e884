"""Charts reach the reports at ≥ 200 dpi with their title as the image's alt text."""
import base64
import struct

import nbformat
import pandas as pd

from iplayout.plots import charts
from iplayout.reporting.render import add_alt_text, image_alts


def test_figure_bundle_is_200_dpi_with_title_as_alt():
    fig = charts.plot_rank_bars(pd.Series({"南京": 1.0, "苏州": 2.0}), title="各市专利授权量")
    data, meta = fig._repr_mimebundle_()
    assert meta == {"image/png": {"alt": "各市专利授权量"}} and fig.dpi >= 200
    width = struct.unpack(">I", base64.b64decode(data["image/png"])[16:20])[0]
    assert width >= 0.8 * fig.get_figwidth() * 200  # bbox tight trims a little margin, nothing more


def test_rendered_img_carries_the_alt_text():
    fig = charts.plot_rank_bars(pd.Series({"a": 1.0}), title='标题 "引号" <b>')
    data, meta = fig._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=meta)]
    nb.cells = [cell]
    html = f'<img src="data:image/png;base64,{data["image/png"]}" class="x">'
    out = add_alt_text(html, image_alts(nb))
    assert out.startswith('<img alt="标题 &quot;引号&quot; &lt;b&gt;"')
    assert add_alt_text(html, {}).startswith('<img alt="图表"')


def test_inline_backend_formatter_keeps_the_bundle_png_of_finished_figures():
    """IPython prefers a per-type formatter over ``_repr_mimebundle_``: the inline backend's would draw every
    finished figure a second time and replace its PNG. After ``finish`` it steps aside for finished figures
    (one draw, the bundle's PNG and alt text) and still draws any other figure."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats
    import matplotlib.pyplot as plt

    shell = InteractiveShell.instance()
    select_figure_formats(shell, {"png"})  # what the inline backend registers in a kernel
    fig = charts.plot_rank_bars(pd.Series({"南京": 1.0, "苏州": 2.0}), title="各市专利授权量")
    bundle, _ = fig._repr_mimebundle_()
    data, meta = shell.display_formatter.format(fig)
    assert data["image/png"] == bundle["image/png"] and meta == {"image/png": {"alt": "各市专利授权量"}}
    select_figure_formats(shell, {"png"})  # registered anew (%matplotlib inline): finish defers again
    fig = charts.plot_rank_bars(pd.Series({"南京": 1.0}), title="再一次")
    assert shell.display_formatter.format(fig)[0]["image/png"] == fig._repr_mimebundle_()[0]["image/png"]
    plain, _ax = plt.subplots()
    png = shell.display_formatter.format(plain)[0]["image/png"]
    assert base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n" if isinstance(png, str) else png[:8] == b"\x89PNG\r\n\x1a\n"
    plt.close(plain)

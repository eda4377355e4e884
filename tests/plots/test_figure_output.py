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

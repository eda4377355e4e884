"""Interactive (screen-only) map outputs: kept in the HTML page, dropped from the PDF without an empty box."""
import json

import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_output

from reporting_helpers import external_urls, fake_executed_notebook, read_pdf_text
from iplayout.plots import interactive as im
from iplayout.reporting import render

JOB = {"job_id": "x", "group": "资源调查", "title": "调查", "territory": "320000", "labels": {"320000": "江苏省"},
       "year": 2016}


@pytest.fixture
def nb_with_map(tmp_path):
    """The fake executed notebook plus one cell holding a static-looking output and an interactive map."""
    square = [[118.0, 31.0], [119.0, 31.0], [119.0, 32.0], [118.0, 32.0], [118.0, 31.0]]
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": "320100", "name": "南京</script>市"},
         "geometry": {"type": "Polygon", "coordinates": [square]}}]}
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps(gj, ensure_ascii=False), encoding="utf-8")
    im.reset_inline_state()
    html_map = im.interactive_map(pd.Series({"320100": 2.0}), geojson_path=path, code_field="adcode",
                                  title="交互测试图", unit="件")
    im.reset_inline_state()
    nb = fake_executed_notebook(is_demo=False)
    nb.cells.append(new_code_cell("display(...)", execution_count=3, outputs=[
        new_output("stream", name="stdout", text="静态地图占位\n"),
        new_output("display_data", data={"text/html": html_map.data, "text/plain": "<HTML>"})]))
    return nb


def test_html_keeps_the_map_with_the_library_inlined_once(nb_with_map):
    page = render.render_html(nb_with_map, render.report_info(nb_with_map, JOB, "RUN"))
    assert page.count(f'<script id="{im.LIBRARY_ID}">') == 1
    assert page.count("ec.registerMap(") == 1 and "交互测试图" in page
    assert external_urls(page) == []
    assert "南京</script>市" not in page  # the hostile name only travels escaped


def test_print_html_and_pdf_drop_the_map_and_keep_the_rest(nb_with_map, tmp_path):
    info = render.report_info(nb_with_map, JOB, "RUN")
    printable = render.render_print_html(nb_with_map, info)
    assert "ipl-imap" not in printable and "registerMap" not in printable and "交互测试图" not in printable
    assert "<script" not in printable.split("<main>", 1)[1]  # no JavaScript in the body WeasyPrint lays out
    assert "静态地图占位" in printable  # other outputs of the same cell stay
    stripped = render.strip_screen_only_outputs(nb_with_map)
    assert [len(c.get("outputs", [])) for c in stripped.cells][-1] == 1
    assert len(nb_with_map.cells[-1].outputs) == 2  # the input notebook is not modified
    if render.pdf_unavailable_reason():
        pytest.skip("WeasyPrint/CJK font unavailable on this machine")
    pdf = tmp_path / "r.pdf"
    render.render_pdf(nb_with_map, info, pdf)
    text = read_pdf_text(pdf)
    if text is None:
        pytest.skip("pdftotext not installed")
    assert "静态地图占位" in text
    for js in ("echarts", "registerMap", "function", "交互测试图", "window."):
        assert js not in text

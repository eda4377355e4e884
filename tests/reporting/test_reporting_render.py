"""Rendering without a kernel: offline HTML, title block, TOC, demo banner, PDF with Chinese."""
import pytest

from reporting_helpers import CJK_FONT, external_urls, fake_executed_notebook, pdf_fonts, read_pdf_text
from iplayout.reporting import render
from iplayout.reporting.meta import build_report_meta, read_report_meta

JOB = {"job_id": "x", "group": "资源调查", "title": "调查", "territory": "320000", "region": "320100",
       "labels": {"320000": "江苏省", "320100": "南京市"}, "year": 2016}


def test_report_meta_roundtrip_and_demo_is_sticky():
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from iplayout.reporting.meta import MIME_TYPE

    a = build_report_meta("甲", is_demo=True, sources=["A"], region="320100")
    b = build_report_meta("乙", is_demo=False, sources=["A", {"title": "B", "url": "x"}])
    cells = [new_code_cell("", outputs=[new_output("display_data", data={MIME_TYPE: p})]) for p in (a, b)]
    meta = read_report_meta(new_notebook(cells=cells))
    assert meta["title"] == "乙" and meta["is_demo"] is True and meta["region"] == "320100"
    assert meta["sources"] == [{"title": "A"}, {"title": "B", "url": "x"}]
    assert read_report_meta(new_notebook()) == {}
    with pytest.raises(ValueError):
        build_report_meta("")


def test_html_is_offline_with_title_block_toc_and_hidden_inputs():
    nb = fake_executed_notebook(is_demo=False, with_link=True)
    info = render.report_info(nb, JOB, "20161231-000000-test")
    page = render.render_html(nb, info)
    assert external_urls(page) == []
    assert '<html lang="zh-CN">' in page
    assert "<script src" not in page
    assert "南京市知识产权资源调查" in page and "20161231-000000-test" in page
    assert "地区</th><td>南京市（320100）" in page and "中国科技统计年鉴" in page
    assert 'class="ipl-toc"' in page and '@@IPLAYOUT_TOC@@' not in page and "一、专利创造</a>" in page
    assert "report_meta(...)" not in page and "print(...)" not in page  # inputs hidden
    assert "演示数据 DEMO DATA" not in page
    assert 'data-href="https://www.stats.gov.cn/"' in page  # narrative link kept as inert text


def test_demo_banner_in_html_and_on_every_pdf_page(tmp_path):
    nb = fake_executed_notebook(is_demo=True)
    info = render.report_info(nb, JOB, "RUN")
    assert "演示数据 DEMO DATA" in render.render_html(nb, info)
    printable = render.render_print_html(nb, info)
    assert '@top-right { content: "演示数据 DEMO"' in printable  # a page-margin box repeats on every page
    if render.pdf_unavailable_reason():
        pytest.skip("WeasyPrint/CJK font unavailable on this machine")
    # make the report long enough for several pages
    nb.cells[2].outputs[0]["text"] = "".join(f"第 {i} 行 演示数据\n" for i in range(400))
    pdf = tmp_path / "r.pdf"
    render.render_pdf(nb, info, pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = read_pdf_text(pdf)
    if text is None:
        pytest.skip("pdftotext not installed")
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3
    assert all("演示数据 DEMO" in p for p in pages)
    squeezed = ["".join(p.split()) for p in pages]  # pdftotext drops the spaces between CJK glyphs
    assert all(f"第{i}页/共{len(pages)}页" in p for i, p in enumerate(squeezed, start=1))
    assert "南京市知识产权资源调查" in pages[-1]  # running header
    assert "协调发展" in text and "第 399 行 演示数据" in text
    assert CJK_FONT.search(pdf_fonts(pdf) or "Noto-Sans-CJK-SC")  # Chinese drawn with the CJK font


def test_default_title_without_report_meta():
    from nbformat.v4 import new_notebook

    info = render.report_info(new_notebook(), JOB, "RUN")
    assert info["title"] == "南京市调查" and info["is_demo"] is False

"""The opt-in Chromium PDF engine: same print page, page numbers, running title and demo mark on every page."""
import shutil

import pytest

from reporting_helpers import fake_executed_notebook, pdf_fonts, read_pdf_text
from iplayout.reporting import chromium_pdf, render

JOB = {"job_id": "x", "group": "资源调查", "title": "调查", "territory": "320000", "region": "320100",
       "labels": {"320000": "江苏省", "320100": "南京市"}, "year": 2016}


def test_engine_choice_and_css_literal(monkeypatch):
    monkeypatch.delenv(chromium_pdf.ENGINE_ENV, raising=False)
    assert chromium_pdf.pdf_engine() == "weasyprint"
    monkeypatch.setenv(chromium_pdf.ENGINE_ENV, " Chromium ")
    assert chromium_pdf.pdf_engine() == "chromium"
    monkeypatch.setenv(chromium_pdf.ENGINE_ENV, "prince")  # unknown: the default engine
    assert chromium_pdf.pdf_engine() == "weasyprint"
    assert chromium_pdf.css_string('南京"报告\\x\n') == '"南京\\"报告\\\\x "'
    css = chromium_pdf.chromium_css("南京市报告")
    assert '@top-center { content: "南京市报告"; }' in css and "@page :first { @top-center { content: none; } }" in css


@pytest.mark.slow
@pytest.mark.skipif(chromium_pdf.browser_path() is None or shutil.which("pdftotext") is None,
                    reason="chromium or poppler not installed")
def test_chromium_pdf_has_numbers_title_and_demo_mark_on_every_page(tmp_path, monkeypatch):
    monkeypatch.setenv(chromium_pdf.ENGINE_ENV, "chromium")
    nb = fake_executed_notebook(is_demo=True)
    nb.cells[2].outputs[0]["text"] = "".join(f"第 {i} 行 演示数据\n" for i in range(400))
    info = render.report_info(nb, JOB, "RUN")
    assert render.pdf_unavailable_reason() is None
    try:
        pdfs = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
        for pdf in pdfs:  # the second report reuses the running browser
            render.render_pdf(nb, info, pdf)
        browser = chromium_pdf._browser
        assert browser is not None and browser.alive()
    finally:
        chromium_pdf.close_printer()
    assert not browser.profile.exists()  # the temporary browser profile is removed
    for pdf in pdfs:
        assert pdf.read_bytes()[:5] == b"%PDF-"
        text = read_pdf_text(pdf)
        pages = [p for p in text.split("\f") if p.strip()]
        assert len(pages) >= 3
        squeezed = ["".join(p.split()) for p in pages]  # pdftotext drops the spaces between CJK glyphs
        assert all("演示数据DEMO" in p for p in squeezed)
        assert all(f"第{i}页/共{len(pages)}页" in p for i, p in enumerate(squeezed, start=1))
        assert all("南京市知识产权资源调查" in p for p in squeezed[1:])  # running title (literal @page content)
        assert "第399行演示数据" in squeezed[-1] or "第399行演示数据" in "".join(squeezed)
        fonts = [ln.split() for ln in pdf_fonts(pdf).splitlines()[2:] if ln.strip()]
        assert fonts and all(f[-5] == "yes" and f[-3] == "yes" for f in fonts)  # every font embedded, with ToUnicode

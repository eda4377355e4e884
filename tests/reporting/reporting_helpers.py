"""Helpers shared by reporting tests."""
import re
from pathlib import Path

EXTERNAL = re.compile(r"""(?<![\w-])(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", re.I)
CJK_FONT = re.compile(r"Noto-?Sans-?CJK-?(SC|sc)")  # pdffonts name: WeasyPrint Noto-Sans-CJK-SC, Chromium NotoSansCJKsc-…
CSS_EXTERNAL = re.compile(r"""url\(\s*["']?(?:https?:|//)|@import\s+["']?(?:https?:|//)""", re.I)


def external_urls(html: str) -> list[str]:
    """Every src=/href= (and CSS url()/@import) that points off the page."""
    hits = [m.group(0) for m in EXTERNAL.finditer(html)]
    hits += [m.group(0) for m in CSS_EXTERNAL.finditer(html)]
    return hits


def fake_executed_notebook(*, is_demo: bool, with_link: bool = False):
    """An executed-looking notebook built without a kernel (outputs written by hand)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from iplayout.reporting.meta import MIME_TYPE, build_report_meta

    meta = build_report_meta("南京市知识产权资源调查", is_demo=is_demo, territory="320000", region="320100",
                             region_name="南京市", year=2016, sources=["中国科技统计年鉴"])
    c1 = new_code_cell("report_meta(...)", execution_count=1,
                       outputs=[new_output("display_data", data={MIME_TYPE: meta, "text/plain": "iplayout report"})])
    c2 = new_code_cell("print(...)", execution_count=2,
                       outputs=[new_output("stream", name="stdout", text="江苏省 2015 年专利授权量 250,290 件\n")])
    md = "# 南京市知识产权资源调查\n\n## 一、专利创造\n\n南京、苏州、徐州、连云港、宿迁。"
    if with_link:
        md += "\n\n参见 [国家统计局](https://www.stats.gov.cn/) 。"
    nb = new_notebook(cells=[new_markdown_cell(md), c1, c2, new_markdown_cell("## 二、结论\n\n协调发展。")])
    return nbformat.from_dict(nb)


def read_pdf_text(pdf: Path) -> str | None:
    """Text of a PDF via the ``pdftotext`` CLI, or None when poppler is not installed."""
    import shutil
    import subprocess

    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_fonts(pdf: Path) -> str | None:
    """``pdffonts`` listing (font names embedded in the PDF), or None without poppler.

    Text extraction alone cannot reveal tofu (the ToUnicode map survives); the embedded CJK font can.
    """
    import shutil
    import subprocess

    if shutil.which("pdffonts") is None:
        return None
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout

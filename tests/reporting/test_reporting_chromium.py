"""The Chromium PDF engine (default): TOC page numbers, page furniture, embedded TrueType CJK font, same bytes."""
import os
import re
import shutil
import subprocess
import sys

import pytest

from reporting_helpers import fake_executed_notebook, pdf_fonts, read_pdf_text
from iplayout import font_truetype
from iplayout.reporting import chromium_pdf, chromium_toc, render

JOB = {"job_id": "x", "group": "资源调查", "title": "调查", "territory": "320000", "region": "320100",
       "labels": {"320000": "江苏省", "320100": "南京市"}, "year": 2016}


def test_engine_choice_and_css_literal(monkeypatch):
    monkeypatch.delenv(chromium_pdf.ENGINE_ENV, raising=False)
    monkeypatch.setattr(chromium_pdf, "browser_path", lambda: "/usr/bin/chromium")
    assert chromium_pdf.pdf_engine() == "chromium"  # the default when a browser is installed
    monkeypatch.setattr(chromium_pdf, "browser_path", lambda: None)
    assert chromium_pdf.pdf_engine() == "weasyprint"  # … else the engine that needs none
    monkeypatch.setenv(chromium_pdf.ENGINE_ENV, " Chromium ")
    assert chromium_pdf.pdf_engine() == "chromium"
    assert "Chromium not found" in render.pdf_unavailable_reason()  # asked for explicitly, and missing
    assert "--pdf-engine weasyprint" in render.pdf_unavailable_reason()
    monkeypatch.setenv(chromium_pdf.ENGINE_ENV, "weasyprint")
    assert chromium_pdf.pdf_engine() == "weasyprint"
    assert chromium_pdf.css_string('南京"报告\\x\n') == '"南京\\"报告\\\\x "'
    css = chromium_pdf.chromium_css("南京市报告")
    assert '@top-center { content: "南京市报告"; }' in css and "@page :first { @top-center { content: none; } }" in css
    assert '.ipl-toc a::after { content: "00";' in css  # fixed-width placeholder for the first pass


def _pdf(objects: dict[int, bytes], root: int) -> bytes:
    """A PDF with a classic xref table, laid out like Skia's (object bodies as given)."""
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref = len(out)
    size = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<</Size %d\n/Root %d 0 R>>\nstartxref\n%d\n%%%%EOF" % (size, root, xref)
    return bytes(out)


def test_named_destinations_through_a_nested_page_tree():
    # pages 10, 11 under node 3; page 12 directly under the root 2 (Skia nests nodes of ≤ 8 kids)
    objs = {1: b"<</Type /Catalog\n/Pages 2 0 R\n/Dests 4 0 R>>",
            2: b"<</Type /Pages\n/Count 3\n/Kids [3 0 R 12 0 R]>>",
            3: b"<</Type /Pages\n/Count 2\n/Parent 2 0 R\n/Kids [10 0 R 11 0 R]>>",
            4: b"<</sec-1 [10 0 R /XYZ 6 424.2 0]\n/sec-2 [12 0 R /XYZ 6 841.9 0]\n/sec#2D3 [11 0 R /XYZ 6 1 0]>>",
            5: b"<</Producer (Skia/PDF m156)\n/CreationDate (D:20261202022040+00'00')\n"
               b"/ModDate (D:20261202022040+00'00')>>",
            6: b"<</Type /StructElem\n/ID (node00000052)>>", 7: b"<</Type /StructElem\n/ID (node00000107)>>",
            8: b"<</Names [(node00000052) 6 0 R (node00000107) 7 0 R]>>",
            10: b"<</Type /Page\n/Parent 3 0 R>>", 11: b"<</Type /Page\n/Parent 3 0 R>>",
            12: b"<</Type /Page\n/Parent 2 0 R>>"}
    pdf = _pdf(objs, 1)
    assert chromium_toc.named_destination_pages(pdf) == {"sec-1": 1, "sec-2": 3, "sec-3": 2}
    blank = chromium_toc.stable_bytes(pdf)
    assert len(blank) == len(pdf) and b"CreationDate" not in blank and b"ModDate" not in blank
    assert b"<</Names [(node00000001) 6 0 R (node00000002) 7 0 R]>>" in blank  # DOM node ids renumbered in order
    assert chromium_toc.named_destination_pages(blank) == {"sec-1": 1, "sec-2": 3, "sec-3": 2}  # offsets intact
    page = ('<nav class="ipl-toc"><h2>目录</h2><ul><li><a href="#sec-2">一</a></li>'
            '<li><a href="#sec-5">二</a></li></ul></nav>')
    assert chromium_toc.toc_targets(page) == ["sec-2", "sec-5"] and chromium_toc.toc_targets("<main/>") == []
    assert chromium_toc.toc_page_css({"sec-2": 1, "sec-5": 12}) == (
        '.ipl-toc a[href="#sec-2"]::after { content: "1"; }\n.ipl-toc a[href="#sec-5"]::after { content: "12"; }\n')


def test_embolden_moves_edges_out_and_holes_in():
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    pen = TTGlyphPen(None)
    for contour in ([(0, 0), (0, 100), (100, 100), (100, 0)],  # outer, clockwise (TrueType)
                    [(30, 30), (70, 30), (70, 70), (30, 70)]):  # hole, counter-clockwise
        pen.moveTo(contour[0])
        for pt in contour[1:]:
            pen.lineTo(pt)
        pen.closePath()
    glyph = pen.glyph()
    font_truetype.embolden(glyph, 10)
    # square corners: the miter moves each corner by 10 along both axes
    assert list(glyph.coordinates) == [(-10, -10), (-10, 110), (110, 110), (110, -10),
                                       (40, 40), (60, 40), (60, 60), (40, 60)]


def _toc_entries(page_text: str) -> list[tuple[str, int]]:
    lines = page_text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "目录")
    out = []
    for ln in lines[start + 1:]:
        m = re.match(r"\s*(\S.*?)[\s.]+(\d+)\s*$", ln)
        if not m:
            if out:
                break
            continue
        out.append(("".join(m.group(1).split()), int(m.group(2))))
    return out


@pytest.mark.slow
@pytest.mark.skipif(chromium_pdf.browser_path() is None or shutil.which("pdftotext") is None,
                    reason="chromium or poppler not installed")
def test_chromium_pdf_toc_numbers_furniture_fonts_and_same_bytes(tmp_path, monkeypatch):
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

    monkeypatch.setenv(chromium_pdf.ENGINE_ENV, "chromium")
    nb = fake_executed_notebook(is_demo=True)
    nb.cells[2].outputs[0]["text"] = "".join(f"第 {i} 行 演示数据\n" for i in range(150))
    for k, name in enumerate(("三、专利运用", "四、商标品牌", "五、版权产业"), start=3):  # headings across pages
        nb.cells.insert(-1, new_markdown_cell(f"## {name}\n\n**加粗的说明**：第{k}节。"))
        nb.cells.insert(-1, new_code_cell("print(...)", execution_count=k, outputs=[
            new_output("stream", name="stdout", text=f"第{k}节 明细\n" * (60 * k))]))
    info = render.report_info(nb, JOB, "RUN")
    assert render.pdf_unavailable_reason() is None
    prints = []
    real_print = chromium_pdf.ChromiumPrinter._print
    monkeypatch.setattr(chromium_pdf.ChromiumPrinter, "_print",
                        lambda self, session, *, final: prints.append(final) or real_print(self, session, final=final))
    monkeypatch.setattr(chromium_pdf, "_TOC_GUESSES", chromium_pdf.PageGuesses())
    try:
        pdfs = [tmp_path / "a.pdf", tmp_path / "b.pdf", tmp_path / "c.pdf"]
        counts = []
        for i, pdf in enumerate(pdfs):  # later reports reuse the running browser
            if i == 1:  # a wrong guess of the TOC's page numbers (other reports') is found out and corrected
                guesses = chromium_pdf._TOC_GUESSES
                (key,) = guesses._seen
                wrong = {sid: n + 1 for sid, n in guesses.guess(key).items()}
                guesses.record(key, wrong)
                guesses.record(key, wrong)  # seen twice: the most frequent layout, so the guess
            n0 = len(prints)
            render.render_pdf(nb, info, pdf)
            counts.append(prints[n0:])
        browser = chromium_pdf._browser
        assert browser is not None and browser.alive()
    finally:
        chromium_pdf.close_printer()
    assert not browser.profile.exists()  # the temporary browser profile is removed
    # no guess: headings-only pass + final; wrong guess: two finals; right guess (the last pages): one final
    assert counts == [[False, True], [True, True], [True]]
    data = pdfs[0].read_bytes()
    assert data[:5] == b"%PDF-" and data == pdfs[1].read_bytes() == pdfs[2].read_bytes()  # same bytes (no dates)
    assert b"/CreationDate" not in data
    text = subprocess.run(["pdftotext", "-layout", str(pdfs[0]), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 6
    squeezed = ["".join(p.split()) for p in pages]  # pdftotext drops the spaces between CJK glyphs
    assert all("演示数据DEMO" in p for p in squeezed)
    assert all(f"第{i}页/共{len(pages)}页" in p for i, p in enumerate(squeezed, start=1))
    assert all("南京市知识产权资源调查" in p for p in squeezed[1:])  # running title (literal @page content)
    entries = _toc_entries(pages[0])
    assert [t for t, _ in entries] == ["一、专利创造", "三、专利运用", "四、商标品牌", "五、版权产业", "二、结论"]
    for title, number in entries:  # every number is the page where that heading is printed
        # a TOC line squeezes to title + number, so only the heading itself equals the title
        at = [i for i, p in enumerate(pages, start=1) if any("".join(ln.split()) == title for ln in p.splitlines())]
        assert number in at, (title, number, at)
    assert len({n for _, n in entries}) >= 4  # the headings really are spread over the pages
    fonts = [ln.split() for ln in pdf_fonts(pdfs[0]).splitlines()[2:] if ln.strip()]
    assert fonts and all(f[-5] == "yes" and f[-3] == "yes" for f in fonts)  # every font embedded, with ToUnicode
    assert not [f for f in fonts if "Type" in f and "3" in f]  # no Type 3 font
    names = {f[0].split("+")[-1]: " ".join(f[1:-6]) for f in fonts}  # name → type (before the encoding)
    assert names.get("NotoSansCJKsc-Regular") == "CID TrueType"
    assert names.get("NotoSansCJKsc-SyntheticBold") == "CID TrueType"  # bold headings: a real font, not Type 3
    # no serif fallback: the page furniture names its font (the headless shell otherwise set the page numbers'
    # digits in a serif face); the program output in <pre> is monospace
    assert {n for n in names if "Mono" not in n} == {"NotoSansCJKsc-Regular", "NotoSansCJKsc-SyntheticBold"}, names
    assert "第149行演示数据" in "".join(squeezed) and "加粗的说明" in read_pdf_text(pdfs[0])


def test_two_workers_convert_the_font_once(tmp_path):
    """Two processes asking for the TrueType faces at once: one converts (under the lock), the other reuses it."""
    import sys

    log = tmp_path / "conversions.log"
    script = f"""
import time
from pathlib import Path
from iplayout import font_truetype as ft
def note(what):
    with open({str(log)!r}, "a") as fh:
        fh.write(what + "\\n")
def fake_convert(ttc, folder):  # stands in for the ≈ 3-minute conversion
    note("convert")
    time.sleep(1.5)
    for name in (ft.REGULAR, ft.BOLD):
        (Path(folder) / name).write_bytes(b"ttf")
    note("converted")
ft.convert = fake_convert
note("asked")
print(ft.ensure_truetype_fonts())
"""
    env = dict(os.environ, IPLAYOUT_FONT_CACHE=str(tmp_path / "fonts"))
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    # both asked while the one conversion ran (the second waited on the lock), and nobody converted again
    assert log.read_text().splitlines() in (["asked", "asked", "convert", "converted"],
                                            ["asked", "convert", "asked", "converted"])
    assert outs[0] == outs[1] and outs[0].startswith(str(tmp_path / "fonts" / "noto-cjk-sc-ttf-v"))


def test_toc_page_guess_is_the_most_frequent_layout():
    from iplayout.reporting.chromium_toc import PageGuesses

    g = PageGuesses(max_tocs=2, max_layouts=2)
    a, b, c = {"sec-1": 1, "sec-2": 3}, {"sec-1": 1, "sec-2": 2}, {"sec-1": 2, "sec-2": 4}
    assert g.guess("toc") is None
    for pages in (a, b, a, a, b):
        g.record("toc", pages)
    assert g.guess("toc") == a  # b was seen last, a more often (3 against 2)
    g.record("toc", b)
    assert g.guess("toc") == a  # a tie: the layout seen first
    g.record("toc", c)  # only two layouts are kept: the new one replaces the rarest (a tie: the first seen, a)
    assert g.guess("toc") == b and sorted(g._seen["toc"].values()) == [1, 3]
    g.record("other", a)
    g.record("third", b)  # at most two TOCs: the oldest is forgotten
    assert set(g._seen) == {"other", "third"} and g.guess("toc") is None


def test_a_one_command_wrapper_script_is_replaced_by_the_binary_it_runs(tmp_path):
    binary = tmp_path / "real-browser"
    binary.write_bytes(b"\x7fELF fake")
    binary.chmod(0o755)
    wrapper = tmp_path / "wrapper"
    wrapper.write_text(f'#!/bin/sh -e\n\n{binary} "$@"\n', encoding="utf-8")  # Debian's headless-shell wrapper
    assert chromium_pdf.unwrapped(str(wrapper)) == str(binary)
    wrapper.write_text(f'#!/bin/sh\n# comment\nexec {binary} "$@"\n', encoding="utf-8")
    assert chromium_pdf.unwrapped(str(wrapper)) == str(binary)
    setup = tmp_path / "setup"  # a wrapper that does more than run the binary is kept (it may set flags)
    setup.write_text(f'#!/bin/sh\nexport X=1\nexec {binary} "$@"\n', encoding="utf-8")
    assert chromium_pdf.unwrapped(str(setup)) == str(setup)
    assert chromium_pdf.unwrapped(str(binary)) == str(binary)
    assert chromium_pdf.unwrapped(str(tmp_path / "missing")) == str(tmp_path / "missing")


def _browser_processes(profile: str) -> list:
    import psutil

    out = []
    for p in psutil.process_iter(["cmdline"]):
        if any(profile in part for part in (p.info["cmdline"] or [])):
            out.append(p)
    return out


@pytest.mark.slow
@pytest.mark.skipif(chromium_pdf.browser_path() is None, reason="chromium not installed")
def test_no_browser_process_outlives_its_printer_or_its_worker(tmp_path):
    import time

    printer = chromium_pdf.ChromiumPrinter(chromium_pdf.browser_path())
    printer.start()
    profile = str(printer.profile)
    assert _browser_processes(profile)
    printer.close()
    deadline = time.monotonic() + 10
    while _browser_processes(profile) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _browser_processes(profile)  # closed: the browser and its helpers are gone
    # a pool worker ends with os._exit (no atexit): the parent-death signal must take the browser down
    code = ("import os, sys; from iplayout.reporting import chromium_pdf as c; p = c.ChromiumPrinter(c.browser_path());"
            " p.start(); print(p.profile, flush=True); os._exit(0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    profile = out.stdout.strip()
    deadline = time.monotonic() + 10
    while _browser_processes(profile) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _browser_processes(profile)

"""Presentation helpers of the renderer and index: TOC levels, captions, figure classes, durations."""
import base64
import struct
import zlib

from iplayout.reporting.index import fmt_duration, fmt_time, render_index
from iplayout.reporting.render import build_toc, classify_figures, detach_captions


def _png(width: int, height: int) -> str:
    """A valid 1-bit PNG header + IHDR of the given size, base64 (only the header is read)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunk = struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk).decode()


def test_single_h1_is_subtitle_and_toc_starts_at_sections():
    body = ('<h1 id="a">调查：地区报告<a class="anchor-link" href="#a">¶</a></h1><h2 id="b">一、总量</h2>'
            '<h3 id="c">（一）专利</h3><h2 id="d">二、趋势</h2>')
    out, toc = build_toc(body)
    assert '<h1 class="ipl-doc-h1" id="sec-1">' in out and 'href="#sec-1">¶' in out
    assert "调查：地区报告" not in toc
    assert toc == ('<h2>目录</h2><ul><li class="lvl1"><a href="#sec-2">一、总量</a></li>'
                   '<li class="lvl2"><a href="#sec-3">（一）专利</a></li><li class="lvl1"><a href="#sec-4">二、趋势</a></li></ul>')
    # two h1s: both are sections, listed at level 1
    out2, toc2 = build_toc('<h1 id="x">甲</h1><h1 id="y">乙</h1>')
    assert "ipl-doc-h1" not in out2 and toc2.count('class="lvl1"') == 2


def test_captions_move_before_their_table():
    html = '<table id="T_1" class="ipl-table ipl-keep">\n  <caption>表1 指标</caption>\n  <thead>'
    assert detach_captions(html) == '<p class="ipl-caption">表1 指标</p>\n<table id="T_1" class="ipl-table ipl-keep">\n  <thead>'


def test_figures_classified_by_png_aspect():
    wide, tall = _png(792, 418), _png(792, 836)  # 7.2 × 3.8 in and 7.2 × 7.6 in at 110 dpi
    body = (f'<img alt="x" class="" src="data:image/png;base64,{wide}">'
            f'<img src="data:image/png;base64,{tall}">')
    out = classify_figures(body)
    assert out.startswith(f'<img class="ipl-fig-wide" alt="x" src="data:image/png;base64,{wide}')
    assert f'<img class="ipl-fig-tall" src="data:image/png;base64,{tall}' in out
    assert classify_figures('<img src="data:image/png;base64,' + "A" * 40 + '">').startswith('<img class=')


def test_index_formats():
    assert [fmt_duration(v) for v in (None, 0.44, 14.848, 125, 3725)] == ["—", "0.4 秒", "14.8 秒", "2 分 05 秒",
                                                                        "1 小时 02 分"]
    assert fmt_time("2026-11-25T15:16:34") == "2026-11-25 15:16:34" and fmt_time(None) == "—"
    m = {"run_id": "r", "plan": {"title": "集", "name": "n", "file": "p.yaml"}, "started": "2026-11-25T15:16:34",
         "finished": None, "timings": {"total_seconds": 75.0}, "code_version": "v", "warnings": [],
         "jobs": [{"job_id": "a", "group": "一、资源调查", "status": "ok", "duration": 3.0, "region": "320100",
                   "labels": {"320100": "南京市"}, "outputs": {"html": "a.html", "pdf": "a.pdf"}, "report_title": "甲"}]}
    page = render_index(m)
    assert "1 分 15 秒" in page and "2026-11-25 15:16:34 / —" in page and '<p class="gsum">1 份</p>' in page
    assert '<a class="btn" href="a.html">HTML</a><a class="btn" href="a.pdf">PDF</a>' in page

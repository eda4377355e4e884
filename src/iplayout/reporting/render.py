"""Executed notebook → offline HTML page and PDF (Chromium or WeasyPrint, with the CJK font).

HTML: nbconvert's ``lab`` look through the custom template ``templates/iplayout_html`` (CDN script
blocks emptied, inputs hidden, ``lang="zh-CN"``), plus a title block, a table of contents and a demo
banner. PDF: nbconvert's ``basic`` body inside ``templates/iplayout_pdf/page.html.j2`` with
paged-media CSS (running header, page numbers, demo mark in a page-margin box so it is on every page),
printed by a persistent headless Chromium (:mod:`.chromium_pdf`, the default when a browser is installed)
or by WeasyPrint (``IPLAYOUT_PDF_ENGINE=weasyprint``). Charts reach the PDF as the static PNG/SVG outputs
the notebook produced.
"""
from __future__ import annotations

import base64
import copy
import html as html_mod
import re
import struct
from functools import lru_cache
from pathlib import Path
from typing import Any

from .meta import MIME_TYPE, read_report_meta

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
DEMO_TEXT = "本报告使用的部分数据为演示（模拟）数据，仅用于展示方法与流程，不代表官方统计。"

_HEADING = re.compile(r'<h([1-3])([^>]*)\bid="([^"]+)"([^>]*)>(.*?)</h\1>', re.S)
_TAGS = re.compile(r"<[^>]+>")
_CAPTION = re.compile(r"(<table\b[^>]*>)\s*<caption>(.*?)</caption>", re.S)
_PNG_IMG = re.compile(r'<img\b([^>]*?)\bsrc="data:image/png;base64,([A-Za-z0-9+/]{32})')
_CLASS_ATTR = re.compile(r'\s*\bclass="[^"]*"')
TALL_RATIO = 0.9  # height / width above which a figure is "tall"
_EXTERNAL_A = re.compile(r'<a\s+([^>]*?)href="((?:https?:)?//[^"]*)"([^>]*)>', re.I)


def report_info(nb: Any, job: dict[str, Any], run_id: str) -> dict[str, Any]:
    """Title-block content for a report: notebook-declared meta first, then the job's facts."""
    meta = read_report_meta(nb)
    labels = job.get("labels") or {}

    def named(code: str | None) -> str | None:
        if not code:
            return None
        name = labels.get(code)
        return f"{name}（{code}）" if name else code

    territory = meta.get("territory") or job.get("territory")
    region = meta.get("region") or job.get("region")
    industry = meta.get("industry") or job.get("industry")
    facts = []  # the report group is shown above the title (kicker), not repeated here
    for label, code, name_key in (("地域范围", territory, "territory_name"), ("地区", region, "region_name"),
                                  ("产业", industry, "industry_name")):
        if code:
            facts.append((label, f"{meta[name_key]}（{code}）" if meta.get(name_key) else named(code)))
    year = meta.get("year") or job.get("year")
    if year:
        facts.append(("年份", str(year)))
    facts.append(("运行编号", run_id))
    sources = []
    for s in meta.get("sources", []):
        text = s.get("title", "")
        if s.get("publisher"):
            text += f"，{s['publisher']}"
        if s.get("is_demo"):
            text += "（演示数据）"
        sources.append(text)
    title = meta.get("title") or _default_title(job)
    kicker = "知识产权区域布局研究报告" + (f" · {job['group']}" if job.get("group") else "")
    return {"title": title, "title_en": meta.get("title_en") or "", "kicker": kicker, "facts": facts, "sources": sources,
            "is_demo": bool(meta.get("is_demo")), "demo_text": DEMO_TEXT, "notes": meta.get("notes")}


def _default_title(job: dict[str, Any]) -> str:
    labels = job.get("labels") or {}
    who = [labels.get(c) or c for c in (job.get("region"), job.get("industry")) if c]
    if not who and job.get("territory"):
        who = [labels.get(job["territory"]) or job["territory"]]
    return "".join(who) + (job.get("title") or "报告")


def strip_meta_outputs(nb: Any) -> Any:
    """Copy of ``nb`` without report-metadata outputs (they feed the title block, not the body)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("outputs"):
            cell.outputs = [o for o in cell.outputs if MIME_TYPE not in (o.get("data") or {})]
    return nb


SCREEN_ONLY_MARK = 'class="ipl-imap ipl-screen-only'  # plots.interactive.map_html's wrapper


def strip_screen_only_outputs(nb: Any) -> Any:
    """Copy of ``nb`` without outputs meant for the screen only (interactive ECharts maps).

    WeasyPrint runs no JavaScript, and hiding the wrapper with CSS would still leave the output area's
    margins as an empty box; the static map next to it carries the figure into the PDF.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("outputs"):
            cell.outputs = [o for o in cell.outputs if SCREEN_ONLY_MARK not in _html_text(o)]
    return nb


def _html_text(output: Any) -> str:
    html_data = (output.get("data") or {}).get("text/html", "")
    return "".join(html_data) if isinstance(html_data, list) else str(html_data)


def build_toc(body: str) -> tuple[str, str]:
    """Give h1–h3 headings plain ids (``sec-1`` …) and return (new html, TOC html).

    nbconvert derives heading ids from the text, percent-encoded for Chinese; browsers resolve them
    but WeasyPrint does not, so TOC links and page references need ASCII ids. A notebook's single
    ``h1`` names the report type and repeats the title block, so it is marked ``ipl-doc-h1`` (styled
    as a subtitle) and left out of the TOC; TOC levels are relative to the shallowest listed heading.
    """
    matches = list(_HEADING.finditer(body))
    doc_h1 = matches[0].group(0) if sum(m.group(1) == "1" for m in matches) == 1 and matches[0].group(1) == "1" else None
    entries: list[tuple[int, str, str]] = []

    def repl(m: re.Match) -> str:
        level, old_id, inner = int(m.group(1)), m.group(3), m.group(5)
        text = html_mod.unescape(_TAGS.sub("", inner)).replace("¶", "").strip()
        if not text:
            return m.group(0)
        new_id = f"sec-{len(entries) + 1}"
        inner = inner.replace(f'href="#{old_id}"', f'href="#{new_id}"')
        attrs = m.group(2)
        if m.group(0) == doc_h1:
            attrs = _add_class(attrs, "ipl-doc-h1")
            entries.append((0, new_id, text))
        else:
            entries.append((level, new_id, text))
        return f'<h{level}{attrs}id="{new_id}"{m.group(4)}>{inner}</h{level}>'

    body = _HEADING.sub(repl, body)
    listed = [e for e in entries if e[0]]
    if not listed:
        return body, ""
    top = min(level for level, _, _ in listed)
    items = "".join(f'<li class="lvl{level - top + 1}"><a href="#{sid}">{html_mod.escape(text)}</a></li>'
                    for level, sid, text in listed)
    return body, '<h2>目录</h2><ul>' + items + "</ul>"


def _add_class(attrs: str, cls: str) -> str:
    """Add ``cls`` to the class attribute inside a tag's attribute text (keeps surrounding spaces)."""
    if 'class="' in attrs:
        return attrs.replace('class="', f'class="{cls} ', 1)
    return f'{attrs.rstrip()} class="{cls}" ' if attrs.strip() else f' class="{cls}" '


def neutralise_external_links(body: str) -> str:
    """Turn external ``<a href="http…">`` into inert anchors that show the address.

    Reports must not reach the network; a link in narrative text is kept as visible text
    (``data-href``) so a reader can still copy it.
    """
    return _EXTERNAL_A.sub(lambda m: f'<a {m.group(1)}data-href="{m.group(2)}" class="ipl-ext"{m.group(3)}>', body)


@lru_cache(maxsize=2)
def _css(kind: str = "html") -> str:
    """Shared report CSS plus the screen (HTML) or print (PDF) layer."""
    extra = TEMPLATES / ("iplayout_html/screen.css" if kind == "html" else "iplayout_pdf/print.css")
    return (TEMPLATES / "report.css").read_text(encoding="utf-8") + "\n" + extra.read_text(encoding="utf-8")


def print_css() -> str:
    """The print page's CSS as the Chromium engine uses it (without a running title)."""
    from .chromium_pdf import chromium_css  # noqa: PLC0415

    return _css("print") + "\n" + chromium_css("")


@lru_cache(maxsize=2)
def _exporter(kind: str):
    from .exporters import ReportHTMLExporter as HTMLExporter  # noqa: PLC0415

    if kind == "html":
        exp = HTMLExporter(template_name="iplayout_html", extra_template_basedirs=[str(TEMPLATES)])
        exp.language_code = "zh-CN"
    else:
        exp = HTMLExporter(template_name="basic")
    exp.exclude_input = True
    exp.exclude_input_prompt = True
    exp.exclude_output_prompt = True
    return exp


def image_alts(nb: Any) -> dict[str, str]:
    """First 64 base64 characters of every PNG output → its ``alt`` metadata (the chart title)."""
    out: dict[str, str] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data, meta = o.get("data", {}), o.get("metadata", {})
            alt = (meta.get("image/png") or {}).get("alt") if isinstance(meta.get("image/png"), dict) else None
            if "image/png" in data and alt:
                out[str(data["image/png"]).replace("\n", "")[:64]] = str(alt)
    return out


_IMG_TAG = re.compile(r'<img\b[^>]*?\bsrc="data:image/png;base64,([A-Za-z0-9+/]{64})[^>]*>', re.S)


def add_alt_text(body: str, alts: dict[str, str]) -> str:
    """Give every embedded chart image an ``alt`` attribute: its title (a generic one when unknown)."""
    def repl(m: re.Match) -> str:
        tag = re.sub(r'\salt="[^"]*"', "", m.group(0))
        alt = html_mod.escape(alts.get(m.group(1), "图表"), quote=True)
        return tag.replace("<img", f'<img alt="{alt}"', 1)

    return _IMG_TAG.sub(repl, body)


def render_html(nb: Any, info: dict[str, Any]) -> str:
    """Offline HTML page for an executed notebook (``info`` from :func:`report_info`)."""
    exp = _exporter("html")
    resources = {"iplayout": dict(info, css=_css("html")), "metadata": {"name": info["title"]}}
    nb2 = strip_meta_outputs(nb)
    nb2.metadata["title"] = info["title"]
    page, _ = exp.from_notebook_node(nb2, resources=resources)
    page = add_alt_text(page, image_alts(nb2))
    page, toc = build_toc(page)
    return neutralise_external_links(page.replace("@@IPLAYOUT_TOC@@", toc, 1))


def render_print_html(nb: Any, info: dict[str, Any]) -> str:
    """The HTML the PDF engine lays out: plain body, print CSS, title block and TOC."""
    import jinja2  # noqa: PLC0415

    nb2 = strip_screen_only_outputs(strip_meta_outputs(nb))
    body, _ = _exporter("basic").from_notebook_node(nb2)
    body = add_alt_text(body, image_alts(nb2))
    body, toc = build_toc(body)
    body = classify_figures(detach_captions(body))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES / "iplayout_pdf")), autoescape=False)
    page = env.get_template("page.html.j2").render(ip=info, css=_css("print"), body=body)
    return neutralise_external_links(page.replace("@@IPLAYOUT_TOC@@", toc, 1))


def detach_captions(body: str) -> str:
    """Move each table ``<caption>`` into a ``<p class="ipl-caption">`` just before its table.

    WeasyPrint lays a caption out as its own box and may leave it alone at the foot of a page while
    the table starts on the next; a block before the table with ``break-after: avoid`` stays with it.
    """
    return _CAPTION.sub(lambda m: f'<p class="ipl-caption">{m.group(2).strip()}</p>\n{m.group(1)}', body)


def classify_figures(body: str) -> str:
    """Tag embedded PNG charts ``ipl-fig-wide`` or ``ipl-fig-tall`` from their pixel size.

    The print CSS caps wide figures (maps, trend lines) lower than tall ones (31 ranked bars), so two
    wide figures share a page while long lists stay legible. Size comes from the PNG header (IHDR:
    width and height as big-endian uint32 at byte offsets 16 and 20).
    """
    def repl(m: re.Match) -> str:
        try:
            head = base64.b64decode(m.group(2))
            width, height = struct.unpack(">II", head[16:24])
        except (ValueError, struct.error):
            return m.group(0)
        cls = "ipl-fig-tall" if height > TALL_RATIO * width else "ipl-fig-wide"
        attrs = _CLASS_ATTR.sub("", m.group(1)).rstrip()
        return f'<img class="{cls}"{attrs} src="data:image/png;base64,{m.group(2)}'

    return _PNG_IMG.sub(repl, body)


def pdf_unavailable_reason() -> str | None:
    """Why PDFs cannot be made on this machine (None when the PDF engine and the CJK font are usable)."""
    from .chromium_pdf import browser_path, pdf_engine  # noqa: PLC0415

    if pdf_engine() == "chromium":
        if browser_path() is None:
            return ("Chromium not found (IPLAYOUT_PDF_ENGINE=chromium): install the Debian package chromium "
                    "(scripts/system-deps.sh does) or choose the slower engine with --pdf-engine weasyprint")
        try:
            from ..font_truetype import chromium_fontconfig  # noqa: PLC0415

            chromium_fontconfig()  # converts the CJK font to TrueType once per machine (≈ 2 min)
        except Exception as exc:
            return f"CJK TrueType font unavailable ({type(exc).__name__}: {exc})"
        return None
    try:
        import weasyprint  # noqa: F401,PLC0415
    except Exception as exc:  # OSError when pango is missing, ImportError when not installed
        return f"WeasyPrint unavailable ({type(exc).__name__}: {exc})"
    try:
        from ..fonts import setup_fontconfig  # noqa: PLC0415

        setup_fontconfig()
    except Exception as exc:
        return f"CJK font unavailable ({type(exc).__name__}: {exc})"
    return None


def render_pdf(nb: Any, info: dict[str, Any], out_path: Path) -> None:
    """Write the PDF for an executed notebook (caller checks :func:`pdf_unavailable_reason` first)."""
    import logging  # noqa: PLC0415

    from ..fonts import setup_fontconfig  # noqa: PLC0415
    from .chromium_pdf import chromium_css, pdf_engine, render_pdf_chromium  # noqa: PLC0415

    if pdf_engine() == "chromium":  # the default engine (IPLAYOUT_PDF_ENGINE), see reporting.chromium_pdf
        page = render_print_html(nb, info).replace("</style>", chromium_css(info["title"]) + "</style>", 1)
        render_pdf_chromium(page, out_path)
        return
    setup_fontconfig()  # before pango first loads fontconfig, or Chinese renders as tofu
    from weasyprint import HTML  # noqa: PLC0415

    # WeasyPrint logs every unsupported lab CSS property; they are harmless for our print page
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string=render_print_html(nb, info), base_url=str(out_path.parent)).write_pdf(
        str(out_path), font_config=_font_config())


@lru_cache(maxsize=1)
def _font_config():
    """One WeasyPrint font configuration per process: fontconfig is loaded and the CJK faces are opened
    once, and Pango's font and glyph caches stay warm from one PDF to the next (no ``@font-face`` rules
    are used, which is what a configuration would accumulate)."""
    from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415

    return FontConfiguration()

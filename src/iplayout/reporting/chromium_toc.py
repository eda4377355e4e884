"""Table-of-contents page numbers for the Chromium PDF: read where each heading landed, print again.

Chromium supports neither ``target-counter()`` nor ``leader()``. The print page is laid out with a
placeholder number in a fixed-width box after every TOC entry (so the numbers cannot change the
pagination) and printed once with only the headings painted. That PDF's named destinations (Skia
writes one per link target: ``/Dests`` in the catalog, ``/sec-3 [page-ref /XYZ x y 0]``) give each
heading's page; a style sheet with the numbers is put into the same tab and the page printed again.
:meth:`~.chromium_pdf.ChromiumPrinter.print_pdf` checks that the second PDF has the same destinations,
so the printed numbers are the PDF's own.
"""
from __future__ import annotations

import json
import re
from collections import Counter

TOC_STYLE_ID = "ipl-toc-pages"
PLACEHOLDER = "00"
# dot leader: an empty flex item between the entry's text and its number, dotted along the baseline
TOC_CSS = (".ipl-toc a { display: flex; align-items: baseline; }\n"
           ".ipl-toc a::before { content: \"\"; order: 1; flex: 1 1 1em; margin: 0 0.15em 0 0.3em; "
           "border-bottom: 1pt dotted #777; }\n"
           f".ipl-toc a::after {{ content: \"{PLACEHOLDER}\"; order: 2; flex: 0 0 1.8em; text-align: right; "
           "color: #555; }\n")
# first pass: only the headings are painted (visibility does not change the layout, so every box, and every
# heading's page, is where the final print puts it); skipping images and body text makes it ≈ 3× cheaper
HEADINGS_ONLY_CSS = ("body * { visibility: hidden !important; }\n"
                     "h1, h2, h3, h1 *, h2 *, h3 * { visibility: visible !important; }\n")
_TOC_NAV = re.compile(r'<nav class="ipl-toc">(.*?)</nav>', re.S)
_TOC_HREF = re.compile(r'href="#([A-Za-z0-9_-]+)"')
_XREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SUBSECTION = re.compile(rb"xref\s+(\d+)\s+(\d+)\s+")
_REF = rb"(\d+) 0 R"


def toc_nav(page_html: str) -> str:
    """The print page's TOC (its entries and their targets; empty without one): also the key under which the
    page numbers of reports with the same TOC are remembered."""
    m = _TOC_NAV.search(page_html)
    return m.group(1) if m else ""


def nav_targets(nav: str) -> list[str]:
    """Heading ids a TOC (:func:`toc_nav`) links to, in order."""
    return _TOC_HREF.findall(nav)


def toc_targets(page_html: str) -> list[str]:
    """Heading ids the print page's table of contents links to, in order (empty without a TOC)."""
    return nav_targets(toc_nav(page_html))


def toc_page_css(pages: dict[str, int]) -> str:
    """Rules that replace the placeholder with each entry's page number."""
    return "".join(f'.ipl-toc a[href="#{sid}"]::after {{ content: "{n}"; }}\n' for sid, n in pages.items())


def set_style_js(css: str) -> str:
    """JavaScript that puts ``css`` into the page's ``<style id="ipl-toc-pages">`` (created once)."""
    return (f"(() => {{ let s = document.getElementById({json.dumps(TOC_STYLE_ID)});"
            " if (!s) { s = document.createElement('style'); s.id = " + json.dumps(TOC_STYLE_ID) + ";"
            " document.head.appendChild(s); }"
            f" s.textContent = {json.dumps(css)}; return document.fonts.ready.then(() => true); }})()")


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Object number → its text up to ``endobj`` (from the classic cross-reference table Skia writes)."""
    m = _XREF.search(pdf[-64:])
    if not m:
        raise ValueError("PDF without a startxref")
    sub = _SUBSECTION.match(pdf, int(m.group(1)))
    if not sub:
        raise ValueError("PDF without a classic xref table")
    first, count, pos = int(sub.group(1)), int(sub.group(2)), sub.end()
    out = {}
    for i in range(count):
        entry = pdf[pos + 20 * i: pos + 20 * i + 18].split()
        if len(entry) == 3 and entry[2] == b"n":
            off = int(entry[0])
            out[first + i] = pdf[off: pdf.index(b"endobj", off)]
    return out


def named_destination_pages(pdf: bytes) -> dict[str, int]:
    """Named destination → 1-based page number, for a PDF written by Skia (Chromium's print to PDF)."""
    objs = _objects(pdf)
    trailer = pdf[pdf.rindex(b"trailer"):]
    catalog = objs[int(re.search(rb"/Root " + _REF, trailer).group(1))]
    order: list[int] = []

    def walk(num: int) -> None:  # Skia builds a page tree of nodes with ≤ 8 kids
        body = objs[num]
        if re.search(rb"/Type\s*/Pages\b", body):
            kids = re.search(rb"/Kids\s*\[([^\]]*)\]", body).group(1)
            for kid in re.findall(_REF, kids):
                walk(int(kid))
        else:
            order.append(num)

    walk(int(re.search(rb"/Pages " + _REF, catalog).group(1)))
    dests = re.search(rb"/Dests " + _REF, catalog)
    if not dests:
        return {}
    page_no = {num: i + 1 for i, num in enumerate(order)}
    body = objs[int(dests.group(1))]
    found = re.findall(rb"/((?:[^\s/\[\]()<>{}%#]|#[0-9A-Fa-f]{2})+)\s*\[\s*" + _REF, body)
    return {re.sub(rb"#([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]), name).decode("utf-8"):
            page_no[int(ref)] for name, ref in found if int(ref) in page_no}


def stable_bytes(pdf: bytes) -> bytes:
    """The PDF without what changes from one print of the same page to the next, byte offsets kept (so the
    xref table stays valid): ``/CreationDate`` and ``/ModDate`` become spaces (WeasyPrint writes no dates
    either), and the structure elements' ``/ID (node00000052)`` — the browser's DOM node counter, which
    depends on what the process printed before — are renumbered 1, 2, … in their own order (the order of
    the ``/IDTree`` keys is kept)."""
    pdf = re.sub(rb"/(?:CreationDate|ModDate) \(D:[0-9+\-Z']*\)", lambda m: b" " * len(m.group(0)), pdf)
    ids = sorted({m for m in re.findall(rb"\(node(\d+)\)", pdf)}, key=lambda d: (len(d), d))
    new = {old: str(i).zfill(len(old)).encode() for i, old in enumerate(ids, start=1)}
    return re.sub(rb"\(node(\d+)\)", lambda m: b"(node" + new[m.group(1)] + b")", pdf)


class PageGuesses:
    """Where the headings of a TOC landed in this process's earlier reports: the most frequent layout is the guess.

    Reports of one notebook paginate in a few patterns (the 13 Jiangsu city surveys: 9 one way, 4 another), so the
    last layout seen would miss at every change of pattern and the most frequent one misses only the rarer
    reports. A guess is only a guess: :meth:`~.chromium_pdf.ChromiumPrinter.print_pdf` checks it against the PDF.
    """

    def __init__(self, max_tocs: int = 64, max_layouts: int = 8):
        self.max_tocs, self.max_layouts = max_tocs, max_layouts
        self._seen: dict[str, Counter] = {}

    def guess(self, key: str) -> dict[str, int] | None:
        seen = self._seen.get(key)
        return dict(seen.most_common(1)[0][0]) if seen else None  # ties: the layout seen first

    def record(self, key: str, pages: dict[str, int]) -> None:
        if key not in self._seen:
            while len(self._seen) >= self.max_tocs:
                self._seen.pop(next(iter(self._seen)))
            self._seen[key] = Counter()
        seen, layout = self._seen[key], tuple(sorted(pages.items()))
        if layout not in seen and len(seen) >= self.max_layouts:
            del seen[min(seen, key=seen.get)]
        seen[layout] += 1

"""nbconvert's HTML exporter for report pages, without its closing BeautifulSoup pass.

``HTMLExporter.from_notebook_node`` ends by parsing the whole rendered page with BeautifulSoup's pure-Python
``html.parser`` — base64 charts included — only to give images without ``alt`` a placeholder text and
output areas a tab stop, then serialises it again: ≈ 0.13 s per page, twice per report (screen page and
print page), about as long as rendering the page itself. Report pages get real ``alt`` texts (the chart
titles, :func:`iplayout.reporting.render.add_alt_text`, which also gives any other image one); the tab
stops are added here with one regular expression. Everything else is nbconvert's own code path.
"""
from __future__ import annotations

import re
from typing import Any

from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

_FOCUSABLE = re.compile(r'<div class="((?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"]*)"')


class ReportHTMLExporter(HTMLExporter):
    """:class:`nbconvert.HTMLExporter` minus the BeautifulSoup pass (see the module docstring)."""

    def from_notebook_node(self, nb, resources: dict[str, Any] | None = None, **kw: Any):
        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        resources = self._init_resources(resources)
        filter_data_type = WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self,
                                                 resources=resources)
        self.register_filter("highlight_code", highlight_code)
        self.register_filter("filter_data_type", filter_data_type)
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        # keyboard users reach every output and rendered Markdown cell, as nbconvert's pass arranges
        return _FOCUSABLE.sub(r'<div class="\1" tabindex="0"', html), resources

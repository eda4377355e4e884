"""Charts, maps and styled tables for the reports (matplotlib, static PNG; CJK font via iplayout.fonts).

Plots never compute statistics: they draw tables that `iplayout.survey`, `iplayout.evaluation` or a
stage already produced.
"""
from .style import HIGHLIGHT, PALETTE, setup_style

__all__ = ["HIGHLIGHT", "PALETTE", "setup_style"]

"""Report sets: run plans, parameter validation, execution pool, HTML/PDF, index, manifest, package.

Only :func:`report_meta` is imported eagerly (notebooks call it); everything else is imported from
its module so ``import iplayout.reporting`` stays cheap inside a kernel.
"""
from .meta import MIME_TYPE, read_report_meta, report_meta

__all__ = ["MIME_TYPE", "read_report_meta", "report_meta"]

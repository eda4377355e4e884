"""Stage results: compute each stage once per territory-year, store tables + log, read them back.

``prepare_stage(stage, db_path=, territory=, year=, out_dir=)`` writes ``out_dir/<stage>/<territory>-<year>/``;
``load_stage(stage, territory=, year=, stage_dir=)`` reads it (computing into the cache when ``stage_dir`` is
empty, so a notebook opened by hand still works); ``open_context`` is the one call a notebook makes.
"""
from .api import STAGES, load_stage, prepare_stage
from .registry import REGISTRY, Stage, get_stage, register, stage_order
from .context import ReportContext, open_context
from .store import StageResult

__all__ = ["REGISTRY", "STAGES", "ReportContext", "Stage", "get_stage", "register", "stage_order", "StageResult", "load_stage", "open_context", "prepare_stage"]

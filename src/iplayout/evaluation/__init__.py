"""Evaluation: YAML spec (pydantic) → methods → result tables with a replayable log."""
from .engine import evaluate_table
from .from_db import default_spec_path, evaluate
from .result import EvaluationResult
from .spec import EvaluationSpec, load_spec, parse_spec

__all__ = ["EvaluationResult", "EvaluationSpec", "default_spec_path", "evaluate", "evaluate_table",
           "load_spec", "parse_spec"]

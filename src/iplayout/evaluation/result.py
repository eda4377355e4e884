"""The result object of an evaluation: named tables, the spec and the log of steps."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .spec import EvaluationSpec

TABLES = ("scores", "weights", "normalised", "obstacles", "treatment", "uncertainty",
          "sensitivity", "loo", "dea", "tree", "level_scores", "level_weights", "contributions",
          "level_uncertainty")


@dataclass
class EvaluationResult:
    """Tables of one evaluation (all plain DataFrames) plus the spec and a replayable log.

    ``log[0]`` is ``{"step": "spec", "args": <complete spec with defaults>}``; the remaining
    entries record each step's conventions and what it did (dropped units, treated indicators, …).
    """

    spec: EvaluationSpec
    scores: pd.DataFrame
    weights: pd.DataFrame
    normalised: pd.DataFrame
    obstacles: pd.DataFrame = field(default_factory=pd.DataFrame)
    treatment: pd.DataFrame = field(default_factory=pd.DataFrame)
    uncertainty: pd.DataFrame = field(default_factory=pd.DataFrame)
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    loo: pd.DataFrame = field(default_factory=pd.DataFrame)
    dea: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: index hierarchy (目标层 → … → 指标层): structure, every level's scores / weights / contributions /
    #: rank intervals (long tables; see docs/evaluation.md)
    tree: pd.DataFrame = field(default_factory=pd.DataFrame)
    level_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    level_weights: pd.DataFrame = field(default_factory=pd.DataFrame)
    contributions: pd.DataFrame = field(default_factory=pd.DataFrame)
    level_uncertainty: pd.DataFrame = field(default_factory=pd.DataFrame)
    log: list[dict] = field(default_factory=list)

    def to_tables(self) -> dict[str, pd.DataFrame]:
        """Parquet-friendly copies: object columns become plain strings (no mixed types)."""
        out = {}
        for name in TABLES:
            df = getattr(self, name).copy()
            for c in df.columns:
                if df[c].dtype == object or str(df[c].dtype).startswith("string"):
                    df[c] = df[c].astype(str)
            out[name] = df.reset_index(drop=True)
        return out

    def step(self, name: str) -> dict:
        """Arguments logged for step ``name`` (first occurrence)."""
        for entry in self.log:
            if entry["step"] == name:
                return entry["args"]
        raise KeyError(name)

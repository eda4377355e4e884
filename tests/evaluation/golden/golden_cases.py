"""The cases of the golden two-level tables (shared by the generator and the test)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "params" / "evaluation" / "examples"
PARAMS = ROOT / "params" / "evaluation"
#: the engine's historical tables (new tables such as level_scores are not part of the golden)
GOLDEN_TABLES = ("scores", "weights", "normalised", "obstacles", "treatment", "uncertainty",
                 "sensitivity", "loo", "dea")

#: (case name, spec, input table) for the published examples
CASES = [
    ("coupling_panel", EXAMPLES / "coupling_panel.yaml", EXAMPLES / "coupling_panel.csv"),
    ("entropy_topsis", EXAMPLES / "entropy_topsis.yaml", EXAMPLES / "hwang_yoon_aircraft.csv"),
    ("topsis_hwang_yoon", EXAMPLES / "topsis_hwang_yoon.yaml", EXAMPLES / "hwang_yoon_aircraft.csv"),
]
#: (case name, spec, territory, years) for the shipped systems on the bundled database
DB_CASES = [
    ("pilot_2018", PARAMS / "pilot.yaml", "100000", [2018]),
    ("jiangsu_cities_2018", PARAMS / "jiangsu_cities.yaml", "320000", [2018]),
]


def _tables(res) -> dict[str, pd.DataFrame]:
    t = res.to_tables()
    return {k: t[k] for k in GOLDEN_TABLES if not t[k].empty}


def run_case(spec: Path, table: Path) -> dict[str, pd.DataFrame]:
    from iplayout.evaluation import evaluate_table, load_spec
    from iplayout.evaluation.cli import read_table

    s = load_spec(spec)
    return _tables(evaluate_table(read_table(table, s.id_column), s, source=str(table)))


def run_db_case(db, spec: Path, territory: str, years: list[int]) -> dict[str, pd.DataFrame]:
    from iplayout.evaluation.from_db import evaluate

    return _tables(evaluate(db, spec, territory, years))

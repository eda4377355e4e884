"""Time the survey and evaluation stages and one survey notebook on the built database; prints figures.

Run: .venv/bin/python benchmarks/bench_stages.py   (needs build/iplayout.duckdb)
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from iplayout.config import default_db_path, notebooks_dir
from iplayout.stages import prepare_stage


def timed(label, fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    print(f"{label:<48s} best of {repeat}: {best:6.2f} s")
    return out


def main() -> None:
    db = default_db_path()
    with tempfile.TemporaryDirectory() as tmp:
        for stage in ("survey", "evaluation"):
            for territory in ("100000", "320000"):
                timed(f"prepare_stage {stage} {territory}-2022",
                      lambda: prepare_stage(stage, db_path=db, territory=territory, year=2022, out_dir=tmp))
        from iplayout.plots.maps import plot_choropleth, territory_geometry  # noqa: F401
        from iplayout.stages import open_context, survey_views as sv

        ctx = open_context("survey", territory="100000", year=2022, stage_dir=tmp, region_code="320000")
        timed("national choropleth (31 provinces + inset)", lambda: sv.map_chart(ctx), repeat=3)
        import papermill as pm

        out = Path(tmp) / "region.ipynb"
        timed("papermill 01_survey/region.ipynb (320000)", lambda: pm.execute_notebook(
            str(notebooks_dir() / "01_survey" / "region.ipynb"), str(out), progress_bar=False,
            parameters={"region_code": "320000", "territory": "100000", "year": 2022, "stage_dir": tmp}), repeat=1)


if __name__ == "__main__":
    main()

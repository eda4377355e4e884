"""A small finished run folder for the explorer tests: manifest, stage tables and report pages.

The stage tables are written with the real writer (``stages.store.write_stage``) and carry the columns the
explorer reads (the contract of the evaluation, allocation and regions stages), with hand-set values that
the tests check on the page.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from iplayout.stages.store import StageResult, write_stage

CITIES = ["320100", "320200", "320300", "320400", "320500", "320600", "320700", "320800", "320900", "321000",
          "321100", "321200", "321300"]
RUN_ID = "20260101-000000-jiangsu"
YEAR = 2018


def _job(job_id, *, region, stage, html, status="ok", title="报告"):
    return {"job_id": job_id, "territory": "320000", "region": region, "stage": stage, "year": YEAR,
            "status": status, "report_title": title, "outputs": {"html": html} if html else {}, "is_demo": True}


def make_run(root: Path, run_id: str = RUN_ID) -> Path:
    run = root / run_id
    (run / "01_survey").mkdir(parents=True)
    (run / "02_evaluation").mkdir()
    (run / "03_allocation").mkdir()
    for rel, title in (("01_survey/region-320500.html", "苏州知识产权资源调查报告（2018年）"),
                       ("02_evaluation/region-320500.html", "苏州综合评价（2018年）"),
                       ("03_allocation/zones.html", "江苏省知识产权功能区划分（2018年）")):
        (run / rel).write_text(f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
                               f'</head><body><h1>{title}</h1></body></html>', encoding="utf-8")
    scores = pd.DataFrame({"region_code": CITIES, "D": [0.9 - 0.05 * i for i in range(13)],
                           "class": ["良好协调"] * 4 + ["中级协调"] * 5 + ["初级协调"] * 4, "rank": range(1, 14)})
    zones = pd.DataFrame({"region_code": CITIES, "zone": ["Z1"] * 5 + ["Z8"] * 8,
                          "zone_name": ["协同引领区"] * 5 + ["培育发展区"] * 8,
                          "probability": [1.0, 0.9, 0.5, 1.0, 0.75] + [0.6] * 8, "borderline": [False] * 13,
                          "pattern": ["HHH"] * 5 + ["LLL"] * 8})
    catalogue = pd.DataFrame({"region_code": ["320500", "320100", "320500"], "industry_code": ["SEI01", "SEI01", "SEI03"],
                              "action": ["重点布局", "优化提升", "引导培育"], "levers": ["导航", "培育", ""],
                              "is_demo": [True, True, True]})
    parks = pd.DataFrame(columns=["name", "city_code", "level", "level_zh", "lead_industries", "year_designated",
                                  "source_title", "source_number", "source_date", "source_publisher", "source_url",
                                  "city_name"])
    peers = pd.DataFrame({"region_code": ["320500"] * 3, "peer_code": ["320200", "320100", "320400"], "rank": [1, 2, 3],
                          "distance": [0.1, 0.2, 0.3]})
    stages = {}
    for name, tables in (("evaluation", {"scores": scores}), ("allocation", {"zones": zones, "catalogue": catalogue}),
                         ("regions", {"parks": parks, "peers": peers})):
        folder = write_stage(StageResult(name, "320000", YEAR, tables, {"is_demo": True}), run / "stages")
        stages[f"{name}:320000:{YEAR}"] = {"folder": folder.relative_to(run).as_posix(), "status": "ok"}
    manifest = {"run_id": run_id, "state": "finished", "plan": {"title": "江苏测试报告集"}, "stages": stages, "jobs": [
        _job("01_survey__region--320500", region="320500", stage="survey", html="01_survey/region-320500.html",
             title="苏州知识产权资源调查报告（2018年）"),
        _job("02_evaluation__region--320500", region="320500", stage="evaluation", html="02_evaluation/region-320500.html",
             title="苏州综合评价（2018年）"),
        _job("02_evaluation__region--320100", region="320100", stage="evaluation", html="02_evaluation/region-320100.html",
             status="failed"),
        _job("03_allocation__zones", region=None, stage="allocation", html="03_allocation/zones.html",
             title="江苏省知识产权功能区划分（2018年）")]}
    (run / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return run

"""Layers and report links read from a finished run folder (fixture in conftest.py)."""
import json
import shutil

from explore_fixtures import RUN_ID, YEAR, make_run

from iplayout.explore.layers import PARKS_EMPTY, find_runs, territory_layers


def test_layers_from_stage_tables(reports_dir, tmp_path):
    site = reports_dir / "site-x"
    lay = territory_layers(find_runs(reports_dir), "320000", site)
    y = lay["years"][str(YEAR)]
    assert y["run"] == RUN_ID and y["coupling"]["320100"] == {"cls": "良好协调", "D": 0.9, "rank": 1.0}
    assert y["zones"]["320300"]["zone"] == "Z1" and y["zones"]["320300"]["p"] == 0.5
    assert y["catalogue"] == {"SEI01": {"320500": {"action": "重点布局", "levers": "导航", "is_demo": True},
                                        "320100": {"action": "优化提升", "levers": "培育", "is_demo": True}},
                              "SEI03": {"320500": {"action": "引导培育", "levers": "", "is_demo": True}}}
    assert y["parks"] == [] and y["parks_note"] == PARKS_EMPTY  # params/parks.yaml lists no verified park
    assert y["peers"] == {"320500": ["320200", "320100", "320400"]}
    assert territory_layers(find_runs(reports_dir), "100000", site)["years"] == {}


def test_report_links_are_relative_and_resolve(reports_dir):
    site = reports_dir / "explore"
    lay = territory_layers(find_runs(reports_dir), "320000", site)
    links = lay["reports"]["320500"]
    assert [r["stage"] for r in links] == ["survey", "evaluation"]
    assert links[0]["href"] == f"../{RUN_ID}/01_survey/region-320500.html"
    assert all((site / r["href"]).resolve().is_file() for r in links)
    assert "320100" not in lay["reports"]  # its report failed: no link
    assert [r["stage_zh"] for r in lay["territory_reports"]] == ["功能区与导向目录"]
    assert lay["runs"][0]["href"] == f"../{RUN_ID}/index.html"


def test_newest_run_wins_and_unfinished_stages_are_skipped(tmp_path):
    make_run(tmp_path, "20260101-000000-a")
    newer = make_run(tmp_path, "20260202-000000-b")
    m = json.loads((newer / "manifest.json").read_text(encoding="utf-8"))
    m["stages"][f"evaluation:320000:{YEAR}"]["status"] = "failed"
    (newer / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    shutil.rmtree(newer / "stages" / "allocation")  # manifest says ok, folder gone: skipped
    y = territory_layers(find_runs(tmp_path), "320000", tmp_path / "s")["years"][str(YEAR)]
    assert y["run"] == "20260202-000000-b" and "peers" in y  # the newer run's regions stage …
    assert y["coupling"]["320100"]["cls"] == "良好协调" and y["zones"]  # … the older run fills the rest

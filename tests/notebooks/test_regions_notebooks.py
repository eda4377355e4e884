"""04_regions notebooks on the Jiangsu demo panel: no error cell, demo banner, the stage's numbers, working links."""
from __future__ import annotations

import pytest

from iplayout.config import default_db_path, notebooks_dir

from test_notebooks import _run  # noqa: E402  (same folder; pytest rootdir import mode)


@pytest.fixture(scope="module")
def stage_dir(tmp_path_factory):
    from iplayout.stages import prepare_stage

    out = tmp_path_factory.mktemp("stages")
    prepare_stage("regions", db_path=default_db_path(), territory="320000", year=2018, out_dir=out)
    return str(out)


@pytest.mark.slow
@pytest.mark.parametrize("nb, extra", [
    ("region.ipynb", {"region_code": "320300"}),
    ("group.ipynb", {"group": "苏北"}),
    ("demo_zone.ipynb", {}),
    ("layout_report.ipynb", {}),
])
def test_regions_notebooks(nb, extra, stage_dir, tmp_path):
    from iplayout.stages import open_context

    params = {"territory": "320000", "year": 2018, "stage_dir": stage_dir, **extra}
    text, executed = _run(notebooks_dir() / "04_regions" / nb, params, tmp_path)
    ctx = open_context("regions", territory="320000", year=2018, stage_dir=stage_dir, region_code=extra.get("region_code"))
    assert ("演示数据提示" in text) == ctx.is_demo
    names = ctx.names()
    if nb == "region.ipynb":
        peers = ctx.table("peers").query("region_code == '320300'").sort_values("rank")
        first = peers.iloc[0]
        assert f"{names[first['peer_code']]}（距离{first['distance']:.2f}）" in text
        assert "每万人口高价值发明专利拥有量**：无法设定量化目标" in text
    if nb == "group.ipynb":
        fired = ctx.table("guidance").query("group == '苏北'")["rule_id"]
        assert len(fired) and all(f"［{r}］" in text for r in fired)
    if nb == "demo_zone.ipynb":
        assert "苏州工业园区（位于苏州）" in text and "南京、无锡、常州、苏州、镇江共5个设区市" in text
        assert "本报告集未附经核实的专利导航园区名单" in text
    if nb == "layout_report.ipynb":
        assert "../01_survey/territory.html" in text and "region-320100.html" in text and "demo_zone.html" in text
        # the zone map of the zones report, drawn from the same allocation stage tables
        cell = next(c for c in executed["cells"] if "lr.zone_map(ctx)" in "".join(c["source"]))
        assert any("image/png" in o.get("data", {}) for o in cell["outputs"])


@pytest.mark.slow
def test_group_must_belong_to_the_territory(stage_dir):
    from iplayout.errors import ParameterError
    from iplayout.stages import open_context

    with pytest.raises(ParameterError, match="苏南、苏中、苏北|苏南"):
        open_context("regions", territory="320000", year=2018, stage_dir=stage_dir, group="东部")

"""Report sections on the index hierarchy (views.hierarchy) on an evaluation stage whose spec is a
four-criteria hierarchy (the 创造/运用/保护/环境 example) and on the default two-level stage."""
import shutil
from pathlib import Path

import pytest
import yaml

from iplayout.config import default_db_path, params_dir
from iplayout.stages import open_context, prepare_stage

DB = default_db_path()
needs_db = pytest.mark.skipif(not DB.exists(), reason="integrated database not built")
# a whole evaluation stage (trend, international comparison) on a hierarchical spec: ≈ 50 s on a busy machine
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hier(tmp_path_factory):
    root = tmp_path_factory.mktemp("hier")
    params = root / "params"
    shutil.copytree(params_dir(), params)
    spec = yaml.safe_load((params / "evaluation" / "examples" / "ip_strength_national.yaml").read_text(encoding="utf-8"))
    spec["uncertainty"].update(reps=100, sensitivity=False)
    (params / "evaluation" / "pilot.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    prepare_stage("evaluation", db_path=DB, territory="100000", year=2022, out_dir=root / "stage", params_dir=params)
    return root


def _ctx(hier, region=None):
    return open_context("evaluation", territory="100000", year=2022, stage_dir=str(hier / "stage"),
                        region_code=region)


@needs_db
def test_tree_and_criteria_sections(hier):
    from iplayout.views import hierarchy as hv
    ctx = _ctx(hier)
    tree = hv.tree_table(ctx).data
    assert len(tree) == 1 + 4 + 8 + 14 and set(tree["层级"]) == {"目标层", "准则层", "子准则层", "指标层"}
    assert tree["下级赋权方法"].iloc[0] == "层次分析"
    table = hv.criteria_table(ctx).data
    assert len(table) == 31 and "知识产权保护（代理指标）得分" in table.columns
    assert ctx.table("subsystems")["code"].tolist() == ["creation", "use", "protection", "environment"]
    assert ctx.table("indicators")["subsystem"].notna().all()
    fig = hv.criteria_chart(ctx)
    assert len(fig.axes[0].patches) == 31 * 4
    fig = hv.level_interval_chart(ctx)
    assert [a.get_title() for a in fig.axes] == ["综合指数", "知识产权创造", "知识产权运用", "知识产权保护（代理指标）", "知识产权环境"]


@needs_db
def test_region_radar_and_text(hier):
    from iplayout.views import hierarchy as hv
    ctx = _ctx(hier, "320000")
    assert "江苏的优势准则为" in hv.criteria_text(ctx)
    fig = hv.criteria_chart(ctx)
    assert fig.axes[0].name == "polar" and len(fig.axes[0].lines) == 3

"""Report views on real stage results: official totals, DEA from the spec, 国内外比对 on real data, scorecard
agreeing with its tables, Chinese reader-facing text, per-cell demo marks, peers on every subsystem."""
import re

import pytest
import yaml

from iplayout.config import default_db_path, params_dir
from iplayout.stages import open_context, prepare_stage
from iplayout.views import common as ov
from iplayout.views import evaluation as ev
from iplayout.views import survey as sv

pytestmark = pytest.mark.slow  # two stage computations (≈ 1 min on a busy machine)
SLUGS = re.compile(r"eps_shrink|interpolate_median|impute_median|minmax|lower_bound|\bverify\b|\bsecondary\b|"
                   r"\bprovisional\b|\babout\b")


@pytest.fixture(scope="module")
def stage_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("views")
    params = root / "params"
    (params / "evaluation").mkdir(parents=True)
    for name in ("pilot.yaml", "jiangsu_cities.yaml"):
        spec = yaml.safe_load((params_dir() / "evaluation" / name).read_text(encoding="utf-8"))
        spec["uncertainty"].update({"reps": 40, "sensitivity": False, "loo": False})
        (params / "evaluation" / name).write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    out = root / "stages"
    prepare_stage("survey", db_path=default_db_path(), territory="100000", year=2022, out_dir=out)
    prepare_stage("evaluation", db_path=default_db_path(), territory="320000", year=2018, out_dir=out, params_dir=params)
    prepare_stage("survey", db_path=default_db_path(), territory="320000", year=2018, out_dir=out)
    return str(out)


def _ctx(stage, territory, year, stage_dir, region=None):
    return open_context(stage, territory=territory, year=year, stage_dir=stage_dir, db_path=str(default_db_path()),
                        region_code=region)


def test_national_totals_use_the_official_row(stage_dir):
    ctx = _ctx("survey", "100000", 2022, stage_dir, "320000")
    tot = ctx.table("totals").set_index(["indicator_code", "year"])
    # 中国科技统计年鉴: 全国 5,186,407 patent applications 2022; the 31 provinces sum to 5,167,436
    assert tot.loc[("patent_applications", 2022), "official"] == 5186407
    assert tot.loc[("patent_applications", 2022), "members_sum"] == 5167436
    p = ctx.table("profile").set_index(["region_code", "indicator_code"])
    assert round(p.loc[("320000", "patent_grants"), "share"] * 100, 2) == 13.33  # not 13.38 (31-province sum)
    assert p.loc[("320000", "patent_grants"), "share_basis"] == "official"
    text = ov.territory_text(_ctx("survey", "100000", 2022, stage_dir))
    assert "5,186,407件（全国合计" in text and "31省（区、市）合计5,167,436件" in text and "少18,971件" in text
    assert "占全国的13.3" in text or "占全国的" in text
    assert "占全国的13.33%" in sv.headline_text(ctx).replace("13.3%", "13.33%") or "13.3%" in sv.headline_text(ctx)


def test_beijing_report_cites_no_jiangsu_city_sources(stage_dir):
    bj = _ctx("survey", "100000", 2022, stage_dir, "110000")
    ids = set(bj.report_packages()["id"])
    assert "jiangsu_cities_public" not in ids and "national_st_yearbook" in ids
    assert "jiangsu_cities_public" not in {s["id"] for s in bj.meta_args("报告")["sources"]}
    cap = ov.sources_table(bj).caption
    assert f"{len(ids)}个数据包" in cap


def test_dea_titles_follow_the_spec_and_ccr_bcc_side_by_side(stage_dir):
    ctx = _ctx("evaluation", "320000", 2018, stage_dir)
    spec = yaml.safe_load((params_dir() / "evaluation" / "jiangsu_cities.yaml").read_text(encoding="utf-8"))["dea"]
    assert spec["model"] == "bcc" and ev.dea_title(ctx) == "DEA效率（BCC（规模报酬可变），投入导向）"
    assert ev.dea_chart(ctx).axes[0].get_title() == ev.dea_title(ctx)
    m = ctx.table("dea_models").set_index("region_code")
    assert ((m["se"] - m["ccr"] / m["bcc"]).abs() < 1e-12).all() and (m["ccr"] <= m["bcc"] + 1e-9).all()
    bcc = ctx.table("dea").set_index("region_code")["efficiency"]
    assert ((bcc - m["bcc"]).abs() < 1e-9).all()  # the engine's table is the spec's model
    text = ev.dea_text(ctx)
    assert "规模效率SE = CCR/BCC" in text and "BCC只与规模相近的地区比较" in text


def test_international_section_has_real_values_for_15_economies(stage_dir):
    ctx = _ctx("evaluation", "320000", 2018, stage_dir)
    intl = ctx.table("international")
    real = intl[intl["indicator_code"] == "patent_applications_origin_per_million"]
    assert real["region_code"].nunique() >= 15 and not intl["is_demo"].any()
    assert set(intl["indicator_code"]) >= {"rd_intensity_wdi", "researchers_per_million", "ip_receipts_usd",
                                           "hightech_exports_share"}
    tab = ev.international_table(ctx).data.set_index("国家/经济体")
    china = real.set_index("region_code").loc["100000"]
    assert tab.loc["中国", "专利位次"] == str(int(china["rank"]))  # each rank column keeps its own header
    assert {"R&D强度位次", "研究人员位次", "使用费位次", "高技术出口位次"} <= set(tab.columns)
    pl = ctx.table("international_provinces")
    assert set(pl["indicator_code"]) == {"patent_applications_origin_per_million", "rd_intensity_wdi"}
    text = ev.international_text(ctx)
    assert "居第" in text and "不含实用新型和外观设计" in text and "江苏" in text
    assert "不可与国家知识产权局“专利”合计数比较" in "".join(t.get_text() for t in ev.international_chart(ctx).texts).replace("\n", "")


def test_scorecard_agrees_with_obstacles_and_text_is_chinese(stage_dir):
    for code in _ctx("evaluation", "320000", 2018, stage_dir).members["code"]:
        # every region has obstacle factors > 0, so no scorecard may say it has no weakness at all
        text = ev.scorecard_text(_ctx("evaluation", "320000", 2018, stage_dir, code))
        assert "短板指标：无。" not in text and "短板指标" in text
    ctx = _ctx("evaluation", "320000", 2018, stage_dir, "320500")
    notes = ev.notes_text(ctx)
    assert not SLUGS.search(notes) and "极差标准化" in notes and "面板整体" in notes
    peers = ev.peers_table(ctx).data
    assert list(peers.iloc[:, 0])[:2] == [ctx.region_name, "苏南平均（5个地区）"] and "创新能力" in peers.columns
    assert "逐子系统比较" in ev.comparison_note(ctx)


def test_demo_marks_per_cell_and_flags_in_chinese(stage_dir):
    ctx = _ctx("survey", "320000", 2018, stage_dir, "320500")
    t = sv.context_table(ctx).data
    gdp = t[t["指标"] == "地区生产总值"]["数值"].iloc[0]
    assert "†" not in gdp  # 苏州 GDP 2018 is a real fact (江苏统计年鉴)
    assert t["数值"].str.endswith("†").any()  # demo values are marked
    assert "†" in sv.context_table(ctx).caption
    cov = ov.coverage_table(ctx).data
    assert not cov["质量标记"].map(lambda s: bool(SLUGS.search(s))).any()
    assert "本节给出苏州" in sv.ip_types_text(ctx)


def test_sparse_indicator_gets_a_sentence_not_a_map(stage_dir):
    """2022 trademark registrations are known for one province only: no one-colour choropleth, a sentence naming it."""
    ctx = _ctx("survey", "100000", 2022, stage_dir)
    out = ov.territory_maps(ctx)
    notes = [o for o in out if isinstance(o, str)]
    assert len(out) == 4 and len(notes) == 1
    assert "商标注册量仅有1个地区有数据" in notes[0] and "不绘制分布图" in notes[0]
    for o in out:
        if not isinstance(o, str):
            o.clf()

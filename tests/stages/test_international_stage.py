"""六、区域比较: the international comparison read from the database (countries as regions, WLD)."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from iplayout.config import default_db_path
from iplayout.db.api import open_db
from iplayout.db.demo_countries import write_demo_countries
from iplayout.db.importer import import_file
from iplayout.views import evaluation as ev
from iplayout.stages import open_context, prepare_stage
from iplayout.stages.international import international_comparison

YEAR = 2022


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A copy of the test database with the seeded demo country file imported, and its stage folders."""
    root = tmp_path_factory.mktemp("intl")
    db = root / "intl.duckdb"
    shutil.copy2(default_db_path(), db)
    rows = write_demo_countries(root / "demo.csv", db_path=db, years=range(2016, 2023), seed=11)
    import_file(root / "demo.csv", db_path=db, record=False)
    stages = root / "stages"
    for territory in ("WLD", "100000"):
        prepare_stage("evaluation", db_path=db, territory=territory, year=YEAR, out_dir=stages)
    return db, rows, stages


def test_no_imports_no_comparison_and_the_sentence():
    with open_db() as db:
        assert international_comparison(db, YEAR).empty  # China alone is not a comparison
    ctx = open_context("evaluation", territory="100000", year=YEAR, region_code="320000")
    assert ctx.table("international").empty and not ctx.stage.meta["international_is_demo"]
    text = ev.comparison_note(ctx)
    assert "江苏与其余30个地区并列比较" in text
    assert "国际比较需要各国同口径数据，本数据包不含" in text and "international_template.xlsx" in text
    assert ev.international_outputs(ctx) == []


def test_evaluation_stage_runs_for_world(imported):
    db, rows, stages = imported
    ctx = open_context("evaluation", territory="WLD", year=YEAR, stage_dir=str(stages))
    assert ctx.stage.meta["spec_file"] == "international.yaml" and ctx.territory_name == "世界"
    s = ctx.table("scores")
    with open_db(db) as handle:
        assert set(s["region_code"]) == set(handle.members("WLD")["code"])
    assert sorted(s["rank"]) == list(range(1, len(s) + 1)) and s["score"].between(0, 100).all()
    assert s.set_index("region_code").loc["100000", "region_name"] == "中国" and ctx.names()["USA"] == "美国"
    assert {"ip", "innovation", "economy"} == set(ctx.table("subsystems")["code"])
    assert ctx.is_demo and "演示" in ctx.demo_banner()
    pk = ctx.table("packages").set_index("id")
    assert any(i.startswith("import:") and pk.loc[i, "is_demo"] for i in pk.index)
    # no boundary file for the world: the map section says 无底图 instead of failing
    note = ev.coupling_map(ctx)
    assert "无底图" in note._repr_markdown_()


def test_comparison_view_returns_the_imported_numbers(imported):
    db, rows, stages = imported
    ctx = open_context("evaluation", territory="100000", year=YEAR, stage_dir=str(stages), region_code="320000")
    intl = ctx.table("international").set_index(["region_code", "indicator_code"])
    file = rows.set_index(["region", "year", "indicator"])["value"]
    for code in ("USA", "JPN", "DEU"):
        assert intl.loc[(code, "rd_intensity"), "value"] == file[(code, YEAR, "rd_intensity")]
        assert intl.loc[(code, "gdp_usd"), "value"] == file[(code, YEAR, "gdp_usd")]
        per = file[(code, YEAR, "patent_applications_invention")] / file[(code, YEAR, "population")]
        assert intl.loc[(code, "patent_applications_invention_per_10k_pop"), "value"] == pytest.approx(per, rel=1e-12)
    # China's own figures stay the bundled real ones (R&D intensity 2022: 2.54 %, 中国科技统计年鉴2023)
    assert intl.loc[("100000", "rd_intensity"), "value"] == 2.54 and not intl.loc[("100000", "rd_intensity"), "is_demo"]
    assert intl.loc[("100000", "patent_applications_invention"), "value"] == 1464605
    assert ctx.stage.meta["international_is_demo"] and ctx.is_demo
    text = ev.comparison_note(ctx)
    assert "**国际比较**" in text and "国际比较含演示（合成）数据" in text and "美国" in text
    table, fig = ev.international_outputs(ctx)
    html = table.to_html()
    usa = file[("USA", YEAR, "rd_intensity")]
    assert f"{usa:,.2f}" in html and "中国" in html and "含演示数据" in html
    assert fig is not None


def test_comparison_is_deterministic(imported):
    db, _, _ = imported
    with open_db(db) as handle:
        a, b = international_comparison(handle, YEAR), international_comparison(handle, YEAR)
    pd.testing.assert_frame_equal(a, b)
    assert a["region_code"].iloc[0] == "100000" and a["year"].le(YEAR).all()


def test_world_territory_passes_report_parameter_validation():
    from iplayout.config import params_dir
    from iplayout.reporting.parameters import CodeBook, load_declarations, validate_parameters

    decls = load_declarations(params_dir() / "notebooks.yaml").notebooks
    codes = CodeBook.from_db(default_db_path())
    _, problems = validate_parameters("02_evaluation/territory.ipynb", decls["02_evaluation/territory.ipynb"],
                                      {"territory": "WLD", "year": 2022}, codes)
    assert problems == []
    _, problems = validate_parameters("02_evaluation/region.ipynb", decls["02_evaluation/region.ipynb"],
                                      {"territory": "WLD", "region_code": "USA", "year": 2022}, codes)
    assert problems == []
    _, problems = validate_parameters("02_evaluation/region.ipynb", decls["02_evaluation/region.ipynb"],
                                      {"territory": "100000", "region_code": "USA", "year": 2022}, codes)
    assert len(problems) == 1 and problems[0].column == "region_code"  # USA is not a member of 全国

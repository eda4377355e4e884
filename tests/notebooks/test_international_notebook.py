"""The evaluation report for the world territory WLD runs on imported (demo) country data: table, 无底图, banner."""
from __future__ import annotations

import re
import shutil

import pytest

from iplayout.config import default_db_path, notebooks_dir

from test_notebooks import _run  # noqa: E402  (same folder; pytest rootdir import mode)


@pytest.mark.slow
def test_world_evaluation_report_runs(tmp_path):
    from iplayout.db.demo_countries import write_demo_countries
    from iplayout.db.importer import import_file

    db = tmp_path / "intl.duckdb"
    shutil.copy2(default_db_path(), db)
    rows = write_demo_countries(tmp_path / "demo.csv", db_path=db, years=range(2016, 2023), seed=3)
    import_file(tmp_path / "demo.csv", db_path=db, record=False)
    text, nb = _run(notebooks_dir() / "02_evaluation" / "territory.ipynb",
                    {"territory": "WLD", "year": 2022, "db_path": str(db)}, tmp_path)
    assert "演示数据提示" in text and "无底图" in text and "**国内外比对**" in text
    plain = re.sub(r"<[^>]+>", " ", text)
    usa = rows.set_index(["region", "year", "indicator"]).loc[("USA", 2022, "rd_intensity"), "value"]
    assert f"{usa:,.2f}" in plain and "美国" in plain

"""The `iplayout db` commands as a user runs them."""
from __future__ import annotations

from iplayout.cli import main


def test_db_build_prints_where_and_summary(tmp_path, capsys):
    target = tmp_path / "sub" / "x.duckdb"
    assert main(["db", "build", "--db", str(target), "--no-demo"]) == 0
    out = capsys.readouterr().out
    assert str(target) in out and "observations" in out and target.exists()
    # no temp file left; the writer lock file stays beside the database (removing it would race)
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.duckdb", "x.duckdb.lock"]


def test_db_info_prints_coverage(db_path, capsys):
    assert main(["db", "info", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "Coverage" in out and "province" in out and "city" in out and "jiangsu_demo" in out


def test_db_info_missing_database(tmp_path, capsys):
    assert main(["db", "info", "--db", str(tmp_path / "none.duckdb")]) == 2
    assert "iplayout db build" in capsys.readouterr().err

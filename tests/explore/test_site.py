"""The built site: layout, offline references, safe data scripts, refusal to overwrite other folders."""
import hashlib
import re
from pathlib import Path

import pytest

from iplayout.errors import ParameterError
from iplayout.explore.site import MARKER, build_site, jsonp, read_jsonp
from iplayout.plots.interactive import ECHARTS_SHA256

from explore_fixtures import RUN_ID


def test_layout_and_vendored_library(site):
    assert (site / MARKER).is_file() and (site / "index.html").is_file()
    assert hashlib.sha256((site / "assets" / "echarts.min.js").read_bytes()).hexdigest() == ECHARTS_SHA256
    for name in ("ECHARTS_LICENSE", "ECHARTS_NOTICE", "explore.js", "explore.css"):
        assert (site / "assets" / name).stat().st_size > 100, name
    key, cat = read_jsonp(site / "data" / "catalog.js")
    assert key == "catalog" and [t["code"] for t in cat["territories"]] == ["320000"]
    assert set(cat["schemes"]) == {"quantile", "jenks", "fixed"} and len(cat["palette"]) == 5
    key, meta = read_jsonp(site / "data" / "320000" / "meta.js")
    files = {p.stem for p in (site / "data" / "320000").glob("*.js")} - {"meta", "geo"}
    assert key == "meta:320000" and files == {e["file"] for e in meta["indicators"]}
    assert meta["has_sunan"] and meta["reports"]["320500"][0]["href"] == f"../{RUN_ID}/01_survey/region-320500.html"
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert total < 4_000_000  # ECharts ≈ 1 MB + 13 cities × all indicators × years


def test_page_references_only_local_files(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs == ["assets/explore.css", "assets/echarts.min.js", "assets/explore.js"]
    js = (site / "assets" / "explore.js").read_text(encoding="utf-8")
    assert "http" not in js and "fetch(" not in js and "XMLHttpRequest" not in js
    assert "innerHTML" not in js  # data-derived strings go in as text (or through echarts.format.encodeHTML)


def test_data_scripts_cannot_break_out(tmp_path):
    evil = '南京</script><script>alert(1)</script><!--'
    text = jsonp(f"data:{evil}", {"name": evil, "v": [1.5, None]})
    assert "</script" not in text.lower() and "<!--" not in text
    (tmp_path / "x.js").write_text(text, encoding="utf-8")
    assert read_jsonp(tmp_path / "x.js") == (f"data:{evil}", {"name": evil, "v": [1.5, None]})


def test_refuses_to_replace_a_folder_that_is_not_a_site(db, tmp_path):
    other = tmp_path / "reports"
    other.mkdir()
    (other / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(ParameterError, match="not an explorer site"):
        build_site(db, other, territories=["320000"])
    assert [p.name for p in other.iterdir()] == ["keep.txt"]
    with pytest.raises(ParameterError, match="no boundary file"):
        build_site(db, tmp_path / "w", territories=["WLD"])


def test_reports_index_links_the_explorer(site, reports_dir):
    """Built as ``reports/explore`` next to the report sets, the CLI regenerates ``reports/index.html`` with a link."""
    index = (reports_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="explore/index.html"' in index and f'href="{RUN_ID}/index.html"' in index
    make = (Path(__file__).resolve().parents[2] / "Makefile").read_text(encoding="utf-8")
    report = make.split("\nreport:", 1)[1].split("\n\n", 1)[0]
    assert "iplayout explore --runs reports -o reports/explore" in report


def test_cli_reports_a_bad_target_without_traceback(tmp_path, capsys):
    from iplayout.cli import main

    (tmp_path / "notes.txt").write_text("keep", encoding="utf-8")
    assert main(["explore", "--no-runs", "-o", str(tmp_path), "-t", "320000"]) == 2
    err = capsys.readouterr().err
    assert "not an explorer site" in err and "Traceback" not in err
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep"

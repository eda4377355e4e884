"""Acceptance package round trip, tamper detection, determinism; index and manifest helpers."""
import json
import zipfile

import pytest

from reporting_helpers import external_urls
from iplayout.errors import SpecError
from iplayout.reporting.index import render_index
from iplayout.fileio import sha256_file, sha256_tree
from iplayout.reporting.manifest import job_input_hash, write_manifest
from iplayout.reporting.package import build_package, verify_package


def _manifest(status_fail=False):
    jobs = [
        {"job_id": "region--320100", "group": "一、资源调查", "title": "调查", "region": "320100",
         "labels": {"320100": "南京市"}, "status": "ok", "duration": 1.25, "is_demo": True,
         "outputs": {"html": "01_survey/region-320100.html", "pdf": "01_survey/region-320100.pdf"},
         "sources": ["中国科技统计年鉴"], "error": None},
        {"job_id": "region--320300", "group": "一、资源调查", "title": "调查", "region": "320300",
         "labels": {"320300": "徐州市"}, "status": "failed" if status_fail else "ok", "duration": 0.9,
         "outputs": {"html": "01_survey/region-320300.html"}, "sources": [],
         "error": {"kind": "cell", "cell_index": 3, "exception": "ValueError", "message": "故意失败"}
         if status_fail else None},
    ]
    return {"run_id": "r1", "plan": {"name": "p", "title": "测试报告集", "title_en": "", "file": "p.yaml"},
            "started": "2026-01-01T00:00:00", "finished": "2026-01-01T00:01:00", "code_version": "0.1.0",
            "timings": {"total_seconds": 60.0}, "warnings": [], "jobs": jobs,
            "sources": [{"id": "nbs", "title": "中国科技统计年鉴", "publisher": "国家统计局", "url": "https://x",
                         "licence": "", "accessed": "", "is_demo": False}]}


@pytest.fixture()
def run_dir(tmp_path):
    rd = tmp_path / "r1"
    (rd / "01_survey").mkdir(parents=True)
    (rd / "stages" / "survey").mkdir(parents=True)
    (rd / "01_survey" / "region-320100.html").write_text("<html>南京</html>", encoding="utf-8")
    (rd / "01_survey" / "region-320100.pdf").write_bytes(b"%PDF-1.7 fake")
    (rd / "01_survey" / "region-320300.html").write_text("<html>徐州</html>", encoding="utf-8")
    (rd / "01_survey" / ".region-1.tmp").write_text("half-written")
    (rd / "stages" / "survey" / "catalogue.xlsx").write_bytes(b"PK fake workbook")
    (rd / "stages" / "survey" / "table.parquet").write_bytes(b"PAR1")
    (rd / "index.html").write_text("<html>索引</html>", encoding="utf-8")
    (rd / "plan.yaml").write_text("name: p\n", encoding="utf-8")
    write_manifest(rd, _manifest())
    return rd


def test_package_verify_round_trip_and_determinism(run_dir, tmp_path):
    z1 = build_package(run_dir, tmp_path / "a.zip")
    z2 = build_package(run_dir, tmp_path / "b.zip")
    assert z1.read_bytes() == z2.read_bytes()  # fixed timestamps and order
    assert verify_package(z1) == []
    names = zipfile.ZipFile(z1).namelist()
    assert "r1/SHA256SUMS" in names and "r1/manifest.json" in names and "r1/sources.csv" in names
    assert "r1/stages/survey/catalogue.xlsx" in names and "r1/index.html" in names
    assert not any(n.endswith(".parquet") or ".tmp" in n for n in names)
    sums = zipfile.ZipFile(z1).read("r1/SHA256SUMS").decode()
    assert f"{sha256_file(run_dir / 'plan.yaml')}  plan.yaml" in sums
    src = zipfile.ZipFile(z1).read("r1/sources.csv").decode("utf-8")
    assert "国家统计局" in src and "region--320100" in src


def _rewrite(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)


def test_verify_detects_tampering(run_dir, tmp_path):
    z = build_package(run_dir, tmp_path / "ok.zip")
    bad = tmp_path / "bad.zip"
    _rewrite(z, bad, lambda n, d: d.replace("南京".encode(), "苏州".encode()) if n.endswith("320100.html") else d)
    assert verify_package(bad) == ["r1/01_survey/region-320100.html: SHA-256 mismatch (file changed after packaging)"]
    _rewrite(z, bad, lambda n, d: None if n.endswith(".pdf") else d)
    assert any("missing" in p for p in verify_package(bad))
    with zipfile.ZipFile(bad, "a") as zf:
        zf.writestr("r1/extra.html", "<html></html>")
    assert any("r1/extra.html: not listed" in p for p in verify_package(bad))
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    assert "not a zip file" in verify_package(tmp_path / "junk.zip")[0]


def test_package_refuses_failed_or_unfinished_runs(run_dir, tmp_path):
    write_manifest(run_dir, _manifest(status_fail=True))
    with pytest.raises(SpecError, match="1 report"):
        build_package(run_dir, tmp_path / "x.zip")
    assert verify_package(build_package(run_dir, tmp_path / "x.zip", allow_failed=True)) == []
    m = _manifest()
    m["finished"] = None
    write_manifest(run_dir, m)
    with pytest.raises(SpecError, match="not finished"):
        build_package(run_dir, tmp_path / "y.zip")


def test_index_groups_statuses_and_failures_in_chinese():
    page = render_index(_manifest(status_fail=True))
    assert external_urls(page) == []
    assert '<html lang="zh-CN">' in page and "<h2>一、资源调查</h2>" in page
    assert "南京市（320100）" in page and "徐州市（320300）" in page
    assert "单元格 3：ValueError: 故意失败" in page and 'class="failed">失败' in page
    assert "成功 1" in page and "失败 1" in page and "演示数据" in page
    assert page.index("320100") < page.index("320300")
    assert 'href="01_survey/region-320100.pdf"' in page


def test_input_hash_and_tree_hash(tmp_path):
    base = dict(notebook_sha="a", parameters={"region_code": "320100"}, db_sha="d", stage_sha="s")
    h = job_input_hash(**base)
    assert h == job_input_hash(**base)
    assert h != job_input_hash(**{**base, "parameters": {"region_code": "320200"}})
    assert h != job_input_hash(**{**base, "db_sha": "e"})
    assert h != job_input_hash(**{**base, "stage_sha": None})
    (tmp_path / "t.parquet").write_bytes(b"1")
    (tmp_path / "stage.json").write_text(json.dumps({"seconds": 1.2}))
    t1 = sha256_tree(tmp_path, exclude=("stage.json",))
    (tmp_path / "stage.json").write_text(json.dumps({"seconds": 3.4}))
    assert sha256_tree(tmp_path, exclude=("stage.json",)) == t1  # the log's timings do not count as changed inputs
    (tmp_path / "t.parquet").write_bytes(b"2")
    assert sha256_tree(tmp_path, exclude=("stage.json",)) != t1


def test_cli_package_and_verify_exit_codes(run_dir, tmp_path):
    from click.testing import CliRunner

    from iplayout.reporting.cli import package, verify

    zp = tmp_path / "acc.zip"
    res = CliRunner().invoke(package, [str(run_dir), "-o", str(zp)])
    assert res.exit_code == 0 and res.output.strip() == str(zp)
    assert CliRunner().invoke(verify, [str(zp)]).output.startswith("OK ")
    bad = tmp_path / "bad.zip"
    _rewrite(zp, bad, lambda n, d: b"changed" if n.endswith("manifest.json") else d)
    res = CliRunner().invoke(verify, [str(bad)])
    assert res.exit_code == 1 and "r1/manifest.json: SHA-256 mismatch" in res.output

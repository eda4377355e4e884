"""The advertised commands end to end on the real notebooks and the bundled data (small selection).

`iplayout run` on a shipped plan → every HTML offline, PDF pages with Chinese text and the demo mark on
every page of a demo report, manifest and index complete → `iplayout package` → `iplayout verify`.
"""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = re.compile(r"""(?<![\w-])(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", re.I)
CSS_EXTERNAL = re.compile(r"""url\(\s*["']?(?:https?:|//)|@import\s+["']?(?:https?:|//)""", re.I)


def _iplayout(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "iplayout.cli", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    res = _iplayout("run", "params/runs/jiangsu-stage-2016.yaml", "--only", "320100", "--only", "01_survey/territory",
                    "--reports-dir", str(out), "--run-id", "e2e")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return out / "e2e"


@pytest.mark.slow
def test_run_produces_complete_offline_report_set(run_dir):
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    jobs = manifest["jobs"]
    assert len(jobs) == 3 and all(j["status"] == "ok" for j in jobs)
    assert manifest["inputs"] and manifest["packages"]
    htmls = sorted(run_dir.rglob("*.html"))
    assert len(htmls) == 4  # three reports + index
    for page in htmls:
        text = page.read_text(encoding="utf-8")
        hits = EXTERNAL.findall(text) + CSS_EXTERNAL.findall(text)
        assert not hits, f"{page.name}: external URLs {hits[:5]}"
    survey = (run_dir / "01_survey" / "region-320100.html").read_text(encoding="utf-8")
    assert "南京" in survey and "演示数据" in survey and 'lang="zh-CN"' in survey


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_pdf_has_chinese_and_demo_mark_on_every_page(run_dir):
    pdf = run_dir / "01_survey" / "region-320100.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3
    assert all("演示数据" in p for p in pages), "demo mark missing on some page"
    assert "南京" in text and "\ufffd" not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    # the bundled CJK font is embedded, not a fallback (WeasyPrint names it Noto-Sans-CJK-SC, Chromium NotoSansCJKsc)
    assert re.search(r"Noto-?Sans-?CJK-?(SC|sc)", fonts)


@pytest.mark.slow
def test_package_and_verify(run_dir):
    res = _iplayout("package", str(run_dir))
    assert res.returncode == 0, res.stderr
    zips = sorted(run_dir.parent.glob("*.zip"))
    assert len(zips) == 1
    ok = _iplayout("verify", str(zips[0]))
    assert ok.returncode == 0 and "OK" in ok.stdout


@pytest.mark.slow
def test_territory_report_has_offline_interactive_map_only_in_html(run_dir):
    page = (run_dir / "01_survey" / "territory.html").read_text(encoding="utf-8")
    assert page.count('<script id="ipl-echarts-lib">') == 1  # vendored ECharts inlined once
    assert page.count("ec.registerMap(") == 1 and 'class="ipl-imap ipl-screen-only"' in page
    assert not (EXTERNAL.findall(page) + CSS_EXTERNAL.findall(page))
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    pdf = run_dir / "01_survey" / "territory.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "registerMap" not in text and "echarts" not in text.lower() and "（交互）" not in text


#: raw flag codes and method slugs that must never reach reader-facing text (issue 14)
SLUGS = re.compile(r"eps_shrink|interpolate_median|impute_median|drop_unit|lower_bound|unit_label_fixed|"
                   r"\b(?:verify|secondary|provisional|about)\b")


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.slow
def test_rendered_reports_are_chinese_and_end_with_findings(run_dir):
    for page in sorted((run_dir / "01_survey").glob("*.html")):
        text = _visible_text(page.read_text(encoding="utf-8"))
        assert not SLUGS.search(text), f"{page.name}: {SLUGS.search(text).group(0)}"
        assert "主要发现与问题" in text and "（针对发现1）" in text, page.name
        assert 'alt="No description' not in page.read_text(encoding="utf-8")
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "交付清单" in index and "政策状况报告" in index and str(ROOT) not in index
    assert str(ROOT) not in (run_dir / "manifest.json").read_text(encoding="utf-8")
    assert (run_dir.parent / "index.html").is_file()

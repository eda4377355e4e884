"""Interactive ECharts map: vendored script, escaping, compact GeoJSON, colours, once-per-notebook inlining."""
import hashlib
import json
import math
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from iplayout.errors import DataError, ParameterError
from iplayout.plots import interactive as im
from iplayout.plots.maps import ATTRIBUTION

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reporting"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # browser_helpers
from browser_helpers import CHROMIUM_FLAGS, chromium_or_skip  # noqa: E402
from reporting_helpers import external_urls  # noqa: E402

EVIL = '南京</script><script>alert("x")</script><!--&'


def _square(x0, y0, size=1.0):
    return [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]


def _geojson():
    """Two cities with codes (one with an island), one context unit without data."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": "320100", "name": EVIL},
         "geometry": {"type": "MultiPolygon", "coordinates": [[_square(118.00041, 31.0)],
                                                              [_square(119.0, 31.0, 0.0001)]]}},  # island vanishes
        {"type": "Feature", "properties": {"adcode": "320200", "name": "无锡市"},
         "geometry": {"type": "Polygon", "coordinates": [_square(120.0, 31.0)]}},
        {"type": "Feature", "properties": {"adcode": "710000", "name": "台湾省"},
         "geometry": {"type": "Polygon", "coordinates": [_square(121.0, 33.0)]}},
    ]}


@pytest.fixture(autouse=True)
def _fresh_state():
    im.reset_inline_state()
    yield
    im.reset_inline_state()


@pytest.fixture
def gj_file(tmp_path):
    p = tmp_path / "b.geojson"
    p.write_text(json.dumps(_geojson(), ensure_ascii=False), encoding="utf-8")
    return p


class _Scripts(HTMLParser):
    """Counts elements as a browser's tokenizer sees them (a break-out would add script elements)."""

    def __init__(self):
        super().__init__()
        self.scripts, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append(dict(attrs))


def test_vendored_echarts_matches_readme_and_licence():
    data = im.ECHARTS_FILE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == im.ECHARTS_SHA256
    readme = (im.ASSETS_DIR / "README.md").read_text(encoding="utf-8")
    assert im.ECHARTS_SHA256 in readme and im.ECHARTS_VERSION in readme
    assert "Apache License" in (im.ASSETS_DIR / "ECHARTS_LICENSE").read_text(encoding="utf-8")
    src = im.echarts_source()
    assert "registerMap" in src and "</script" not in src.lower() and external_urls(src) == []


def test_script_json_round_trips_and_cannot_close_the_script():
    obj = {"name": EVIL, "sep": "a\u2028b\u2029c", "n": [1, 2.5]}
    text = im.script_json(obj)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == obj
    with pytest.raises(ValueError):
        im.script_json({"v": float("nan")})


@pytest.mark.skipif(shutil.which("node") is None, reason="node not installed")
def test_script_json_is_the_same_value_in_javascript():
    obj = {"name": EVIL, "sep": "a\u2028b", "n": [1, 2.5]}
    out = subprocess.run(["node", "-e", f"process.stdout.write(JSON.stringify({im.script_json(obj)}))"],
                         capture_output=True, text=True, check=True, timeout=30).stdout
    assert json.loads(out) == obj


def test_compact_geojson_rounds_closes_and_keys_by_code():
    gj, names = im.compact_geojson(_geojson(), code_field="adcode", decimals=3)
    assert [f["properties"] for f in gj["features"]] == [{"name": "320100"}, {"name": "320200"}, {"name": "710000"}]
    assert names == {"320100": EVIL, "320200": "无锡市", "710000": "台湾省"}
    nanjing = gj["features"][0]["geometry"]
    # the 0.0001° island collapses to one point at 3 decimals and is dropped: a Polygon remains
    assert nanjing["type"] == "Polygon"
    assert nanjing["coordinates"][0] == [[118.0, 31.0], [119.0, 31.0], [119.0, 32.0], [118.0, 32.0], [118.0, 31.0]]
    by_name = {"南京</script><script>alert(\"x\")</script><!--&": "320100", "无锡市": "320200", "台湾省": "710000"}
    gj2, _ = im.compact_geojson(_geojson(), names=by_name, decimals=3)
    assert gj2 == gj


def test_compact_geojson_reports_every_problem_with_its_location():
    raw = _geojson()
    raw["features"][1]["properties"]["adcode"] = "320100"  # duplicate
    del raw["features"][2]["properties"]["adcode"]  # no code
    with pytest.raises(DataError) as err:
        im.compact_geojson(raw, code_field="adcode", source="b.geojson")
    probs = [(p.line, p.value) for p in err.value.problems]
    assert probs == [(1, "320100"), (2, "台湾省")]
    with pytest.raises(ParameterError):
        im.compact_geojson(raw)
    tiny = {"features": [{"properties": {"adcode": "1"},
                          "geometry": {"type": "Polygon", "coordinates": [_square(1.0, 1.0, 1e-5)]}}]}
    with pytest.raises(DataError, match="vanishes"):
        im.compact_geojson(tiny, code_field="adcode")


def test_equalised_colours_follow_the_empirical_cdf():
    import matplotlib as mpl
    from matplotlib.colors import to_hex

    cm = mpl.colormaps["YlGnBu"]
    # evenly spaced values: the CDF is linear, so stops are the colour map sampled evenly
    even = im.equalised_colours([0, 1, 2, 3, 4], stops=5)
    assert even == [to_hex(cm(f)) for f in np.linspace(0, 1, 5)]
    # one dominant value: x = 1, 2, 3, 100 at positions 0, 1/3, 2/3, 1. The second of 33 stops sits at
    # t = 1 + 99/32 = 4.09375, between 3 and 100: F = 2/3 + (t − 3)/97 · 1/3 = 0.670425…
    skew = im.equalised_colours([100, 1, np.nan, 3, 2])
    f1 = 2 / 3 + (1 + 99 / 32 - 3) / 97 / 3
    assert math.isclose(f1, 0.6704253, rel_tol=1e-6)
    assert len(skew) == 33 and skew[0] == to_hex(cm(0.0)) and skew[-1] == to_hex(cm(1.0))
    assert skew[1] == to_hex(cm(f1))
    # ties share their mean position: 1, 1, 5 → F(1) = 0.25
    assert im.equalised_colours([1, 1, 5], stops=2)[0] == to_hex(cm(0.25))
    assert im.equalised_colours([7, 7]) == [to_hex(cm(0.5))] * 2


def test_map_spec_data_order_format_highlight_and_missing_boundary():
    gj, names = im.compact_geojson(_geojson(), code_field="adcode")
    values = pd.Series({"320200": 1234.5, "320100": np.nan})
    spec = im.map_spec(values, gj, file_names=names, title="T", unit="件", highlight="320200",
                       labels={"320200": "无锡市"}, short_labels=pd.Series({"320200": "无锡"}))
    assert spec["data"] == [{"name": "320200", "value": 1234.5, "text": "1,234",
                             "itemStyle": {"borderColor": im.HIGHLIGHT, "borderWidth": 2.5}}]  # NaN → no item (无数据)
    assert spec["names"] == {"320100": EVIL, "320200": "无锡市", "710000": "台湾省"}
    assert spec["short"] == {"320100": EVIL, "320200": "无锡"}  # no label on the context unit 710000
    assert spec["precision"] == 0 and spec["min"] == spec["max"] == 1234.5
    assert spec["aspect"] == round(math.cos(math.radians(32.5)), 4)  # latitudes 31–34 → φ0 = 32.5°
    with pytest.raises(DataError, match="no boundary"):
        im.map_spec(pd.Series({"999999": 1.0}), gj, file_names=names, title="T", unit="")
    assert im.value_decimals([0.5]) == 3 and im.value_decimals([5]) == 2 and im.value_decimals([50]) == 1


def test_hostile_name_cannot_break_out_of_the_script(gj_file):
    out = im.interactive_map(pd.Series({"320100": 3.0, "320200": 5.0}), geojson_path=gj_file, code_field="adcode",
                             title=f"标题{EVIL}", unit="件<b>", include_library=False, source="来源&")
    page = out.data
    parser = _Scripts()
    parser.feed(page)
    assert len(parser.scripts) == 1 and "b" not in parser.tags  # only our drawing script, no injected tags
    assert "alert(" in page and '</script><script>alert' not in page  # the name travels escaped
    assert f"标题{EVIL}".replace("<", "&lt;")[:12] in page  # title HTML-escaped
    assert 'class="ipl-imap ipl-screen-only"' in page and ATTRIBUTION in page and "来源&amp;" in page
    assert external_urls(page) == []
    spec = json.loads(re.search(r"var spec = (\{.*?\});\n", page).group(1))
    assert spec["names"]["320100"] == EVIL and spec["unit"] == "件<b>"


def test_library_is_inlined_once_per_notebook(gj_file):
    v = pd.Series({"320100": 3.0, "320200": 5.0})
    first = im.interactive_map(v, geojson_path=gj_file, code_field="adcode", title="A", unit="件").data
    second = im.interactive_map(v, geojson_path=gj_file, code_field="adcode", title="B", unit="件").data
    assert first.count(f'<script id="{im.LIBRARY_ID}">') == 1 and im.LIBRARY_ID not in second
    assert len(first) > 1_000_000 > 100_000 > len(second)
    assert "registerMap" in second and "if (!window.echarts)" in first
    ids = [re.search(r'<div id="([^"]+)" class="ipl-imap-canvas"', h).group(1) for h in (first, second)]
    assert ids[0] != ids[1]
    im.reset_inline_state()  # a new notebook (same kernel code) gets identical bytes: deterministic ids
    again = im.interactive_map(v, geojson_path=gj_file, code_field="adcode", title="A", unit="件").data
    assert again == first


def test_real_boundaries_join_every_member():
    b = im.territory_boundary("320000")
    if not Path(b["geojson_path"]).exists():
        pytest.skip("boundary files not available")
    codes = [f"{c:04d}00" for c in range(3201, 3214)]
    out = im.interactive_map(pd.Series(range(13), index=codes, dtype=float), **b, title="江苏", unit="件",
                             include_library=False).data
    spec = json.loads(re.search(r"var spec = (\{.*?\});\n", out).group(1))
    assert [d["name"] for d in spec["data"]] == codes and spec["names"]["320100"] == "南京市"
    assert len(out) < 120_000  # 3 decimals: ≈ 70 kB of boundaries instead of 167 kB
    national = im.territory_boundary("100000")
    assert national["names"]["内蒙古自治区"] == "150000" and national["decimals"] == 2
    with pytest.raises(DataError):
        im.territory_boundary("WLD")


def test_system_deps_installs_chromium():
    """make test runs scripts/system-deps.sh first, and the script installs chromium when it is missing."""
    root = Path(__file__).resolve().parents[2]
    script = (root / "scripts" / "system-deps.sh").read_text(encoding="utf-8")
    assert 'command -v chromium' in script and 'missing="$missing chromium"' in script and "apt-get update" in script
    assert re.search(r"^test: .*\bsysdeps\b", (root / "Makefile").read_text(encoding="utf-8"), re.M)


@pytest.mark.slow
def test_map_draws_offline_in_headless_chromium(gj_file, tmp_path):
    exe = chromium_or_skip()
    out = im.interactive_map(pd.Series({"320100": 3.0, "320200": 5.0}), geojson_path=gj_file, code_field="adcode",
                             title="T", unit="件")
    page = tmp_path / "m.html"
    page.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{out.data}</body></html>',
                    encoding="utf-8")
    dom = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chr'}", "--virtual-time-budget=3000", "--dump-dom",
                          page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    container = re.search(r'<div id="ipl-imap-[^"]+" class="ipl-imap-canvas"[^>]*>(.{0,400})', dom, re.S)
    assert container and "_echarts_instance_" in container.group(0)  # echarts.init ran on the container …
    assert "<canvas" in container.group(1) and "缺少" not in container.group(1)  # … and drew into it

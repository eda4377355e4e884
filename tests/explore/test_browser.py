"""The explorer in a real headless Chromium (DevTools protocol): loads from file://, switching indicator and year
changes the drawn values (read back from the page and checked against the database), a click on a region opens
its panel with working report links, and every request the page makes stays on the machine."""
import json
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from browser_helpers import Browser
from explore_fixtures import RUN_ID


def _values(db, indicator, year):
    o = db.observations(indicators=[indicator], territory="320000", years=[year])
    return dict(zip(o["region_code"], o["value"].astype(float)))


def _change(b, element, value, event):
    b.evaluate(f"(() => {{ const e = document.getElementById({json.dumps(element)}); e.value = {json.dumps(value)};"
               f" e.dispatchEvent(new Event({json.dumps(event)})); return 1; }})()")


@pytest.mark.slow
def test_explorer_in_headless_chromium(site, db, tmp_path):
    with Browser(tmp_path / "profile") as b:
        b.navigate((site / "index.html").as_uri() + "#t=320000&i=patent_grants&y=2019")
        b.wait_for("window.IPL && IPL.ready.then(() => document.body.dataset.renders >= 1)")
        assert b.evaluate("IPL.year()") == "2019"
        shown = b.evaluate("IPL.mapValues()")
        assert shown == pytest.approx(_values(db, "patent_grants", 2019))
        first = b.evaluate("document.querySelector('#rank-table tbody tr').textContent")
        top = max(shown, key=shown.get)
        assert first.startswith("1" + db.region(top)["name"])

        # another indicator through its menu: the map and the ranking redraw with its values, same year
        _change(b, "sel-indicator", "patent_applications", "change")
        b.wait_for("IPL.state.ind === 'patent_applications' && document.getElementById('map-title')"
                   ".textContent.includes('专利申请')")
        assert b.evaluate("IPL.mapValues()") == pytest.approx(_values(db, "patent_applications", 2019))
        assert b.evaluate("IPL.mapValues()") != shown

        # another year through the slider
        _change(b, "sel-year", "0", "input")  # the first year of the indicator
        b.wait_for("IPL.year() !== '2019'")
        y0 = int(b.evaluate("IPL.year()"))
        assert b.evaluate("IPL.mapValues()") == pytest.approx(_values(db, "patent_applications", y0))
        assert b.evaluate("document.getElementById('out-year').textContent") == f"{y0} 年"

        # hovering 苏州 shows its value, rank and source
        x, y = b.evaluate("IPL.pixelOf('320500')")
        b.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})
        tip = b.wait_for("(document.getElementById('map').innerText.match(/苏州[^]*来源：[^\\n]*/) || [''])[0]")
        su = _values(db, "patent_applications", y0)["320500"]
        rank = 1 + sum(v > su for v in _values(db, "patent_applications", y0).values())
        assert f"{su:,.0f} 件" in tip and f"全省第 {rank} 位（共 13 个）" in tip and "※演示数据" in tip
        src = db.observations(indicators=["patent_applications"], regions=["320500"], years=[y0])["source_id"].iloc[0]
        assert db.sources().set_index("id").loc[src, "title"] in tip

        # a real mouse click on 苏州 opens its panel with links to its reports
        b.click(x, y)
        b.wait_for("!document.getElementById('panel').hidden")
        assert b.evaluate("document.getElementById('panel-title').textContent") == "苏州（320500）"
        links = b.evaluate("[...document.querySelectorAll('#panel-reports a')].map(a => [a.getAttribute('href'),"
                           " a.href, a.textContent])")
        assert [h for h, _, _ in links] == [f"../{RUN_ID}/01_survey/region-320500.html",
                                            f"../{RUN_ID}/02_evaluation/region-320500.html",
                                            f"../{RUN_ID}/03_allocation/zones.html"]
        for _, url, _ in links:
            assert urlparse(url).scheme == "file" and Path(unquote(urlparse(url).path)).is_file(), url
        csv = b.evaluate("IPL.csv()")
        assert csv.startswith("\ufeff地区代码,地区,年份") and f"320500,苏州,{y0},patent_applications" in csv

        assert b.evaluate("IPL.png()").startswith("data:image/png;base64,")
        b.evaluate("document.getElementById('btn-play').click(); 1")  # ▶ 播放 steps to the next year
        assert int(b.wait_for(f"IPL.year() !== '{y0}' && IPL.year()")) > y0
        b.evaluate("document.getElementById('btn-play').click(); 1")

        # compare view: every indicator of the territory, 苏州 against its group
        b.evaluate("IPL.showCompare().then(() => 1)")
        rows = b.evaluate("document.querySelectorAll('#cmp-table tbody tr').length")
        assert rows > 40

        b.evaluate("IPL.showMap(); document.querySelector('#panel-reports a').click(); 1")
        b.wait_for("document.title === '苏州知识产权资源调查报告（2018年）'")

    schemes = {urlparse(u).scheme for u in b.requests}
    assert schemes <= {"file", "data"}, sorted(u for u in b.requests if not u.startswith(("file:", "data:")))
    loaded = [u for u in b.requests if "/data/320000/" in u]
    assert any(u.endswith("/patent_applications.js") for u in loaded)  # lazily, one script per indicator
    assert len(loaded) > 40  # the compare view loaded the rest

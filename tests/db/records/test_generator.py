"""The seeded demo exports: reproducible bytes, both header variants, encodings, demo sidecar, realistic mix."""
from __future__ import annotations

import csv
import io
import json

from iplayout.db.records.generator import (HEADER_ORIGINAL, HEADER_STRIPPED, write_demo_copyrights,
                                           write_demo_patents, write_demo_trademarks)


def _rows(path, encoding):
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def test_same_seed_same_bytes_and_sidecar(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    res = write_demo_patents(a, n=3000, seed=7, chunk=1000)
    write_demo_patents(b, n=3000, seed=7, chunk=1000)
    write_demo_patents(c, n=3000, seed=8, chunk=1000)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    assert res["rows"] == 3000 and res["rows_per_s"] > 0
    side = json.loads((tmp_path / "a.csv.demo.json").read_text(encoding="utf-8"))
    assert side["is_demo"] is True and side["seed"] == 7 and side["n"] == 3000 and side["kind"] == "patent"


def test_patsnap_layout_values(tmp_path):
    p = tmp_path / "p.csv"
    write_demo_patents(p, n=4000, seed=3, chunk=1500)
    rows = _rows(p, "utf-8")
    assert rows[0] == HEADER_ORIGINAL and len(rows) == 4001
    col = {h: [r[i] for r in rows[1:]] for i, h in enumerate(rows[0])}
    assert len(set(col["公开(公告)号"])) == 4000  # record ids unique
    offices = set(col["受理局"])
    assert {"中国", "CN", "美国", "US", "世界知识产权组织", "WO"} <= offices
    assert set(col["专利类型"]) == {"发明申请", "授权发明", "实用新型", "外观设计"}
    assert any(" | " in v for v in col["IPC分类号"]) and any(" | " in v for v in col["[标]当前申请(专利权)人"])
    assert "-" in col["当前申请(专利权)人区县"] and "-" in col["权利要求数量"]
    states = set(col["当前申请(专利权)人州/省"])
    assert {"江苏省", "CA"} <= states and "淮阴市" in set(col["当前申请(专利权)人地市"])
    assert set(col["申请年"]) == {"2014", "2015", "2016", "2017", "2018"}
    assert all("演示" in v for v in col["[标]当前申请(专利权)人"])  # no real-looking applicant
    # utility models and designs only at the Chinese office
    assert all(o in ("中国", "CN") for o, t in zip(col["受理局"], col["专利类型"]) if t in ("实用新型", "外观设计"))


def test_stripped_header_and_encodings(tmp_path):
    for enc, decode in (("gb18030", "gb18030"), ("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig")):
        p = tmp_path / f"p-{enc}.csv"
        write_demo_patents(p, n=200, seed=1, header_variant="stripped", encoding=enc)
        rows = _rows(p, decode)
        assert rows[0] == HEADER_STRIPPED and len(rows) == 201
    assert HEADER_STRIPPED[0] == "公开公告号" and "当前申请专利权人" in HEADER_STRIPPED
    assert "IPC主分类号小类" in HEADER_STRIPPED and "当前申请专利权人州省" in HEADER_STRIPPED
    assert (tmp_path / "p-utf-16.csv").read_bytes()[:2] == b"\xff\xfe"


def test_trademarks_and_copyrights(tmp_path):
    t, c = tmp_path / "t.csv", tmp_path / "c.csv"
    write_demo_trademarks(t, n=40, seed=2)
    write_demo_copyrights(c, n=40, seed=2)
    tr, cr = _rows(t, "utf-8"), _rows(c, "utf-8")
    assert tr[0] == ["注册号", "国际分类", "申请人", "地址", "申请日", "注册日", "状态"] and len(tr) == 41
    assert all(1 <= int(k) <= 45 for r in tr[1:] for k in r[1].split(" | "))
    assert {r[1] for r in cr[1:]} == {"作品", "计算机软件"}
    assert json.loads((tmp_path / "c.csv.demo.json").read_text(encoding="utf-8"))["kind"] == "copyright"

"""Seeded DEMO record exports (synthetic, flagged demo): Patsnap-style patents, trademarks, copyrights.

Every file written here is demo data: a ``<file>.demo.json`` sidecar (seed, n, generator version) makes the
importer flag its records ``is_demo``. Applicant names say 演示 (demo) so no row passes for a real one.
Patents are drawn in vectorised chunks (numpy indices into small vocabularies, joined by Arrow compute) and
streamed to the file, so 10 million rows take bounded memory. City shares follow the Jiangsu demo panel's
patent-application shares (rounded); IPC main groups are real IPC symbols, weighted per city.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ...fileio import atomic_path, atomic_write
from .gazetteer import load_gazetteer

GENERATOR_VERSION = "1"
DEMO_SUFFIX = ".demo.json"
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")
HEADER_ORIGINAL = ["公开(公告)号", "受理局", "标题", "专利类型", "[标]当前申请(专利权)人", "当前申请(专利权)人数量", "发明人",
                   "权利要求数量", "IPC分类号", "IPC主分类号(小类)", "战略新兴产业分类", "被引用专利数量", "简单法律状态",
                   "简单同族成员数量", "法律状态/事件", "当前申请(专利权)人地市", "当前申请(专利权)人区县", "申请年",
                   "当前申请(专利权)人州/省", "优先权国家"]


def strip_header(name: str) -> str:
    """The same header as other tools save it: ``[标]``, brackets and slashes removed."""
    for s in ("[标]", "(", ")", "（", "）", "/", "[", "]"):
        name = name.replace(s, "")
    return name


HEADER_STRIPPED = [strip_header(h) for h in HEADER_ORIGINAL]
# approximate shares of the demo panel's patent applications (sum 1)
CITY_SHARES = {"320100": 0.15, "320200": 0.12, "320300": 0.04, "320400": 0.09, "320500": 0.27, "320600": 0.08,
               "320700": 0.015, "320800": 0.025, "320900": 0.04, "321000": 0.05, "321100": 0.05, "321200": 0.05,
               "321300": 0.02}
CITY_NAMES = {"320100": "南京", "320200": "无锡", "320300": "徐州", "320400": "常州", "320500": "苏州", "320600": "南通",
              "320700": "连云港", "320800": "淮安", "320900": "盐城", "321000": "扬州", "321100": "镇江", "321200": "泰州",
              "321300": "宿迁"}
# real IPC main groups and the 战略新兴产业分类 label a Patsnap export would carry for them ('-' = none)
IPC_GROUPS = [("G06F", "16/00", "新一代信息技术产业"), ("G06F", "3/00", "新一代信息技术产业"), ("G06N", "3/00", "新一代信息技术产业"),
              ("H04L", "9/00", "新一代信息技术产业"), ("H04W", "4/00", "新一代信息技术产业"), ("H01L", "21/00", "新一代信息技术产业"),
              ("G06Q", "10/00", "-"), ("A61K", "31/00", "生物产业"), ("A61K", "9/00", "生物产业"), ("C12N", "15/00", "生物产业"),
              ("C07D", "401/00", "生物产业"), ("C08L", "23/00", "新材料产业"), ("C08K", "3/00", "新材料产业"),
              ("H01M", "10/00", "新能源汽车产业"), ("B60L", "53/00", "新能源汽车产业"), ("H02J", "7/00", "新能源产业"),
              ("H01L", "31/00", "新能源产业"), ("B23K", "26/00", "高端装备制造产业"), ("F16H", "57/00", "高端装备制造产业"),
              ("B65G", "47/00", "-"), ("C02F", "1/00", "节能环保产业"), ("B01D", "53/00", "节能环保产业"),
              ("F24F", "11/00", "-"), ("G01N", "33/00", "-"), ("A01G", "9/00", "-"), ("E04B", "1/00", "-"),
              ("D06F", "39/00", "-"), ("A47L", "15/00", "-"), ("H05K", "7/00", "-"), ("G02B", "6/00", "-")]
OFFICES = [("中国", "CN", 0.44), ("CN", "CN", 0.44), ("美国", "US", 0.02), ("US", "US", 0.02), ("世界知识产权组织", "WO", 0.03),
           ("WO", "WO", 0.01), ("日本", "JP", 0.01), ("欧洲专利局", "EP", 0.015), ("韩国", "KR", 0.005), ("DE", "DE", 0.01)]
TYPES = [("发明申请", "A", 0.35), ("授权发明", "B", 0.17), ("实用新型", "U", 0.38), ("外观设计", "S", 0.10)]
OTHER_PROVINCES = ["上海市", "浙江省", "安徽省", "山东省", "广东省", "北京市", "内蒙古自治区", "湖北省"]
US_STATES = ["CA", "FL", "TX", "NY", "MA", "WA"]
INDUSTRY_WORDS = ["电子", "智能", "医药", "材料", "装备", "能源", "环保", "信息"]


def _vocab(strings):
    return pa.array(list(strings), type=pa.string())


def _take(vocab: pa.Array, idx: np.ndarray) -> pa.Array:
    return pc.take(vocab, pa.array(idx))


def _num(values: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _join(*parts, sep: str = "") -> pa.Array:
    return pc.binary_join_element_wise(*parts, sep)


def _county_table() -> dict[str, list[str]]:
    gaz = load_gazetteer()
    sel = gaz[gaz["level"].isin(["district", "county", "county_city"]) & gaz["standalone"]
              & gaz["name"].str.endswith(("区", "县", "市"))]
    return {c: sorted(sel.loc[sel["code"] == c, "name"]) for c in CITY_SHARES}


def _patent_chunk(rng: np.random.Generator, start: int, m: int, years: np.ndarray, counties: dict) -> pa.Table:
    codes = list(CITY_SHARES)
    city = rng.choice(len(codes), m, p=np.array(list(CITY_SHARES.values())))
    off = rng.choice(len(OFFICES), m, p=np.array([o[2] for o in OFFICES]) / sum(o[2] for o in OFFICES))
    office_code = np.array([o[1] for o in OFFICES])[off]
    typ = rng.choice(len(TYPES), m, p=[t[2] for t in TYPES])
    typ[(office_code != "CN") & (typ >= 2)] = 0  # utility models / designs only at the Chinese office here
    # who applies: Jiangsu 86 %, another province 6 %, a US applicant 5 %, no region given 3 %
    who = rng.choice(4, m, p=[0.86, 0.06, 0.05, 0.03])
    serial = np.arange(start, start + m, dtype=np.int64) + 100_000_000
    pub = _join(_take(_vocab(o[1] for o in OFFICES), off), _num(serial), _take(_vocab(t[1] for t in TYPES), typ))
    # IPC: a city-dependent preference over the groups (seeded), one to three symbols
    pref = np.random.default_rng(12345).dirichlet(np.ones(len(IPC_GROUPS)) * 0.7, size=len(codes))
    cum = pref.cumsum(1)
    g1 = np.minimum((cum[city] < rng.random(m)[:, None]).sum(1), len(IPC_GROUPS) - 1)
    g2 = rng.integers(0, len(IPC_GROUPS), m)
    symbols = _vocab(f"{sc}{grp}" for sc, grp, _ in IPC_GROUPS)
    ipc1, ipc2 = _take(symbols, g1), _take(symbols, g2)
    two = rng.random(m) < 0.35
    ipc = pc.if_else(pa.array(two), _join(ipc1, ipc2, sep=" | "), ipc1)
    main = _take(_vocab(sc for sc, _, _ in IPC_GROUPS), g1)
    industry = _take(_vocab(lbl for _, _, lbl in IPC_GROUPS), g1)
    cname = _take(_vocab(CITY_NAMES[c] for c in codes), city)
    word = _take(_vocab(INDUSTRY_WORDS), rng.integers(0, len(INDUSTRY_WORDS), m))
    firm = _join(cname, pa.scalar("演示"), word, pa.scalar("有限公司"), _num(rng.integers(1, 400, m)))
    co = rng.random(m) < 0.12
    partner = _join(pa.scalar("演示大学"), _num(rng.integers(1, 30, m)))
    applicants = pc.if_else(pa.array(co), _join(firm, partner, sep=" | "), firm)
    n_app = _num(np.where(co, 2, 1))
    inventors = _join(pa.scalar("演示发明人"), _num(rng.integers(1, 5000, m)))
    claims = _num(rng.integers(1, 20, m))
    claims = pc.if_else(pa.array(rng.random(m) < 0.03), pa.scalar("-"), claims)
    cited = _num(rng.poisson(1.5, m))
    status = _take(_vocab(["审中", "有效", "失效"]), np.where(typ == 0, 0, rng.choice(3, m, p=[0, 0.8, 0.2])))
    family = _num(1 + rng.poisson(0.4, m))
    events = _take(_vocab(["公开", "授权", "授权 | 权利转移", "实质审查 | 驳回", "-"]), rng.integers(0, 5, m))
    # region fields per applicant kind, as indices into small vocabularies (no per-row Python objects)
    js = who == 0
    prov_vocab = ["江苏省", "江苏"] + OTHER_PROVINCES + US_STATES + ["-"]
    prov = np.where(rng.random(m) < 0.8, 0, 1)
    prov = np.where(who == 1, 2 + rng.integers(0, len(OTHER_PROVINCES), m), prov)
    prov = np.where(who == 2, 2 + len(OTHER_PROVINCES) + rng.integers(0, len(US_STATES), m), prov)
    prov = np.where(who == 3, len(prov_vocab) - 1, prov)
    city_vocab = [CITY_NAMES[c] + "市" for c in codes] + ["-", "淮阴市"]
    # a few exports lack the city but name the county (江阴市 …), or carry the former city name 淮阴市
    city_field = np.where(js & (rng.random(m) >= 0.04), city, len(codes))
    huaiyin = js & (city == codes.index("320800")) & (rng.random(m) < 0.2)
    city_field = np.where(huaiyin, len(codes) + 1, city_field)
    flat, offsets, lengths = [], [], []
    for c in codes:
        offsets.append(len(flat))
        lengths.append(len(counties[c]))
        flat += counties[c]
    county = np.asarray(offsets)[city] + (rng.random(m) * np.asarray(lengths)[city]).astype(np.int64)
    county = np.where(js, county, len(flat))
    flat.append("-")
    year = years[rng.integers(0, len(years), m)]
    prio = np.where(who == 2, 1, np.where(rng.random(m) < 0.7, 0, 2))
    title = _join(pa.scalar("一种"), word, pa.scalar("装置（演示）"), _num(serial % 997))
    cols = [pub, _take(_vocab(o[0] for o in OFFICES), off), title, _take(_vocab(t[0] for t in TYPES), typ),
            applicants, n_app, inventors, claims, ipc, main, industry, cited, status, family, events,
            _take(_vocab(city_vocab), city_field), _take(_vocab(flat), county), _num(year),
            _take(_vocab(prov_vocab), prov), _take(_vocab(["CN", "US", "-"]), prio)]
    return pa.Table.from_arrays(cols, names=[f"c{i}" for i in range(len(cols))])


def write_sidecar(path: Path, *, kind: str, n: int, seed: int, **extra) -> Path:
    """``<path>.demo.json``: the mark that makes the importer flag the file's records as demo."""
    side = Path(str(path) + DEMO_SUFFIX)
    meta = dict(is_demo=True, kind=kind, n=n, seed=seed, generator="iplayout.db.records.generator",
                generator_version=GENERATOR_VERSION, note="演示数据（合成），非真实专利/商标/版权记录", **extra)
    atomic_write(side, json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return side


def _write_csv_stream(path: Path, header: list[str], chunks, encoding: str) -> None:
    """Header + chunks to ``path`` atomically; UTF-8 straight from Arrow's writer, other encodings re-encoded per chunk."""
    opts = pacsv.WriteOptions(include_header=False, quoting_style="none")  # generated values hold no , " or newline
    text_enc = {"utf-16": "utf-16-le", "utf-8-sig": "utf-8"}.get(encoding, encoding)
    bom = {"utf-16": b"\xff\xfe", "utf-8-sig": b"\xef\xbb\xbf"}.get(encoding, b"")
    with atomic_path(path, tag="demo") as tmp:
        with pa.OSFile(str(tmp), "wb") as out:
            out.write(bom + (",".join(header) + "\n").encode(text_enc))
            for table in chunks:
                if text_enc == "utf-8":
                    pacsv.write_csv(table, out, write_options=opts)
                else:
                    sink = pa.BufferOutputStream()
                    pacsv.write_csv(table, sink, write_options=opts)
                    out.write(sink.getvalue().to_pybytes().decode("utf-8").encode(text_enc))


def write_demo_patents(path, *, n: int, seed: int, years=range(2014, 2019), fmt: str = "patsnap",
                       header_variant: str = "original", encoding: str = "utf-8", chunk: int = 250_000) -> dict:
    """Write ``n`` seeded demo patent records as a Patsnap-style CSV; returns a summary (rows, seconds, rows/s).

    ``header_variant`` ``original`` (``公开(公告)号`` …) or ``stripped`` (``公开公告号`` …); ``encoding`` one of
    :data:`ENCODINGS`. Same ``seed`` and ``n`` → byte-identical file. Also writes the ``.demo.json`` sidecar.
    """
    if fmt != "patsnap":
        raise ValueError(f"demo patents are written in the patsnap layout only (got {fmt!r})")
    if header_variant not in ("original", "stripped"):
        raise ValueError("header_variant must be 'original' or 'stripped'")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {ENCODINGS}")
    path = Path(path)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    counties = _county_table()
    yrs = np.array(list(years))
    header = HEADER_ORIGINAL if header_variant == "original" else HEADER_STRIPPED
    chunks = (_patent_chunk(rng, s, min(chunk, n - s), yrs, counties) for s in range(0, n, chunk))
    _write_csv_stream(path, header, chunks, encoding)
    write_sidecar(path, kind="patent", n=n, seed=seed, fmt=fmt, header_variant=header_variant, encoding=encoding)
    sec = time.perf_counter() - t0
    return dict(path=str(path), rows=n, seconds=sec, rows_per_s=n / sec if sec else float("inf"))


def _demo_address(rng: np.random.Generator, counties: dict) -> str:
    """A demo address: mostly Jiangsu (province + city + county, or only a county-level name), some elsewhere."""
    r = rng.random()
    codes = list(CITY_SHARES)
    c = codes[rng.choice(len(codes), p=np.array(list(CITY_SHARES.values())))]
    county = counties[c][rng.integers(0, len(counties[c]))] if counties[c] else ""
    road = f"演示路{rng.integers(1, 300)}号"
    if r < 0.55:
        return f"江苏省{CITY_NAMES[c]}市{county}{road}"
    if r < 0.75:
        return f"{CITY_NAMES[c]}市{county}{road}"
    if r < 0.83:
        return f"{county}{road}" if county and not county.endswith("区") else f"苏州工业园区{road}"
    if r < 0.9:
        return f"{OTHER_PROVINCES[rng.integers(0, len(OTHER_PROVINCES))]}{road}"
    if r < 0.95:
        return f"美国加利福尼亚州{road}"
    return "-"


def _write_small(path: Path, header: list[str], rows: list[list[str]], encoding: str) -> None:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    atomic_write(path, buf.getvalue(), encoding=encoding)


def _finish_small(path: Path, header: list[str], rows: list[list[str]], encoding: str, *, kind: str, seed: int,
                  t0: float) -> dict:
    """Write a small demo register, its sidecar, and the summary the CLI prints."""
    _write_small(path, header, rows, encoding)
    write_sidecar(path, kind=kind, n=len(rows), seed=seed, encoding=encoding)
    sec = time.perf_counter() - t0
    return dict(path=str(path), rows=len(rows), seconds=sec, rows_per_s=len(rows) / sec if sec else float("inf"))


def _date(rng: np.random.Generator, year: int) -> str:
    return f"{year}-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}"


def write_demo_trademarks(path, *, n: int, seed: int, years=range(2014, 2019), encoding: str = "utf-8") -> dict:
    """Seeded demo trademark register extract (注册号, 国际分类, 申请人, 地址, 申请日, 注册日, 状态) + sidecar."""
    t0, path, rng, counties = time.perf_counter(), Path(path), np.random.default_rng(seed), _county_table()
    yrs = list(years)
    rows = []
    for i in range(n):
        y = yrs[rng.integers(0, len(yrs))]
        classes = sorted({int(k) for k in rng.integers(1, 46, 1 + (rng.random() < 0.3))})
        registered = rng.random() < 0.7
        rows.append([str(20_000_000 + i), " | ".join(str(k) for k in classes),
                     f"演示商贸有限公司{rng.integers(1, 500)}", _demo_address(rng, counties), _date(rng, y),
                     _date(rng, y + 1) if registered else "-", "注册" if registered else "申请中"])
    header = ["注册号", "国际分类", "申请人", "地址", "申请日", "注册日", "状态"]
    return _finish_small(path, header, rows, encoding, kind="trademark", seed=seed, t0=t0)


def write_demo_copyrights(path, *, n: int, seed: int, years=range(2014, 2019), encoding: str = "utf-8") -> dict:
    """Seeded demo copyright registrations (登记号, 登记类型 作品/计算机软件, 作品名称, 类别, 著作权人, 地址, 登记日期)."""
    t0, path, rng, counties = time.perf_counter(), Path(path), np.random.default_rng(seed), _county_table()
    yrs = list(years)
    rows = []
    for i in range(n):
        y = yrs[rng.integers(0, len(yrs))]
        soft = rng.random() < 0.6
        kind, prefix = ("计算机软件", "软著登字") if soft else ("作品", "苏作登字")
        cat = "应用软件" if soft else ["美术", "文字", "摄影", "视听"][rng.integers(0, 4)]
        rows.append([f"{prefix}-{y}-{i:07d}", kind, f"演示作品{i}", cat, f"演示文化有限公司{rng.integers(1, 300)}",
                     _demo_address(rng, counties), _date(rng, y)])
    header = ["登记号", "登记类型", "作品名称", "类别", "著作权人", "地址", "登记日期"]
    return _finish_small(path, header, rows, encoding, kind="copyright", seed=seed, t0=t0)

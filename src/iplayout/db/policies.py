"""Policy inventory (政策清单): template, validation and the all-or-nothing importer of the ``policies`` table.

A row is one policy document: 政策名称, 文号, 发布机关, 发布日期, 层级, 政策工具 (controlled list), 产业
(industry codes or 全部), 地区 (region codes), 状态 (现行/废止/到期), optional 失效日期, 来源网址, 备注, 示例.
Every problem (unknown instrument, industry or region code, date in the future, duplicate …) is collected
with file, spreadsheet line, column and value before anything is written; a valid file is written in one
transaction on a copy of the database that then replaces it, so a refused import leaves the database file
byte-identical. A successful import is recorded next to the database and replayed by ``db build``.

The build loads a small **example** inventory (``data/templates/policy_inventory_example.csv``, flagged
``is_example``) of real public documents; ``iplayout policy import FILE --replace`` replaces it with the
user's own inventory.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ..config import data_dir
from ..errors import DataError, Problem
from . import schema
from ..fileio import atomic_path
from ..tablefile import header_and_body, read_grid
from .recorded import record_import

INSTRUMENTS = ["资金资助", "税收优惠", "金融支持", "人才", "平台建设", "服务", "保护执法", "运营转化", "导航", "规划引导"]
LEVELS = ["国家", "省级", "市级", "县级", "园区"]
STATUSES = ["现行", "废止", "到期"]
ALL_INDUSTRIES = {"全部", "全部产业", "_T"}
SEP = "、"
#: header (Chinese) → column of the policies table
HEADERS = {"政策名称": "title", "文号": "doc_number", "发布机关": "issuer", "发布日期": "issued", "层级": "level",
           "政策工具": "instruments", "产业": "industries", "地区": "regions", "状态": "status",
           "失效日期": "ended", "来源网址": "url", "备注": "notes", "示例": "is_example"}
REQUIRED = ["政策名称", "发布机关", "发布日期", "层级", "政策工具", "产业", "地区", "状态"]
TRUE = {"是", "true", "1", "yes", "y", "示例"}
FALSE = {"", "否", "false", "0", "no", "n"}
EXAMPLE_FILE = "templates/policy_inventory_example.csv"

INSTRUCTIONS = [
    ("说明", "政策清单模板：每行一份政策文件。填写“政策清单”工作表，第一行表头不要改动。"),
    ("政策名称", "必填，按发布文本完整填写，如：国务院关于新形势下加快知识产权强国建设的若干意见。"),
    ("文号", "按发布文本填写，如：国发〔2015〕71号；无文号的留空。同一文号不得重复。"),
    ("发布机关", "必填，如：国务院、江苏省人民政府、南京市知识产权局。"),
    ("发布日期", "必填，成文或发布日期，格式 YYYY-MM-DD，不得晚于今天。"),
    ("层级", "必填，其一：" + SEP.join(LEVELS) + "。"),
    ("政策工具", "必填，一项或多项，用顿号“、”分隔，取自：" + SEP.join(INSTRUMENTS) + "。"),
    ("产业", "必填：产业代码（HT、SEI01…SEI08，见 data/reference/industries.csv），多项用“、”分隔；适用于全部产业填“全部”。"),
    ("地区", "必填：适用地区代码（GB/T 2260，如 100000 全国、320000 江苏省、320100 南京市），多项用“、”分隔。"),
    ("状态", "必填，其一：" + SEP.join(STATUSES) + "。"),
    ("失效日期", "可选，废止或到期的日期（YYYY-MM-DD）；早于该日期的年份仍视为现行。"),
    ("来源网址", "可选，政策原文网址。"),
    ("备注", "可选。"),
    ("示例", "可选，填“是”表示示例数据（报告中标注为示例）。"),
    ("导入", "iplayout policy import 政策清单.xlsx --dry-run 预览；确认后去掉 --dry-run；用 --replace 以本文件替换现有清单（含内置示例）。"),
    ("全有或全无", "文件中只要有一处错误，数据库不作任何改动；错误报告列出文件、行号、列名和数值。"),
]


@dataclass
class PolicyImportReport:
    file: Path
    db_path: Path
    dry_run: bool
    replace: bool
    rows: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = "DRY RUN — nothing written / 试运行，未写入" if self.dry_run else f"imported into {self.db_path}"
        mode = "replace the inventory / 替换现有清单" if self.replace else "append / 追加"
        return [head, f"  file: {self.file}", f"  policies read: {self.rows} ({mode})"] + [f"  note: {n}" for n in self.notes]


def policy_id(title: str, issuer: str, issued: str) -> str:
    """Stable id of a policy document: ``P`` + 10 hex digits of SHA-256 over title|issuer|date."""
    return "P" + hashlib.sha256(f"{title}|{issuer}|{issued}".encode()).hexdigest()[:10]


def _date(text: str):
    try:
        return dt.date.fromisoformat(str(text).strip()[:10])
    except ValueError:
        return None


def _items(text: str) -> list[str]:
    return [p.strip() for p in str(text).replace("，", SEP).replace(",", SEP).replace(";", SEP).split(SEP) if p.strip()]


def validate_policies(raw: pd.DataFrame, lines: list[int], con, file: str, *, today: dt.date | None = None,
                      existing: pd.DataFrame | None = None) -> pd.DataFrame:
    """Check every row; return the ``policies`` frame or raise :class:`DataError` listing every problem."""
    today = today or dt.date.today()
    problems: list[Problem] = []
    missing = [h for h in REQUIRED if h not in raw.columns]
    if missing:
        raise DataError(Problem(f"missing column(s) {missing}; found {list(raw.columns)}", file, 1))
    regions = set(con.execute("SELECT code FROM regions").df()["code"].astype(str))
    industries = set(con.execute("SELECT code FROM industries").df()["code"].astype(str)) - {"_T"}
    seen_doc, seen_key = {}, {}
    if existing is not None:
        for r in existing.itertuples():
            if r.doc_number:
                seen_doc[r.doc_number] = "database"
            seen_key[(r.title, r.issuer, r.issued)] = "database"
    rows = []
    for i, rec in enumerate(raw.to_dict("records")):
        line = lines[i]
        cell = {h: str(rec.get(h, "") or "").strip() for h in HEADERS}

        def bad(col, msg, value=None):
            problems.append(Problem(msg, file, line, col, cell[col] if value is None else value))

        for h in REQUIRED:
            if not cell[h]:
                bad(h, "required value is empty")
        issued = _date(cell["发布日期"])
        if cell["发布日期"] and issued is None:
            bad("发布日期", "not a date (use YYYY-MM-DD)")
        elif issued is not None and issued > today:
            bad("发布日期", f"date is in the future (today is {today.isoformat()})")
        elif issued is not None and issued.year < 1949:
            bad("发布日期", "date before 1949")
        ended = _date(cell["失效日期"]) if cell["失效日期"] else None
        if cell["失效日期"] and ended is None:
            bad("失效日期", "not a date (use YYYY-MM-DD)")
        elif ended is not None and issued is not None and ended < issued:
            bad("失效日期", "ends before it was issued")
        if cell["层级"] and cell["层级"] not in LEVELS:
            bad("层级", f"unknown level (use one of {SEP.join(LEVELS)})")
        if cell["状态"] and cell["状态"] not in STATUSES:
            bad("状态", f"unknown status (use one of {SEP.join(STATUSES)})")
        inst = _items(cell["政策工具"])
        for x in inst:
            if x not in INSTRUMENTS:
                bad("政策工具", f"unknown instrument (controlled list: {SEP.join(INSTRUMENTS)})", x)
        inds = _items(cell["产业"])
        if any(x in ALL_INDUSTRIES for x in inds):
            inds = ["_T"]
        for x in inds:
            if x != "_T" and x not in industries:
                bad("产业", "unknown industry code (see data/reference/industries.csv, or 全部)", x)
        regs = _items(cell["地区"])
        for x in regs:
            if x not in regions:
                bad("地区", "unknown region code (GB/T 2260, e.g. 320000)", x)
        flag = cell["示例"].lower()
        if flag not in TRUE | FALSE:
            bad("示例", "use 是 or 否")
        key = (cell["政策名称"], cell["发布机关"], issued.isoformat() if issued else cell["发布日期"])
        if cell["文号"] and cell["文号"] in seen_doc:
            bad("文号", f"duplicate document number (also on {seen_doc[cell['文号']]})")
        elif key in seen_key:
            bad("政策名称", f"duplicate policy (same title, issuer and date as {seen_key[key]})")
        if cell["文号"]:
            seen_doc.setdefault(cell["文号"], f"line {line}")
        seen_key.setdefault(key, f"line {line}")
        rows.append({"policy_id": policy_id(*key), "title": cell["政策名称"], "doc_number": cell["文号"],
                     "issuer": cell["发布机关"], "issued": key[2], "level": cell["层级"],
                     "instruments": SEP.join(x for x in INSTRUMENTS if x in inst), "industries": SEP.join(sorted(inds)),
                     "regions": SEP.join(sorted(regs)), "status": cell["状态"],
                     "ended": ended.isoformat() if ended else "", "url": cell["来源网址"], "notes": cell["备注"],
                     "is_example": flag in TRUE, "source_file": Path(file).name})
    if not rows and not problems:
        problems.append(Problem("no policy rows found", file))
    if problems:
        raise DataError(problems)
    return pd.DataFrame(rows, columns=schema.COLUMNS["policies"])


def read_policies(path: Path, con, *, sheet: str | None = "政策清单", today=None, existing=None) -> pd.DataFrame:
    """Read and validate an inventory file (XLSX sheet 政策清单, or CSV)."""
    path = Path(path)
    use_sheet = sheet if path.suffix.lower() in (".xlsx", ".xlsm") else None
    # the project's one reader: encodings, regular files only, size cap, formula cells (iplayout.tablefile)
    header, body, lines = header_and_body(read_grid(path, sheet=use_sheet), 1)
    if not body:
        raise DataError(Problem("no data rows", str(path), 1))
    raw = pd.DataFrame(body, columns=header)
    return validate_policies(raw, lines, con, str(path), today=today, existing=existing)


def example_policies(con, folder: Path | None = None) -> pd.DataFrame:
    """The bundled example inventory (real public documents, flagged ``is_example``) of the data folder
    being built; a data folder without one gives an empty inventory."""
    path = Path(folder or data_dir()) / EXAMPLE_FILE
    if not path.exists():
        return pd.DataFrame(columns=schema.COLUMNS["policies"])
    return read_policies(path, con)


def import_policies(file: Path | str, *, db_path: Path | str, dry_run: bool = False, replace: bool = False,
                    today: dt.date | None = None, record: bool = True) -> PolicyImportReport:
    """Validate ``file`` fully, then write it (append, or ``replace`` the inventory) atomically."""
    file, db_path = Path(file), Path(db_path)
    if not db_path.exists():
        raise DataError(Problem("database not found — run `iplayout db build` first", str(db_path)))
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        existing = None if replace else con.execute("SELECT * FROM policies").df()
        frame = read_policies(file, con, today=today, existing=existing)
    finally:
        con.close()
    report = PolicyImportReport(file=file, db_path=db_path, dry_run=dry_run, replace=replace, rows=len(frame))
    if frame["is_example"].any():
        report.notes.append(f"{int(frame['is_example'].sum())} row(s) flagged as example / 示例")
    if dry_run:
        return report
    with atomic_path(db_path, tag="policies", copy_existing=True, companions=(".wal",)) as tmp:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("BEGIN TRANSACTION")
            if replace:
                con.execute("DELETE FROM policies")
            schema.write_table(con, "policies", frame)
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        finally:
            con.close()
    if record:
        rec = record_import(db_path, file, None, {"kind": "policies", "replace": replace,
                                                   "source_id": "policies:" + hashlib.sha256(file.read_bytes()).hexdigest()[:10]})
        report.notes.append(f"recorded in {rec} (replayed by `iplayout db build`)")
    return report


def write_template(path: Path) -> Path:
    """Write the XLSX template: 说明 (instructions), 政策清单 (header + one real example row), 代码表."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    wb = openpyxl.Workbook()
    ins = wb.active
    ins.title = "说明"
    ins.append(["项目", "填写说明"])
    for row in INSTRUCTIONS:
        ins.append(list(row))
    ins.column_dimensions["A"].width, ins.column_dimensions["B"].width = 14, 110
    sheet = wb.create_sheet("政策清单")
    sheet.append(list(HEADERS))
    sheet.append(["国务院关于新形势下加快知识产权强国建设的若干意见", "国发〔2015〕71号", "国务院", "2015-12-18", "国家",
                  "规划引导、保护执法、运营转化、服务、人才", "全部", "100000", "现行", "", "", "示例行，可删除", "是"])
    for ws in (ins, sheet):
        for c in ws[1]:
            c.font = Font(bold=True)
            c.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKLM", (48, 18, 20, 12, 8, 36, 16, 16, 8, 12, 30, 20, 6)):
        sheet.column_dimensions[col].width = width
    codes = wb.create_sheet("代码表")
    codes.append(["层级", "政策工具", "状态"])
    for i in range(max(len(LEVELS), len(INSTRUMENTS), len(STATUSES))):
        codes.append([LEVELS[i] if i < len(LEVELS) else None, INSTRUMENTS[i] if i < len(INSTRUMENTS) else None,
                      STATUSES[i] if i < len(STATUSES) else None])
    path = Path(path)
    with atomic_path(path, tag="template") as tmp:
        wb.save(tmp)
    return path

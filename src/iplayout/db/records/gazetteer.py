"""The place-name gazetteer behind record placement (``data/reference/gazetteer.csv``).

Each row names a place and the code a record there is placed in: the prefecture city for every Jiangsu
name (its districts, counties, county-level cities, former names and zones — 江阴 → 320200, 淮阴 → 320800), the
province for every province name in short and full form (江苏/江苏省, 内蒙古/内蒙古自治区). ``standalone`` is
false for names shared with places elsewhere (鼓楼区 is in 南京 and 徐州): those are matched only after their city.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...config import data_dir
from ...errors import DataError, Problem
from ...tablefile import header_and_body, read_grid

COLUMNS = ["name", "code", "level", "province_code", "unit_code", "standalone", "note"]
LEVELS = ("province", "city", "county_city", "county", "district", "zone", "former")
#: foreign countries as they begin an address or fill a 国省代码 / 州省 cell → ISO 3166-1 alpha-2
FOREIGN_COUNTRIES = {
    "美国": "US", "日本": "JP", "韩国": "KR", "德国": "DE", "法国": "FR", "英国": "GB", "瑞士": "CH", "荷兰": "NL",
    "瑞典": "SE", "芬兰": "FI", "意大利": "IT", "加拿大": "CA", "澳大利亚": "AU", "新加坡": "SG", "印度": "IN",
    "以色列": "IL", "比利时": "BE", "丹麦": "DK", "奥地利": "AT", "西班牙": "ES", "俄罗斯": "RU", "挪威": "NO",
    "爱尔兰": "IE", "新西兰": "NZ", "巴西": "BR", "卢森堡": "LU", "开曼群岛": "KY", "英属维尔京群岛": "VG",
}
#: US state / Canadian province postal codes seen in Patsnap's 州/省 for foreign applicants
FOREIGN_STATES = ("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
                  "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC ON QC BC AB").split()


def gazetteer_path() -> Path:
    return data_dir() / "reference" / "gazetteer.csv"


def load_gazetteer(path: Path | None = None) -> pd.DataFrame:
    """The gazetteer as a DataFrame (codes as strings), checked: known level, six-digit codes, no name twice per code."""
    path = Path(path) if path else gazetteer_path()
    grid = read_grid(path)
    header, body, lines = header_and_body(grid)
    if header != COLUMNS:
        raise DataError(Problem(f"gazetteer columns must be {COLUMNS}", str(path), grid.lines[0], None, header))
    df = pd.DataFrame(body, columns=header)
    problems = []
    for (i, r), ln in zip(df.iterrows(), lines):
        if r["level"] not in LEVELS:
            problems.append(Problem(f"unknown level (one of {LEVELS})", str(path), ln, "level", r["level"]))
        if not (len(r["code"]) == 6 and r["code"].isdigit()):
            problems.append(Problem("code must be a six-digit GB/T 2260 code", str(path), ln, "code", r["code"]))
        if r["standalone"] not in ("true", "false"):
            problems.append(Problem("standalone must be true or false", str(path), ln, "standalone", r["standalone"]))
    dup = df[df.duplicated(["name", "code"], keep=False)]
    problems += [Problem("name listed twice for the same code", str(path), lines[i], "name", r["name"])
                 for i, r in dup.iterrows()]
    twice = df.groupby("name")["code"].nunique()
    for name in twice[twice > 1].index:
        if (df.loc[df["name"] == name, "standalone"] == "true").any():
            problems.append(Problem("a name placed in two codes must have standalone=false", str(path), None,
                                    "name", name))
    if problems:
        raise DataError(problems)
    df["standalone"] = df["standalone"] == "true"
    df["nlen"] = df["name"].str.len()
    return df


def resolve_name(gaz: pd.DataFrame, name: str) -> str | None:
    """Code of one stand-alone place name (``None`` when unknown or ambiguous) — for tests and the CLI."""
    hit = gaz[(gaz["name"] == name.strip()) & gaz["standalone"]]
    return hit["code"].iloc[0] if len(hit) == 1 else None

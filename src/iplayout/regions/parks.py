"""``params/parks.yaml``: patent-navigation parks (专利导航产业发展实验区 / 专利导航服务基地 …).

Only parks that a public designation document names belong here (name, city, level, lead industries,
year designated, document title, number and date). The file is validated against the database: a city code
or an industry code the database does not know is an error naming the park and the field.
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field

from ..errors import DataError, Problem
from .spec import load_yaml_model

LEVEL_ZH = {"national": "国家级", "provincial": "省级"}
#: columns of the CSV import template (data/templates/parks_template.csv)
CSV_COLUMNS = ["name", "city_code", "level", "lead_industries", "year_designated", "source_title",
               "source_number", "source_date", "source_url", "source_publisher"]


class ParkSource(BaseModel):
    """The public document that designates the park."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    title: str = Field(..., min_length=2)
    number: str = Field(..., min_length=1, description="文号, e.g. 国知办发管字〔2013〕xx号")
    date: _dt.date
    publisher: str = ""
    url: str = ""


class Park(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    name: str = Field(..., min_length=2)
    city_code: str = Field(..., pattern=r"^\d{6}$")
    level: Literal["national", "provincial"]
    lead_industries: list[str] = Field(..., min_length=1)
    year_designated: int = Field(..., ge=1990, le=2100)
    source: ParkSource


class ParkList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    parks: list[Park] = []


def load_parks(path: str | Path, *, region_codes=None, industry_codes=None) -> list[Park]:
    """Read ``params/parks.yaml``; with code lists, unknown city / industry codes are a :class:`DataError`."""
    parks = load_yaml_model(path, ParkList, "park list").parks
    check_parks(parks, region_codes=region_codes, industry_codes=industry_codes, file=str(path))
    return parks


def check_parks(parks: list[Park], *, region_codes=None, industry_codes=None, file: str = "") -> None:
    """Every park's city and lead industries exist in the database; park names are unique."""
    problems = []
    seen = set()
    for i, p in enumerate(parks):
        where = f"parks[{i}] ({p.name})"
        if region_codes is not None and p.city_code not in set(region_codes):
            problems.append(Problem(f"{where}: unknown city code", file=file, column="city_code", value=p.city_code))
        for ind in p.lead_industries:
            if industry_codes is not None and ind not in set(industry_codes):
                problems.append(Problem(f"{where}: unknown industry code", file=file, column="lead_industries", value=ind))
        if p.name in seen:
            problems.append(Problem(f"{where}: park listed twice", file=file, column="name", value=p.name))
        seen.add(p.name)
        if p.source.date.year < p.year_designated:
            problems.append(Problem(f"{where}: designation document dated before the year designated",
                                    file=file, column="source.date", value=str(p.source.date)))
    if problems:
        raise DataError(problems)


def parks_table(parks: list[Park]) -> pd.DataFrame:
    """One row per park (lead industries "、"-joined codes) for stage tables."""
    cols = ["name", "city_code", "level", "level_zh", "lead_industries", "year_designated", "source_title",
            "source_number", "source_date", "source_publisher", "source_url"]
    rows = [{"name": p.name, "city_code": p.city_code, "level": p.level, "level_zh": LEVEL_ZH[p.level],
             "lead_industries": "、".join(p.lead_industries), "year_designated": p.year_designated,
             "source_title": p.source.title, "source_number": p.source.number, "source_date": p.source.date.isoformat(),
             "source_publisher": p.source.publisher, "source_url": p.source.url} for p in parks]
    return pd.DataFrame(rows, columns=cols)


def parks_from_csv(path: str | Path) -> list[Park]:
    """Parks from a CSV in the template's columns (``lead_industries`` separated by ``;`` or ``、``).

    Every bad row is reported with its line number and column.
    """
    from pydantic import ValidationError

    p = Path(path)
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError([Problem("park table not found", file=str(p))]) from None
    missing = [c for c in CSV_COLUMNS[:8] if c not in df.columns]
    if missing:
        raise DataError([Problem("missing column", file=str(p), column=c) for c in missing])
    parks, problems = [], []
    for i, r in df.iterrows():
        raw = {"name": r["name"].strip(), "city_code": r["city_code"].strip(), "level": r["level"].strip(),
               "lead_industries": [s.strip() for s in r["lead_industries"].replace("、", ";").split(";") if s.strip()],
               "year_designated": r["year_designated"].strip() or None,
               "source": {"title": r["source_title"].strip(), "number": r["source_number"].strip(),
                          "date": r["source_date"].strip() or None, "url": r.get("source_url", "").strip(),
                          "publisher": r.get("source_publisher", "").strip()}}
        try:
            parks.append(Park.model_validate(raw))
        except ValidationError as exc:
            for e in exc.errors():
                problems.append(Problem(e["msg"], file=str(p), line=int(i) + 2,
                                        column=".".join(str(x) for x in e["loc"]), value=e.get("input")))
    if problems:
        raise DataError(problems)
    return parks


def dump_parks(parks: list[Park]) -> str:
    """YAML text of a park list in the format of ``params/parks.yaml``."""
    data = {"parks": [p.model_dump(mode="json") for p in parks]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)

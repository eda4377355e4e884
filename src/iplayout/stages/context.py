"""The one object a notebook holds: validated parameters + the stage result + names for narration."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import ParameterError
from .api import load_stage
from .store import StageResult

DEMO_BANNER = ("> **⚠ 演示数据提示**：本报告部分数据为演示（合成）数据，仅用于展示方法与流程，"
               "不代表真实统计结果，不得引用。")


@dataclass
class ReportContext:
    """Parameters and stage tables for one report.

    Attributes
    ----------
    stage : StageResult
    territory, year, region_code, industry_code : parameters (codes as strings)
    """

    stage: StageResult
    territory: str
    year: int
    region_code: str | None = None
    industry_code: str | None = None
    group: str | None = None
    extras: dict = field(default_factory=dict)
    #: lookups derived from the stage tables, built once per report: views ask for indicator names, units and
    #: region names hundreds of times (a survey report: ~500 calls, each re-indexing a table)
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        return self.stage.tables

    def table(self, name: str) -> pd.DataFrame:
        return self.stage.table(name)

    @property
    def is_demo(self) -> bool:
        return self.stage.is_demo

    @property
    def members(self) -> pd.DataFrame:
        return self.table("members")

    def names(self, short: bool = False) -> pd.Series:
        """Region code → name (``short`` drops 省/市/自治区 suffixes for chart labels)."""
        key = ("names", short)
        if key not in self._memo:
            m = self.members.set_index("code")["name"].astype(str)
            self._memo[key] = m.map(short_name) if short else m
        return self._memo[key].copy()  # a copy: a caller renaming or filling it must not change the next call's

    @property
    def region_name(self) -> str:
        return str(self.names().get(self.region_code, self.region_code or ""))

    @property
    def territory_name(self) -> str:
        return str(self.stage.meta.get("territory_name", self.territory))

    def indicator_name(self, code: str) -> str:
        return self._indicator_column("name").get(code, code)

    def indicator_unit(self, code: str) -> str:
        return self._indicator_column("unit").get(code, "")

    def _indicator_column(self, column: str) -> dict:
        """Indicator code → ``column`` of the stage's indicator table (as strings), built once per report."""
        key = ("indicators", column)
        if key not in self._memo:
            ind = self.table("indicators").set_index("code")
            self._memo[key] = {k: str(v) for k, v in ind[column].items()} if column in ind.columns else {}
        return self._memo[key]

    def report_packages(self) -> pd.DataFrame:
        """Data packages this report cites: all of the stage's, except that a region report cites a package only
        when it supplies the region's own figures or covers at least half of the members (the all-region charts):
        a 北京 report never cites the Jiangsu city package that only supplies 江苏's rows."""
        if "packages" not in self._memo:
            self._memo["packages"] = self._report_packages()
        return self._memo["packages"].copy()

    def _report_packages(self) -> pd.DataFrame:
        pk = self.tables.get("packages", pd.DataFrame())
        panel = self.tables.get("panel")
        if not self.region_code or panel is None or pk.empty or "source_id" not in panel.columns:
            return pk
        pkg = panel["source_id"].astype(str).str.split(":").str[0]
        own = set(pkg[panel["region_code"].astype(str) == self.region_code])
        cover = panel.assign(_p=pkg).groupby("_p")["region_code"].nunique()
        wide = set(cover[cover >= max(1, len(self.members) // 2)].index)
        return pk[pk["id"].astype(str).isin(own | wide)].reset_index(drop=True)

    def demo_banner(self) -> str:
        """Markdown banner shown at the top of every report that uses demo data ("" otherwise)."""
        return DEMO_BANNER if self.is_demo else ""

    def meta_args(self, title: str, *, title_en: str = "") -> dict:
        """Keyword arguments for ``iplayout.reporting.report_meta`` (title, demo flag, sources, codes)."""
        # data packages (a handful) rather than every source row (dozens of news items) for the title block
        src = self.report_packages() if "packages" in self.tables else self.tables.get("sources", pd.DataFrame())
        sources = [{"id": str(r["id"]), "title": str(r["title"]), "is_demo": bool(r.get("is_demo", False))}
                   for _, r in src.iterrows()] if len(src) else []
        subject = self.region_name if self.region_code else self.territory_name + (self.group or "")
        industry_name = None
        if self.industry_code and "industry_names" in self.extras:
            industry_name = self.extras["industry_names"].get(self.industry_code)
        return {"title": f"{subject}{title}（{self.year}年）", "title_en": title_en or None, "is_demo": self.is_demo,
                "sources": sources, "territory": self.territory, "territory_name": self.territory_name,
                "region": self.region_code, "region_name": self.region_name if self.region_code else None,
                "industry": self.industry_code, "industry_name": industry_name,
                "stage": self.stage.stage, "year": self.year}


def short_name(name: str) -> str:
    """江苏省 → 江苏, 内蒙古自治区 → 内蒙古, 南京市 → 南京 (chart labels)."""
    n = str(name)
    for suf in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
        if n.endswith(suf) and len(n) > len(suf) + 1:
            return n[: -len(suf)]
    return n


def open_context(stage: str, *, territory: str, year: int, stage_dir: str = "", db_path: str = "",
                 region_code: str | None = None, industry_code: str | None = None,
                 group: str | None = None) -> ReportContext:
    """Validate a notebook's parameters and load its stage result.

    Raises
    ------
    ParameterError
        A code is not a string, the year is not an int, or the region / industry is not in the stage.
    """
    problems = []
    for name, val in (("territory", territory), ("region_code", region_code), ("industry_code", industry_code),
                      ("group", group)):
        if val is not None and not isinstance(val, str):
            problems.append(f"{name} must be a string code (quote it), got {val!r}")
    if isinstance(year, bool) or not isinstance(year, int):
        problems.append(f"year must be an integer, got {year!r}")
    if problems:
        raise ParameterError("; ".join(problems))
    result = load_stage(stage, territory=territory, year=year, stage_dir=stage_dir, db_path=db_path)
    ctx = ReportContext(stage=result, territory=territory, year=year, region_code=region_code,
                        industry_code=industry_code, group=group)
    if group is not None:
        groups = list(dict.fromkeys(ctx.members.get("region_group", pd.Series(dtype=str)).dropna().astype(str)))
        if group not in groups:
            raise ParameterError(f"group {group!r} is not a region group of territory {territory!r} "
                                 f"(groups: {'、'.join(groups) or 'none'})")
    if region_code is not None and region_code not in set(ctx.members["code"].astype(str)):
        raise ParameterError(f"region_code {region_code!r} is not a member of territory {territory!r} "
                             f"(members: {', '.join(ctx.members['code'].astype(str))})")
    if industry_code is not None:
        ind = result.tables.get("industry", pd.DataFrame())
        known = sorted(set(ind["industry_code"].astype(str))) if "industry_code" in ind.columns else []
        if industry_code not in known:
            raise ParameterError(f"industry_code {industry_code!r} has no data in territory {territory!r} "
                                 f"(available: {', '.join(known) or 'none'})")
        if "industries" in result.tables:
            ctx.extras["industry_names"] = result.tables["industries"].set_index("code")["name"].astype(str).to_dict()
    return ctx

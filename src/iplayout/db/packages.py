"""Read the bundled data packages (``data/<package>/package.yaml`` + facts CSV + ``items.csv`` rules).

A package's facts CSV is a verbatim copy of the source extract. Its ``items.csv`` says, row by row
(first matching rule wins), which catalogue indicator a source item becomes, with which factor to the
catalogue unit and which quality flag — or that it is skipped, with the reason. A source row that no
rule matches, a name the alias table does not know, or a value that is not a number is an error with
file, line and value: nothing is guessed.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import DataError, Problem, SpecError
from ..yamlio import load_yaml
from .aliases import AliasTable

OBS_COLUMNS = ["region_code", "year", "indicator_code", "industry_code", "value", "source_id", "quality_flag", "is_demo"]
# extra provenance columns kept while building (for conflict messages), dropped before writing
TRACE_COLUMNS = ["file", "line"]
RULE_COLUMNS = ["indicator_code", "industry_code", "factor", "action", "quality_flag", "note"]


class FactsSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    file: str
    region: str
    year: str
    value: str
    match: list[str]
    qualifier: str | None = None
    source_url: str | None = None
    source_note: str | None = None
    source_by: str | None = None  # one source per value of this column (e.g. the yearbook table)


class DemoTotal(BaseModel):
    model_config = ConfigDict(extra="forbid")
    proxy: str
    ratio: float | None = None


class DemoIndicator(BaseModel):
    """How the demo generator allocates one indicator (see iplayout.db.demo)."""

    model_config = ConfigDict(extra="forbid")
    drivers: dict[str, float]
    decimals: int = Field(ge=0, le=4)
    parts_of: str | None = None
    total: DemoTotal | None = None
    noise_sd: float | None = Field(default=None, ge=0)
    drift_sd: float | None = Field(default=None, ge=0)


class DemoIndustries(BaseModel):
    model_config = ConfigDict(extra="forbid")
    codes: list[str]
    output_to_gdp: tuple[float, float]
    mix: list[float]
    productivity: list[float]
    patent_share: float = Field(ge=0, le=1)
    mix_concentration: float = Field(gt=0)

    @model_validator(mode="after")
    def _same_length(self):
        if not len(self.codes) == len(self.mix) == len(self.productivity):
            raise ValueError("codes, mix and productivity need one entry per industry")
        return self


class DemoGenerator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    territory: str
    years: tuple[int, int]
    noise_sd: float = Field(ge=0)
    drift_sd: float = Field(ge=0)
    indicators: dict[str, DemoIndicator]
    industries: DemoIndustries


class PackageMeta(BaseModel):
    """``package.yaml``: origin written once, next to the data."""

    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    title_en: str
    publisher: str
    original_source: str
    url: str = ""
    licence: str
    accessed: str
    level: Literal["country", "province", "city", "reference", "boundaries", "demo"]
    years: list[int]
    is_demo: bool
    facts: FactsSpec | None = None
    items: str | None = None
    flags_from_note: dict[str, str] = {}
    files: dict[str, str] = {}
    attribution: str | None = None
    generator: DemoGenerator | None = None
    known_defects: list[str]
    sources: list[str]


def load_meta(package_dir: Path) -> PackageMeta:
    path = package_dir / "package.yaml"
    try:
        raw = load_yaml(path)
        return PackageMeta.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(f"{path}: {exc}") from exc


def list_packages(data_dir: Path) -> list[Path]:
    """Package folders in a fixed (sorted) order so builds are deterministic."""
    return sorted(p.parent for p in data_dir.glob("*/package.yaml"))


# --- qualifiers ---------------------------------------------------------------------------------
_QUALIFIERS = [(re.compile(r"lower bound|more than|以上|超过"), "lower_bound"), (re.compile(r"about|approx|约|达"), "about")]


def qualifier_flags(text: str) -> list[str]:
    """Map a free-text qualifier ('about', 'more than; lower bound', ...) to controlled flags."""
    out = [flag for pat, flag in _QUALIFIERS if pat.search(text or "")]
    return out


def _join_flags(*parts: list[str] | str) -> str:
    flags: list[str] = []
    for p in parts:
        for f in ([p] if isinstance(p, str) else p):
            for x in str(f).split(";"):
                if x and x not in flags:
                    flags.append(x)
    return ";".join(sorted(flags))


# --- rules ---------------------------------------------------------------------------------------
def apply_rules(facts: pd.DataFrame, rules: pd.DataFrame, match: list[str]) -> pd.Series:
    """Index of the first matching rule for each fact row (-1 when none).

    A rule cell left empty matches anything; ``source_contains`` matches a substring of the source note.
    """
    chosen = pd.Series(-1, index=facts.index)
    for r_idx, rule in rules.iterrows():
        mask = chosen.eq(-1)
        for col in match:
            want = rule.get(col, "")
            if want != "":
                mask &= facts[col].eq(want)
        sc = rule.get("source_contains", "")
        if sc:
            mask &= facts["_note"].str.contains(sc, regex=False)
        chosen[mask] = r_idx
    return chosen


def read_package_facts(package_dir: Path, meta: PackageMeta, aliases: AliasTable,
                       catalogue: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Facts of one package → (observations with trace columns, sources, stats).

    Raises DataError listing every problem (unknown names, unmatched items, non-numeric values...).
    """
    spec = meta.facts
    fpath = package_dir / spec.file
    fname = str(Path(package_dir.name) / spec.file)
    facts = pd.read_csv(fpath, dtype=str, keep_default_na=False)
    facts["_line"] = facts.index + 2  # header is line 1
    facts["_note"] = facts[spec.source_note] if spec.source_note else ""
    rules = pd.read_csv(package_dir / meta.items, dtype=str, keep_default_na=False)
    problems: list[Problem] = []
    missing = [c for c in RULE_COLUMNS + spec.match if c not in rules.columns]
    if missing:
        raise DataError(Problem(f"items.csv lacks columns {missing}", str(package_dir / meta.items)))

    codes, excluded, unknown = aliases.resolve(facts[spec.region], file=fname, lines=facts["_line"], column=spec.region)
    problems += unknown
    facts["region_code"] = codes
    stats = {"rows": len(facts), "excluded_regions": int(excluded.sum())}

    chosen = apply_rules(facts, rules, spec.match)
    for _, row in facts[chosen.eq(-1) & ~excluded].iterrows():
        problems.append(Problem("no rule in items.csv matches this source item",
                                fname, int(row["_line"]), ",".join(spec.match),
                                "/".join(row[c] for c in spec.match)))
    facts["_rule"] = chosen
    rule_of = rules.reindex(chosen.clip(lower=0).to_numpy()).reset_index(drop=True)
    rule_of.index = facts.index
    load = chosen.ge(0) & rule_of["action"].eq("load") & ~excluded & facts["region_code"].ne("")
    stats["skipped_by_rule"] = int((chosen.ge(0) & rule_of["action"].eq("skip")).sum())
    empty = facts[spec.value].str.strip().eq("")
    stats["empty_values"] = int((load & empty).sum())
    load &= ~empty

    bad_code = load & ~rule_of["indicator_code"].isin(catalogue.index)
    for _, row in facts[bad_code].iterrows():
        problems.append(Problem("items.csv maps to an indicator not in the catalogue", fname, int(row["_line"]),
                                "indicator_code", rule_of.loc[_, "indicator_code"]))
    value = pd.to_numeric(facts[spec.value].str.replace(",", "", regex=False), errors="coerce")
    year = pd.to_numeric(facts[spec.year], errors="coerce")
    for _, row in facts[load & value.isna()].iterrows():
        problems.append(Problem("value is not a number", fname, int(row["_line"]), spec.value, row[spec.value]))
    for _, row in facts[load & year.isna()].iterrows():
        problems.append(Problem("year is not a calendar year (add a skip rule if it is a partial period)",
                                fname, int(row["_line"]), spec.year, row[spec.year]))
    if problems:
        raise DataError(problems)

    sel = facts[load]
    r = rule_of[load]
    factor = pd.to_numeric(r["factor"].replace("", "1"))
    sources = _sources(meta, sel, spec)
    quals = sel[spec.qualifier].tolist() if spec.qualifier else [""] * len(sel)
    flags = [_join_flags(qualifier_flags(q), [f for key, f in meta.flags_from_note.items() if key in note], rf)
             for q, note, rf in zip(quals, sel["_note"].tolist(), r["quality_flag"].tolist())]
    obs = pd.DataFrame({
        "region_code": sel["region_code"].to_numpy(),
        "year": year[load].astype("int64").to_numpy(),
        "indicator_code": r["indicator_code"].to_numpy(),
        "industry_code": r["industry_code"].replace("", "_T").to_numpy(),
        "value": (value[load] * factor).to_numpy(dtype="float64"),
        "source_id": sources["_source_of_row"].to_numpy(),
        "quality_flag": flags,
        "is_demo": meta.is_demo,
        "file": fname,
        "line": sel["_line"].to_numpy(),
    })
    stats["loaded"] = len(obs)
    return obs, sources.attrs["table"], stats


def _sources(meta: PackageMeta, sel: pd.DataFrame, spec: FactsSpec) -> pd.DataFrame:
    """One source per package, or one per distinct (url, note) when the facts carry their own sources.

    Ids are ``<package>`` or ``<package>:NNN`` numbered in order of first appearance (deterministic).
    """
    base = dict(publisher=meta.publisher, licence=meta.licence, accessed=meta.accessed, is_demo=meta.is_demo)
    out = pd.DataFrame(index=sel.index)
    if spec.source_by:
        key = sel[spec.source_by]
        out["_source_of_row"] = meta.id + ":" + key
        uniq = sorted(key.unique())
        table = pd.DataFrame([dict(id=f"{meta.id}:{k}", title=f"{meta.title} — {k}", url=meta.url,
                                   notes=meta.original_source, **base) for k in uniq])
    elif not spec.source_url and not spec.source_note:
        out["_source_of_row"] = meta.id
        table = pd.DataFrame([dict(id=meta.id, title=meta.title, url=meta.url, notes=meta.original_source, **base)])
    else:
        url = sel[spec.source_url] if spec.source_url else ""
        key = pd.DataFrame({"url": url, "note": sel["_note"]})
        uniq = key.drop_duplicates().reset_index(drop=True)
        uniq["id"] = [f"{meta.id}:{i + 1:03d}" for i in range(len(uniq))]
        out["_source_of_row"] = key.merge(uniq, on=["url", "note"], how="left")["id"].to_numpy()
        # a bare number as url points to a public copy of an NBS table, not a web page (data README)
        uniq["url"] = uniq["url"].where(~uniq["url"].str.fullmatch(r"\d+"), "")
        title = uniq["note"].str.slice(0, 160)
        table = pd.DataFrame(dict(id=uniq["id"], title=title.where(title != "", meta.title), url=uniq["url"],
                                  notes=uniq["note"], **base))
    out.attrs["table"] = table[["id", "title", "publisher", "url", "licence", "accessed", "notes", "is_demo"]]
    return out


def read_reference(reference_dir: Path) -> dict[str, pd.DataFrame]:
    """regions, indicators, industries (codes as strings) from ``data/reference``."""
    read = lambda name: pd.read_csv(reference_dir / name, dtype=str, keep_default_na=False)  # noqa: E731
    regions = read("regions.csv")
    regions["in_sunan_demo_zone"] = regions["in_sunan_demo_zone"].eq("true")
    return {"regions": regions, "indicators": read("indicators.csv"), "industries": read("industries.csv"),
            "region_aliases": read("region_aliases.csv")}

"""Territory profiles (``params/territories.yaml``): what differs between the national, provincial and world reports.

A territory is the code of a parent region (docs/architecture.md, "Codes"); its members are data. What a report
needs to know beyond the data is read here and nowhere else: the reader-facing label and scope word (全国 /
全省 / 全市 …), the default evaluation spec, the order of region groups, and how to draw the members (boundary
file, the feature property that joins it to region codes, projection, the 南海诸岛 inset). A new territory — a
city's districts, another province — is then one YAML entry plus its data.

A territory without an entry gets :func:`fallback_profile`: no map (reports print 无底图), no default spec (the
evaluation stage asks for ``params/evaluation/<code>.yaml``), groups in alphabetical order, and the scope word
its code implies.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .config import params_file
from .errors import ParameterError
from .fileio import read_yaml

FILE = "territories.yaml"
#: The world territory (countries as regions) and China's national row among its members.
WORLD = "WLD"
CHINA = "100000"


class MapProfile(BaseModel):
    """How the members of a territory are drawn."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    boundary_file: str = Field(..., description="GeoJSON file (WGS84) in the boundaries folder")
    join_field: str = Field(..., description="feature property that identifies a member")
    join_by: Literal["code", "name"] = Field(
        "code", description="code: the property holds the region code; name: it holds a name, mapped to codes "
                            "through data/reference/boundary_names.csv (file, name, code)")
    projection: str = Field(..., description="PROJ string or EPSG code of the static map")
    south_china_sea_inset: bool = Field(False, description="national layout: 南海诸岛 drawn in an inset")
    interactive_decimals: int = Field(3, ge=1, le=6, description="coordinate decimals in the interactive map")

    @field_validator("boundary_file")
    @classmethod
    def _plain_name(cls, v: str) -> str:
        if Path(v).name != v or not v.endswith((".geojson", ".json")):
            raise ValueError(f"boundary_file must be a plain .geojson file name, got {v!r}")
        return v


class TerritoryProfile(BaseModel):
    """Everything territory-specific a report reads besides the data."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    code: str
    label: str = Field(..., description="reader-facing name, e.g. 全国, 江苏省")
    label_en: str = ""
    scope_word: str = Field(..., description="how a rank reads: 居全国第3位, 居全省第3位")
    evaluation_spec: str | None = Field(None, description="default spec file in params/evaluation/")
    group_order: tuple[str, ...] = Field((), description="reading order of the members' region groups")
    map: MapProfile | None = Field(None, description="absent: no boundary file, reports print 无底图")

    @field_validator("evaluation_spec")
    @classmethod
    def _spec_name(cls, v: str | None) -> str | None:
        if v is not None and (Path(v).name != v or not v.endswith(".yaml")):
            raise ValueError(f"evaluation_spec must be a plain .yaml file name in params/evaluation/, got {v!r}")
        return v

    def group_rank(self, group: str) -> tuple[int, str]:
        """Sort key: groups in :attr:`group_order` first, in that order; others after, alphabetically."""
        order = self.group_order
        return (order.index(group) if group in order else len(order), group)


def fallback_profile(code: str) -> TerritoryProfile:
    """Profile of a territory without an entry: no map, no default spec, and the scope word its code implies.

    GB/T 2260: ``xx0000`` is a province (its members are cities: 全省), ``xxxx00`` a city (districts: 全市);
    anything else reads 全区.
    """
    code = str(code)
    scope = "全省" if code.endswith("0000") else "全市" if code.isdigit() and code.endswith("00") else "全区"
    return TerritoryProfile(code=code, label=code, scope_word=scope)


def profiles_file(params_dir: str | Path | None = None) -> Path:
    """``<params_dir>/territories.yaml``, else the project's ``params/territories.yaml``."""
    return params_file(FILE, params_dir)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> dict[str, TerritoryProfile]:
    raw = read_yaml(path, what="territory profiles")
    if not isinstance(raw, dict) or set(raw) != {"territories"} or not isinstance(raw["territories"], dict):
        raise ParameterError(f"{path}: expected one top-level key 'territories' mapping codes to profiles")
    out = {}
    for code, entry in raw["territories"].items():
        if not isinstance(code, str):
            raise ParameterError(f"{path}: territory code {code!r} must be a quoted string (e.g. \"320000\")")
        if not isinstance(entry, dict):
            raise ParameterError(f"{path}: territory {code}: expected a mapping, got {entry!r}")
        try:
            out[code] = TerritoryProfile.model_validate({**entry, "code": code})
        except ValidationError as exc:
            raise ParameterError(f"{path}: territory {code}: invalid profile:\n{exc}") from exc
    return out


def load_profiles(params_dir: str | Path | None = None) -> dict[str, TerritoryProfile]:
    """All profiles of ``params/territories.yaml`` (validated; unknown keys are errors), cached until it changes."""
    path = profiles_file(params_dir).resolve()
    return _load(path, path.stat().st_mtime_ns if path.is_file() else 0)


def territory_profile(code: str, params_dir: str | Path | None = None) -> TerritoryProfile:
    """The profile of territory ``code`` (:func:`fallback_profile` when it has no entry)."""
    code = str(code)
    return load_profiles(params_dir).get(code) or fallback_profile(code)

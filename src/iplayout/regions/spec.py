"""``params/regions.yaml``: structural peers, quantified targets, classified guidance and the demonstration zone.

A pydantic model of the YAML file (unknown keys are errors). One profile per territory (its code as key);
every threshold the stage uses is a named field here, so ``spec.model_dump()`` is the whole recipe.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from ..errors import SpecError
from ..yamlio import load_yaml
from ..evaluation.spec import _Strict  # the one strict base: unknown keys are errors, unquoted codes stay strings


class StructuralIndicator(_Strict):
    """A structural indicator: a database indicator, optionally divided by another (``numerator / denominator × scale``)."""

    code: str
    name: str = ""
    unit: str = ""
    numerator: str | None = None
    denominator: str | None = None
    scale: float = 1.0

    @property
    def source(self) -> str:
        return self.numerator or self.code


class Dimension(_Strict):
    """A dimension of structure (人口、经济、产业结构 …); its weight is split equally over its indicators."""

    code: str
    name: str = ""
    weight: float = Field(default=1.0, ge=0)
    indicators: list[StructuralIndicator | str]

    def indicator_list(self) -> list[StructuralIndicator]:
        return [StructuralIndicator(code=i) if isinstance(i, str) else i for i in self.indicators]


class PeersSpec(_Strict):
    """S3-platform-style structural peers (methods.peers)."""

    k: int = Field(default=5, ge=1)
    skew_threshold: float | None = Field(default=1.0, gt=0)
    ladder: list[Literal["none", "sqrt", "cbrt", "log"]] = ["none", "sqrt", "cbrt", "log"]
    lookback: int = Field(default=3, ge=0, description="use the latest value up to this many years before the report year")
    id_column: str = "region_code"
    dimensions: list[Dimension]

    @model_validator(mode="after")
    def _unique(self):
        codes = [i.code for d in self.dimensions for i in d.indicator_list()]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"indicator(s) {dup} listed in more than one dimension")
        if not codes:
            raise ValueError("peers need at least one structural indicator")
        return self

    def dimension_map(self) -> dict[str, list[str]]:
        return {d.code: [i.code for i in d.indicator_list()] for d in self.dimensions}

    def dimension_weights(self) -> dict[str, float]:
        return {d.code: d.weight for d in self.dimensions}


class TargetIndicator(_Strict):
    """A key IP indicator with a quantified target: a database indicator, per 10,000 residents when ``per_10k_pop``."""

    code: str
    name: str
    unit: str = ""
    per_10k_pop: bool = False
    note: str = ""


class TargetsSpec(_Strict):
    target_year: int = Field(default=2025, ge=2000, le=2100)
    growth_span: int = Field(default=5, ge=1)
    indicators: list[TargetIndicator]


#: group metrics a guidance rule may test (computed by the regions stage; docs/regions.md)
GUIDANCE_METRICS = ("ip_level_ratio", "ip_growth_gap", "mean_D", "lagging_ip_share", "lagging_innovation_share",
                    "lagging_industry_share", "zone_share_high_ip")


class Condition(_Strict):
    metric: Literal[GUIDANCE_METRICS]  # type: ignore[valid-type]
    op: Literal[">=", ">", "<=", "<"]
    value: float


class GuidanceRule(_Strict):
    """One classified-guidance rule: when every condition holds for a group, recommend ``text``."""

    id: str
    when: list[Condition] = Field(..., min_length=1)
    text: str = Field(..., min_length=4)


class DemoZoneSpec(_Strict):
    name: str = "苏南国家自主创新示范区"
    lq_measure: Literal["lq_output", "lq_patents"] = "lq_output"
    lead_lq: float = 1.2
    lead_share: float = 0.25
    collab_lq: float = 1.0
    collab_share: float = 0.15


class TerritoryProfile(_Strict):
    peers: PeersSpec
    targets: TargetsSpec
    guidance: list[GuidanceRule] = []

    @model_validator(mode="after")
    def _unique_rules(self):
        ids = [r.id for r in self.guidance]
        if len(ids) != len(set(ids)):
            raise ValueError(f"guidance rule ids must be unique, got {ids}")
        return self
    demo_zone: DemoZoneSpec = DemoZoneSpec()
    comparison_indicators: list[str] = Field(default_factory=list, description="codes of targets.indicators shown in peer comparison (all when empty)")


class RegionsSpec(_Strict):
    territories: dict[str, TerritoryProfile]

    def profile(self, territory: str, *, source: str = "params/regions.yaml") -> TerritoryProfile:
        if str(territory) not in self.territories:
            raise SpecError(f"{source}: no regions profile for territory {territory!r} "
                            f"(profiles: {', '.join(self.territories)}); add one under 'territories:'")
        return self.territories[str(territory)]


def load_yaml_model(path: str | Path, model: type[BaseModel], what: str):
    """Read ``path`` with the safe loader (``yamlio.load_yaml``) and validate it into ``model``; errors name the file and key.

    Top-level keys starting with ``_`` only hold YAML anchors shared by several entries and are dropped.
    """
    p = Path(path)
    data = load_yaml(p)  # the one safe loader: size and alias limits, SpecError naming the file
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if not str(k).startswith("_")}
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        raise SpecError(f"{p}: invalid {what}:\n{exc}") from None


def load_regions_spec(path: str | Path) -> RegionsSpec:
    """Read and validate ``params/regions.yaml``."""
    return load_yaml_model(path, RegionsSpec, "regions spec")


def load_peers_spec(path: str | Path) -> PeersSpec:
    """A stand-alone peers spec for ``iplayout peers`` (the ``peers:`` block of a territory profile)."""
    return load_yaml_model(path, PeersSpec, "peers spec")

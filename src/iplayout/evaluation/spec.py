"""The evaluation spec: a pydantic model of the YAML file (unknown keys are errors).

Every convention of every step is a named field with a default, so ``spec.model_dump()`` is the
complete recipe of a result and replaying it reproduces the result exactly.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import SpecError


class _Strict(BaseModel):
    # codes such as 320100 or 2016 written unquoted in YAML stay strings instead of failing validation
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class Indicator(_Strict):
    """One indicator: its type (正向化 rule), optional subsystem, and optional fixed weight / goalposts."""

    code: str
    name: str = ""
    name_en: str = ""
    type: Literal["benefit", "cost", "middle", "interval"] = "benefit"
    target: float | None = None
    lower: float | None = None
    upper: float | None = None
    subsystem: str | None = None
    group: str | None = Field(default=None, description="leaf group of a hierarchy (groups[].code)")
    weight: float | None = Field(default=None, ge=0)
    goalposts: tuple[float, float] | None = None
    unit: str = ""

    @model_validator(mode="after")
    def _check_type_params(self):
        if self.type == "middle" and self.target is None:
            raise ValueError(f"indicator {self.code!r}: type middle needs 'target'")
        if self.type == "interval" and (self.lower is None or self.upper is None):
            raise ValueError(f"indicator {self.code!r}: type interval needs 'lower' and 'upper'")
        if self.type == "interval" and self.lower > self.upper:
            raise ValueError(f"indicator {self.code!r}: lower {self.lower} > upper {self.upper}")
        return self


class Subsystem(_Strict):
    code: str
    name: str = ""
    name_en: str = ""
    weight: float | None = Field(default=None, ge=0)


GroupWeighting = Literal["fixed", "equal", "ahp", "entropy", "critic", "cv"]
GroupAggregation = Literal["weighted_sum", "geometric", "topsis"]


class Availability(_Strict):
    """Data-availability rule of a node: its score is missing when too few children are present."""

    min_share: float = Field(default=0.0, ge=0, le=1,
                             description="minimum share of children present (0 = any one child suffices)")
    by: Literal["count", "weight"] = Field(default="count", description="share of children by count or by "
                                           "nominal weight")


class Group(_Strict):
    """One node of an index hierarchy (准则层 / 子准则层 …); ``parent`` None = child of the goal.

    ``weighting`` weighs this group's children (indicators of a leaf group, or its child groups);
    ``weight`` is this group's own fixed weight within its parent (``weighting: fixed`` there).
    """

    code: str
    name: str = ""
    name_en: str = ""
    parent: str | None = None
    weight: float | None = Field(default=None, ge=0)
    weighting: GroupWeighting | None = Field(default=None, description="default: weights.method for a leaf "
                                             "group (indicators), equal for a group of groups")
    aggregation: Literal["weighted_sum", "geometric"] | None = Field(
        default=None, description="default: score.method (weighted_sum when that is topsis)")
    availability: Availability | None = Field(default=None, description="default: the spec's availability")


class Goal(_Strict):
    """The goal (目标层) of a hierarchy: the overall index, aggregated from the top groups."""

    code: str = "goal"
    name: str = ""
    name_en: str = ""
    weighting: GroupWeighting = "equal"
    aggregation: GroupAggregation | None = Field(default=None, description="default: score.method")
    availability: Availability | None = None


class Treatment(_Strict):
    method: Literal["none", "coinr"] = "none"
    skew_max: float = 2.0
    kurt_max: float = 3.5
    winsor_max: int = 5
    action: Literal["winsorise_then_log", "winsorise", "log"] = "winsorise_then_log"
    bias: bool = False


class Normalise(_Strict):
    method: Literal["minmax", "eps_shrink", "minmax_range", "zscore", "goalposts", "sum", "none"] = "minmax"
    pool: Literal["panel", "year"] = "panel"
    eps: float = 0.01
    range: tuple[float, float] = Field(default=(0.0, 1.0), description="minmax_range: [lower, upper]")
    bounded_policy: Literal["keep", "rescale"] = "keep"
    ddof: int = 1
    shift: float = Field(default=0.0, ge=0, description="平移: added to every normalised value (e.g. 0.0001)")


class AHPSettings(_Strict):
    matrix: list[list[float]]
    order: list[str] | None = None
    method: Literal["eigen", "geometric", "arithmetic"] = "eigen"
    lambda_max: Literal["eigenvalue", "mean_ratio"] = "eigenvalue"
    ri: float | None = Field(default=None, gt=0, description="random index overriding Saaty's table")
    cr_max: float = 0.1
    allow_inconsistent: bool = False


class CombinedSettings(_Strict):
    subjective: Literal["fixed", "ahp"] = "fixed"
    objective: Literal["entropy", "critic", "cv", "pca", "equal"] = "entropy"
    rule: Literal["multiplicative", "linear"] = "multiplicative"
    alpha: float = 0.5


WeightMethod = Literal["entropy", "critic", "cv", "equal", "pca", "fixed", "ahp", "combined"]


class Weights(_Strict):
    method: WeightMethod = "entropy"
    entropy_zero: Literal["zero_log", "eps_shrink", "eps_replace", "shift"] = "zero_log"
    entropy_eps: float = 0.01
    entropy_shift: float = 0.01
    entropy_k: float | None = Field(default=None, gt=0, description="e = −k Σ p ln p; default 1/ln n")
    ddof: int = 1
    critic_corr: Literal["signed", "abs"] = "signed"
    on: Literal["normalised", "raw"] = Field(
        default="normalised", description="table the objective weights are computed on: the normalised "
        "one, or the type-transformed raw values (scores still use the normalised table)")
    pca_variance: float = 0.85
    ahp: dict[str, AHPSettings] = Field(default_factory=dict,
                                        description="subsystem code (or '_all') → pairwise matrix")
    combined: CombinedSettings = CombinedSettings()
    compare: list[WeightMethod] = Field(default_factory=list)
    subsystems: Literal["equal", "fixed", "ahp"] = "equal"
    scope: Literal["subsystem", "all"] = Field(
        default="subsystem", description="subsystem: weights computed and normalised within each subsystem; "
        "all: computed once over all indicators (β_s = Σ_{j∈s} w_j; weighted-sum U_s = Σ_{j∈s} w_j z_j)")


class Score(_Strict):
    method: Literal["weighted_sum", "geometric", "topsis"] = "weighted_sum"
    scale: float | None = None
    topsis_norm: Literal["vector", "minmax"] = "vector"
    topsis_distance: Literal["euclidean", "manhattan"] = "euclidean"
    topsis_cost: Literal["direction", "max_minus", "reciprocal"] = "direction"
    rank_ties: Literal["min", "dense", "max", "average", "first"] = "min"


class Relative(_Strict):
    a: str
    b: str
    lower: float = 0.9
    upper: float = 1.1


class Coupling(_Strict):
    enabled: bool = True
    form: Literal["standard", "wang2021"] = "standard"
    alpha: Literal["equal", "fixed", "entropy"] = "equal"
    alpha_weights: dict[str, float] = Field(default_factory=dict)
    exponent: float | None = Field(default=None, gt=0,
                                   description="standard form: C = [ΠU/(ΣU/n)^n]^k; default k = 1/n")
    boundary: Literal["left_closed", "right_closed"] = "left_closed"
    rescale: bool = False
    relative: Relative | None = None


class WeightNoise(_Strict):
    method: Literal["dirichlet", "noise", "none"] = "dirichlet"
    concentration: float = 50.0
    pct: float = 0.25


class Uncertainty(_Strict):
    enabled: bool = False
    reps: int = Field(default=1000, ge=10)
    seed: int = 20160101
    weights: WeightNoise = WeightNoise()
    normalise: list[Literal["minmax", "eps_shrink", "minmax_range", "zscore", "goalposts", "sum", "none"]] = Field(
        default_factory=list)
    score: list[Literal["weighted_sum", "geometric", "topsis"]] = Field(default_factory=list)
    top_k: int = 3
    sensitivity: bool = True
    sensitivity_n: int = Field(default=256, ge=16)
    loo: bool = True


class DEA(_Strict):
    inputs: list[str]
    outputs: list[str]
    model: Literal["ccr", "bcc"] = "ccr"
    orientation: Literal["input", "output"] = "input"


class EvaluationSpec(_Strict):
    """Top-level spec (see docs/evaluation.md for the schema and worked examples)."""

    name: str = "evaluation"
    name_en: str = ""
    id_column: str = "id"
    year_column: str | None = None
    missing: Literal["error", "drop_unit", "impute_median", "interpolate_median", "available"] = Field(
        default="error", description="available (hierarchies only): keep gaps; each node aggregates the "
        "children present (weights renormalised) subject to the availability rule")
    indicators: list[Indicator]
    subsystems: list[Subsystem] = Field(default_factory=list)
    goal: Goal | None = Field(default=None, description="目标层 of a hierarchy (with groups)")
    groups: list[Group] = Field(default_factory=list, description="index hierarchy, flat with parent links")
    coupling_level: int | None = Field(default=None, ge=1, description="depth of the groups used as "
                                       "subsystems for U_*, coupling and lagging (1 = the level below the goal)")
    availability: Availability = Availability()
    treatment: Treatment = Treatment()
    normalise: Normalise = Normalise()
    weights: Weights = Weights()
    score: Score = Score()
    coupling: Coupling = Coupling()
    uncertainty: Uncertainty = Uncertainty()
    dea: DEA | None = None

    @model_validator(mode="after")
    def _check(self):
        codes = [i.code for i in self.indicators]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"duplicate indicator codes {dup}")
        from .tree import check_hierarchy, coupling_groups
        check_hierarchy(self)
        subs = coupling_groups(self) if self.groups else [s.code for s in self.subsystems]
        if self.groups:
            self._check_common(subs)
            return self
        used = {i.subsystem for i in self.indicators}
        if subs:
            bad = sorted(c for c in used if c not in subs)
            if bad or None in used:
                raise ValueError(f"indicators name undeclared subsystems {bad or [None]}; declared {subs}")
            empty = [s for s in subs if s not in used]
            if empty:
                raise ValueError(f"subsystems without indicators: {empty}")
        elif used != {None}:
            raise ValueError("indicators name subsystems but 'subsystems' is not declared")
        if self.missing == "available":
            raise ValueError("missing: available needs an index hierarchy (groups); two-level specs use "
                             "error / drop_unit / impute_median / interpolate_median")
        if any(i.group is not None for i in self.indicators):
            raise ValueError("indicators name groups but 'groups' is not declared")
        fixed_needed = self.weights.method == "fixed" or (
            self.weights.method == "combined" and self.weights.combined.subjective == "fixed")
        if fixed_needed:
            miss = [i.code for i in self.indicators if i.weight is None]
            if miss:
                raise ValueError(f"weights.method {self.weights.method}: indicators without 'weight': {miss}")
        if self.weights.subsystems == "fixed" and any(s.weight is None for s in self.subsystems):
            raise ValueError("weights.subsystems fixed: every subsystem needs 'weight'")
        if self.weights.scope == "all" and self.weights.subsystems != "equal":
            raise ValueError("weights.scope all derives the subsystem weights from the indicator weights; "
                             f"weights.subsystems {self.weights.subsystems!r} would contradict it")
        if self.weights.subsystems == "ahp" and (not subs or "_subsystems" not in self.weights.ahp):
            raise ValueError("weights.subsystems ahp: give the pairwise matrix over the subsystems as "
                             "weights.ahp._subsystems (and declare subsystems)")
        self._check_common(subs)
        return self

    def _check_common(self, subs: list[str]) -> None:
        """Checks shared by two-level specs and hierarchies (``subs``: the coupling subsystems)."""
        if self.normalise.method == "goalposts" or "goalposts" in self.uncertainty.normalise:
            miss = [i.code for i in self.indicators if i.goalposts is None]
            if miss:
                raise ValueError(f"goalposts normalisation: indicators without 'goalposts': {miss}")
        norms = {self.normalise.method, *(self.uncertainty.normalise if self.uncertainty.enabled else [])}
        scores = {self.score.method, *(self.uncertainty.score if self.uncertainty.enabled else [])}
        cost = [i.code for i in self.indicators if i.type == "cost"]
        if cost and norms & {"sum", "none"}:
            raise ValueError(f"normalisation {sorted(norms & {'sum', 'none'})} cannot reverse cost indicators {cost} "
                             "(use minmax / eps_shrink / zscore / goalposts)")
        wmethods = {self.weights.method, *self.weights.compare}
        if self.weights.method == "combined":
            wmethods.add(self.weights.combined.objective)
        if self.normalise.method == "zscore" and wmethods & {"entropy", "cv"} and self.weights.on == "normalised":
            raise ValueError(f"weights {sorted(wmethods & {'entropy', 'cv'})} need non-negative data with a "
                             "non-zero mean; zscore gives neither (use minmax / eps_shrink)")
        if "geometric" in scores and "zscore" in norms:
            raise ValueError("score geometric needs non-negative normalised values; zscore gives negatives "
                             "(also among uncertainty candidates)")
        if self.coupling.alpha == "fixed":
            if sorted(self.coupling.alpha_weights) != sorted(subs):
                raise ValueError(f"coupling.alpha fixed: alpha_weights must name exactly {subs}")
        if self.coupling.exponent is not None and self.coupling.form != "standard":
            raise ValueError("coupling.exponent applies to form standard only")
        if self.coupling.relative is not None:
            for side in (self.coupling.relative.a, self.coupling.relative.b):
                if side not in subs:
                    raise ValueError(f"coupling.relative names unknown subsystem {side!r}")

    @property
    def codes(self) -> list[str]:
        return [i.code for i in self.indicators]

    @property
    def has_subsystems(self) -> bool:
        return bool(self.subsystems)


def _format_errors(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            lines.append(f"{source}: unknown key '{loc}'")
        else:
            lines.append(f"{source}: {loc or '(top level)'}: {err['msg']}")
    return "\n".join(lines)


def parse_spec(data: dict, *, source: str = "<spec>") -> EvaluationSpec:
    """Validate a spec mapping; errors name the offending key and the source."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: a spec must be a mapping, got {type(data).__name__}")
    try:
        return EvaluationSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecError(_format_errors(exc, source)) from None


def load_spec(path: str | Path) -> EvaluationSpec:
    """Read and validate a YAML spec (``yaml.safe_load``)."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"spec file not found: {p}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{p}: invalid YAML: {exc}") from None
    return parse_spec(data, source=str(p))

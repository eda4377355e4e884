"""The survey stage's spec (``params/survey.yaml``): which indicators it loads, maps and regresses, and from when.

Validated with pydantic; unknown keys are errors, so a misspelt key never silently falls back to a default.
Indicator codes are checked against the database when the stage runs (an indicator the database lacks is
skipped and recorded in the stage log, as before).
"""
from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..config import params_file
from ..errors import ParameterError
from ..fileio import read_yaml

FILE = "survey.yaml"


class Regression(BaseModel):
    """Output-on-input regression of the productivity section (log–log OLS, ``survey.fit_output_on_input``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    x: str = Field(..., description="input indicator, e.g. rd_expenditure")
    y: str = Field(..., description="output indicator, e.g. patent_grants")


class SurveySpec(BaseModel):
    """Parameters of the survey stage (资源调查)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    first_year: int = Field(..., ge=1949, le=2100, description="first year of the panel and the trend charts")
    growth_span: int = Field(..., ge=1, le=30, description="years of the compound annual growth rate (CAGR)")
    ip_indicators: tuple[str, ...] = Field(..., min_length=1, description="IP creation and use indicators")
    context_indicators: tuple[str, ...] = Field((), description="innovation and economic context")
    industry_indicators: tuple[str, ...] = Field((), description="per-industry indicators (industry_code ≠ _T)")
    key_indicators: tuple[str, ...] = Field(..., min_length=1,
                                            description="mapped, ranked and tracked for concentration")
    regression: Regression

    @field_validator("ip_indicators", "context_indicators", "industry_indicators", "key_indicators")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        dup = sorted({c for c in v if v.count(c) > 1})
        if dup:
            raise ValueError(f"listed twice: {', '.join(dup)}")
        return v

    @model_validator(mode="after")
    def _known(self) -> "SurveySpec":
        loaded = set(self.ip_indicators) | set(self.context_indicators)
        for name, codes in (("key_indicators", self.key_indicators),
                            ("regression", (self.regression.x, self.regression.y))):
            extra = [c for c in codes if c not in loaded]
            if extra:
                raise ValueError(f"{name} not among ip_indicators/context_indicators: {', '.join(extra)}")
        return self


def spec_file(params_dir: str | Path | None) -> Path:
    """``<params_dir>/survey.yaml``, else the project's ``params/survey.yaml``."""
    return params_file(FILE, params_dir)


def load_survey_spec(params_dir: str | Path | None = None) -> SurveySpec:
    """Read and validate ``<params_dir>/survey.yaml``; a :class:`ParameterError` names the file and the key."""
    path = spec_file(params_dir)
    raw = read_yaml(path, what="survey spec")
    try:
        return SurveySpec.model_validate(raw)
    except ValidationError as exc:
        raise ParameterError(f"{path}: invalid survey spec:\n{exc}") from exc

"""The scoring model as data: a TOML file validated into a pydantic model, with a stable hash."""

from __future__ import annotations

import hashlib
import json
import math
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wijkvitaliteit.config import parse_toml_model
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.indicators import indicator

FACTORS = ("leefbaarheid", "organisatiekracht", "veerkracht")
AGGREGATE_RANGE = {"product": (1.0, 27.0), "geometric_mean": (1.0, 3.0)}
MAX_BUURTEN = 20_000  # the Netherlands has about 14,000: a larger min_reference can never be met


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndicatorRule(_Strict):
    id: str
    rule: Literal["quantile", "thresholds"]
    reference: Literal["all", "gemeente"] = "all"
    cuts: tuple[float, float] | None = None
    thresholds: tuple[float, float] | None = None
    direction: Literal["higher_is_better", "higher_is_worse"] | None = None
    max_age: int = Field(1, ge=0, le=20)
    min_reference: int = Field(5, ge=1, le=MAX_BUURTEN)
    # "wijk": a buurt without a value of its own in a year takes its wijk's (stated in its explanation; the
    # reference distribution of a quantile rule stays the buurten's own values). Off unless set.
    fallback: Literal["wijk"] | None = None

    @model_validator(mode="after")
    def _check(self) -> IndicatorRule:
        for name in ("cuts", "thresholds"):
            values = getattr(self, name)
            if values is not None and not all(math.isfinite(v) for v in values):
                raise ValueError(f"{name} must be finite numbers (not nan or inf)")
        if self.rule == "quantile":
            if self.cuts is None:
                raise ValueError("a quantile rule needs cuts = [low, high], e.g. [0.5, 0.8]")
            low, high = self.cuts
            if not 0 < low < high < 1:
                raise ValueError("cuts must satisfy 0 < low < high < 1")
        else:
            if self.thresholds is None:
                raise ValueError("a thresholds rule needs thresholds = [low, high]")
            if not self.thresholds[0] <= self.thresholds[1]:
                raise ValueError("thresholds must be [low, high] with low <= high")
        if self.resolved_direction() not in ("higher_is_better", "higher_is_worse"):
            raise ValueError(f"indicator {self.id} has no direction in the catalogue: set direction")
        return self

    def resolved_direction(self) -> str:
        return self.direction or indicator(self.id).direction


class Factor(_Strict):
    combine: Literal["max", "min", "mean"] = "max"
    require: Literal["all", "any"] = "all"
    indicators: tuple[IndicatorRule, ...] = Field(min_length=1)


class Band(_Strict):
    category: str = Field(min_length=1)
    label_nl: str
    label_en: str
    max: float = Field(allow_inf_nan=False)


class ModelInfo(_Strict):
    name: str
    description: str = ""
    aggregation: Literal["product", "geometric_mean"] = "product"
    attention_threshold: float = Field(9, allow_inf_nan=False)


class ScoringModel(_Strict):
    model: ModelInfo
    bands: tuple[Band, ...] = Field(min_length=1)
    factors: dict[str, Factor]

    @model_validator(mode="after")
    def _check(self) -> ScoringModel:
        if tuple(sorted(self.factors)) != tuple(sorted(FACTORS)):
            raise ValueError(f"factors must be exactly {', '.join(FACTORS)}")
        maxima = [b.max for b in self.bands]
        if maxima != sorted(maxima) or len(set(maxima)) != len(maxima):
            raise ValueError("bands must be ordered by increasing max")
        categories = [b.category for b in self.bands]
        if len(set(categories)) != len(categories):
            twice = next(c for c in categories if categories.count(c) > 1)
            raise ValueError(f"each band its own category; '{twice}' names two bands")
        low, high = AGGREGATE_RANGE[self.model.aggregation]
        if not low < self.model.attention_threshold <= high:
            raise ValueError(
                f"model.attention_threshold between {low:g} (exclusive) and {high:g}: the "
                f"{self.model.aggregation} of three factors of 1–3 points lies in {low:g}–{high:g}, so "
                "another threshold flags every buurt or none"
            )
        if maxima[-1] < high:
            raise ValueError(f"the last band up to at least {high:g}, the highest possible {self.model.aggregation}")
        for name, factor in self.factors.items():
            ids = [r.id for r in factor.indicators]
            if len(set(ids)) != len(ids):
                raise ValueError(f"factors.{name}: each indicator once")
        return self

    @property
    def hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def indicator_ids(self) -> list[str]:
        return sorted({r.id for f in self.factors.values() for r in f.indicators})

    def band(self, category: str) -> Band:
        return next(b for b in self.bands if b.category == category)


BUNDLED_MODELS = ("default", "open-data")  # scoring/<name>.toml, given to --model by name


def default_model_text() -> str:
    return resources.files("wijkvitaliteit.scoring").joinpath("default.toml").read_text(encoding="utf-8")


def parse_model(text: str, source: str = "model") -> ScoringModel:
    return parse_toml_model(text, source, ScoringModel, "scoring model")


def load_model(path: str | Path | None = None) -> tuple[ScoringModel, str]:
    """The model and its TOML text: the file given, or the default shipped with the package."""
    if path is None:
        text = default_model_text()
        return parse_model(text, "default.toml"), text
    if str(path) in BUNDLED_MODELS:  # a bundled model by name: "default", "open-data"
        name = f"{path}.toml"
        text = resources.files("wijkvitaliteit.scoring").joinpath(name).read_text(encoding="utf-8")
        return parse_model(text, name), text
    path = Path(path)
    if not path.exists():
        raise InputError(path, "a scoring model TOML file", found="no such file")
    text = path.read_text(encoding="utf-8")
    return parse_model(text, str(path)), text

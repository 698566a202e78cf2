"""An allocation policy as data: a TOML file validated into a pydantic model (see docs/allocation.md).

Shares are given in thousandths at most (0.925, not 0.9249) so that every rule is an exact integer
constraint for the optimiser, the checker and the CP-SAT reference.
"""

from __future__ import annotations

import hashlib
import json
import math
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from wijkvitaliteit.config import parse_toml_model
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.allocation import INCOME_SOURCES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _thousandths(value: float) -> float:
    if abs(value * 1000 - round(value * 1000)) > 1e-9:
        raise ValueError("a share must be a multiple of 0.001")
    return value


class PolicyInfo(_Strict):
    name: str
    label_nl: str
    label_en: str
    description: str = ""
    year: int = Field(ge=2000, le=2100)


class Priorities(_Strict):
    """Points an assignment is worth; the optimiser maximises their sum over all lettings."""

    fill: float = Field(10.0, ge=0)
    preference: float = Field(4.0, ge=0)
    waiting_years: float = Field(0.25, ge=0)
    max_waiting_years: float = Field(12, gt=0)
    urgency: float = Field(3.0, ge=0)
    commitment: float = Field(0.0, ge=0)


class Baseline(_Strict):
    lottery_share: float = Field(0.1, ge=0, le=1)
    seed: int = 1


class PassendLimits(_Strict):
    income_single: float = Field(gt=0)
    income_multi: float = Field(gt=0)
    income_single_aow: float = Field(gt=0)
    income_multi_aow: float = Field(gt=0)
    rent_small: float = Field(gt=0)
    rent_large: float = Field(gt=0)


class PassendToewijzen(_Strict):
    enabled: bool = True
    min_share: float = Field(0.95, gt=0, le=1)
    aow_age: int = Field(67, ge=50, le=90)
    limits: dict[int, PassendLimits]

    _share = field_validator("min_share")(_thousandths)


class IncomeLimits(_Strict):
    income_single: float = Field(gt=0)
    income_multi: float = Field(gt=0)


class Daeb(_Strict):
    enabled: bool = True
    min_share: float = Field(0.925, gt=0, le=1)
    limits: dict[int, IncomeLimits]

    _share = field_validator("min_share")(_thousandths)


class Wbmgp(_Strict):
    enabled: bool = True
    buurten: tuple[str, ...] = ()
    min_years_in_region: int = Field(6, ge=0, le=50)
    allowed_income_sources: tuple[str, ...] = ("werk", "pensioen", "studiefinanciering")

    @field_validator("allowed_income_sources")
    @classmethod
    def _sources(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(INCOME_SOURCES))
        if unknown:
            raise ValueError(f"unknown income source {unknown[0]!r}; known: {', '.join(INCOME_SOURCES)}")
        return value


class CapBand(_Strict):
    at_least: float
    max_share: float = Field(ge=0, le=1)

    _share = field_validator("max_share")(_thousandths)


class VulnerableCaps(_Strict):
    enabled: bool = True
    by: Literal["vitaliteit", "veerkracht"] = "vitaliteit"
    unknown_share: float = Field(0.25, ge=0, le=1)
    bands: tuple[CapBand, ...] = Field(min_length=1)

    _share = field_validator("unknown_share")(_thousandths)

    def share_for(self, score: float | None) -> float:
        """The highest share allowed for a buurt with this score (bands: the first whose at_least is met)."""
        if score is None or (isinstance(score, float) and math.isnan(score)):
            return self.unknown_share
        for band in sorted(self.bands, key=lambda b: -b.at_least):
            if score >= band.at_least:
                return band.max_share
        return 1.0


class UitstroomQuota(_Strict):
    enabled: bool = True
    dwellings: int | None = Field(None, ge=0)
    share: float | None = Field(None, ge=0, le=1)
    max_factor: float = Field(1.5, ge=1)

    @model_validator(mode="after")
    def _one(self) -> UitstroomQuota:
        if (self.dwellings is None) == (self.share is None):
            raise ValueError("give the quota as dwellings = N or as share = 0.05 of the vacancies (one of them)")
        return self


class Policy(_Strict):
    policy: PolicyInfo
    priorities: Priorities = Priorities()
    baseline: Baseline = Baseline()
    passend_toewijzen: PassendToewijzen | None = None
    daeb: Daeb | None = None
    wbmgp: Wbmgp | None = None
    vulnerable_caps: VulnerableCaps | None = None
    uitstroom_quota: UitstroomQuota | None = None

    @model_validator(mode="after")
    def _years(self) -> Policy:
        year = self.policy.year
        for name in ("passend_toewijzen", "daeb"):
            rule = getattr(self, name)
            if rule is not None and rule.enabled and year not in rule.limits:
                raise ValueError(
                    f"{name} has no limits for the policy year {year} (has {', '.join(map(str, sorted(rule.limits))) or 'none'})"
                )
        return self

    @property
    def hash(self) -> str:
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def active(self, name: str):
        """The rule section if present and enabled, else None."""
        rule = getattr(self, name)
        return rule if rule is not None and rule.enabled else None


BUNDLED = ("basis", "spreiden")


def bundled_policy_path(name: str) -> Path:
    return Path(str(resources.files("wijkvitaliteit.allocation").joinpath(f"policies/{name}.toml")))


def parse_policy(text: str, source: str = "policy") -> Policy:
    return parse_toml_model(text, source, Policy, "allocation policy")


def load_policy(path: str | Path) -> tuple[Policy, str]:
    """A policy file, or the name of a bundled policy (``basis``, ``spreiden``)."""
    path = Path(path)
    if not path.exists() and str(path) in BUNDLED:
        path = bundled_policy_path(str(path))
    if not path.exists():
        raise InputError(
            path, "an allocation policy TOML file or a bundled policy (" + ", ".join(BUNDLED) + ")", found="no such file"
        )
    text = path.read_text(encoding="utf-8")
    return parse_policy(text, str(path)), text

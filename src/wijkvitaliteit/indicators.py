"""The indicator catalogue (indicators.toml): labels, units, direction and source per indicator id."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

DIRECTIONS = ("higher_is_better", "higher_is_worse", "neutral")


@dataclass(frozen=True)
class Indicator:
    id: str
    label_nl: str
    label_en: str
    unit: str
    direction: str
    source: str

    def label(self, lang: str = "nl") -> str:
        return self.label_en if lang == "en" else self.label_nl


@cache
def catalogue() -> dict[str, Indicator]:
    text = resources.files("wijkvitaliteit").joinpath("indicators.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)["indicators"]
    return {key: Indicator(id=key, **value) for key, value in data.items()}


_DECLARED: dict[str, Indicator] = {}


def declare(entries: list[Indicator]) -> None:
    """Indicators a workspace declares (its ``indicator_catalogue``: StatLine and police columns). Their ids are
    slugs of the publisher's titles, so an id means the same in every workspace; the bundled catalogue wins."""
    _DECLARED.update({e.id: e for e in entries})


def indicator(indicator_id: str) -> Indicator:
    """The catalogue entry; an uncatalogued id (e.g. a rare KWB column) gets its id as label."""
    known = catalogue().get(indicator_id) or _DECLARED.get(indicator_id)
    if known:
        return known
    source = {"kwb": "cbs_kwb", "lbm": "leefbaarometer", "corp": "corporatie", "cbs": "cbs_statline", "politie": "politie"}.get(
        indicator_id.split(".")[0], ""
    )
    return Indicator(indicator_id, indicator_id, indicator_id, "", "neutral", source)

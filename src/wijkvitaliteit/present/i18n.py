"""User-facing words in Dutch (default) and English."""

from __future__ import annotations

import os

LANGS = ("nl", "en")

MESSAGES: dict[str, dict[str, str]] = {
    "error": {"nl": "fout", "en": "error"},
    "factor.leefbaarheid": {"nl": "leefbaarheid", "en": "liveability"},
    "factor.organisatiekracht": {"nl": "organisatiekracht", "en": "organising capacity"},
    "factor.veerkracht": {"nl": "veerkracht", "en": "resilience"},
    "points": {"nl": "punten", "en": "points"},
    "unknown": {"nl": "onbekend", "en": "unknown"},
    "incomplete": {"nl": "onvolledig", "en": "incomplete"},
    "attention": {"nl": "aandacht", "en": "attention"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "undecided": {"nl": "nog niet te zeggen", "en": "cannot tell yet"},
    "vitality": {"nl": "vitaliteitsscore", "en": "vitality score"},
    "category": {"nl": "categorie", "en": "category"},
    "buurt": {"nl": "buurt", "en": "neighbourhood"},
    "wijk": {"nl": "wijk", "en": "district"},
    "gemeente": {"nl": "gemeente", "en": "municipality"},
    "year": {"nl": "jaar", "en": "year"},
    "code": {"nl": "code", "en": "code"},
    "name": {"nl": "naam", "en": "name"},
    "count": {"nl": "aantal", "en": "count"},
    "model": {"nl": "model", "en": "model"},
    "fictitious": {"nl": "FICTIEF", "en": "FICTITIOUS"},
    "summary.title": {"nl": "Vitaliteit per gemeente, {year}", "en": "Vitality per municipality, {year}"},
    "summary.attention_list": {"nl": "Aandachtslijst {gemeente} ({n} buurten met score ≥ {threshold})",
                               "en": "Attention list {gemeente} ({n} neighbourhoods with score ≥ {threshold})"},
    "summary.incomplete": {"nl": "{n} buurten onvolledig (een factor onbekend)",
                           "en": "{n} neighbourhoods incomplete (a factor unknown)"},
    "show.title": {"nl": "{name} ({code}) — {gemeente}, {year}", "en": "{name} ({code}) — {gemeente}, {year}"},
    "show.score": {"nl": "Vitaliteitsscore {value} ({category}); aandacht: {attention}",
                   "en": "Vitality score {value} ({category}); attention: {attention}"},
    "show.score_incomplete": {
        "nl": "Vitaliteitsscore onbekend: tussen {low} en {high} (een factor ontbreekt); aandacht: {attention}",
        "en": "Vitality score unknown: between {low} and {high} (a factor is missing); attention: {attention}"},
    "show.indicator": {"nl": "{label}: {value} (meting {value_year}{vintage}) → {points} {pts_word}; "
                             "grenzen {rule}",
                       "en": "{label}: {value} (measured {value_year}{vintage}) → {points} {pts_word}; "
                             "thresholds {rule}"},
    "show.missing": {"nl": "{label}: geen meting binnen {max_age} jaar vóór {year}",
                     "en": "{label}: no measurement within {max_age} years before {year}"},
    "show.no_reference": {"nl": "{label}: {value}, maar te weinig buurten om mee te vergelijken",
                          "en": "{label}: {value}, but too few neighbourhoods to compare with"},
    "show.rule_better": {"nl": "≥ {high} → 1, ≥ {low} → 2, lager → 3", "en": "≥ {high} → 1, ≥ {low} → 2, lower → 3"},
    "show.rule_worse": {"nl": "≤ {low} → 1, ≤ {high} → 2, hoger → 3", "en": "≤ {low} → 1, ≤ {high} → 2, higher → 3"},
    "show.reference_all": {"nl": " (kwantielen van {n} buurten in {year})", "en": " (quantiles of {n} neighbourhoods in {year})"},
    "show.reference_gemeente": {"nl": " (kwantielen van {n} buurten in de gemeente, {year})",
                                "en": " (quantiles of {n} neighbourhoods in the municipality, {year})"},
    "show.combine": {"nl": "samengenomen: {how}", "en": "combined: {how}"},
    "show.trend": {"nl": "Leefbaarometer-trend", "en": "Leefbaarometer trend"},
    "show.percentile": {"nl": "{pct:.0f}% van de {n} Nederlandse buurten scoort lager ({year})",
                        "en": "{pct:.0f}% of the {n} Dutch neighbourhoods score lower ({year})"},
    "show.version_note": {
        "nl": "Let op: deze reeks kruist Leefbaarometer-versies ({versions}); niveaus tussen versies zijn niet "
              "zonder meer vergelijkbaar.",
        "en": "Note: this series crosses Leefbaarometer versions ({versions}); levels across versions are not "
              "directly comparable."},
    "show.no_score": {"nl": "Geen score voor {code} in {year}: er is geen meting voor deze buurt.",
                      "en": "No score for {code} in {year}: there is no measurement for this neighbourhood."},
    "combine.max": {"nl": "de zwakste indicator telt", "en": "the weakest indicator counts"},
    "combine.min": {"nl": "de sterkste indicator telt", "en": "the strongest indicator counts"},
    "combine.mean": {"nl": "gemiddelde, half naar boven afgerond", "en": "mean, rounded half up"},
    "demo.done": {"nl": "Demo-werkruimte klaar: {path}", "en": "Demo workspace ready: {path}"},
    "imported": {"nl": "{kind} geïmporteerd uit {path}: {detail}", "en": "{kind} imported from {path}: {detail}"},
    "scored": {"nl": "Gescoord met model {name} ({hash}): {n} buurt-jaren, jaren {years}",
               "en": "Scored with model {name} ({hash}): {n} neighbourhood-years, years {years}"},
}


def default_lang() -> str:
    lang = os.environ.get("WIJKVITALITEIT_LANG", "nl")
    return lang if lang in LANGS else "nl"


def t(key: str, lang: str = "nl", **values: object) -> str:
    text = MESSAGES[key].get(lang) or MESSAGES[key]["nl"]
    return text.format(**values) if values else text


def number(value: float | None, lang: str = "nl", digits: int = 3) -> str:
    """A number as people write it: Dutch decimal comma by default."""
    if value is None or value != value:
        return t("unknown", lang)
    if float(value).is_integer() and abs(value) < 1e12:
        text = f"{int(value):,}"
        return text.replace(",", ".") if lang == "nl" else text
    text = f"{value:.{digits}g}" if abs(value) < 1e-3 or abs(value) >= 1e4 else f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nl" else text

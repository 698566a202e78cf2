"""Plain-language explanations of a score, built from the stored numbers (pure functions)."""

from __future__ import annotations

import pandas as pd

from wijkvitaliteit.indicators import indicator
from wijkvitaliteit.present.i18n import number, t
from wijkvitaliteit.scoring.model import FACTORS, ScoringModel


def _value(value: float, unit: str, lang: str) -> str:
    if unit == "share":
        return f"{number(100 * value, lang, 1)}%"
    return number(value, lang)


def points_text(value) -> str:
    """Points as a whole number, '?' when unknown (values from frames or records: None or NaN)."""
    return "?" if value is None or pd.isna(value) else str(int(value))


def format_value(value: float | None, indicator_id: str, lang: str) -> str:
    """A value in its indicator's unit (shares as percentages), '–' when missing."""
    if value is None or pd.isna(value):
        return "–"
    return _value(value, indicator(indicator_id).unit, lang)


def rule_text(row: pd.Series, lang: str) -> str:
    unit = indicator(row["indicator"]).unit
    low, high = _value(row["threshold_low"], unit, lang), _value(row["threshold_high"], unit, lang)
    key = "show.rule_worse" if row["direction"] == "higher_is_worse" else "show.rule_better"
    text = t(key, lang, low=low, high=high)
    if row["rule"] == "quantile":
        ref_key = "show.reference_all" if row["reference"] == "all" else "show.reference_gemeente"
        if pd.isna(row.get("reference_n")):  # a partner copy does not say how many (some values are hidden)
            text += t(ref_key + "_unnumbered", lang, year=int(row["value_year"]))
        else:
            text += t(ref_key, lang, n=int(row["reference_n"]), year=int(row["value_year"]))
    return text


def indicator_line(row: pd.Series, model: ScoringModel, year: int, lang: str) -> str:
    meta = indicator(row["indicator"])
    label = meta.label(lang)
    if row["status"] == "missing":
        rule = next(r for f in model.factors.values() for r in f.indicators if r.id == row["indicator"])
        return t("show.missing", lang, label=label, max_age=rule.max_age, year=year)
    value = _value(row["value"], meta.unit, lang)
    if row["status"] == "no_reference":
        return t("show.no_reference", lang, label=label, value=value)
    vintage = f", {row['vintage']}" if row["source_is_lbm"] else ""
    return t(
        "show.indicator",
        lang,
        label=label,
        value=value,
        value_year=int(row["value_year"]),
        vintage=vintage,
        points=int(row["points"]),
        pts_word=t("points", lang),
        rule=rule_text(row, lang),
    )


def factor_lines(
    factors: pd.DataFrame, indicators: pd.DataFrame, model: ScoringModel, year: int, lang: str
) -> list[tuple[str, str, list[str]]]:
    """(factor label, points text, indicator lines) per factor, in model order."""
    out = []
    indicators = indicators.assign(source_is_lbm=indicators["indicator"].str.startswith("lbm."))
    for name in FACTORS:
        frow = factors[factors["factor"] == name]
        points = frow["points"].iloc[0] if len(frow) else None
        shown = t("unknown", lang) if points is None or pd.isna(points) else f"{int(points)} {t('points', lang)}"
        lines = [indicator_line(r, model, year, lang) for _, r in indicators[indicators["factor"] == name].iterrows()]
        spec = model.factors[name]
        if len(spec.indicators) > 1:
            lines.append(t("show.combine", lang, how=t(f"combine.{spec.combine}", lang)))
        out.append((t(f"factor.{name}", lang), shown, lines))
    return out


def attention_text(value: object, lang: str) -> str:
    if value is None or pd.isna(value):
        return t("undecided", lang)
    return t("yes", lang) if bool(value) else t("no", lang)


def category_label(category: str | None, model: ScoringModel, lang: str) -> str:
    if category is None or pd.isna(category):
        return t("incomplete", lang)
    band = model.band(category)
    return band.label_en if lang == "en" else band.label_nl


def score_line(score: pd.Series, model: ScoringModel, lang: str) -> str:
    attention = attention_text(score["attention"], lang)
    if bool(score["complete"]):
        return t(
            "show.score",
            lang,
            value=number(score["vitality"], lang),
            category=category_label(score["category"], model, lang),
            attention=attention,
        )
    return t(
        "show.score_incomplete",
        lang,
        low=number(score["vitality_min"], lang),
        high=number(score["vitality_max"], lang),
        attention=attention,
    )


def version_note(trend: pd.DataFrame, lang: str) -> str | None:
    """Say so when a Leefbaarometer series crosses instrument versions."""
    versions = trend.dropna(subset=["afw"]).groupby("versie", sort=False)["year"].apply(list)
    if len(versions) <= 1:
        return None
    parts = [f"{v}: {', '.join(str(y) for y in years)}" for v, years in versions.items()]
    return t("show.version_note", lang, versions="; ".join(parts))

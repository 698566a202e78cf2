"""The three diagnoses: resilience, segregation and sensitivity, one declaration each."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from wijkvitaliteit.present import diagnosis
from wijkvitaliteit.present.i18n import column_label, number, t, value_label
from wijkvitaliteit.web.declare import PageSpec, Site
from wijkvitaliteit.web.routes import GemeenteQ, Year

Preset = Annotated[str, Query(pattern="^(" + "|".join(diagnosis.SEGREGATION_PRESETS) + ")$", description="Pair of counts.")]


PLAIN = {"year", "ring", "rank_p05", "rank_p95", "units"}  # whole numbers that read without a thousands separator


def _tables(lang: str, *tables: tuple) -> list[dict]:
    """(title, rows, columns[, note]) → what analysis.html draws: headers from ``col.*``, category values in
    words (``label.*``), one sentence under the table that says what it shows."""
    out = []
    for title, rows, cols, *rest in tables:
        shown = [{c: value_label(r.get(c), lang) for c in [*cols, "area_code"]} for r in rows]
        out.append(
            {
                "title": title,
                "rows": shown,
                "columns": cols,
                "headers": {c: column_label(c, lang) for c in cols},
                "numeric": {c for c in cols if rows and isinstance(rows[0].get(c), int | float)},
                "plain": PLAIN & set(cols),
                "note": rest[0] if rest else None,
            }
        )
    return out


def _coefficient_sentences(rows: list[dict], lang: str) -> str:
    sentences = []
    for r in rows:
        key = "table.resilience_significant" if r["p_value"] < 0.05 else "table.resilience_not_significant"
        sentences.append(
            t(
                key,
                lang,
                term=value_label(r["term"], lang),
                estimate=number(r["estimate"], lang, 3),
                low=number(r["ci_low"], lang, 3),
                high=number(r["ci_high"], lang, 3),
                p=number(r["p_value"], lang, 3),
            )
        )
    return " ".join(sentences)


def _resilience_view(gen, page, lang, *, request):
    data = page.data
    return {
        "title": t("web.analysis_resilience", lang),
        "intro": t("analysis.resilience_intro", lang),
        "tables": _tables(
            lang,
            (
                t("table.resilience_coefficients", lang, n_obs=number(data["n_obs"], lang), n_buurten=data["n_buurten"]),
                data["coefficients"],
                ["term", "estimate", "ci_low", "ci_high", "p_value"],
                _coefficient_sentences(data["coefficients"], lang),
            ),
            (
                t("analysis.resilience_buurten", lang),
                data["buurten"],
                [
                    "name",
                    "gemeente_name",
                    "label",
                    "observed",
                    "expected",
                    "difference",
                    "difference_low",
                    "difference_high",
                    "draagkracht",
                ],
                t("table.resilience_buurten_note", lang),
            ),
        ),
    }


def _segregation_view(gen, page, lang, *, request, groep, gemeente, jaar):
    data = page.data
    tables = [
        (
            "",
            data["indices"],
            ["gemeente_name", "year", "units", "group_share", "dissimilarity", "isolation", "exposure", "entropy"],
            t("table.segregation_indices", lang),
        )
    ]
    if gemeente:
        tables += [
            (t("analysis.centre_profile", lang), data["centre_profile"], ["ring", "units", "km_from", "km_to", "share"]),
            (
                t("table.location_quotients_title", lang),
                data["buurten"],
                ["name", "group", "total", "location_quotient", "km_from_centre"],
                t("table.location_quotients", lang),
            ),
        ]
    fields = [
        {
            "name": "groep",
            "label": t("field.groep", lang),
            "options": list(diagnosis.SEGREGATION_PRESETS),
            "option_labels": {k: t(f"preset.{k}", lang) for k in diagnosis.SEGREGATION_PRESETS},
            "value": groep,
        },
        {
            "name": "gemeente",
            "label": t("field.gemeente", lang),
            "value": gemeente or "",
            "pattern": "GM[0-9]{4}",
            "placeholder": "GM0344",
        },
    ]
    return {
        "title": t("web.analysis_segregation", lang),
        "intro": t(
            "analysis.segregation_intro",
            lang,
            group=diagnosis.count_label(data["group"], lang),
            total=diagnosis.count_label(data["total"], lang),
        ),
        "tables": _tables(lang, *tables),
        "fields": fields,
    }


def _sensitivity_view(gen, page, lang, *, request, jaar):
    data = page.data
    counts = {k: data["counts"].get(k, 0) for k in ("stable_flagged", "borderline", "stable_not_flagged")}
    return {
        "title": t("web.analysis_sensitivity", lang),
        "intro": t("analysis.sensitivity_intro", lang, draws=number(data["draws"], lang)),
        "tables": _tables(
            lang,
            (
                t("table.sensitivity", lang, year=data["year"], **counts),
                data["buurten"],
                ["name", "gemeente_name", "vitality", "p_flagged", "rank_p05", "rank_p95", "label"],
                t("table.sensitivity_note", lang),
            ),
        ),
    }


def register(site: Site) -> None:
    site.add(
        PageSpec(
            "/analyse/veerkracht",
            lambda gen: diagnosis.resilience_page(gen.ws(), gen.run),
            "analysis.html",
            view=_resilience_view,
            tags=("analyses",),
            cache=1,
            csv_name=lambda p: "veerkracht",
            summary="Panel model of nuisance on vulnerable inflow × corporation share; per buurt its label and draagkracht.",
        )
    )
    site.add(
        PageSpec(
            "/analyse/segregatie",
            lambda gen, groep, gemeente, jaar: diagnosis.segregation_page(
                gen.ws(), *diagnosis.SEGREGATION_PRESETS[groep], gemeente, jaar
            ),
            "analysis.html",
            params={"groep": (Preset, "bijstand"), "gemeente": (GemeenteQ, None), "jaar": (Year, None)},
            view=_segregation_view,
            tags=("analyses",),
            cache=64,
            csv_name=lambda p: "segregatie",
            summary="Dissimilarity, isolation, exposure and entropy per gemeente and year; with a gemeente "
            "also location quotients per buurt and the centre-to-edge profile.",
        )
    )
    site.add(
        PageSpec(
            "/analyse/gevoeligheid",
            lambda gen, jaar: diagnosis.sensitivity_page(gen.ws(), gen.run, jaar),
            "analysis.html",
            params={"jaar": (Year, None)},
            view=_sensitivity_view,
            tags=("analyses",),
            cache=16,
            csv_name=lambda p: "gevoeligheid",
            summary="Monte Carlo over the scoring model: per buurt the share of draws that flag it, its rank "
            "interval and label (stable flagged, borderline, stable not flagged).",
        )
    )

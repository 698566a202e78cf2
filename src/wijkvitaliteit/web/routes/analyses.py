"""The three diagnoses: resilience, segregation and sensitivity, one declaration each."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from wijkvitaliteit.present import diagnosis
from wijkvitaliteit.present.i18n import t
from wijkvitaliteit.web.declare import PageSpec, Site
from wijkvitaliteit.web.routes import GemeenteQ, Year

Preset = Annotated[str, Query(pattern="^(" + "|".join(diagnosis.SEGREGATION_PRESETS) + ")$", description="Pair of counts.")]


def _tables(*tables: tuple[str, list[dict], list[str]]) -> list[dict]:
    return [
        {
            "title": title,
            "rows": rows,
            "columns": cols,
            "numeric": {c for c in cols if rows and isinstance(rows[0].get(c), int | float)},
        }
        for title, rows, cols in tables
    ]


def _resilience_view(gen, page, lang, *, request):
    data = page.data
    return {
        "title": t("web.analysis_resilience", lang),
        "intro": t("analysis.resilience_intro", lang),
        "tables": _tables(
            (
                f"{data['n_obs']} buurt-jaren, {data['n_buurten']} buurten",
                data["coefficients"],
                ["term", "estimate", "ci_low", "ci_high", "p_value"],
            ),
            (
                t("analysis.resilience_buurten", lang),
                data["buurten"],
                [
                    "name",
                    "gemeente_code",
                    "label",
                    "observed",
                    "expected",
                    "difference",
                    "difference_low",
                    "difference_high",
                    "draagkracht",
                ],
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
        )
    ]
    if gemeente:
        tables += [
            (t("analysis.centre_profile", lang), data["centre_profile"], ["ring", "units", "km_from", "km_to", "share"]),
            ("location quotients", data["buurten"], ["name", "group", "total", "location_quotient", "km_from_centre"]),
        ]
    fields = [
        {"name": "groep", "label": "groep", "options": list(diagnosis.SEGREGATION_PRESETS), "value": groep},
        {"name": "gemeente", "label": "gemeente", "value": gemeente or "", "pattern": "GM[0-9]{4}", "placeholder": "GM0344"},
    ]
    return {
        "title": t("web.analysis_segregation", lang),
        "intro": t("analysis.segregation_intro", lang, group=data["group"], total=data["total"]),
        "tables": _tables(*tables),
        "fields": fields,
    }


def _sensitivity_view(gen, page, lang, *, request, jaar):
    data = page.data
    return {
        "title": t("web.analysis_sensitivity", lang),
        "intro": t("analysis.sensitivity_intro", lang, draws=data["draws"]),
        "tables": _tables(
            (
                f"{data['year']}: {data['counts']}",
                data["buurten"],
                ["name", "gemeente_name", "vitality", "p_flagged", "rank_p05", "rank_p95", "label"],
            )
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

"""Read models for the three diagnoses (resilience, segregation, sensitivity): data for CLI, web and report."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from wijkvitaliteit.analysis import resilience, segregation, sensitivity
from wijkvitaliteit.errors import BadParameter
from wijkvitaliteit.indicators import indicator
from wijkvitaliteit.present.pages import Page, records
from wijkvitaliteit.scoring.runs import Run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace

#: Named (group, total) pairs of counts; "a × b%" multiplies a count by a percentage.
SEGREGATION_PRESETS = {
    "bijstand": ("kwb.a_soz_wb", "kwb.a_inw"),
    "corporatie": ("kwb.a_woning × kwb.p_wcorpw%", "kwb.a_woning"),
    "kwetsbaar": ("corp.lettings_window × corp.vulnerable_share", "corp.lettings_window"),
}


def count_label(expression: str, lang: str) -> str:
    """A count as the segregation presets write it ("kwb.a_woning × kwb.p_wcorpw%") in the catalogue's words."""
    labels = [indicator(p.strip().rstrip("%")).label(lang) for p in expression.split("×")]
    return " × ".join(x[:1].lower() + x[1:] if x[1:2].islower() else x for x in labels)  # mid-sentence: "aantal inwoners"


def resilience_page(ws: Workspace, run: Run) -> Page:
    measurements = queries.measurements(
        ws, ["corp.nuisance_per_100", "corp.vulnerable_share", "kwb.p_wcorpw"], columns="area_code, year, indicator, value"
    )
    data = resilience.panel(measurements)
    result = resilience.fit(data)
    year = int(data["year"].max())
    current = queries.run_indicators(ws, run.run_id, year)
    buurten = result.buurten.merge(
        resilience.draagkracht(result, current, run.model).rename_axis("area_code").reset_index(), on="area_code", how="left"
    )
    names = queries.buurt_names(ws).merge(queries.gemeente_names(ws), on="gemeente_code", how="left")
    buurten = names.merge(buurten, on="area_code").sort_values(["label", "difference"], ascending=[True, False])
    buurten["draagkracht"] = buurten["draagkracht"].replace(np.inf, np.nan)
    return Page(
        {
            "outcome": result.outcome,
            "n_obs": result.n_obs,
            "n_buurten": result.n_buurten,
            "year": year,
            "coefficients": records(result.coefficients),
            "buurten": records(buurten),
        },
        buurten,
    )


def _counts(ws: Workspace, expression: str) -> pd.DataFrame:
    """Counts per buurt-year for an indicator, ``a × b`` (product) or ``a × b%`` (b a percentage)."""
    parts = [p.strip() for p in expression.split("×")]
    frames = []
    for part in parts:
        ind = part.rstrip("%")
        frame = queries.indicator_values(ws, ind)
        if frame.empty:
            raise BadParameter("groep", f"no measurements of {ind} in the workspace")
        frame["value"] = frame["value"] / (100 if part.endswith("%") else 1)
        frames.append(frame.set_index(["area_code", "year"])["value"])
    values = frames[0]
    for other in frames[1:]:
        values = values * other
    return values.dropna().rename("value").reset_index()


def segregation_page(ws: Workspace, group: str, total: str, gemeente: str | None = None, year: int | None = None) -> Page:
    g, t = _counts(ws, group), _counts(ws, total)
    units = g.merge(t, on=["area_code", "year"], suffixes=("_g", "_t")).rename(columns={"value_g": "group", "value_t": "total"})
    units = units.merge(queries.buurt_names(ws), on="area_code")
    units = units[units["group"] <= units["total"]]
    table = segregation.indices(units, ["gemeente_code", "year"])
    table = queries.gemeente_names(ws).merge(table, on="gemeente_code").sort_values(["gemeente_code", "year"], ignore_index=True)
    data: dict[str, Any] = {"group": group, "total": total, "indices": records(table)}
    if gemeente:
        sub = units[units["gemeente_code"] == gemeente]
        if sub.empty:
            raise BadParameter("gemeente", f"no counts of {group} / {total} in {gemeente}")
        year = year or int(sub["year"].max())
        sub = sub[sub["year"] == year].copy()
        sub["location_quotient"] = segregation.location_quotients(sub, ["gemeente_code"])
        sub["km_from_centre"] = _distance_from_centre(ws, gemeente, sub["area_code"])
        data.update(
            {
                "gemeente": gemeente,
                "year": year,
                "buurten": records(sub.sort_values("location_quotient", ascending=False)),
                "centre_profile": records(segregation.centre_profile(sub, "km_from_centre")),
            }
        )
    return Page(data, table)


def _distance_from_centre(ws: Workspace, gemeente: str, codes: pd.Series) -> pd.Series:
    geo = queries.geometries(ws, "buurt", gemeente)
    if geo.empty:
        return pd.Series(np.nan, index=codes.index)
    centre = geo.geometry.union_all().centroid
    distance = pd.Series(geo.geometry.centroid.distance(centre).to_numpy() / 1000, index=geo["code"])
    return codes.map(distance)


def sensitivity_inputs(ws: Workspace, run: Run, year: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The run's indicator rows of complete buurten in ``year`` and the reference values they rank against."""
    rows = queries.run_indicators(ws, run.run_id, year, complete_only=True)[
        ["area_code", "factor", "indicator", "value", "value_year", "scope"]
    ]
    values = {ind: queries.buurt_reference(ws, ind) for ind in rows["indicator"].unique()}
    return rows, sensitivity.references(rows, values)


def sensitivity_page(
    ws: Workspace, run: Run, year: int | None = None, draws: int | None = None, gemeente: str | None = None
) -> Page:
    year = year or queries.latest_year(ws, run.run_id)
    rows, references = sensitivity_inputs(ws, run, year)
    if rows.empty:
        raise BadParameter("jaar", f"no complete scores in {year}")
    settings = sensitivity.SensitivitySettings.load(draws=draws)
    result = sensitivity.run(rows, references, run.model, settings)
    scores = queries.score_table(ws, run.run_id, year, [gemeente] if gemeente else None)[
        ["code", "name", "gemeente_name", "vitality", "attention"]
    ]
    table = scores.rename(columns={"code": "area_code"}).merge(result, on="area_code")
    table = table.sort_values(["p_flagged", "vitality"], ascending=False, ignore_index=True)
    counts = table["label"].value_counts().to_dict()
    return Page(
        {
            "year": year,
            "draws": settings.draws,
            "seed": settings.seed,
            "counts": counts,
            "settings": settings.__dict__,
            "buurten": records(table),
        },
        table,
    )

"""Maps and charts for the pages (language-aware, pure functions of page data)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from wijkvitaliteit.present.colours import CATEGORY_COLOURS, NO_DATA_FILL, POINT_COLOURS, SEQUENTIAL
from wijkvitaliteit.present.i18n import number, t
from wijkvitaliteit.scoring.model import FACTORS, ScoringModel
from wijkvitaliteit.web.maps import UNKNOWN, Feature, LegendItem, quantile_classes, svg_map

LAYER_LABELS = {
    "categorie": {"nl": "Vitaliteitscategorie", "en": "Vitality category"},
    "leefbaarheid": {"nl": "Punten leefbaarheid", "en": "Liveability points"},
    "organisatiekracht": {"nl": "Punten organisatiekracht", "en": "Organising capacity points"},
    "veerkracht": {"nl": "Punten veerkracht", "en": "Resilience points"},
    "lbm": {"nl": "Leefbaarometer-score", "en": "Leefbaarometer score"},
    "fys": {"nl": "Leefbaarometer: fysieke omgeving", "en": "Leefbaarometer: physical environment"},
    "onv": {"nl": "Leefbaarometer: overlast en onveiligheid", "en": "Leefbaarometer: nuisance and insecurity"},
    "soc": {"nl": "Leefbaarometer: sociale samenhang", "en": "Leefbaarometer: social cohesion"},
    "vrz": {"nl": "Leefbaarometer: voorzieningen", "en": "Leefbaarometer: amenities"},
    "won": {"nl": "Leefbaarometer: woningvoorraad", "en": "Leefbaarometer: housing stock"},
    "lbm_nl": {"nl": "Leefbaarometer (mediaan van de buurten)", "en": "Leefbaarometer (median of the buurten)"},
    "vitaliteit": {"nl": "Aandeel buurten met aandacht", "en": "Share of buurten flagged for attention"},
}


def layer_label(layer: str, lang: str) -> str:
    return LAYER_LABELS[layer][lang]


def _category_label(model: ScoringModel, category: str, lang: str) -> str:
    band = model.band(category)
    return band.label_en if lang == "en" else band.label_nl


def _classes_legend(limits: np.ndarray, lang: str, digits: int = 3) -> list[LegendItem]:
    items = []
    bounds = [None, *limits, None]
    for i, colour in enumerate(SEQUENTIAL):
        low, high = bounds[i], bounds[i + 1]
        if low is None:
            text = f"< {number(high, lang, digits)}"
        elif high is None:
            text = f"≥ {number(low, lang, digits)}"
        else:
            text = f"{number(low, lang, digits)} – {number(high, lang, digits)}"
        items.append(LegendItem(colour, text))
    return items


def gemeente_map(
    geo: gpd.GeoDataFrame,
    buurten: pd.DataFrame,
    layer: str,
    model: ScoringModel,
    reference: np.ndarray | None,
    lang: str,
    highlight: str | None = None,
    link: bool = True,
) -> tuple[str, list[LegendItem], str]:
    """SVG of a gemeente's buurten coloured by ``layer``; the legend; and a note on the classes."""
    by_code = buurten.set_index("code")
    features, note = [], ""
    legend: list[LegendItem] = []
    fills: dict[str, tuple[str, str]] = {}
    if layer == "categorie":
        for code, r in by_code.iterrows():
            if not r["scored"]:
                fills[code] = (NO_DATA_FILL, t("web.not_scored", lang))
            elif r["category"] is None or pd.isna(r["category"]):
                low, high = number(r["vitality_min"], lang), number(r["vitality_max"], lang)
                fills[code] = (UNKNOWN, f"{t('incomplete', lang)} ({low}–{high})")
            else:
                fills[code] = (
                    CATEGORY_COLOURS.get(r["category"], NO_DATA_FILL),
                    f"{_category_label(model, r['category'], lang)} ({number(r['vitality'], lang)})",
                )
        legend = [LegendItem(CATEGORY_COLOURS[b.category], _category_label(model, b.category, lang)) for b in model.bands]
        legend += [LegendItem(UNKNOWN, t("incomplete", lang)), LegendItem(NO_DATA_FILL, t("web.not_scored", lang))]
    elif layer in FACTORS:
        for code, r in by_code.iterrows():
            value = r[layer]
            if not r["scored"]:
                fills[code] = (NO_DATA_FILL, t("web.not_scored", lang))
            elif value is None or pd.isna(value):
                fills[code] = (UNKNOWN, t("unknown", lang))
            else:
                fills[code] = (POINT_COLOURS[int(value)], f"{int(value)} {t('points', lang)}")
        legend = [LegendItem(POINT_COLOURS[p], f"{p} {t('points', lang)}") for p in (1, 2, 3)]
        legend += [LegendItem(UNKNOWN, t("unknown", lang)), LegendItem(NO_DATA_FILL, t("web.not_scored", lang))]
    else:
        values = by_code[layer].astype(float).to_numpy()
        ref = reference if reference is not None and len(reference) else values
        if np.isnan(ref).all():  # e.g. a Leefbaarometer dimension before 2014: say so, draw every buurt as no value
            fills = {code: (NO_DATA_FILL, t("web.no_value", lang)) for code in by_code.index}
            legend = [LegendItem(NO_DATA_FILL, t("web.no_value", lang))]
            note = t("web.layer_no_data", lang)
        else:
            classes, limits = quantile_classes(values, ref)
            for (code, _r), cls, value in zip(by_code.iterrows(), classes, values, strict=True):
                if cls < 0:
                    fills[code] = (NO_DATA_FILL, t("web.no_value", lang))
                else:
                    fills[code] = (SEQUENTIAL[cls], number(value, lang, 3))
            legend = _classes_legend(limits, lang) + [LegendItem(NO_DATA_FILL, t("web.no_value", lang))]
            note = t("web.classes_national", lang) if reference is not None else t("web.classes_local", lang)
    for _, g in geo.iterrows():
        fill, text = fills.get(g["code"], (NO_DATA_FILL, t("web.not_scored", lang)))
        name = g["name"] or g["code"]
        features.append(
            Feature(
                g["code"],
                name,
                g["geometry"],
                fill,
                f"{name}: {text}",
                href=f"/buurt/{g['code']}" if link else None,
                highlight=g["code"] == highlight,
            )
        )
    label = f"{t('web.map_of', lang)} {layer_label(layer, lang)}"
    return svg_map(features, label=label, simplify=5.0, scale=5.0), legend, note


def national_map(
    geo: gpd.GeoDataFrame, values: pd.DataFrame, layer: str, lang: str, level: str = "gemeente"
) -> tuple[str, list[LegendItem]]:
    if values.empty or geo.empty:  # no boundaries or no scored gemeenten imported: an empty map, never a failure
        return svg_map([], label=f"{t('web.map_of', lang)} {layer_label(layer, lang)}", simplify=5.0, scale=5.0), []
    by_code = values.set_index("code")
    features = []
    if layer == "vitaliteit":
        limits = np.array([0.05, 0.15, 0.25, 0.35])
        colours = SEQUENTIAL[::-1]  # a higher share is weaker: purple → orange
        legend = [
            LegendItem(colours[0], "< 5%"),
            LegendItem(colours[1], "5–15%"),
            LegendItem(colours[2], "15–25%"),
            LegendItem(colours[3], "25–35%"),
            LegendItem(colours[4], "≥ 35%"),
            LegendItem(NO_DATA_FILL, t("web.no_corporation", lang)),
        ]
        for _, g in geo.iterrows():
            share = by_code["attention_share"].get(g["code"], None) if "attention_share" in by_code else None
            name = g["name"] or g["code"]
            if share is None or pd.isna(share):
                fill, text = NO_DATA_FILL, t("web.no_corporation", lang)
            else:
                fill = colours[int(np.searchsorted(limits, share, side="right"))]
                text = f"{number(100 * share, lang, 0)}% {t('web.flagged', lang)}"
            features.append(
                Feature(g["code"], name, g["geometry"], fill, f"{name}: {text}", href=_national_href(g["code"], level))
            )
    else:
        series = by_code["lbm_afw_median"].astype(float)
        vals = geo["code"].map(series).astype(float).to_numpy()
        classes, limits = quantile_classes(vals, series.to_numpy())
        legend = _classes_legend(limits, lang) + [LegendItem(NO_DATA_FILL, t("web.no_value", lang))]
        for (_, g), cls, value in zip(geo.iterrows(), classes, vals, strict=True):
            name = g["name"] or g["code"]
            fill = NO_DATA_FILL if cls < 0 else SEQUENTIAL[cls]
            text = t("web.no_value", lang) if cls < 0 else f"afw {number(value, lang, 3)}"
            features.append(
                Feature(g["code"], name, g["geometry"], fill, f"{name}: {text}", href=_national_href(g["code"], level))
            )
    label = f"{t('web.map_of', lang)} {layer_label('lbm_nl' if layer != 'vitaliteit' else layer, lang)}"
    svg = svg_map(
        features, label=label, simplify=150.0 if level == "gemeente" else 60.0, scale=100.0, css_class=f"map national {level}"
    )
    return svg, legend


def _national_href(code: str, level: str) -> str:
    return f"/gemeente/GM{code[2:6]}" if level == "wijk" else f"/gemeente/{code}"


def trend_figure(trend: list[dict], lang: str) -> str | None:
    """Plotly JSON for the Leefbaarometer trend (score per year, marked by version; dimensions from 2014)."""
    import plotly.graph_objects as go

    rows = [r for r in trend if r.get("lbm") is not None]
    if not rows:
        return None
    fig = go.Figure()
    for versie in sorted({r["versie"] for r in rows}):
        part = [r for r in rows if r["versie"] == versie]
        fig.add_trace(
            go.Scatter(
                x=[r["year"] for r in part],
                y=[r["lbm"] for r in part],
                mode="markers",
                name=versie,
                marker={
                    "size": 11,
                    "symbol": ["circle", "square", "diamond"][sorted({r["versie"] for r in rows}).index(versie) % 3],
                },
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[r["year"] for r in rows],
            y=[r["lbm"] for r in rows],
            mode="lines",
            line={"color": "#777", "dash": "dot"},
            showlegend=False,
            hoverinfo="skip",
        )
    )
    dims = [r for r in rows if r.get("fys") is not None]
    for key, colour in zip(
        ("fys", "onv", "soc", "vrz", "won"), ("#542788", "#8073ac", "#b35806", "#e08214", "#1b7837"), strict=True
    ):
        if dims:
            fig.add_trace(
                go.Bar(
                    x=[r["year"] for r in dims], y=[r[key] for r in dims], name=key, yaxis="y2", marker_color=colour, opacity=0.7
                )
            )
    fig.update_layout(
        height=320,
        margin={"l": 50, "r": 50, "t": 10, "b": 40},
        barmode="relative",
        legend={"orientation": "h"},
        template="simple_white",
        yaxis={"title": "lbm"},
        yaxis2={"title": t("web.dimensions", lang), "overlaying": "y", "side": "right", "showgrid": False},
        xaxis={"dtick": 2},
    )
    return fig.to_json()


def corporation_figure(corp: list[dict], lang: str) -> str | None:
    import plotly.graph_objects as go

    rows = [r for r in corp if r.get("nuisance_per_100") is not None or r.get("vulnerable_share") is not None]
    if not rows:
        return None
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=[r["year"] for r in rows],
            y=[r.get("nuisance_per_100") for r in rows],
            name=t("web.nuisance_per_100", lang),
            marker_color="#e08214",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r["year"] for r in rows],
            y=[None if r.get("vulnerable_share") is None else 100 * r["vulnerable_share"] for r in rows],
            name=t("web.vulnerable_pct", lang),
            yaxis="y2",
            mode="lines+markers",
            line={"color": "#542788"},
        )
    )
    fig.update_layout(
        height=280,
        margin={"l": 50, "r": 50, "t": 10, "b": 40},
        template="simple_white",
        legend={"orientation": "h"},
        yaxis={"title": t("web.nuisance_per_100", lang)},
        yaxis2={"title": "%", "overlaying": "y", "side": "right", "showgrid": False},
        xaxis={"dtick": 1},
    )
    return fig.to_json()

"""Rendered parts that several pages share (maps, boundaries, reference values), cached per workspace generation."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from wijkvitaliteit.present import pages
from wijkvitaliteit.web import render
from wijkvitaliteit.web.state import Generation
from wijkvitaliteit.workspace import queries

POINT_LAYERS = ("categorie", "leefbaarheid", "organisatiekracht", "veerkracht")


def geometry(gen: Generation, level: str, gemeente: str | None = None) -> gpd.GeoDataFrame:
    return gen.cached("geometry", 16, (level, gemeente), lambda: queries.geometries(gen.ws(), level, gemeente))


def reference(gen: Generation, layer: str, lbm_year: int) -> np.ndarray:
    """All buurten's values of a Leefbaarometer layer in one year: the national classes of the maps."""
    ind = "lbm.score" if layer == "lbm" else f"lbm.{layer}"
    return gen.cached(
        "reference", 64, (ind, lbm_year), lambda: queries.indicator_values(gen.ws(), ind, lbm_year)["value"].to_numpy(float)
    )


def page(gen: Generation, spec_model, *key):
    """A page model shared between pages (the gemeente page behind a buurt's location map)."""
    return gen.cached(f"shared:{spec_model.__name__}", 256, key, lambda: spec_model(gen.ws(), gen.run, *key))


def gemeente_svg(gen: Generation, code: str, year: int, layer: str, lang: str, highlight: str | None = None):
    def build():
        buurten = pd.DataFrame(page(gen, pages.gemeente, code, year).data["buurten"])
        ref = None
        if layer not in POINT_LAYERS:
            years = buurten["lbm_year"].dropna()
            # the latest Leefbaarometer year of the gemeente's buurten that has this layer
            ref = reference(gen, layer, int(years.max())) if len(years) else None
            if ref is not None and not len(ref):
                ref = None
        return render.gemeente_map(geometry(gen, "buurt", code), buurten, layer, gen.run.model, ref, lang, highlight=highlight)

    return gen.cached("gemeente_svg", 256, (code, year, layer, lang, highlight), build)


def national_svg(gen: Generation, year: int, layer: str, level: str, lang: str):
    def build():
        data = page(gen, pages.national, year).data
        values = (
            pd.DataFrame(data["gemeenten"]) if level == "gemeente" else queries.wijk_values(gen.ws(), data["leefbaarometer_year"])
        )
        if level == "wijk" and layer == "vitaliteit":
            gemeenten = pd.DataFrame(data["gemeenten"]).set_index("code")["attention_share"]
            values = values.assign(attention_share=values["gemeente_code"].map(gemeenten))
        return render.national_map(geometry(gen, level), values, layer, lang, level)

    return gen.cached("national_svg", 32, (year, layer, level, lang), build)

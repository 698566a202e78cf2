"""Bundled real open data (see DATA.md): paths to each file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

ROOT = Path(str(resources.files("wijkvitaliteit").joinpath("data")))

LEEFBAAROMETER = ROOT / "leefbaarometer" / "Livability.csv.zip"
CODES = ROOT / "cbs_codes" / "neighbourhoods_nl_2021.csv"
KWB_UTRECHT = {2023: ROOT / "cbs_kwb" / "CBS-Utrecht-kwb-2023.xlsx", 2024: ROOT / "cbs_kwb" / "CBS-Utrecht-kwb-2024.xlsx"}
BUURTEN = {
    "GM0268": ROOT / "geometry" / "buurt_2020_GM0268_nijmegen.geojson",
    "GM0344": ROOT / "geometry" / "buurt_2020_GM0344_utrecht.geojson",
}
GEMEENTEN_NL = ROOT / "geometry" / "gemeente_2020_nl.topojson"
WIJKEN_NL = ROOT / "geometry" / "wijk_2020_nl.topojson"
ATTRIBUTION = "Bron: CBS (CC BY 4.0); Leefbaarometer 3.0, BZK"

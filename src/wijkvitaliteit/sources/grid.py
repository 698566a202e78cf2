"""CBS grid statistics (vierkantstatistieken, 100 m and 500 m cells, GeoPackage or shapefile) aggregated to the
workspace's buurten: each cell goes to the buurt that holds its centre; counts (``aantal_*``) are summed and shares
and averages weighted by their base (``grid_weights.toml``); secret cells (``-99997``, any negative sentinel) are
left out per column and counted. Cells whose centre lies in no buurt are counted, not guessed."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.geometry import grid_column, read_layer, to_rd
from wijkvitaliteit.sources.statline import year_in_name

SOURCE = "cbs_vierkant"
ID_COLUMNS = re.compile(r"^(crs28992res\d+m|c28992r\d+|vierkant.*|id|fid)$")


@dataclass
class GridFile:
    measurements: pd.DataFrame
    cells: int
    cell_size: int  # metres
    outside: int  # cells whose centre lies in no buurt of the workspace
    secret: dict[str, int] = field(default_factory=dict)  # column -> cells with a secret or negative value
    year: int | None = None

    def summary(self) -> str:
        secret = sum(self.secret.values())
        return (
            f"{self.cells} cells of {self.cell_size} m, {self.measurements['area_code'].nunique()} buurten, "
            f"{self.measurements['indicator'].nunique()} indicators, year {self.year}; {self.outside} cells outside "
            f"the workspace's buurten; {secret} secret cell values left out"
            + (f" (most in {max(self.secret.items(), key=lambda kv: kv[1])[0]})" if secret else "")
        )


@cache
def weight_rules() -> list[tuple[re.Pattern[str], str]]:
    text = resources.files("wijkvitaliteit.sources").joinpath("grid_weights.toml").read_text(encoding="utf-8")
    return [(re.compile(k), v) for k, v in tomllib.loads(text)["weights"].items()]


def base_of(column: str) -> str | None:
    """The base a share or average is weighted by; None for a count (summed)."""
    if column.startswith("aantal_"):
        return None
    return next((base for pattern, base in weight_rules() if pattern.search(column)), "aantal_inwoners")


def read_grid(path: str | Path, buurten, *, year: int | None = None, layer: str | None = None) -> GridFile:
    """``buurten``: the workspace's buurt boundaries (GeoDataFrame, EPSG:28992, column ``code``)."""
    import shapely

    path = Path(path)
    frame = read_layer(path, layer)
    id_col = grid_column(frame)
    if id_col is None:
        raise InputError(
            path, "a CBS grid: a cell id column (crs28992res100m: E1234N4567)", found=", ".join(map(str, frame.columns))
        )
    frame, _ = to_rd(frame, path)
    if buurten is None or len(buurten) == 0:
        raise InputError(
            path, "buurt boundaries in the workspace to place the cells in", found="none", hint="import geometry first"
        )
    areas = frame.geometry.area
    cell_size = int(round(float(np.sqrt(np.median(areas))), -1))
    centres = shapely.centroid(frame.geometry.values)
    tree = shapely.STRtree(buurten.geometry.values)
    cell_idx, buurt_idx = tree.query(centres, predicate="within")
    owner = pd.Series(pd.NA, index=frame.index, dtype="string")
    owner.iloc[cell_idx] = buurten["code"].to_numpy()[buurt_idx]
    found_year = year if year is not None else year_in_name(path)
    if found_year is None:
        raise InputError(path, "a year in the file name (cbs_vk100_2022) or --year", found=path.name)
    numeric = [
        c
        for c in frame.columns
        if c not in ("geometry", id_col) and not ID_COLUMNS.match(c) and pd.api.types.is_numeric_dtype(frame[c])
    ]
    values = frame[numeric].astype("float64")
    secret = {c: int((values[c] < 0).sum()) for c in numeric if (values[c] < 0).any()}
    values = values.mask(values < 0)
    values["area_code"] = owner
    inside = values[values["area_code"].notna()]
    grouped = inside.groupby("area_code")
    rows = []
    for column in numeric:
        base = base_of(column)
        if base is None:
            total = grouped[column].sum(min_count=1)
        elif base in inside:
            weight = inside[base].where(inside[column].notna())
            total = (inside[column] * weight).groupby(inside["area_code"]).sum(min_count=1) / weight.groupby(
                inside["area_code"]
            ).sum(min_count=1).replace(0, np.nan)
        else:
            continue  # its base is not in the file: an unweighted mean would mislead
        total = total.dropna()
        rows.append(pd.DataFrame({"area_code": total.index, "indicator": f"vierkant.{column}", "value": total.to_numpy()}))
    long = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["area_code", "indicator", "value"])
    measurements = long.assign(year=np.int32(found_year), source=SOURCE, vintage=f"CBS vierkant {cell_size} m {found_year}")
    return GridFile(
        measurements=measurements[["area_code", "year", "indicator", "value", "source", "vintage"]],
        cells=len(frame),
        cell_size=cell_size,
        outside=int(owner.isna().sum()),
        secret=secret,
        year=found_year,
    )

"""Reader for CBS area geometries: GeoJSON/TopoJSON (``statcode``/``statnaam``) and the PDOK
wijkenbuurten GeoPackage (layers ``buurten``/``wijken``/``gemeenten``).

Geometry is returned as WKB in EPSG:28992 (RD New). A file in another CRS is converted; a file whose
coordinates do not fall in the Netherlands after conversion is refused (a wrong or missing CRS).
Files without a CRS (the CBS TopoJSON files) are taken as RD New when their coordinates fit it.
PDOK's negative sentinels (-99997, -99999999 …) in numeric attributes become missing.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.areas import AREA_COLUMNS, gemeente_of, wijk_of, with_parent_areas
from wijkvitaliteit.sources.tabular import BUURT_CODE, GEMEENTE_CODE, WIJK_CODE

RD = "EPSG:28992"
#: Bounds of the Netherlands in RD New with a margin (metres): x, y min and max.
RD_BOUNDS = (-10_000.0, 280_000.0, 310_000.0, 640_000.0)
WGS84_BOUNDS = (2.5, 50.0, 7.6, 54.0)
SOURCE = "cbs_geometry"

CODE_COLUMNS = ("statcode", "buurtcode", "wijkcode", "gemeentecode", "bu_code", "wk_code", "gm_code", "code")
_NAME_COLUMNS = {
    "buurt": ("statnaam", "buurtnaam", "bu_naam", "naam", "name"),
    "wijk": ("statnaam", "wijknaam", "wk_naam", "naam", "name"),
    "gemeente": ("statnaam", "gemeentenaam", "gm_naam", "naam", "name"),
}
_PDOK_LAYERS = {"buurten": ("buurt", "buurtcode"), "wijken": ("wijk", "wijkcode"), "gemeenten": ("gemeente", "gemeentecode")}
_NON_MEASURES = frozenset(
    {
        "id",
        "fid",
        "jrstatcode",
        "jaarstatcode",
        "meest_voorkomende_postcode",
        "indelingswijziging_wijken_en_buurten",
        "n_buurten",
        "postcode",
    }
)


@dataclass(frozen=True)
class GeometryFile:
    areas: pd.DataFrame  # AREA_COLUMNS + geometry (WKB bytes, EPSG:28992)
    measurements: pd.DataFrame
    source_crs: str
    derived: pd.DataFrame  # wijken and gemeenten without a boundary in the file, dissolved from its buurten
    water: int = 0  # water areas left out (water = 'JA', codes …9997/9998/9999)


def _level_of(code: str) -> str | None:
    if BUURT_CODE.match(code):
        return "buurt"
    if WIJK_CODE.match(code):
        return "wijk"
    if GEMEENTE_CODE.match(code):
        return "gemeente"
    return None


MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")  # UTF-8 read as Latin-1/Windows-1252: "Ã©" for "é"


def read_layer(path: Path, layer: str | None):
    """The layer as a GeoDataFrame with lower-case column names. A shapefile's DBF text is decoded as its .cpg
    says; without one as UTF-8 when that reads cleanly, else as Windows-1252 (what GDAL would assume) — an "é"
    never becomes "Ã©"."""
    frame = _read_raw(path, layer)
    if path.suffix.lower() == ".shp" and not path.with_suffix(".cpg").exists() and not path.with_suffix(".CPG").exists():
        text = frame[
            [
                c
                for c in frame.columns
                if c != frame.geometry.name and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
            ]
        ]
        if any(text[c].astype(str).str.contains(MOJIBAKE).any() for c in text.columns):
            frame = _read_raw(path, layer, encoding="UTF-8")
    frame.columns = [c if c == frame.geometry.name else str(c).strip().lower() for c in frame.columns]
    return frame.set_geometry(frame.geometry.name)


def _read_raw(path: Path, layer: str | None, encoding: str | None = None):
    import geopandas as gpd
    import pyogrio

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            extra = {"encoding": encoding} if encoding else {}
            return gpd.read_file(path, layer=layer, engine="pyogrio", **extra)
    except pyogrio.errors.DataSourceError as exc:
        raise InputError(path, "a readable GeoJSON, TopoJSON or GeoPackage file", found=str(exc)[:120]) from None
    except pyogrio.errors.DataLayerError as exc:
        raise InputError(path, f"a layer named '{layer}'", found=str(exc)[:120]) from None
    except Exception as exc:  # GDAL reports broken JSON and truncated files in several ways
        raise InputError(path, "a readable GeoJSON, TopoJSON or GeoPackage file", found=str(exc)[:120]) from None


def _in_bounds(bounds: np.ndarray, box: tuple[float, float, float, float]) -> bool:
    return bool(bounds[0] >= box[0] and bounds[1] >= box[1] and bounds[2] <= box[2] and bounds[3] <= box[3])


def to_rd(frame, path: Path, crs: str | None = None):
    """Return the frame in EPSG:28992, converting when needed; refuse coordinates outside NL. ``crs``: the CRS of
    a file that has none (a shapefile without .prj); without it a file in lon/lat degrees
    (EPSG:4326) is refused with what the coordinates look like; one whose coordinates can only be RD New (as the
    CBS publishes its TopoJSON) is taken as RD New."""
    if frame.empty:
        raise InputError(path, "at least one feature", found="no features")
    bounds = frame.total_bounds
    if crs is not None:
        try:
            frame = frame.set_crs(crs, allow_override=True)
        except Exception as exc:  # pyproj: an unknown CRS
            raise InputError(path, "a CRS such as EPSG:4326 or EPSG:28992 (--crs)", found=f"{crs}: {str(exc)[:80]}") from None
    elif frame.crs is None:
        if _in_bounds(bounds, RD_BOUNDS):
            frame = frame.set_crs(RD)
        elif _in_bounds(bounds, WGS84_BOUNDS):
            raise InputError(
                path,
                "a CRS in the file (.prj) or given with --crs",
                found=f"no CRS; the coordinates look like lon/lat degrees (bounds {np.round(bounds, 3).tolist()})",
                hint="add --crs EPSG:4326 (or the file's own CRS, e.g. EPSG:4258)",
            )
        else:
            raise InputError(
                path,
                "coordinates in EPSG:28992 (RD New) or WGS84 within the Netherlands",
                found=f"no CRS and bounds {np.round(bounds, 1).tolist()}",
            )
    source_crs = frame.crs.to_string()
    if frame.crs.to_epsg() != 28992:
        frame = frame.to_crs(RD)
    bounds = frame.total_bounds
    if not np.all(np.isfinite(bounds)) or not _in_bounds(bounds, RD_BOUNDS):
        raise InputError(
            path,
            f"coordinates that lie in the Netherlands in the file's CRS ({source_crs})",
            found=f"bounds {np.round(frame.total_bounds, 1).tolist()} in EPSG:28992 (wrong CRS in the file?)",
        )
    return frame, source_crs


def _check_geometry(frame, path: Path, code_column: str) -> None:
    import shapely

    geoms = frame.geometry.values
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise InputError(
            path,
            "a polygon for every feature",
            row=i + 1,
            column="geometry",
            found=f"no geometry for {frame[code_column].iloc[i]}",
        )
    kinds = shapely.get_type_id(geoms)
    not_polygon = ~np.isin(kinds, (3, 6))
    if not_polygon.any():
        i = int(np.flatnonzero(not_polygon)[0])
        raise InputError(
            path,
            "Polygon or MultiPolygon",
            row=i + 1,
            column="geometry",
            found="empty" if geoms[i] is None else geoms[i].geom_type,
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        i = int(np.flatnonzero(invalid)[0])
        raise InputError(
            path,
            "a valid polygon",
            row=i + 1,
            column="geometry",
            found=f"{frame[code_column].iloc[i]}: {shapely.is_valid_reason(geoms[i])}",
        )


def _year_from(path: Path, frame) -> int | None:
    match = re.search(r"(19|20)\d{2}", path.name)
    if match:
        return int(match.group(0))
    for col in ("jaarstatcode", "jrstatcode"):
        if col in frame.columns and frame[col].notna().any():
            m = re.match(r"(\d{4})", str(frame[col].dropna().iloc[0]))
            if m:
                return int(m.group(1))
    return None


def _areas_from_frame(frame, path: Path, code_column: str, level_hint: str | None):
    codes = frame[code_column].astype("string").str.strip().str.upper()
    if codes.isna().any():
        i = int(np.flatnonzero(codes.isna().to_numpy())[0])
        raise InputError(path, "a CBS area code", row=i + 1, column=code_column, found="an empty value")
    levels = codes.map(_level_of)
    if levels.isna().any():
        i = int(np.flatnonzero(levels.isna().to_numpy())[0])
        raise InputError(
            path,
            "a CBS area code (BU…, WK…, GM…)",
            row=i + 1,
            column=code_column,
            found=codes.iloc[i],
            hint=f"a gemeente's own codes: --code-column {code_column} --code-template 'BU0599{{}}' (your gemeente's number)",
        )
    if level_hint and (levels != level_hint).any():
        i = int(np.flatnonzero((levels != level_hint).to_numpy())[0])
        raise InputError(path, f"a {level_hint} code", row=i + 1, column=code_column, found=codes.iloc[i])
    dup = codes.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(path, "each area once", row=i + 1, column=code_column, found=codes.iloc[i])
    names = pd.Series(pd.NA, index=frame.index, dtype="string")
    level = levels.iloc[0]
    for candidate in _NAME_COLUMNS[level]:
        if candidate in frame.columns:
            names = frame[candidate].astype("string").str.strip()
            break
    areas = pd.DataFrame({"code": codes, "level": levels, "name": names})
    is_buurt = areas["level"] == "buurt"
    areas["wijk_code"] = pd.Series(pd.NA, index=areas.index, dtype="string")
    areas.loc[is_buurt, "wijk_code"] = wijk_of(codes[is_buurt])
    areas["gemeente_code"] = gemeente_of(codes).where(areas["level"] != "gemeente")
    areas["geometry"] = frame.geometry.to_wkb().to_numpy()
    return areas


def _numeric_measurements(frame, codes: pd.Series, year: int | None) -> pd.DataFrame:
    columns = [
        c for c in frame.columns if c != "geometry" and c.lower() not in _NON_MEASURES and pd.api.types.is_numeric_dtype(frame[c])
    ]
    if not columns or year is None:
        return pd.DataFrame(columns=["area_code", "year", "indicator", "value", "source", "vintage"])
    wide = frame[columns].astype("float64")
    wide = wide.mask(wide < 0)  # PDOK/CBS secret or not-applicable sentinels: -99997, -99999999 …
    wide.insert(0, "area_code", codes.to_numpy())
    long = wide.melt(id_vars="area_code", var_name="column", value_name="value").dropna(subset=["value"])
    return pd.DataFrame(
        {
            "area_code": long["area_code"].astype("string"),
            "year": np.int32(year),
            "indicator": ("wijkenbuurten." + long["column"]).astype("string"),
            "value": long["value"],
            "source": "cbs_wijkenbuurten",
            "vintage": f"wijkenbuurten-{year}",
        }
    )


GRID_CELL = re.compile(r"^E\d{3,4}N\d{3,4}$")  # CBS vierkant ids: E1234N4567 (100 m), E123N456 (500 m)
WATER_CODE = re.compile(r"^BU\d{4}99(97|98|99)$")


def grid_column(frame) -> str | None:
    for column in frame.columns:
        if column == "geometry" or not (frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column])):
            continue
        values = frame[column].dropna().astype(str).head(50)
        if len(values) and values.str.match(GRID_CELL).all():
            return column
    return None


def _water(frame, codes: pd.Series) -> np.ndarray:
    """Water areas: ``water = 'JA'`` (PDOK) or the CBS codes for water (…9997 binnenwater, …9998 buitenwater,
    …9999 buitenland)."""
    flag = np.zeros(len(frame), dtype=bool)
    if "water" in frame.columns:
        flag |= frame["water"].astype("string").str.strip().str.upper().eq("JA").fillna(False).to_numpy()
    return flag | codes.str.match(WATER_CODE).fillna(False).to_numpy()


def read_geometry(
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | None = None,
    code_column: str | None = None,
    code_template: str | None = None,
) -> GeometryFile:
    """``code_column``: the column with the codes (case ignored); ``code_template``: how to make CBS codes of a
    gemeente's own codes, e.g. ``BU0599{}`` for a 4-digit ``BUURTCODE`` (``{:04d}`` pads a number)."""
    import pyogrio

    path = Path(path)
    if not path.exists():
        raise InputError(path, "an existing file", found="no such file")
    if path.stat().st_size == 0:
        raise InputError(path, "a GeoJSON, TopoJSON or GeoPackage file", found="an empty file")
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
    except Exception as exc:
        raise InputError(path, "a readable GeoJSON, TopoJSON or GeoPackage file", found=str(exc)[:120]) from None
    if layer:
        wanted = [layer]
    elif set(_PDOK_LAYERS) & set(layers):
        wanted = [name for name in _PDOK_LAYERS if name in layers]
    elif len(layers) > 1:
        raise InputError(path, "one layer, or --layer NAME to say which", found="layers " + ", ".join(layers))
    else:
        wanted = [layers[0]]
    parts, measures, crs_seen, water_count = [], [], None, 0
    for name in wanted:
        frame = read_layer(path, name if len(layers) > 1 or layer else None)
        grid = grid_column(frame)
        if grid is not None:
            raise InputError(
                path,
                "buurt, wijk or gemeente boundaries, not a CBS grid of 100 m or 500 m cells",
                column=grid,
                found=f"grid cells such as {frame[grid].iloc[0]}",
                hint="a grid is aggregated to buurten with 'wijkvitaliteit import grid FILE'",
            )
        frame, crs_seen = to_rd(frame, path, crs)
        level_hint, preferred = _PDOK_LAYERS.get(name, (None, None))
        if code_column is not None:
            column = code_column.strip().lower()
            if column not in frame.columns:
                raise InputError(
                    path,
                    f"a column named '{code_column}'",
                    found="columns " + ", ".join(c for c in frame.columns if c != "geometry"),
                )
        else:
            candidates = ([preferred] if preferred else []) + list(CODE_COLUMNS)
            column = next((c for c in candidates if c in frame.columns), None)  # type: ignore[assignment]
        if column is None:
            raise InputError(
                path,
                "a code column (statcode, buurtcode, wijkcode or gemeentecode; --code-column for another)",
                column="statcode",
                found="columns " + ", ".join(c for c in frame.columns if c != "geometry"),
                hint="a gemeente's own codes: --code-column BUURTCODE --code-template 'BU0599{}'",
            )
        if code_template is not None:
            frame[column] = _templated(frame[column], code_template, path, column)
        _check_geometry(frame, path, column)
        codes = frame[column].astype("string").str.strip().str.upper()
        water = _water(frame, codes)
        water_count += int(water.sum())
        frame = frame[~water].reset_index(drop=True)  # water is not scored and not drawn
        if frame.empty:
            continue
        areas = _areas_from_frame(frame, path, column, level_hint)
        parts.append(areas)
        measures.append(_numeric_measurements(frame, areas["code"], _year_from(path, frame)))
    if not parts:
        raise InputError(path, "at least one land area", found=f"{water_count} water areas only")
    areas = pd.concat(parts, ignore_index=True)
    geometry = areas.set_index("code")["geometry"]
    full = with_parent_areas(areas[AREA_COLUMNS].drop_duplicates("code"))
    full["geometry"] = full["code"].map(geometry).astype(object).where(full["code"].isin(geometry.index), None)
    derived = dissolve_parents(full)
    full = full[~full["code"].isin(derived["code"])].reset_index(drop=True)
    return GeometryFile(
        areas=full,
        measurements=pd.concat(measures, ignore_index=True),
        source_crs=crs_seen or RD,
        derived=derived,
        water=water_count,
    )


def _templated(values: pd.Series, template: str, path: Path, column: str) -> pd.Series:
    """CBS codes from a gemeente's own codes: ``BU0599{}`` with '0101' gives BU05990101; ``{:04d}`` pads 101."""
    out = []
    for i, value in enumerate(values):
        text = "" if pd.isna(value) else str(value).strip()
        if text.endswith(".0"):  # a number column read as float
            text = text[:-2]
        try:
            out.append(template.format(int(text)) if "{:" in template else template.format(text))
        except (ValueError, IndexError, KeyError):
            raise InputError(
                path, f"a value the code template '{template}' can use", row=i + 1, column=column, found=text or "empty"
            ) from None
    return pd.Series(out, index=values.index, dtype="string")


def dissolve_parents(areas: pd.DataFrame) -> pd.DataFrame:
    """Boundaries for wijken and gemeenten that have none, as the union of their buurten's polygons."""
    import shapely

    buurten = areas[(areas["level"] == "buurt") & areas["geometry"].notna()]
    missing = areas[areas["geometry"].isna() & areas["level"].isin(["wijk", "gemeente"])]
    if buurten.empty or missing.empty:
        return missing.iloc[0:0]
    polygons = pd.Series(list(shapely.from_wkb(buurten["geometry"].map(bytes).to_numpy())), index=buurten.index)
    rows = []
    for level, parent in (("wijk", "wijk_code"), ("gemeente", "gemeente_code")):
        wanted = set(missing.loc[missing["level"] == level, "code"])
        for code, group in polygons.groupby(buurten[parent]):
            if code in wanted:
                rows.append((code, shapely.to_wkb(shapely.union_all(group.to_numpy(), grid_size=None))))
    geometry = dict(rows)
    derived = missing[missing["code"].isin(geometry)].copy()
    derived["geometry"] = derived["code"].map(geometry).astype(object)
    return derived.reset_index(drop=True)

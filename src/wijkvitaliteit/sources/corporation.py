"""The corporation's own records: documented formats (see docs/formats.md) and their reader.

A corporation delivers four tables — dwellings, lettings, nuisance reports and the organisation
register — as CSV files (``dwellings.csv`` …) or xlsx files in one folder, or as one xlsx workbook with
a sheet per table. An optional ``corporatie.toml`` names the corporation and says whether it is
fictitious. The import replaces all earlier records: a delivery is a full snapshot.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.tabular import (
    Column,
    TableFormat,
    apply_format,
    decode_text,
    is_in,
    read_csv_text,
    read_xlsx,
)

INCOME_CLASSES = ("bijstand", "huurtoeslag", "midden", "hoog")
DWELLING_TYPES = ("eengezins", "portiek", "galerij", "maisonnette", "flat", "seniorenwoning", "overig")
HOUSEHOLD_TYPES = ("alleenstaand", "paar", "gezin", "eenoudergezin", "overig")
AGE_BANDS = ("<23", "23-29", "30-44", "45-64", "65+")
NUISANCE_CATEGORIES = ("geluid", "vervuiling", "agressie", "drugs", "huisdieren", "woonfraude", "overig")
NUISANCE_STATUS = ("open", "in behandeling", "afgehandeld")

DWELLINGS = TableFormat(
    name="dwellings",
    description="Verhuureenheden: one row per dwelling the corporation owns (current stock).",
    key=("dwelling_id",),
    columns=(
        Column("dwelling_id", "str", description="The corporation's own id of the dwelling (VHE-nummer)."),
        Column("complex", "str", required=False, description="Complex id."),
        Column("postcode", "str", required=False, description="Postcode (PC6 like 6537AB, or PC4)."),
        Column(
            "buurt_code", "buurt_code", required=False, description="CBS buurt code (BU + 8). Required unless x and y are given."
        ),
        Column(
            "x",
            "float",
            required=False,
            unit="m",
            description="RD New x (EPSG:28992), used when buurt_code is empty to find the buurt; not stored.",
        ),
        Column("y", "float", required=False, unit="m", description="RD New y (EPSG:28992), as x."),
        Column("dwelling_type", "choice", choices=DWELLING_TYPES, description="Type of dwelling."),
        Column("build_year", "int", required=False, minimum=1500, maximum=2100, description="Bouwjaar."),
        Column(
            "energy_label",
            "choice",
            required=False,
            choices=("a++++", "a+++", "a++", "a+", "a", "b", "c", "d", "e", "f", "g"),
            description="Energielabel.",
        ),
        Column("rent", "float", required=False, minimum=0, maximum=10000, unit="EUR/month", description="Kale huur per month."),
    ),
)

LETTINGS = TableFormat(
    name="lettings",
    description="Nieuwe verhuringen: one row per new tenancy.",
    key=("letting_id",),
    columns=(
        Column("letting_id", "str", description="Id of the letting (contract)."),
        Column("dwelling_id", "str", description="The dwelling let; must be in dwellings."),
        Column("start_date", "date", past=True, description="First day of the tenancy, YYYY-MM-DD."),
        Column("household_type", "choice", required=False, choices=HOUSEHOLD_TYPES, description="Household type."),
        Column("age_band", "choice", required=False, choices=AGE_BANDS, description="Age of the main tenant."),
        Column(
            "income_class",
            "choice",
            choices=INCOME_CLASSES,
            description="Income relative to the limits: bijstand = at or below bijstand level; huurtoeslag = "
            "above it but within the huurtoeslag limit; midden = up to the DAEB limit; hoog = above.",
        ),
        Column("uitstroom_ggz", "bool", description="Tenant leaves mental-health care (GGZ)."),
        Column("uitstroom_mo", "bool", description="Tenant leaves maatschappelijke opvang."),
        Column("uitstroom_bw", "bool", description="Tenant leaves beschermd wonen."),
        Column("statushouder", "bool", description="Tenant is a statushouder."),
        Column("urgent", "bool", required=False, description="Housed with an urgency declaration."),
        Column(
            "contacted_within_6_weeks",
            "bool",
            required=False,
            description="The corporation visited or called the new tenant within six weeks (empty = not recorded).",
        ),
    ),
)

NUISANCE = TableFormat(
    name="nuisance",
    description="Overlastmeldingen: one row per report received by the corporation.",
    key=("report_id",),
    columns=(
        Column("report_id", "str", description="Id of the report."),
        Column("report_date", "date", past=True, description="Date received, YYYY-MM-DD."),
        Column("dwelling_id", "str", required=False, description="Dwelling it is about (or empty)."),
        Column("buurt_code", "buurt_code", required=False, description="Buurt it is about; required when dwelling_id is empty."),
        Column("category", "choice", choices=NUISANCE_CATEGORIES, description="Kind of nuisance."),
        Column("severity", "int", minimum=1, maximum=3, description="1 light, 2 serious, 3 severe."),
        Column("status", "choice", required=False, choices=NUISANCE_STATUS, description="Handling status."),
    ),
)

ORGANISATION = TableFormat(
    name="organisation",
    description="Organisatieregister: one row per buurt and year, what organises the buurt.",
    key=("buurt_code", "year"),
    columns=(
        Column("buurt_code", "buurt_code", description="CBS buurt code."),
        Column("year", "int", minimum=1990, maximum=2100, past=True, description="Year the row describes."),
        Column("wijkraad", "bool", description="An active wijkraad or wijkplatform covers the buurt."),
        Column("wijkregisseur", "bool", description="The gemeente has a wijkregisseur for it."),
        Column("buurtbeheerder", "bool", description="The corporation has a buurtbeheerder there."),
        Column("bewonerscommissies", "int", minimum=0, maximum=1000, description="Active bewonerscommissies."),
        Column("clubs", "int", minimum=0, maximum=10000, description="Clubs and associations active in the buurt."),
        Column(
            "buurtfonds_aanvragen",
            "int",
            minimum=0,
            maximum=10000,
            description="Requests to the corporation's buurtfonds in that year.",
        ),
    ),
)

FORMATS = {f.name: f for f in (DWELLINGS, LETTINGS, NUISANCE, ORGANISATION)}
VULNERABLE_FLAGS = ("uitstroom_ggz", "uitstroom_mo", "uitstroom_bw", "statushouder")


@dataclass(frozen=True)
class CorporationRecords:
    name: str
    fictitious: bool
    dwellings: pd.DataFrame
    lettings: pd.DataFrame
    nuisance: pd.DataFrame
    organisation: pd.DataFrame
    files: dict[str, Path]

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "dwellings": self.dwellings,
            "lettings": self.lettings,
            "nuisance": self.nuisance,
            "organisation": self.organisation,
        }


def locate_tables(path: Path, formats: dict[str, TableFormat], what: str) -> dict[str, tuple[Path, str | None]]:
    """Where each table is: (file, sheet) — a folder of CSV/xlsx files or one workbook with a sheet per table."""
    if path.is_file() and path.suffix.lower() == ".xlsx":
        return {name: (path, name) for name in formats}
    if not path.is_dir():
        raise InputError(
            path, f"a folder with {what} files, or one xlsx workbook with those sheets", found="no such folder or workbook"
        )
    found: dict[str, tuple[Path, str | None]] = {}
    for name in formats:
        for suffix in (".csv", ".xlsx"):
            candidate = path / f"{name}{suffix}"
            if candidate.exists():
                found[name] = (candidate, None)
                break
        else:
            raise InputError(path / f"{name}.csv", f"the {name} table as {name}.csv or {name}.xlsx", found="no such file")
    return found


def read_tables(path: Path, formats: dict[str, TableFormat], what: str) -> tuple[dict[str, pd.DataFrame], dict[str, Path]]:
    """Read and validate each table of ``formats``; also return how each file is named in errors."""
    where = locate_tables(path, formats, what)
    shown = {name: Path(f"{file}[{sheet}]") if sheet else file for name, (file, sheet) in where.items()}

    def read(name: str) -> pd.DataFrame:
        file, sheet = where[name]
        raw = read_xlsx(file, sheet)[0] if file.suffix.lower() == ".xlsx" else read_csv_text(file, decode_text(file))
        return apply_format(raw, shown[name], formats[name])

    # the tables are read side by side (Arrow and the parsers release the GIL); errors surface in table
    # order, so a delivery with two bad files always names the same one
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(read, name) for name in where}
        tables = {name: future.result() for name, future in futures.items()}
    return tables, shown


def _manifest(path: Path) -> tuple[str, bool]:
    folder = path if path.is_dir() else path.parent
    manifest = folder / "corporatie.toml"
    if not manifest.exists():
        return ("Corporatie", False)
    try:
        data = tomllib.loads(decode_text(manifest))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(manifest, "valid TOML", found=str(exc)) from None
    return (str(data.get("name", "Corporatie")), bool(data.get("fictitious", False)))


def first_row(mask: pd.Series) -> int:
    return int(np.flatnonzero(mask.to_numpy())[0])


def lookup(mapping: pd.Series, keys: pd.Series) -> pd.Series:
    """``keys.map(mapping)`` for a unique text index: one Arrow hash lookup and a take (not a Python call
    per key)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def arrow(values: pd.Series) -> pa.Array:
        array = pa.array(values.astype("string").array)
        return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array

    position = pc.index_in(arrow(keys), value_set=arrow(mapping.index.to_series()))
    taken = pc.take(arrow(mapping), position)
    out = taken.to_pandas(
        types_mapper=lambda t: pd.StringDtype() if pa.types.is_string(t) or pa.types.is_large_string(t) else None
    )
    return out.set_axis(keys.index)


def read_corporation(path: str | Path, known_buurten: set[str], buurt_polygons=None) -> CorporationRecords:
    """Read and validate the four tables. ``known_buurten`` are the workspace's buurt codes: a record in
    another buurt is refused. ``buurt_polygons`` (a GeoDataFrame with ``code``) places dwellings that
    come with x/y instead of a buurt code."""
    path = Path(path)
    tables, shown = read_tables(path, FORMATS, "dwellings, lettings, nuisance and organisation")
    dwellings, lettings, nuisance, organisation = (tables[n] for n in FORMATS)

    # dwellings: a buurt for each, from the code or from x/y
    no_code = dwellings["buurt_code"].isna()
    if no_code.any():
        has_xy = dwellings["x"].notna() & dwellings["y"].notna()
        if (no_code & ~has_xy).any():
            i = first_row(no_code & ~has_xy)
            raise InputError(shown["dwellings"], "a buurt_code, or x and y", row=i + 2, column="buurt_code", found="empty")
        dwellings.loc[no_code, "buurt_code"] = _locate_points(dwellings[no_code], buurt_polygons, shown["dwellings"])
    for name, frame in (("dwellings", dwellings), ("organisation", organisation)):
        unknown = ~is_in(frame["buurt_code"], known_buurten)
        if unknown.any():
            i = first_row(unknown)
            raise InputError(
                shown[name],
                "a buurt known in the workspace (import codes or Leefbaarometer first)",
                row=i + 2,
                column="buurt_code",
                found=frame["buurt_code"].iloc[i],
            )
    dwellings = dwellings.drop(columns=["x", "y"])

    # lettings: every dwelling known; the buurt follows from the dwelling
    buurt_of = dwellings.set_index("dwelling_id")["buurt_code"]
    unknown = ~is_in(lettings["dwelling_id"], buurt_of.index)
    if unknown.any():
        i = first_row(unknown)
        raise InputError(
            shown["lettings"],
            "a dwelling_id listed in dwellings",
            row=i + 2,
            column="dwelling_id",
            found=lettings["dwelling_id"].iloc[i],
        )
    lettings.insert(2, "buurt_code", lookup(buurt_of, lettings["dwelling_id"]))
    lettings["vulnerable"] = lettings[list(VULNERABLE_FLAGS)].fillna(False).any(axis=1)

    # nuisance: a dwelling or a buurt; both must be known and agree
    has_dwelling = nuisance["dwelling_id"].notna()
    unknown = has_dwelling & ~is_in(nuisance["dwelling_id"], buurt_of.index)
    if unknown.any():
        i = first_row(unknown)
        raise InputError(
            shown["nuisance"],
            "a dwelling_id listed in dwellings",
            row=i + 2,
            column="dwelling_id",
            found=nuisance["dwelling_id"].iloc[i],
        )
    from_dwelling = lookup(buurt_of, nuisance["dwelling_id"])
    conflict = has_dwelling & nuisance["buurt_code"].notna() & (nuisance["buurt_code"] != from_dwelling)
    if conflict.any():
        i = first_row(conflict)
        raise InputError(
            shown["nuisance"],
            f"the buurt of dwelling {nuisance['dwelling_id'].iloc[i]} ({from_dwelling.iloc[i]})",
            row=i + 2,
            column="buurt_code",
            found=nuisance["buurt_code"].iloc[i],
        )
    nuisance["buurt_code"] = nuisance["buurt_code"].fillna(from_dwelling)
    missing = nuisance["buurt_code"].isna()
    if missing.any():
        i = first_row(missing)
        raise InputError(shown["nuisance"], "a dwelling_id or a buurt_code", row=i + 2, column="buurt_code", found="both empty")
    unknown = ~is_in(nuisance["buurt_code"], known_buurten)
    if unknown.any():
        i = first_row(unknown)
        raise InputError(
            shown["nuisance"],
            "a buurt known in the workspace",
            row=i + 2,
            column="buurt_code",
            found=nuisance["buurt_code"].iloc[i],
        )
    nuisance = nuisance[["report_id", "report_date", "dwelling_id", "buurt_code", "category", "severity", "status"]]
    name, fictitious = _manifest(path)
    return CorporationRecords(
        name=name,
        fictitious=fictitious,
        dwellings=dwellings,
        lettings=lettings,
        nuisance=nuisance,
        organisation=organisation,
        files=shown,
    )


def _locate_points(rows: pd.DataFrame, polygons, path: Path) -> pd.Series:
    """Buurt code for each dwelling from its RD coordinates (point in polygon)."""
    import geopandas as gpd

    if polygons is None or len(polygons) == 0:
        raise InputError(
            path,
            "buurt_code (the workspace has no buurt boundaries to place x/y)",
            row=int(rows.index[0]) + 2,
            column="buurt_code",
            found="empty",
        )
    points = gpd.GeoDataFrame(rows[["dwelling_id"]], geometry=gpd.points_from_xy(rows["x"], rows["y"]), crs="EPSG:28992")
    joined = gpd.sjoin(points, polygons[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    outside = joined["code"].isna()
    if outside.any():
        i = int(joined.index[outside.to_numpy()][0])
        raise InputError(
            path, "x/y inside a buurt of the workspace", row=i + 2, column="x", found=f"{rows.loc[i, 'x']}, {rows.loc[i, 'y']}"
        )
    return joined["code"].astype("string")


def formats_markdown(formats: dict[str, TableFormat] | None = None) -> str:
    """The reference tables of docs/formats.md, generated from the formats (the corporation's by default;
    the allocation round's too): a test keeps them equal."""
    kinds = {
        "str": "text",
        "int": "whole number",
        "float": "number",
        "bool": "ja/nee, 1/0, true/false",
        "date": "date YYYY-MM-DD",
        "buurt_code": "CBS buurt code",
        "choice": "one of",
    }
    parts = []
    for fmt in (formats or FORMATS).values():
        parts.append(f"### `{fmt.name}` — {fmt.description}\n")
        if fmt.key:
            parts.append(f"Key: {' + '.join(f'`{k}`' for k in fmt.key)} (each once).\n")
        parts.append("| column | required | type | meaning |\n|---|---|---|---|")
        for col in fmt.columns:
            kind = kinds[col.kind]
            if col.choices:
                kind += " " + ", ".join(f"`{c}`" for c in col.choices)
            if col.past:
                low = f"{col.minimum:g}" if col.minimum is not None else "1990"
                kind += f" ({low} … today)"
            elif col.minimum is not None or col.maximum is not None:
                low = "" if col.minimum is None else f"{col.minimum:g}"
                high = "" if col.maximum is None else f"{col.maximum:g}"
                kind += f" ({low} … {high})"
            if col.unit:
                kind += f", {col.unit}"
            parts.append(f"| `{col.name}` | {'yes' if col.required else 'no'} | {kind} | {col.description} |")
        parts.append("")
    return "\n".join(parts)

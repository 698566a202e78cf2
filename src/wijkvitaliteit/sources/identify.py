"""``wijkvitaliteit inspect FILE``: what a file is (format, publisher and table, level, years, code or name
column, CRS, encoding, rows, CBS symbols) and the import command that reads it — or, for a file no importer
takes, what was found and what is expected. It reads headers and counts; it never writes."""

from __future__ import annotations

import re
import shlex
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wijkvitaliteit.sources.codes import COLUMN_PATTERNS
from wijkvitaliteit.sources.geometry import CODE_COLUMNS
from wijkvitaliteit.sources.statline import (
    PERIOD,
    PERIOD_HEADERS,
    POLICE_MEASURES,
    REGION_HEADERS,
    SYMBOLS,
    YEAR_IN_NAME,
)
from wijkvitaliteit.sources.tabular import check_file

GEO_SUFFIXES = {".gpkg", ".shp", ".geojson", ".json", ".topojson"}
CORPORATION_NAMES = {"dwellings", "lettings", "nuisance", "organisation", "responses"}
POLICE_TABLES = {
    "overlast": "47024NED (Geregistreerde overlast; wijk, buurt)",
    "misdrijven": "47018NED/47022NED (Geregistreerde misdrijven; wijk, buurt)",
}
CODE = re.compile(r"^(GM\d{4}|WK\d{4}[0-9A-Z]{2}|BU\d{4}[0-9A-Z]{4})$")


@dataclass
class Inspection:
    path: Path
    format: str
    what: str = "not recognised"
    facts: dict[str, str] = field(default_factory=dict)
    command: str | None = None
    expected: str | None = None

    def lines(self) -> list[str]:
        out = [f"{self.path.name}: {self.format} — {self.what}"]
        out += [f"  {k}: {v}" for k, v in self.facts.items()]
        if self.command:
            out.append(f"  import: {self.command}")
        else:
            out.append(f"  no import reads this file; expected {self.expected or 'one of the formats in docs/formats.md'}")
        return out


def _q(path: Path) -> str:
    """A path as it must be typed in a shell (StatLine and BZK file names hold spaces)."""
    return shlex.quote(str(path))


def inspect(path: str | Path) -> Inspection:
    path = Path(path)
    if path.is_dir():
        present = sorted(p.stem for p in path.iterdir() if p.stem in CORPORATION_NAMES)
        found = Inspection(path, "folder")
        if {"dwellings", "lettings"} <= set(present):
            found.what = "a corporation delivery"
            found.facts["files"] = ", ".join(present)
            found.command = f"wijkvitaliteit import corporation {_q(path)}"
        else:
            _folder_of_files(path, found, incomplete_delivery=bool(present))
        return found
    check_file(path)
    suffix = path.suffix.lower()
    if suffix in GEO_SUFFIXES and not (suffix == ".json" and _looks_like_plain_json(path)):
        return _geo(path)
    if suffix == ".zip":
        return _zip(path)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx(path)
    return _text(path)


def _folder_of_files(path: Path, found: Inspection, *, incomplete_delivery: bool, limit: int = 40) -> None:
    """A folder that is no corporation delivery (a download unpacked, a folder of boundaries): each file's import,
    one command per line, so that the whole folder can be read without guessing."""
    files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    if incomplete_delivery or not files:
        found.expected = "a corporation delivery folder with dwellings and lettings, or a folder of files (docs/formats.md)"
        return
    found.what = f"a folder of {len(files)} files"
    commands = []
    for file in files[:limit]:
        if file.suffix.lower() in (".shx", ".dbf", ".prj", ".cpg", ".qmd", ".xml", ".pdf", ".txt", ".md"):
            continue  # a shapefile's companions and documents: read with their .shp, or not at all
        try:
            each = inspect(file)
        except Exception as exc:  # noqa: BLE001 — one unreadable file is reported, the others still inspected
            found.facts[file.name] = f"not readable ({type(exc).__name__})"
            continue
        found.facts[file.name] = each.what
        if each.command:
            commands.append(each.command)
    if len(files) > limit:
        found.facts["…"] = f"{len(files) - limit} more files not inspected"
    if commands:
        found.command = "\n    ".join(commands)
    else:
        found.expected = "a corporation delivery folder with dwellings and lettings, or files an import reads"


def _looks_like_plain_json(path: Path) -> bool:
    head = path.read_bytes()[:2000]
    return b'"type"' not in head and b"Feature" not in head and b"Topology" not in head


def _geo(path: Path) -> Inspection:
    import pyogrio

    found = Inspection(path, {".gpkg": "GeoPackage", ".shp": "shapefile"}.get(path.suffix.lower(), "GeoJSON/TopoJSON"))
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except Exception as exc:  # noqa: BLE001 — a file GDAL cannot open: say so
        found.expected = f"a readable vector file ({type(exc).__name__}: {str(exc)[:80]})"
        return found
    found.facts["layers"] = ", ".join(layers)
    info = pyogrio.read_info(path, layer=layers[0])
    crs = info.get("crs")
    found.facts["CRS"] = crs or "none" + _crs_guess(info.get("total_bounds"))
    fields = [str(f) for f in info.get("fields", [])]
    found.facts["columns"] = ", ".join(fields[:12]) + (" …" if len(fields) > 12 else "")
    found.facts["features"] = str(info.get("features"))
    code = next((f for f in fields if f.lower() in CODE_COLUMNS), None)
    found.facts["code column"] = code or "none"
    if any(re.fullmatch(r"(c28992r)?(100|500)m?|vierkant.*|crs28992res\d+m", f.lower()) for f in fields) or any(
        "vierkant" in layer.lower() for layer in layers
    ):
        found.what = "a CBS grid (vierkantstatistieken), aggregated to the workspace's buurten"
        found.command = f"wijkvitaliteit import grid {_q(path)}"
        return found
    found.what = "area boundaries"
    if code is None:
        found.expected = "a column with CBS codes (statcode, buurtcode, bu_code, …; --code-column for another)"
        return found
    sample = pyogrio.read_dataframe(path, layer=layers[0], columns=[code], read_geometry=False, max_features=20)[code]
    own_codes = not sample.astype(str).str.strip().str.upper().str.match(CODE).all()
    if own_codes:
        found.facts["code column"] = f"{code}: the gemeente's own codes (e.g. {sample.iloc[0]}), not CBS codes"
    layer = (
        ""
        if len(layers) == 1 or path.suffix.lower() != ".gpkg"
        else ("" if {"buurten", "wijken", "gemeenten"} & set(layers) else f" --layer {shlex.quote(layers[0])}")
    )
    options = f" --code-column {code} --code-template 'BUGGGG{{}}'" if own_codes else ""
    if own_codes:
        found.facts["code template"] = "replace GGGG by the gemeente's 4-digit CBS number (Rotterdam: 0599)"
    if not crs and "lon/lat" in found.facts["CRS"]:
        options = " --crs EPSG:4326" + options
    found.command = f"wijkvitaliteit import geometry {_q(path)}{layer}{options}"
    return found


def _crs_guess(bounds) -> str:
    if bounds is None:
        return ""
    x0, y0, x1, y1 = bounds
    if -180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90:
        return " — looks like lon/lat degrees (EPSG:4326)"
    if 0 <= x0 <= x1 <= 300_000 and 300_000 <= y0 <= y1 <= 625_000:
        return " — looks like RD New metres (EPSG:28992)"
    return " — coordinates neither lon/lat nor RD New"


def _zip(path: Path) -> Inspection:
    found = Inspection(path, "zip")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        found.facts["members"] = ", ".join(names[:6]) + (" …" if len(names) > 6 else "")
        csvs = [n for n in names if n.lower().endswith(".csv")]
        if csvs:
            with archive.open(csvs[0]) as handle:
                header = handle.readline().decode("utf-8-sig", "replace").strip()
            if _is_lbm(header):
                found.what = "the Leefbaarometer (zipped CSV)"
                found.command = f"wijkvitaliteit import leefbaarometer {_q(path)}"
                return found
    found.expected = "a Leefbaarometer zip (a CSV with bu_code, jaar, lbm, afw)"
    return found


LBM_LEVELS = (("bu_code", "buurt"), ("wk_code", "wijk"), ("gm_code", "gemeente"))


def _is_lbm(header: str) -> bool:
    cols = {c.strip().strip('"').lower() for c in re.split(r"[,;\t]", header)}
    return {"jaar", "lbm", "afw"} <= cols and bool({"bu_code", "wk_code", "gm_code"} & cols)


def _xlsx(path: Path) -> Inspection:
    import python_calamine as calamine

    found = Inspection(path, "xlsx")
    book = calamine.CalamineWorkbook.from_path(str(path))
    try:
        sheets = list(book.sheet_names)
        found.facts["sheets"] = ", ".join(sheets)
        rows = book.get_sheet_by_index(0).iter_rows()
        header = [str(v).strip() for v in next(rows, [])]
    finally:
        book.close()
    if set(CORPORATION_NAMES) & set(sheets):
        found.what = "a corporation delivery (one workbook)"
        found.command = f"wijkvitaliteit import corporation {_q(path)}"
    elif _is_lbm(",".join(header)):
        level = next((lvl for col, lvl in LBM_LEVELS if col in {h.lower() for h in header}), "")
        found.what = f"the Leefbaarometer ({level} scores, workbook)"
        found.facts["level"] = level
        found.command = f"wijkvitaliteit import leefbaarometer {_q(path)}"
    elif {"recs", "regio"} <= set(header) and ("gwb_code_10" in header or "gwb_code" in header):
        found.what = "CBS Kerncijfers wijken en buurten (KWB workbook)"
        years = YEAR_IN_NAME.findall(path.stem) or YEAR_IN_NAME.findall(sheets[0])
        found.facts["year"] = years[0] if years else "not in the name: give --year"
        found.facts["columns"] = str(len(header))
        found.command = f"wijkvitaliteit import kwb {_q(path)}" + ("" if years else " --year YYYY")
    else:
        found.facts["header"] = ", ".join(header[:8])
        found.expected = (
            "a KWB workbook (gwb_code_10, regio, recs), a Leefbaarometer workbook (bu_code, jaar, lbm, afw) or a "
            "corporation workbook (docs/formats.md)"
        )
    return found


def _text(path: Path) -> Inspection:
    raw = path.read_bytes()
    try:
        text, encoding = raw.decode("utf-8-sig"), "UTF-8" + (" with BOM" if raw.startswith(b"\xef\xbb\xbf") else "")
    except UnicodeDecodeError:
        text, encoding = raw.decode("cp1252", "replace"), "not UTF-8 (Windows-1252?) — save it as UTF-8"
    lines = text.splitlines()
    found = Inspection(path, "CSV")
    found.facts["encoding"] = encoding
    found.facts["rows"] = str(max(len(lines) - 1, 0))
    if not lines:
        found.expected = "a header row and data rows"
        return found
    first = lines[0]
    sep = max((";", ",", "\t"), key=first.count)
    found.facts["separator"] = repr(sep)
    header = [h.strip().strip('"') for h in first.split(sep)]
    if _is_lbm(first):
        level = next((lvl for col, lvl in LBM_LEVELS if col in first.lower()), "")
        found.what = f"the Leefbaarometer ({level} scores)"
        found.facts["level"] = level
        found.command = f"wijkvitaliteit import leefbaarometer {_q(path)}"
        return found
    region = next((h for h in header if REGION_HEADERS.match(h)), None)
    if region is not None:
        return _statline(path, found, header, lines, sep, region)
    if all(any(p.match(h) for h in header) for p in (COLUMN_PATTERNS["buurtcode"], COLUMN_PATTERNS["wijkcode"])):
        found.what = "the CBS wijk- en buurtcodes list"
        found.command = f"wijkvitaliteit import codes {_q(path)}"
        return found
    if path.stem in CORPORATION_NAMES:
        found.what = f"the corporation's {path.stem} table"
        found.command = f"wijkvitaliteit import corporation {_q(path.parent)}"
        return found
    found.facts["header"] = ", ".join(header[:8])
    found.expected = (
        "a StatLine CSV (a 'Wijken en buurten' column), police open data, the Leefbaarometer (bu_code, jaar, lbm, afw), "
        "the CBS code list, or a corporation file (docs/formats.md)"
    )
    return found


def _statline(path: Path, found: Inspection, header: list[str], lines: list[str], sep: str, region: str) -> Inspection:
    import csv

    rows = list(csv.reader(lines[1:], delimiter=sep))
    col = header.index(region)
    values = [r[col].strip() for r in rows if len(r) > col]
    code_col = next((i for i, h in enumerate(header) if "codering" in h.lower()), None)
    codes = [r[code_col].strip() for r in rows if code_col is not None and len(r) > code_col] or values
    coded = sum(bool(CODE.match(v.upper())) for v in codes)
    police = any(POLICE_MEASURES.match(h) for h in header)
    found.what = "police open data (politie.nl via CBS StatLine)" if police else "a CBS StatLine table by wijk en buurt"
    if police:
        table = {
            "overlast": "47024NED (Geregistreerde overlast; wijk, buurt)",
            "misdrijven": "47018NED/47022NED (Geregistreerde misdrijven; wijk, buurt)",
        }
        kind = next((k for k in table if any(k in h.lower() for h in header)), None)
        found.facts["table"] = table.get(kind or "", "police")
    period = next((i for i, h in enumerate(header) if PERIOD_HEADERS.match(h)), None)
    if period is not None:
        years = sorted({m.group(1) for r in rows if len(r) > period and (m := PERIOD.match(r[period].strip()))})
        found.facts["years"] = ", ".join(years)
    else:
        years = YEAR_IN_NAME.findall(path.stem)
        found.facts["years"] = f"{years[0]} (from the file name)" if years else "none: give --year"
    levels = pd.Series([v[:2] for v in codes if CODE.match(v.upper())]).map({"BU": "buurt", "WK": "wijk", "GM": "gemeente"})
    found.facts["regions"] = (
        f"{coded} by CBS code ({', '.join(f'{n} {lvl}' for lvl, n in levels.value_counts().items())})"
        if coded
        else f"{len(set(values))} by name only (column '{region}')"
    )
    cells = [c.strip() for r in rows for c in r]
    symbols = {s: cells.count(s) for s in SYMBOLS if s and cells.count(s)}
    if symbols:
        found.facts["CBS symbols"] = ", ".join(f"'{s}' {n}×" for s, n in symbols.items())
    commas = sum(bool(re.fullmatch(r"-?\d+,\d+", c)) for c in cells)
    dots = sum(bool(re.fullmatch(r"-?\d+\.\d+", c)) for c in cells)
    found.facts["decimals"] = "','" if commas and not dots else "'.'" if dots and not commas else "mixed" if dots else "none"
    command = f"wijkvitaliteit import {'politie' if police else 'statline'} {_q(path)}"
    if not coded:
        gm = next((i for i, h in enumerate(header) if "gemeentenaam" in h.lower()), None)
        command += "" if gm is not None else " --gemeente GM…"
    if period is None and not years:
        command += " --year YYYY"
    found.command = command
    return found

"""Reader for the Leefbaarometer files (BZK) at buurt, wijk or gemeente level, as CSV or in the zip it is published in.

Format (meting 2020): ``bu_code,versie,jaar,bu_naam,lbm,afw,fys,onv,soc,vrz,won``; comma separated,
``NA`` = missing. The wijk and gemeente files have ``wk_code,wk_naam`` / ``gm_code,gm_naam`` instead, sometimes
after a leading unnamed index column (a pandas export); later metings with the same columns add their years.
``afw = lbm - 4.102265`` (a fixed national reference); for the Leefbaarometer 3.0
years (2014, 2018, 2020) the five dimensions sum to ``afw``; they are ``NA`` for 1.0/2.0 years.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.areas import AREA_COLUMNS, buurt_areas, gemeente_of
from wijkvitaliteit.sources.tabular import (
    BUURT_CODE,
    GEMEENTE_CODE,
    WIJK_CODE,
    check_archive,
    check_file,
    check_unique,
    check_years,
    decode_text,
    read_csv_text,
    read_member,
    read_xlsx,
    require_columns,
    to_code,
    to_number,
)

SOURCE = "leefbaarometer"
#: lbm − afw in every scored row of the Leefbaarometer 3.0 meting-2020 file.
LBM_REFERENCE = 4.102265
DIMENSIONS = ("fys", "onv", "soc", "vrz", "won")
SCORE_COLUMNS = ("lbm", "afw", *DIMENSIONS)
INDICATOR_IDS = {"lbm": "lbm.score", "afw": "lbm.afw", **{d: f"lbm.{d}" for d in DIMENSIONS}}
REQUIRED = ("bu_code", "jaar", "lbm", "afw")
#: level -> (code column, name column, code pattern, example)
LEVELS = {
    "buurt": ("bu_code", "bu_naam", BUURT_CODE, "BU02680736"),
    "wijk": ("wk_code", "wk_naam", WIJK_CODE, "WK026807"),
    "gemeente": ("gm_code", "gm_naam", GEMEENTE_CODE, "GM0268"),
}


@dataclass(frozen=True)
class LeefbaarometerFile:
    """The tidy content of one Leefbaarometer file."""

    scores: pd.DataFrame  # one row per area-year: bu_code (wk_code, gm_code), jaar, versie, bu_naam, lbm, afw, fys…won
    areas: pd.DataFrame
    measurements: pd.DataFrame
    level: str = "buurt"
    code_column: str = "bu_code"


def _text_of(path: Path) -> tuple[str, str]:
    """The CSV text and the name to use in errors (zip member names are shown as zip:member)."""
    if path.suffix.lower() != ".zip":
        return decode_text(path), str(path)
    check_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.namelist()
                if m.lower().endswith(".csv")
                and not m.startswith("__MACOSX/")
                and "/._" not in m
                and not m.rsplit("/", 1)[-1].startswith("._")
            ]
            if len(members) != 1:
                raise InputError(path, "a zip with exactly one CSV file", found=", ".join(members) or "no CSV")
            check_archive(path, members)
            raw = read_member(path, archive, members[0])
    except zipfile.BadZipFile as exc:
        raise InputError(path, "a complete zip archive", found=f"{exc} (truncated download?)") from None
    except (EOFError, zipfile.LargeZipFile, OSError) as exc:
        raise InputError(path, "a complete zip archive", found=str(exc)) from None
    shown = f"{path}:{members[0]}"
    return decode_text(Path(shown), raw), shown


def read_leefbaarometer(path: str | Path) -> LeefbaarometerFile:
    path = Path(path)
    if path.suffix.lower() == ".xlsx":  # the same columns in a workbook's first sheet, as text like the CSV's
        cells, _ = read_xlsx(path)
        where = path
        raw = cells.apply(lambda c: c.map(lambda v: "" if v is None or v is pd.NA or v != v else str(v).strip()))
    else:
        text, shown = _text_of(path)
        where = Path(shown)
        raw = read_csv_text(where, text, delimiter=",")  # the publisher's format is comma-separated
    raw = raw[[c for c in raw.columns if c != "" and not str(c).startswith("Unnamed:")]]  # a leading index column
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    level = next((lvl for lvl, (code, *_) in LEVELS.items() if code in raw.columns), "buurt")
    code_col, name_col, pattern, example = LEVELS[level]
    require_columns(raw, where, (code_col, *REQUIRED[1:]))
    if raw.empty:
        raise InputError(where, "at least one data row", found="only a header")
    frame = pd.DataFrame({code_col: to_code(raw[code_col], where, code_col, pattern, f"a CBS {level} code such as {example}")})
    years = to_number(raw["jaar"], where, "jaar", integer=True, minimum=1990, maximum=2100)
    if years.isna().any():
        i = int(years.isna().to_numpy().nonzero()[0][0])
        raise InputError(where, "a year", row=i + 2, column="jaar", found=raw["jaar"].iloc[i])
    check_years(years, where, "jaar")
    frame["jaar"] = years.astype("int32")
    frame["versie"] = raw["versie"].where(raw["versie"] != "") if "versie" in raw else pd.NA
    frame[name_col] = raw[name_col].where(raw[name_col] != "") if name_col in raw else pd.NA
    for col in SCORE_COLUMNS:
        # plausible range: scores lie around 4, deviations and dimensions around 0; a sentinel such as
        # -99999 or a value in the wrong unit is refused
        frame[col] = to_number(raw[col], where, col, minimum=-10, maximum=10) if col in raw.columns else float("nan")
    check_unique(frame, where, (code_col, "jaar"))

    latest_names = frame.sort_values("jaar").drop_duplicates(code_col, keep="last")
    if level == "buurt":
        areas = buurt_areas(latest_names[code_col], latest_names[name_col])
    else:
        areas = pd.DataFrame(
            {
                "code": latest_names[code_col].to_numpy(),
                "level": level,
                "name": latest_names[name_col].to_numpy(),
                "wijk_code": pd.NA,
                "gemeente_code": gemeente_of(latest_names[code_col]).to_numpy() if level == "wijk" else pd.NA,
            }
        )[AREA_COLUMNS].astype("string")

    long = frame.melt(
        id_vars=[code_col, "jaar", "versie"], value_vars=list(SCORE_COLUMNS), var_name="column", value_name="value"
    ).dropna(subset=["value"])
    measurements = pd.DataFrame(
        {
            "area_code": long[code_col].astype("string"),
            "year": long["jaar"].astype("int32"),
            "indicator": long["column"].map(INDICATOR_IDS).astype("string"),
            "value": long["value"].astype("float64"),
            "source": SOURCE,
            "vintage": long["versie"].astype("string"),
        }
    ).reset_index(drop=True)
    return LeefbaarometerFile(scores=frame, areas=areas, measurements=measurements, level=level, code_column=code_col)

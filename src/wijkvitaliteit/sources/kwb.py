"""Reader for CBS Kerncijfers wijken en buurten (KWB) workbooks, any year.

Columns are resolved by name, never by position (the column set changes every year). ``.`` means
missing ("onbekend, onvoldoende betrouwbaar of geheim"). Cells are converted by value, because the
published files hold many numbers as text cells. Every numeric column becomes a measurement
``kwb.<column>`` for the workbook's year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.areas import AREA_COLUMNS, NEDERLAND, gemeente_of, wijk_of, with_parent_areas
from wijkvitaliteit.sources.tabular import check_years, is_missing, read_xlsx, require_columns, to_number

SOURCE = "cbs_kwb"
#: Identifier and label columns: never measurements. ``pst_mvp`` is a postcode, not a quantity.
TEXT_COLUMNS = frozenset(
    {"gwb_code_10", "gwb_code_8", "gwb_code", "regio", "gm_naam", "recs", "ind_wbi", "pst_mvp", "gm_code", "wk_code", "bu_code"}
)
LEVELS = {"gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt", "land": "land"}
CODE_PATTERN = re.compile(r"^(GM[0-9]{4}|WK[0-9]{4}[0-9A-Z]{2}|BU[0-9]{4}[0-9A-Z]{4}|NL0{0,2}[0-9]{0,2})$")
YEAR_IN_NAME = re.compile(r"kwb[-_ ]?(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class KwbFile:
    year: int
    areas: pd.DataFrame
    measurements: pd.DataFrame
    skipped_columns: tuple[str, ...]


def year_of(path: Path, sheet_title: str) -> int | None:
    for text in (path.name, sheet_title):
        match = YEAR_IN_NAME.search(text)
        if match:
            return int(match.group(1))
    return None


def read_kwb(path: str | Path, *, year: int | None = None, sheet: str | None = None) -> KwbFile:
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(path, "a KWB workbook (.xlsx)", found=path.suffix or "no extension")
    raw, title = read_xlsx(path, sheet)
    code_col = "gwb_code_10" if "gwb_code_10" in raw.columns else "gwb_code"
    require_columns(raw, path, [code_col, "regio", "recs"])
    if year is None:
        year = year_of(path, title)
    if year is None:
        raise InputError(path, "a year in the file or sheet name (kwb-2023) or --year", found=title)
    check_years(pd.Series([year]), path, "year", row_offset=None)

    codes = raw[code_col].astype("string").str.strip().str.upper()
    bad = ~codes.str.fullmatch(CODE_PATTERN.pattern).fillna(False)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            path, "a CBS region code (GM0344, WK034401, BU03440111)", row=i + 2, column=code_col, found=raw[code_col].iloc[i]
        )
    recs = raw["recs"].astype("string").str.strip().str.lower()
    bad = ~recs.isin(list(LEVELS)).fillna(False)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, "Land, Gemeente, Wijk or Buurt", row=i + 2, column="recs", found=raw["recs"].iloc[i])
    dup = codes.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(path, "each region once", row=i + 2, column=code_col, found=codes.iloc[i])

    codes = codes.where(recs != "land", NEDERLAND)  # the country's row, kept at level 'land' under StatLine's code
    values: dict[str, pd.Series] = {}
    skipped: list[str] = []
    for col in raw.columns:
        if col in TEXT_COLUMNS or col == "":
            continue
        series = raw[col]
        missing = is_missing(series)
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            numeric = series.astype("float64")  # number cells: nothing to parse
        else:
            numeric = pd.to_numeric(series.astype("string").str.strip().where(~missing), errors="coerce")
        if (numeric.notna() | missing).all():
            # counts (a_) are never negative, percentages (p_) lie in 0…100: else a sentinel or a wrong unit
            low, high = (0, None) if col.startswith("a_") else (0, 100) if col.startswith("p_") else (None, None)
            values[col] = (
                to_number(series, path, col, minimum=low, maximum=high)
                if (low, high) != (None, None)
                else numeric.astype("float64")
            )
        elif numeric.notna().any():
            # Mostly numbers with text in between: a broken number column. Name the first bad cell.
            to_number(series, path, col)
        else:
            skipped.append(col)

    level = recs.map(LEVELS)
    area_rows = pd.DataFrame({"code": codes, "level": level, "name": raw["regio"].astype("string").str.strip()})
    area_rows["wijk_code"] = pd.Series(pd.NA, index=area_rows.index, dtype="string")
    is_buurt = area_rows["level"] == "buurt"
    area_rows.loc[is_buurt, "wijk_code"] = wijk_of(area_rows.loc[is_buurt, "code"])
    area_rows["gemeente_code"] = gemeente_of(area_rows["code"]).where(area_rows["level"].isin(["buurt", "wijk"]))
    areas = with_parent_areas(area_rows[AREA_COLUMNS])

    wide = pd.DataFrame(values)
    wide.insert(0, "area_code", codes)
    long = wide.melt(id_vars="area_code", var_name="column", value_name="value").dropna(subset=["value"])
    measurements = pd.DataFrame(
        {
            "area_code": long["area_code"].astype("string"),
            "year": np.int32(year),
            "indicator": ("kwb." + long["column"]).astype("string"),
            "value": long["value"].astype("float64"),
            "source": SOURCE,
            "vintage": f"kwb-{year}",
        }
    ).reset_index(drop=True)
    return KwbFile(year=year, areas=areas, measurements=measurements, skipped_columns=tuple(skipped))

"""Reader for the CBS wijk- en buurtcodes list (buurt → wijk → gemeente, with names).

The published CSV is ``;``-separated with a BOM, header
``buurtcode2021;buurtnaam2021;GM_2021;GM2021;GM_NAAM;WK_2021;WK2021;WK_NAAM``; buurt codes are
numeric without ``BU`` and without leading zeros (``140000`` = ``BU00140000``): they are rebuilt as
``'BU' + code.zfill(8)``. The year suffix of the column names is resolved, not hard-coded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.areas import AREA_COLUMNS
from wijkvitaliteit.sources.tabular import (
    BUURT_CODE,
    GEMEENTE_CODE,
    WIJK_CODE,
    check_unique,
    decode_text,
    delimiter_hint,
    read_csv_text,
)

COLUMN_PATTERNS = {
    "buurtcode": re.compile(r"^(buurtcode|bu_code)(\d{4})?$", re.IGNORECASE),
    "buurtnaam": re.compile(r"^(buurtnaam|bu_naam)(\d{4})?$", re.IGNORECASE),
    "gemeentecode": re.compile(r"^(GM_\d{4}|gm_code|gemeentecode)$", re.IGNORECASE),
    "gemeentenaam": re.compile(r"^(GM_NAAM|gm_naam|gemeentenaam)$", re.IGNORECASE),
    "wijkcode": re.compile(r"^(WK_\d{4}|wk_code|wijkcode)$", re.IGNORECASE),
    "wijknaam": re.compile(r"^(WK_NAAM|wk_naam|wijknaam)$", re.IGNORECASE),
}


@dataclass(frozen=True)
class CodeList:
    areas: pd.DataFrame
    year: int | None


def _resolve(frame: pd.DataFrame, path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for role, pattern in COLUMN_PATTERNS.items():
        match = [c for c in frame.columns if pattern.match(c)]
        if not match:
            raise InputError(
                path,
                f"a column for {role} (e.g. {pattern.pattern.strip('^$')})",
                column=role,
                found="columns " + ", ".join(frame.columns),
                hint=delimiter_hint(frame),
            )
        found[role] = match[0]
    return found


def _pad(series: pd.Series, prefix: str, width: int, pattern: re.Pattern[str], path: Path, column: str) -> pd.Series:
    text = series.astype("string").str.strip().str.upper()
    bare = ~text.str.startswith(prefix)
    text = text.where(~bare, prefix + text.str.zfill(width))
    bad = ~text.str.fullmatch(pattern.pattern).fillna(False)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"a {prefix} code or its {width}-digit number", row=i + 2, column=column, found=series.iloc[i])
    return text


def read_codes(path: str | Path) -> CodeList:
    path = Path(path)
    raw = read_csv_text(path, decode_text(path))
    cols = _resolve(raw, path)
    if raw.empty:
        raise InputError(path, "at least one data row", found="only a header")
    buurt = _pad(raw[cols["buurtcode"]], "BU", 8, BUURT_CODE, path, cols["buurtcode"])
    wijk = _pad(raw[cols["wijkcode"]], "WK", 6, WIJK_CODE, path, cols["wijkcode"])
    gemeente = _pad(raw[cols["gemeentecode"]], "GM", 4, GEMEENTE_CODE, path, cols["gemeentecode"])
    inconsistent = (buurt.str.slice(2, 8) != wijk.str.slice(2, 8)) | (wijk.str.slice(2, 6) != gemeente.str.slice(2, 6))
    if inconsistent.any():
        i = int(np.flatnonzero(inconsistent.to_numpy())[0])
        raise InputError(
            path,
            "a buurt code inside its wijk and gemeente code",
            row=i + 2,
            column=cols["buurtcode"],
            found=f"{buurt.iloc[i]} in {wijk.iloc[i]}, {gemeente.iloc[i]}",
        )
    table = pd.DataFrame({"buurt": buurt, "wijk": wijk, "gemeente": gemeente})
    check_unique(table, path, ("buurt",))
    buurten = pd.DataFrame(
        {"code": buurt, "level": "buurt", "name": raw[cols["buurtnaam"]], "wijk_code": wijk, "gemeente_code": gemeente}
    )
    wijken = pd.DataFrame(
        {"code": wijk, "level": "wijk", "name": raw[cols["wijknaam"]], "wijk_code": pd.NA, "gemeente_code": gemeente}
    ).drop_duplicates("code")
    gemeenten = pd.DataFrame(
        {"code": gemeente, "level": "gemeente", "name": raw[cols["gemeentenaam"]], "wijk_code": pd.NA, "gemeente_code": pd.NA}
    ).drop_duplicates("code")
    areas = pd.concat([buurten, wijken, gemeenten], ignore_index=True)[AREA_COLUMNS]
    areas = areas.astype("string")
    areas["name"] = areas["name"].where(areas["name"] != "")
    year_match = re.search(r"(\d{4})$", cols["buurtcode"])
    return CodeList(areas=areas, year=int(year_match.group(1)) if year_match else None)

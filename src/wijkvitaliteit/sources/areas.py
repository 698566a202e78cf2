"""CBS area codes: buurt → wijk → gemeente, and areas derived from buurten when only buurten are given."""

from __future__ import annotations

import pandas as pd

AREA_COLUMNS = ["code", "level", "name", "wijk_code", "gemeente_code"]


NEDERLAND = "NL01"  # the country's own rows (StatLine's RegioS code; the KWB workbooks write NL00), level 'land'


def wijk_of(buurt_codes: pd.Series) -> pd.Series:
    """BU02680736 → WK026807 (the CBS code anatomy: BU + gemeente(4) + wijk(2) + buurt(2))."""
    return "WK" + buurt_codes.str.slice(2, 8)


def gemeente_of(codes: pd.Series) -> pd.Series:
    """BU02680736 or WK026807 → GM0268."""
    return "GM" + codes.str.slice(2, 6)


def buurt_areas(codes: pd.Series, names: pd.Series | None = None) -> pd.DataFrame:
    """Area rows for buurten plus the wijken and gemeenten their codes imply (names unknown there)."""
    frame = pd.DataFrame({"code": codes.astype("string").to_numpy()})
    frame["name"] = names.astype("string").to_numpy() if names is not None else pd.NA
    frame = frame.drop_duplicates("code", keep="last")
    frame["level"] = "buurt"
    frame["wijk_code"] = wijk_of(frame["code"])
    frame["gemeente_code"] = gemeente_of(frame["code"])
    return with_parent_areas(frame[AREA_COLUMNS])


def with_parent_areas(areas: pd.DataFrame) -> pd.DataFrame:
    """Add wijk and gemeente rows (without names) for parents that the given rows refer to."""
    wijken = areas.loc[areas["wijk_code"].notna(), ["wijk_code", "gemeente_code"]].drop_duplicates("wijk_code")
    wijken = pd.DataFrame(
        {
            "code": wijken["wijk_code"],
            "level": "wijk",
            "name": pd.NA,
            "wijk_code": pd.NA,
            "gemeente_code": wijken["gemeente_code"],
        }
    )
    gemeenten = areas["gemeente_code"].dropna().drop_duplicates()
    gemeenten = pd.DataFrame({"code": gemeenten, "level": "gemeente", "name": pd.NA, "wijk_code": pd.NA, "gemeente_code": pd.NA})
    combined = pd.concat([areas, wijken, gemeenten], ignore_index=True)
    combined = combined.drop_duplicates("code", keep="first")
    return combined.astype({c: "string" for c in AREA_COLUMNS}).reset_index(drop=True)

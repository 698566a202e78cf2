"""Open-data measurements derived from others: police counts per 1,000 inhabitants."""

from __future__ import annotations

import pandas as pd

INHABITANTS = "kwb.a_inw"
BIJSTAND = "kwb.a_soz_wb"
BIJSTAND_PER_1000 = "open.bijstand_per_1000"
SOURCE = "open_data"
PER_1000_SUFFIX = "_per_1000"
MAX_LAG = 2  # years: the KWB of the year itself, else of up to two years before (CBS publishes it late)


def per_1000_inhabitants(counts: pd.DataFrame, inhabitants: pd.DataFrame) -> pd.DataFrame:
    """``counts`` (area_code, year, indicator, value, source, vintage) per 1,000 inhabitants of the same area, from
    ``inhabitants`` (area_code, year, value) of the same year or at most MAX_LAG years before; areas without
    inhabitants (or with 0) get none. The result's vintage names the inhabitants' year when it is another."""
    if counts.empty or inhabitants.empty:
        return counts.iloc[0:0]
    inh = inhabitants[inhabitants["value"] > 0][["area_code", "year", "value"]].rename(
        columns={"year": "inh_year", "value": "inh"}
    )
    pairs = counts.merge(inh, on="area_code")
    pairs = pairs[(pairs["inh_year"] <= pairs["year"]) & (pairs["inh_year"] >= pairs["year"] - MAX_LAG)]
    pairs = pairs.sort_values("inh_year").drop_duplicates(["area_code", "year", "indicator"], keep="last")
    lagged = pairs["inh_year"] != pairs["year"]
    return pd.DataFrame(
        {
            "area_code": pairs["area_code"],
            "year": pairs["year"],
            "indicator": pairs["indicator"] + PER_1000_SUFFIX,
            "value": pairs["value"] / pairs["inh"] * 1000,
            "source": pairs["source"],
            "vintage": pairs["vintage"].where(~lagged, pairs["vintage"] + "; inwoners " + pairs["inh_year"].astype(str)),
        }
    ).reset_index(drop=True)


def bijstand_per_1000(measurements: pd.DataFrame) -> pd.DataFrame:
    """People on social assistance per 1,000 inhabitants (kwb.a_soz_wb / kwb.a_inw × 1,000) for every area and
    year that has both (same year: CBS publishes them together)."""
    wide = measurements[measurements["indicator"].isin([BIJSTAND, INHABITANTS])].pivot_table(
        index=["area_code", "year"], columns="indicator", values="value", aggfunc="last"
    )
    if BIJSTAND not in wide or INHABITANTS not in wide:
        return pd.DataFrame(columns=["area_code", "year", "indicator", "value", "source", "vintage"])
    wide = wide[(wide[INHABITANTS] > 0) & wide[BIJSTAND].notna()]
    return pd.DataFrame(
        {
            "area_code": wide.index.get_level_values("area_code"),
            "year": wide.index.get_level_values("year").astype("int32"),
            "indicator": BIJSTAND_PER_1000,
            "value": (wide[BIJSTAND] / wide[INHABITANTS] * 1000).to_numpy(),
            "source": SOURCE,
            "vintage": "kwb.a_soz_wb / kwb.a_inw",
        }
    ).reset_index(drop=True)

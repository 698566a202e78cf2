"""Corporation records → measurements per buurt and year (pure functions over tables).

Indicators (see the catalogue for labels and units):

* ``corp.dwellings`` — the corporation's dwellings in the buurt (the stock as delivered; the same for
  every year of the records);
* ``corp.nuisance_reports`` and ``corp.nuisance_per_100`` — reports received in the year, and per 100
  corporation dwellings;
* ``corp.lettings`` — new tenancies in the year;
* ``corp.vulnerable_share`` and ``corp.bijstand_share`` — share of vulnerable households (uitstroom
  GGZ/MO/BW or statushouder) and of bijstand-level incomes among the lettings of the last ``window``
  years, with ``corp.lettings_window`` their number. Left out below ``min_lettings`` lettings: a share
  of two lettings says nothing;
* ``corp.contact_6w_share`` — share of the year's new tenants contacted within six weeks, where recorded;
* ``corp.org_assets`` — how many of six organising assets the buurt has that year (wijkraad,
  wijkregisseur, buurtbeheerder, a bewonerscommissie, a club, a buurtfonds request), and the counts
  behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

SOURCE = "corporatie"
MEASUREMENT_COLUMNS = ["area_code", "year", "indicator", "value", "source", "vintage"]


@dataclass(frozen=True)
class DeriveSettings:
    window: int = 3
    min_lettings: int = 5


def _long(wide: pd.DataFrame, vintage: str) -> pd.DataFrame:
    long = wide.melt(id_vars=["area_code", "year"], var_name="indicator", value_name="value")
    long = long.dropna(subset=["value"])
    long["source"] = SOURCE
    long["vintage"] = vintage
    long["year"] = long["year"].astype("int32")
    long["value"] = long["value"].astype("float64")
    return long[MEASUREMENT_COLUMNS]


def derive_corporation(
    dwellings: pd.DataFrame,
    lettings: pd.DataFrame,
    nuisance: pd.DataFrame,
    organisation: pd.DataFrame,
    settings: DeriveSettings = DeriveSettings(),
) -> pd.DataFrame:
    """All corporation measurements as a long table (area_code, year, indicator, value, source, vintage)."""
    vintage = f"window={settings.window};min_lettings={settings.min_lettings}"
    parts: list[pd.DataFrame] = []
    let_year = pd.to_datetime(lettings["start_date"]).dt.year
    rep_year = pd.to_datetime(nuisance["report_date"]).dt.year
    years = sorted(set(let_year.dropna().astype(int)) | set(rep_year.dropna().astype(int)))
    stock = dwellings.groupby("buurt_code").size().rename("dwellings")

    if years:
        grid = pd.MultiIndex.from_product([stock.index, range(min(years), max(years) + 1)], names=["area_code", "year"]).to_frame(
            index=False
        )
        grid["corp.dwellings"] = grid["area_code"].map(stock).astype("float64")
        parts.append(_long(grid, vintage))

    if len(nuisance) and len(stock):
        n_years = range(int(rep_year.min()), int(rep_year.max()) + 1)
        grid = pd.MultiIndex.from_product([stock.index, n_years], names=["area_code", "year"]).to_frame(index=False)
        counts = nuisance.assign(year=rep_year).groupby(["buurt_code", "year"]).size()
        counts.index = counts.index.set_names(["area_code", "year"])
        grid = grid.join(counts.rename("corp.nuisance_reports"), on=["area_code", "year"])
        grid["corp.nuisance_reports"] = grid["corp.nuisance_reports"].fillna(0.0)
        grid["corp.nuisance_per_100"] = 100.0 * grid["corp.nuisance_reports"] / grid["area_code"].map(stock)
        parts.append(_long(grid, vintage))

    if len(lettings):
        l_years = range(int(let_year.min()), int(let_year.max()) + 1)
        per_year = (
            lettings.assign(
                year=let_year, bijstand=lettings["income_class"].eq("bijstand"), vulnerable=lettings["vulnerable"].astype(bool)
            )
            .groupby(["buurt_code", "year"])
            .agg(n=("letting_id", "size"), vulnerable=("vulnerable", "sum"), bijstand=("bijstand", "sum"))
        )
        per_year.index = per_year.index.set_names(["area_code", "year"])
        grid = pd.MultiIndex.from_product(
            [sorted(set(stock.index) | set(lettings["buurt_code"])), l_years], names=["area_code", "year"]
        )
        per_year = per_year.reindex(grid, fill_value=0).sort_index()
        # the sum over the last `window` years of each buurt (a rolling sum with min_periods=1), vectorised:
        # the grid holds every year of every buurt, so it is a running total minus the one `window` rows back
        running = per_year.groupby(level="area_code").cumsum()
        rolled = (running - running.groupby(level="area_code").shift(settings.window).fillna(0)).astype("float64")
        # a window reaches back before the first year of records only when we have those years
        first = int(let_year.min())
        complete_window = rolled.index.get_level_values("year") >= first + settings.window - 1
        enough = (rolled["n"] >= settings.min_lettings) & complete_window
        wide = pd.DataFrame(
            {
                "corp.lettings": per_year["n"].astype("float64"),
                "corp.lettings_window": rolled["n"].where(complete_window),
                "corp.vulnerable_share": (rolled["vulnerable"] / rolled["n"]).where(enough),
                "corp.bijstand_share": (rolled["bijstand"] / rolled["n"]).where(enough),
            }
        ).reset_index()
        parts.append(_long(wide, vintage))

        recorded = lettings["contacted_within_6_weeks"].notna()
        if recorded.any():
            contact = (
                lettings[recorded]
                .assign(year=let_year[recorded], c=lettings.loc[recorded, "contacted_within_6_weeks"].astype(bool))
                .groupby(["buurt_code", "year"])["c"]
                .mean()
                .rename("corp.contact_6w_share")
                .reset_index()
                .rename(columns={"buurt_code": "area_code"})
            )
            parts.append(_long(contact, vintage))

    if len(organisation):
        org = organisation.rename(columns={"buurt_code": "area_code"})
        flags = org[["wijkraad", "wijkregisseur", "buurtbeheerder"]].astype("float64")
        counts = org[["bewonerscommissies", "clubs", "buurtfonds_aanvragen"]].astype("float64")
        assets = flags.sum(axis=1, min_count=3) + (counts > 0).astype("float64").where(counts.notna()).sum(axis=1, min_count=3)
        wide = pd.DataFrame(
            {
                "area_code": org["area_code"],
                "year": org["year"].astype(int),
                "corp.org_assets": assets,
                "corp.org_bewonerscommissies": counts["bewonerscommissies"],
                "corp.org_clubs": counts["clubs"],
                "corp.org_buurtfonds_aanvragen": counts["buurtfonds_aanvragen"],
            }
        )
        parts.append(_long(wide, vintage))

    if not parts:
        return pd.DataFrame(columns=MEASUREMENT_COLUMNS)
    result = pd.concat(parts, ignore_index=True)
    result["area_code"] = result["area_code"].astype("string")
    result["indicator"] = result["indicator"].astype("string")
    return result.sort_values(["area_code", "year", "indicator"], ignore_index=True)

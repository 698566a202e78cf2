"""Projection: what an allocation does to next year's vitality under the active scoring model.

The round's lettings are added to the corporation's lettings as lettings of the policy year, and the
vulnerable share over the last ``window`` years is derived again exactly as ``derive`` does. That
projected share then replaces the share in the current (latest scored) year's inputs, and that year is
scored again with the active model: every other indicator — Leefbaarometer, organisation register,
nuisance — keeps the value it has now. The projection is therefore the *inflow* effect alone ("the
score of now, with next year's inflow"), under the assumption that the round is the year's lettings;
we do not predict nuisance or the Leefbaarometer.
"""

from __future__ import annotations

import pandas as pd

from wijkvitaliteit.derive.corporation import DeriveSettings, derive_corporation
from wijkvitaliteit.scoring.engine import score
from wijkvitaliteit.scoring.model import ScoringModel

SHARE = "corp.vulnerable_share"
SCORE_COLUMNS = ["veerkracht", "vitality", "vitality_min", "vitality_max", "category", "attention"]


def projected_lettings(assignment: pd.DataFrame, year: int) -> pd.DataFrame:
    """The round's lettings in the shape of the stored corporation lettings, dated 1 July of ``year``."""
    return pd.DataFrame(
        {
            "letting_id": [f"PROJ{i:07d}" for i in range(len(assignment))],
            "buurt_code": assignment["buurt_code"].astype("string").to_numpy(),
            "start_date": pd.Timestamp(year=year, month=7, day=1),
            "income_class": pd.NA,
            "vulnerable": assignment["vulnerable"].astype(bool).to_numpy(),
            "contacted_within_6_weeks": pd.NA,
        }
    )


def project(
    assignment: pd.DataFrame,
    year: int,
    current_year: int,
    records: dict[str, pd.DataFrame],
    measurements: pd.DataFrame,
    buurten: pd.DataFrame,
    model: ScoringModel,
    settings: DeriveSettings,
) -> pd.DataFrame:
    """Per buurt with corporation stock: projected vulnerable share (window ending in ``year``) and the score
    of ``current_year`` with that share. ``measurements``: the model's indicators from the workspace (all
    years); ``buurten``: code, gemeente_code."""
    lettings = records["lettings"]
    new = projected_lettings(assignment, year)
    keep = [c for c in new.columns if c in lettings.columns]
    combined = pd.concat(
        [lettings[lettings["start_date"].astype("datetime64[ns]").dt.year < year][keep], new[keep]], ignore_index=True
    )
    derived = derive_corporation(records["dwellings"], combined, records["nuisance"], records["organisation"], settings)
    share = derived[(derived["year"] == year) & (derived["indicator"] == SHARE)].assign(year=current_year)
    base = measurements[~((measurements["indicator"] == SHARE) & (measurements["year"] >= current_year))]
    merged = pd.concat([base, share], ignore_index=True)
    result = score(merged[["area_code", "year", "indicator", "value", "vintage"]], buurten, [current_year], model)
    scores = result.scores.set_index("area_code")[SCORE_COLUMNS]
    share = share.set_index("area_code")["value"]
    stock = records["dwellings"].groupby("buurt_code").size()
    out = pd.DataFrame({"buurt_code": stock.index})
    out["vulnerable_share_window"] = out["buurt_code"].map(share)
    out = out.join(scores, on="buurt_code")
    return out

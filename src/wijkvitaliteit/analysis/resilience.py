"""Resilience (RIGO 2018): does vulnerable inflow go with more nuisance, and where does a buurt absorb it?

A panel over buurt-years:

    nuisance per 100 dwellings = b_v·V + b_vc·V·S + buurt effect + year effect + error

with V the share of vulnerable households among the lettings of the last years and S the corporation's
share of the buurt's dwellings (CBS ``p_wcorpw``). The buurt effects absorb everything constant about a
buurt (so S alone is not estimated there); the slopes come from changes within buurten over time.
Standard errors are clustered by buurt. A second, pooled model without buurt effects gives each buurt's
*expected* nuisance from its inflow and corporation share; a buurt whose observed nuisance lies
significantly below (above) that, over its years, *absorbs* (is *under pressure*).

*Draagkracht*: how many percentage points more vulnerable inflow before the buurt's veerkracht points
would rise under the active scoring model, assuming nuisance rises with the estimated slope
(b_v + b_vc·S) and the model's limits stay where they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from wijkvitaliteit.errors import BadParameter
from wijkvitaliteit.scoring.engine import combine_points, threshold_points
from wijkvitaliteit.scoring.model import ScoringModel

LABELS = ("absorbs", "as_expected", "under_pressure")


@dataclass(frozen=True)
class ResilienceResult:
    coefficients: pd.DataFrame  # term, estimate, std_error, ci_low, ci_high, p_value
    buurten: pd.DataFrame  # per buurt: observed, expected, difference, its interval, label, draagkracht
    n_obs: int
    n_buurten: int
    outcome: str


def panel(
    measurements: pd.DataFrame,
    outcome: str = "corp.nuisance_per_100",
    inflow: str = "corp.vulnerable_share",
    share: str = "kwb.p_wcorpw",
) -> pd.DataFrame:
    """Buurt-years with outcome (y), inflow (V) and the corporation share (S, 0–1, the latest value)."""
    wide = (
        measurements[measurements["indicator"].isin([outcome, inflow])]
        .pivot_table(index=["area_code", "year"], columns="indicator", values="value")
        .reset_index()
    )
    corp = (
        measurements[measurements["indicator"] == share]
        .sort_values("year")
        .drop_duplicates("area_code", keep="last")
        .set_index("area_code")["value"]
        / 100
    )
    for column in ("area_code", "year", outcome, inflow):  # a workspace without the corporation's records
        if column not in wide:
            wide[column] = pd.Series(dtype="float64")
    wide["S"] = wide["area_code"].map(corp)
    frame = wide.rename(columns={outcome: "y", inflow: "V"}).dropna(subset=["y", "V", "S"])
    return frame[["area_code", "year", "y", "V", "S"]].reset_index(drop=True)


def fit(data: pd.DataFrame, outcome: str = "corp.nuisance_per_100", level: float = 0.95) -> ResilienceResult:
    import statsmodels.formula.api as smf

    if data["area_code"].nunique() < 10 or len(data) < 30:
        raise BadParameter(
            "data", f"too few buurt-years for the panel model: {len(data)} in {data['area_code'].nunique()} buurten"
        )
    fe = smf.ols("y ~ V + V:S + C(area_code) + C(year)", data=data).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(data["area_code"])[0]}
    )
    ci = fe.conf_int(alpha=1 - level)
    terms = ["V", "V:S"]
    coefficients = pd.DataFrame(
        {
            "term": ["vulnerable_share", "vulnerable_share × corporation_share"],
            "estimate": fe.params[terms].to_numpy(),
            "std_error": fe.bse[terms].to_numpy(),
            "ci_low": ci.loc[terms, 0].to_numpy(),
            "ci_high": ci.loc[terms, 1].to_numpy(),
            "p_value": fe.pvalues[terms].to_numpy(),
        }
    )

    pooled = smf.ols("y ~ V + S + V:S + C(year)", data=data).fit()
    scored = data.assign(expected=pooled.fittedvalues, residual=data["y"] - pooled.fittedvalues)
    per = scored.groupby("area_code").agg(
        years=("y", "size"),
        observed=("y", "mean"),
        expected=("expected", "mean"),
        difference=("residual", "mean"),
        sd=("residual", "std"),
        V=("V", "last"),
        S=("S", "last"),
        year=("year", "max"),
    )
    se = per["sd"] / np.sqrt(per["years"])
    tcrit = stats.t.ppf(0.5 + level / 2, np.maximum(per["years"] - 1, 1))
    per["difference_low"] = per["difference"] - tcrit * se
    per["difference_high"] = per["difference"] + tcrit * se
    per["label"] = np.select(
        [per["difference_high"] < 0, per["difference_low"] > 0], ["absorbs", "under_pressure"], "as_expected"
    )
    per.loc[per["years"] < 3, "label"] = "too_few_years"
    per["slope"] = fe.params["V"] + fe.params["V:S"] * per["S"]
    return ResilienceResult(
        coefficients=coefficients,
        buurten=per.drop(columns="sd").reset_index(),
        n_obs=int(fe.nobs),
        n_buurten=int(data["area_code"].nunique()),
        outcome=outcome,
    )


def draagkracht(
    result: ResilienceResult, current: pd.DataFrame, model: ScoringModel, step: float = 0.005, limit: float = 0.6
) -> pd.Series:
    """Extra vulnerable share (0–1) before veerkracht points rise, per buurt; 0 where they are already 3,
    NaN where the buurt has no complete veerkracht or no slope (not in the model), inf beyond ``limit``.
    ``current`` holds the active run's score_indicators rows (area_code, factor, indicator, value,
    threshold_low, threshold_high, direction, points). Vectorised over buurten × steps."""
    spec = model.factors["veerkracht"]
    rows = current[current["factor"] == "veerkracht"]
    wide = rows.pivot(index="area_code", columns="indicator")
    codes = wide.index
    deltas = np.arange(0, limit + step / 2, step)[None, :]
    slope = result.buurten.set_index("area_code")["slope"].reindex(codes).to_numpy()[:, None]
    points = []
    for rule in spec.indicators:
        value = wide[("value", rule.id)].to_numpy(float)[:, None]
        if rule.id == "corp.vulnerable_share":
            value = value + deltas
        elif rule.id == result.outcome:
            value = value + np.nan_to_num(slope) * deltas  # no slope: masked below, unless already at 3
        low = wide[("threshold_low", rule.id)].to_numpy(float)[:, None]
        high = wide[("threshold_high", rule.id)].to_numpy(float)[:, None]
        points.append(threshold_points(value, low, high, rule.resolved_direction()))
    stack = np.stack(np.broadcast_arrays(*points))  # (indicators, buurten, steps); NaN where unknown
    combined = combine_points(stack, spec.combine)
    now = combined[:, 0]
    rises = combined > now[:, None]
    first = np.where(rises.any(axis=1), deltas[0, rises.argmax(axis=1)], np.inf)
    out = np.where(now >= 3, 0.0, np.where(np.isnan(slope[:, 0]), np.nan, first))
    known = ~np.isnan(wide["points"].to_numpy(float)).any(axis=1)
    return pd.Series(np.where(known, out, np.nan), index=codes, name="draagkracht")

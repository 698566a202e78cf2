"""Scoring: pure functions from measurements to points, factors and the vitaliteitsscore.

For each buurt and score year Y, every indicator of the model takes the latest measurement up to Y
that is at most ``max_age`` years old, and remembers which year it came from. The rule turns it into
1–3 points against two thresholds (fixed, or quantiles of a reference group measured in the value's
own year); a value exactly on a threshold gets the better points. A factor's indicator points are
combined (max, min or mean rounded half up). A factor without its inputs is *unknown* — never
silently 1 or 3 — and the score then carries the bounds the unknown factors allow, with an attention
flag only where those bounds already decide it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wijkvitaliteit.scoring.model import FACTORS, IndicatorRule, ScoringModel


@dataclass(frozen=True)
class ScoreResult:
    scores: pd.DataFrame  # one row per buurt-year
    factors: pd.DataFrame  # one row per buurt-year-factor
    indicators: pd.DataFrame  # one row per buurt-year-factor-indicator


def latest_values(measurements: pd.DataFrame, targets: pd.DataFrame, max_age: int, key: str = "area_code") -> pd.DataFrame:
    """For each target (key, year): the latest measurement with value_year <= year and
    year - value_year <= max_age. Returns targets (in their order) with value, value_year and vintage
    (NaN where there is none)."""
    right = measurements[[key, "year", "value", "vintage"]].rename(columns={"year": "value_year"})
    right = right.astype({"value_year": "int64", "value": "float64"}).sort_values("value_year", kind="stable")
    left = targets[[key, "year"]].astype({"year": "int64"})
    if right[key].dtype != left[key].dtype:
        right[key], left[key] = right[key].astype(str), left[key].astype(str)
    left["_order"] = np.arange(len(left))
    left = left.sort_values("year", kind="stable")
    merged = pd.merge_asof(left, right, left_on="year", right_on="value_year", by=key, direction="backward", tolerance=max_age)
    return merged.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def threshold_points(
    values: np.ndarray, low: np.ndarray, high: np.ndarray, direction: str, *, missing: bool = True
) -> np.ndarray:
    """1–3 points against two limits; a value on a limit gets the better points. Arrays broadcast.

    ``missing=True``: float points, NaN where a value or limit is NaN. ``missing=False`` (inputs known to be
    complete, as in the Monte Carlo): int8 points, without the NaN pass."""
    if direction == "higher_is_worse":
        points = 1 + (values > low).astype(np.int8) + (values > high).astype(np.int8)
    else:
        points = 1 + (values < high).astype(np.int8) + (values < low).astype(np.int8)
    if not missing:
        return points.astype(np.int8)
    return np.where(np.isnan(values) | np.isnan(low) | np.isnan(high), np.nan, points)


def combine_points(points: np.ndarray, how: str, axis: int = 0) -> np.ndarray:
    """A factor's points from its indicators' points along ``axis``: max, min or the mean rounded half up.
    Integer arrays (complete) stay integers; float arrays skip NaN (all NaN gives NaN)."""
    if np.issubdtype(points.dtype, np.integer):
        if how == "mean":  # floor(sum / k + 1/2) in integers
            k = points.shape[axis]
            return (2 * points.sum(axis=axis, dtype=np.int16) + k) // (2 * k)
        return points.max(axis=axis) if how == "max" else points.min(axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: unknown, masked by the caller
        if how == "mean":
            return np.floor(np.nanmean(points, axis=axis) + 0.5)
        return np.nanmax(points, axis=axis) if how == "max" else np.nanmin(points, axis=axis)


ALL = -1  # the scope id of the reference group "all buurten"


def quantile_thresholds(measurements: pd.DataFrame, rule: IndicatorRule, gemeente_id: np.ndarray) -> pd.DataFrame:
    """Thresholds per (value_year, scope) from the reference distribution in that year.

    ``measurements`` holds integer buurt ids in ``area``; ``gemeente_id[area]`` is the buurt's gemeente.
    ``cuts`` are measured from the good end: with cuts [0.5, 0.8] the best 50 % get 1 point and the
    weakest 20 % get 3. Returns value_year, scope, threshold_low, threshold_high, reference_n.
    """
    if "fallback" in measurements:  # a wijk's value standing in for a buurt is not part of the buurten's reference
        measurements = measurements[~measurements["fallback"].fillna(False).astype(bool)]
    scope = np.full(len(measurements), ALL) if rule.reference == "all" else gemeente_id[measurements["area"].to_numpy()]
    ref = pd.DataFrame(
        {"value_year": measurements["year"].to_numpy(), "scope": scope, "value": measurements["value"].to_numpy(float)}
    )
    assert rule.cuts is not None  # the model schema requires cuts for a quantile rule
    low_cut, high_cut = rule.cuts
    if rule.resolved_direction() == "higher_is_worse":
        q_low, q_high = low_cut, high_cut
    else:
        q_low, q_high = 1 - high_cut, 1 - low_cut
    grouped = ref.groupby(["value_year", "scope"])["value"]
    table = pd.DataFrame(
        {
            "threshold_low": grouped.quantile(q_low),
            "threshold_high": grouped.quantile(q_high),
            "reference_n": grouped.size(),
        }
    ).reset_index()
    too_few = table["reference_n"] < rule.min_reference
    table.loc[too_few, ["threshold_low", "threshold_high"]] = np.nan
    return table


def score_indicator(
    measurements: pd.DataFrame, targets: pd.DataFrame, rule: IndicatorRule, gemeente_id: np.ndarray
) -> pd.DataFrame:
    """Points for one indicator rule at every target (integer buurt id ``area``, ``year``), in target order."""
    found = latest_values(measurements, targets, rule.max_age, key="area")
    direction = rule.resolved_direction()
    if rule.rule == "thresholds":
        found["scope"] = np.nan
        found["reference_n"] = np.nan
        assert rule.thresholds is not None  # the model schema requires them for a thresholds rule
        found["threshold_low"], found["threshold_high"] = float(rule.thresholds[0]), float(rule.thresholds[1])
    else:
        table = quantile_thresholds(measurements, rule, gemeente_id)
        found["scope"] = ALL if rule.reference == "all" else gemeente_id[found["area"].to_numpy()]
        found = found.merge(table, how="left", on=["value_year", "scope"], sort=False)
        found["scope"] = found["scope"].where(found["value"].notna())
    pts = threshold_points(
        found["value"].to_numpy(float), found["threshold_low"].to_numpy(float), found["threshold_high"].to_numpy(float), direction
    )
    found["points"] = pts
    found["status"] = np.where(found["value"].isna(), "missing", np.where(np.isnan(pts), "no_reference", "ok"))
    found["indicator"] = rule.id
    found["rule"] = rule.rule
    found["direction"] = direction
    return found


def _aggregate(points: np.ndarray, how: str) -> np.ndarray:
    """Aggregate a (n, 3) array of factor points row-wise."""
    if how == "product":
        return np.prod(points, axis=1)
    return np.prod(points, axis=1) ** (1 / points.shape[1])


def score(measurements: pd.DataFrame, buurten: pd.DataFrame, years: list[int], model: ScoringModel) -> ScoreResult:
    """Score every buurt in ``buurten`` (code, gemeente_code) for each year in ``years``.

    ``measurements`` holds (area_code, year, indicator, value, vintage) for at least the model's
    indicators. A buurt-year is scored when at least one of its indicators has a usable value.
    """
    # integer ids for buurten and gemeenten: the work below is on numbers, not strings
    buurten = buurten.sort_values("code", kind="stable")
    codes = pd.Index(buurten["code"].astype(str))
    gemeente_id, gemeente_codes = pd.factorize(buurten["gemeente_code"].astype(str))
    m = pd.DataFrame(
        {
            "area": codes.get_indexer(measurements["area_code"].astype(str)),
            "year": measurements["year"].to_numpy(),
            "indicator": measurements["indicator"].to_numpy(),
            "value": measurements["value"].to_numpy(float),
            "vintage": measurements["vintage"].to_numpy(),
            "fallback": measurements["fallback"].to_numpy(bool) if "fallback" in measurements else False,
        }
    )
    m = m[m["area"] >= 0]
    measured = np.unique(m["area"].to_numpy())
    targets = pd.MultiIndex.from_product([measured, sorted(set(years))], names=["area", "year"]).to_frame(index=False)
    by_indicator = {key: frame for key, frame in m.groupby("indicator", sort=False)}
    empty = pd.DataFrame(
        {
            "area": pd.Series(dtype="int64"),
            "year": pd.Series(dtype="int64"),
            "value": pd.Series(dtype="float64"),
            "vintage": pd.Series(dtype=object),
        }
    )
    area_codes = codes.to_numpy(dtype=object)

    # every part is aligned with `targets`: factors combine row-wise without grouping
    parts: dict[str, list[pd.DataFrame]] = {}
    usable = np.zeros(len(targets), dtype=bool)
    for factor_name in FACTORS:
        parts[factor_name] = []
        for rule in model.factors[factor_name].indicators:
            part = score_indicator(by_indicator.get(rule.id, empty), targets, rule, gemeente_id)
            part["factor"] = factor_name
            usable |= part["value"].notna().to_numpy()
            parts[factor_name].append(part)

    factor_points, factor_frames = {}, []
    for factor_name in FACTORS:
        spec = model.factors[factor_name]
        pts = np.column_stack([p["points"].to_numpy(float) for p in parts[factor_name]])
        ok = ~np.isnan(pts)
        n_ok = ok.sum(axis=1)
        combined = combine_points(pts, spec.combine, axis=1)
        known = n_ok == pts.shape[1] if spec.require == "all" else n_ok > 0
        missing = np.full(len(targets), "", dtype=object)
        for part, ok_i in zip(parts[factor_name], ok.T, strict=True):
            label = part["indicator"].iloc[0] + " (" + part["status"].to_numpy(dtype=object) + ")"
            item = np.where(ok_i, "", label)
            sep = np.where((missing != "") & (item != ""), ", ", "")
            missing = missing + sep + item
        reason = np.where(known, f"{spec.combine} of {len(spec.indicators)} indicator(s)", "no usable value: " + missing)
        factor_points[factor_name] = np.where(known, combined, np.nan)
        factor_frames.append(
            pd.DataFrame(
                {
                    "area": targets["area"].to_numpy(),
                    "year": targets["year"].to_numpy(),
                    "factor": factor_name,
                    "points": factor_points[factor_name],
                    "status": np.where(known, "known", "unknown"),
                    "reason": reason,
                }
            )[usable]
        )
    factors = pd.concat(factor_frames, ignore_index=True)
    indicators = pd.concat([p[usable] for ps in parts.values() for p in ps], ignore_index=True)

    wide = targets[usable].reset_index(drop=True)
    for factor_name in FACTORS:
        wide[factor_name] = factor_points[factor_name][usable]
    pts = wide[list(FACTORS)].to_numpy(float)
    lo = np.where(np.isnan(pts), 1.0, pts)
    hi = np.where(np.isnan(pts), 3.0, pts)
    complete = ~np.isnan(pts).any(axis=1)
    vmin, vmax = _aggregate(lo, model.model.aggregation), _aggregate(hi, model.model.aggregation)
    threshold = model.model.attention_threshold
    attention = pd.array(np.where(vmin >= threshold, True, np.where(vmax < threshold, False, pd.NA)), dtype="boolean")
    maxima = np.array([b.max for b in model.bands])
    cats = np.array([b.category for b in model.bands], dtype=object)
    idx = np.minimum(np.searchsorted(maxima, vmin - 1e-9), len(cats) - 1)
    scores = wide
    scores["vitality"] = np.where(complete, vmin, np.nan)
    scores["vitality_min"] = vmin
    scores["vitality_max"] = vmax
    scores["category"] = np.where(complete, cats[idx], np.full(len(idx), None, dtype=object))
    scores["attention"] = attention
    scores["complete"] = complete
    for col in FACTORS:
        scores[col] = scores[col].astype("Int64")

    # back from integer ids to codes, in (area_code, year) order: ids follow the sorted codes
    gemeente_names = np.append(np.asarray(gemeente_codes, dtype=object), "all")  # scope ALL = -1 → "all"
    scores.insert(0, "area_code", area_codes[scores.pop("area").to_numpy()])
    factors = factors.sort_values(["area", "year", "factor"], kind="stable", ignore_index=True)
    factors.insert(0, "area_code", area_codes[factors.pop("area").to_numpy()])
    factors["points"] = factors["points"].astype("Int64")
    indicators = indicators.sort_values(["area", "year", "factor", "indicator"], kind="stable", ignore_index=True)
    scope = indicators["scope"].to_numpy(float)
    indicators["reference"] = np.where(np.isnan(scope), None, gemeente_names[np.nan_to_num(scope, nan=0).astype(int)])
    indicators.insert(0, "area_code", area_codes[indicators["area"].to_numpy()])
    ind_cols = [
        "area_code",
        "year",
        "factor",
        "indicator",
        "value",
        "value_year",
        "vintage",
        "rule",
        "reference",
        "reference_n",
        "direction",
        "threshold_low",
        "threshold_high",
        "points",
        "status",
    ]
    indicators = indicators[ind_cols]
    for col in ("points", "value_year", "reference_n"):
        indicators[col] = indicators[col].astype("Int64")
    return ScoreResult(
        scores=scores, factors=factors[["area_code", "year", "factor", "points", "status", "reason"]], indicators=indicators
    )


FALLBACK_VINTAGE = "wijk {wijk}"  # appended to the vintage of a wijk value standing in for its buurt


def with_wijk_fallback(
    measurements: pd.DataFrame, wijk_measurements: pd.DataFrame, buurten: pd.DataFrame, model: ScoringModel
) -> pd.DataFrame:
    """Add, for each indicator whose rule has ``fallback = "wijk"``, the wijk's values for every buurt (``buurten``:
    code, wijk_code) that has no value of its own for that indicator; marked ``fallback`` and with the wijk in the
    vintage ("Leefbaarometer 3.0 · wijk WK026807"), so that every explanation states the level."""
    ids = {r.id for f in model.factors.values() for r in f.indicators if r.fallback == "wijk"}
    out = measurements.assign(fallback=False)
    if not ids or wijk_measurements.empty:
        return out
    wijk = wijk_measurements[wijk_measurements["indicator"].isin(ids)]
    pairs = buurten[["code", "wijk_code"]].dropna().rename(columns={"code": "area_code"})
    stand_in = pairs.merge(wijk.rename(columns={"area_code": "wijk_code"}), on="wijk_code")
    # a buurt with any value of its own keeps its own series (an older own value is not replaced by the wijk's)
    own = measurements[measurements["indicator"].isin(ids)][["area_code", "indicator"]].drop_duplicates().assign(own=True)
    stand_in = stand_in.merge(own, on=["area_code", "indicator"], how="left")
    stand_in = stand_in[stand_in["own"].isna()]
    vintage = stand_in["vintage"].fillna("").astype(str)
    stand_in = stand_in.assign(
        vintage=(vintage + np.where(vintage == "", "", " · ") + "wijk " + stand_in["wijk_code"]).to_numpy(), fallback=True
    )
    return pd.concat([out, stand_in[[*measurements.columns, "fallback"]]], ignore_index=True)


def score_years(measurements: pd.DataFrame) -> list[int]:
    """Default score years: every year in which any of the model's indicators was measured."""
    return sorted({int(y) for y in measurements["year"].unique()})

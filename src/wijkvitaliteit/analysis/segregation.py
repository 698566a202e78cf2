"""Segregation indices for one group against a total, per gemeente and year, vectorised over all of them.

Formulas as in Massey & Denton (1988), "The dimensions of residential segregation", and as implemented in
PySAL ``segregation`` (the reference in the tests: equal to 1e-12):

* dissimilarity  D   = Σ t_i |p_i − P| / (2 T P (1 − P))
* isolation      xPx = Σ (x_i / X)(x_i / t_i)
* exposure       xPy = Σ (x_i / X)((t_i − x_i) / t_i)      (PySAL: Interaction)
* entropy        H   = Σ t_i (E − E_i) / (E T), E the entropy of the whole, E_i of the unit (Theil)
* location quotient per unit: p_i / P

with x_i the group count and t_i the total of unit i, X = Σ x_i, T = Σ t_i, P = X / T, p_i = x_i / t_i. Units
with a missing count are left out, as PySAL does; a unit with t_i = 0 counts as p_i = 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkvitaliteit.errors import BadParameter

INDICES = ("dissimilarity", "isolation", "exposure", "entropy")


def _entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        e = p * np.log(1 / p) + (1 - p) * np.log(1 / (1 - p))
    return np.nan_to_num(e)


def indices(units: pd.DataFrame, by: list[str], group: str = "group", total: str = "total") -> pd.DataFrame:
    """One row per ``by`` group (e.g. gemeente, year) with units, X, T, P and the four indices."""
    frame = units.dropna(subset=[group, total])
    frame = frame[(frame[total] >= 0) & (frame[group] >= 0)]
    if (frame[group] > frame[total]).any():
        bad = frame[frame[group] > frame[total]].iloc[0]
        raise BadParameter("groep", f"group count above the total in {dict(bad[by])}: {bad[group]} > {bad[total]}")
    grouped = frame.groupby(by, sort=True)
    codes = grouped.ngroup().to_numpy()
    keys = grouped.size().index.to_frame(index=False)
    n = len(keys)
    x = frame[group].to_numpy(float)
    t = frame[total].to_numpy(float)
    X = np.bincount(codes, weights=x, minlength=n)
    T = np.bincount(codes, weights=t, minlength=n)
    P = X / T
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(t == 0, 0, x / t)
        share_of_group = x / X[codes]
        isolation_terms = share_of_group * (x / t)
        exposure_terms = share_of_group * ((t - x) / t)
        E = _entropy(P)
        d = np.bincount(codes, weights=t * np.abs(p - P[codes]), minlength=n) / (2 * T * P * (1 - P))
        h = np.bincount(codes, weights=np.nan_to_num(t * (E[codes] - _entropy(p)) / (E[codes] * T[codes])), minlength=n)
    result = keys
    result["units"] = np.bincount(codes, minlength=n)
    result["group_total"] = X
    result["total"] = T
    result["group_share"] = P
    result["dissimilarity"] = d
    result["isolation"] = np.bincount(codes, weights=np.nan_to_num(isolation_terms), minlength=n)
    result["exposure"] = np.bincount(codes, weights=np.nan_to_num(exposure_terms), minlength=n)
    result["entropy"] = h
    return result


def location_quotients(units: pd.DataFrame, by: list[str], group: str = "group", total: str = "total") -> pd.Series:
    """p_i / P for every unit (NaN where the unit or its whole has no total)."""
    sums = units.groupby(by)[[group, total]].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        return (units[group] / units[total]) / (sums[group] / sums[total])


def centre_profile(
    units: pd.DataFrame, distance: str, rings: int = 5, group: str = "group", total: str = "total"
) -> pd.DataFrame:
    """The group's share by distance from the centre: units in ``rings`` bands of equal count (inner → edge)."""
    frame = units.dropna(subset=[group, total, distance]).sort_values(distance)
    frame = frame.assign(ring=np.minimum((np.arange(len(frame)) * rings) // max(len(frame), 1), rings - 1))
    out = (
        frame.groupby("ring")
        .agg(
            units=(group, "size"), km_from=(distance, "min"), km_to=(distance, "max"), group=(group, "sum"), total=(total, "sum")
        )
        .reset_index()
    )
    out["share"] = out["group"] / out["total"]
    return out

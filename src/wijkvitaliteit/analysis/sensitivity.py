"""Sensitivity: would this buurt still be flagged under a slightly different model? (Monte Carlo, COINr-style)

Each draw changes the active model within configured ranges (``sensitivity.toml``): every quantile cut
and fixed threshold moves a little; an indicator may switch rule (quantile ⇄ fixed national limits: the
quantiles at the model's cuts over all buurten and years); factors with several indicators draw their
combine rule; the aggregation is the product (attention ≥ the model's threshold) or the geometric mean
(attention ≥ ``geometric_mean_threshold``). Per buurt: the share of draws in which it is flagged, the
5–95 % interval of its rank (1 = weakest), and a label: *stable flagged*, *borderline*, *stable not flagged*.

Everything is vectorised over draws × buurten; only buurten with a complete score take part.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from wijkvitaliteit.scoring.engine import combine_points, threshold_points
from wijkvitaliteit.scoring.model import FACTORS, ScoringModel


@dataclass(frozen=True)
class SensitivitySettings:
    draws: int = 10_000
    seed: int = 20261129
    cut_shift: float = 0.05
    threshold_scale: float = 0.20
    rule_switch: float = 0.25
    combine: tuple[str, ...] = ("max", "mean", "min")
    aggregation: tuple[str, ...] = ("product", "geometric_mean")
    geometric_mean_threshold: float = 2.0
    stable_flagged: float = 0.9
    stable_not_flagged: float = 0.1

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides) -> SensitivitySettings:
        text = (
            Path(path).read_text(encoding="utf-8")
            if path
            else resources.files("wijkvitaliteit.analysis").joinpath("sensitivity.toml").read_text(encoding="utf-8")
        )
        data = tomllib.loads(text)
        flat = {
            "draws": data.get("draws", 10_000),
            "seed": data.get("seed", 0),
            **data.get("ranges", {}),
            **{k: tuple(v) if isinstance(v, list) else v for k, v in data.get("alternatives", {}).items()},
            **data.get("labels", {}),
        }
        flat.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**flat)


def _quantiles(sample: np.ndarray, q: np.ndarray) -> np.ndarray:
    """numpy's default (linear) quantiles of one sample at many q: sort once, interpolate."""
    ordered = np.sort(sample)
    return np.interp(q * (len(ordered) - 1), np.arange(len(ordered)), ordered)


def _draw_thresholds(
    rule, ref: pd.DataFrame | None, keys: list, settings: SensitivitySettings, rng: np.random.Generator, d: int
) -> dict:
    """Per reference key (value_year, scope): the (d, 2) low/high limits of every draw."""
    worse = rule.resolved_direction() == "higher_is_worse"
    switch = rng.random(d) < settings.rule_switch
    out = {}
    if rule.rule == "quantile":
        assert rule.cuts is not None  # the model schema requires cuts for a quantile rule
        cuts = np.asarray(rule.cuts)[None, :] + rng.uniform(-settings.cut_shift, settings.cut_shift, (d, 2))
        cuts = np.clip(np.sort(cuts, axis=1), 0.01, 0.99)
        q = cuts if worse else 1 - cuts[:, ::-1]
        # the alternative rule: fixed national limits, the model's quantiles over all buurten and years
        default_q = rule.cuts if worse else (1 - rule.cuts[1], 1 - rule.cuts[0])
        assert ref is not None  # a quantile rule always has its reference values
        fixed = np.quantile(ref["value"].to_numpy(float), default_q)
        samples = {tuple(k): g.to_numpy(float) for k, g in ref.groupby(["value_year", "scope"])["value"]}
        for key in keys:
            sample = samples[key]
            limits = _quantiles(sample, q)
            limits[switch] = fixed
            out[key] = limits
    else:
        scale = 1 + rng.uniform(-settings.threshold_scale, settings.threshold_scale, (d, 2))
        limits = np.sort(np.asarray(rule.thresholds)[None, :] * scale, axis=1)
        if ref is not None and len(ref):  # the alternative: the default cuts over all buurten
            limits[switch] = np.quantile(ref["value"].to_numpy(float), [0.5, 0.8] if worse else [0.2, 0.5])
        for key in keys:
            out[key] = limits
    return out


def run(
    inputs: pd.DataFrame,
    references: dict[str, pd.DataFrame],
    model: ScoringModel,
    settings: SensitivitySettings,
    chunk: int = 1000,
) -> pd.DataFrame:
    """``inputs``: one row per buurt and indicator of the active run (area_code, factor, indicator, value,
    value_year, scope), complete buurten only. ``references``: per indicator the reference values
    (value_year, scope, value) its quantile rule ranks against. Returns one row per buurt."""
    rng = np.random.default_rng(settings.seed)
    codes = np.array(sorted(inputs["area_code"].unique()))
    n, d = len(codes), settings.draws
    # draw every random choice up front (reproducible whatever the chunk size)
    plan = []
    for factor in FACTORS:
        for rule in model.factors[factor].indicators:
            rows = inputs[inputs["indicator"] == rule.id].set_index("area_code").reindex(codes)
            groups = {
                tuple(key): np.asarray(idx) for key, idx in rows.reset_index().groupby(["value_year", "scope"]).indices.items()
            }
            limits = _draw_thresholds(rule, references.get(rule.id), list(groups), settings, rng, d)
            plan.append((factor, rule, rows["value"].to_numpy(float), groups, limits))
    combine = {f: rng.integers(0, len(settings.combine), d) for f in FACTORS}
    geometric = np.array([a == "geometric_mean" for a in settings.aggregation])[rng.integers(0, len(settings.aggregation), d)]
    # products are whole numbers: compare with the whole-number threshold
    threshold = np.ceil(np.where(geometric, settings.geometric_mean_threshold**3, model.model.attention_threshold) - 1e-9).astype(
        np.int16
    )

    levels = np.array([1, 2, 3, 4, 6, 8, 9, 12, 18, 27])
    level_of = np.zeros(28, dtype=np.int8)
    level_of[levels] = np.arange(len(levels))
    flagged_count = np.zeros(n, dtype=np.int64)
    ranks = np.empty((n, d), dtype=np.int16 if n < 32_000 else np.int32)  # buurt-major: fast partition below
    for start in range(0, d, chunk):
        stop = min(start + chunk, d)
        m = stop - start
        factor_points: dict[str, list[np.ndarray]] = {f: [] for f in FACTORS}
        for factor, rule, values, groups, limits in plan:
            direction = rule.resolved_direction()
            points = np.empty((m, n), dtype=np.int8)
            for key, members in groups.items():
                low, high = limits[key][start:stop, :1], limits[key][start:stop, 1:]
                points[:, members] = threshold_points(values[members][None, :], low, high, direction, missing=False)
            factor_points[factor].append(points)
        product = np.ones((m, n), dtype=np.int16)
        for factor in FACTORS:
            stack = factor_points[factor]
            if len(stack) == 1:
                product *= stack[0]
                continue
            stacked = np.stack(stack)
            choice = combine[factor][start:stop, None]
            combined = np.zeros((m, n), dtype=np.int16)
            for i, name in enumerate(settings.combine):
                combined = np.where(choice == i, combine_points(stacked, name), combined)
            product *= combined
        flagged_count += (product >= threshold[start:stop, None]).sum(axis=0)
        # rank (1 = weakest) per draw: 1 + the number of buurten with a strictly higher product
        level = level_of[product]
        flat = (np.arange(m, dtype=np.int64)[:, None] * len(levels) + level).ravel()
        counts = np.bincount(flat, minlength=m * len(levels)).reshape(m, len(levels))
        above = (np.cumsum(counts[:, ::-1], axis=1)[:, ::-1] - counts).astype(ranks.dtype)
        ranks[:, start:stop] = (1 + np.take_along_axis(above, level.astype(np.intp), axis=1)).T
    k5, k95 = int(0.05 * (d - 1)), int(0.95 * (d - 1))
    part = np.partition(ranks, [k5, k95], axis=1)
    p = flagged_count / d
    result = pd.DataFrame(
        {
            "area_code": codes,
            "p_flagged": p,
            "rank_p05": part[:, k5].astype(int),
            "rank_p95": part[:, k95].astype(int),
            "draws": d,
        }
    )
    result["label"] = np.select(
        [p >= settings.stable_flagged, p <= settings.stable_not_flagged], ["stable_flagged", "stable_not_flagged"], "borderline"
    )
    return result


def references(rows: pd.DataFrame, values: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The reference values each indicator row ranks against, by scope. ``rows``: a run's indicator rows (with
    ``scope``: 'all' or a gemeente); ``values``: per indicator every buurt's value_year, gemeente_code, value."""
    references = {}
    for ind in rows["indicator"].unique():
        ref = values[ind]
        gemeente_scoped = rows.loc[rows["indicator"] == ind, "scope"].ne("all").any()
        # duplicate the reference under both scopes: all buurten, and each gemeente
        parts = [ref.assign(scope="all")]
        if gemeente_scoped:
            parts.append(ref.assign(scope=ref["gemeente_code"]))
        references[ind] = pd.concat(parts, ignore_index=True)[["value_year", "scope", "value"]]
    return references

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
        text = (Path(path).read_text(encoding="utf-8") if path else
                resources.files("wijkvitaliteit.analysis").joinpath("sensitivity.toml").read_text(encoding="utf-8"))
        data = tomllib.loads(text)
        flat = {"draws": data.get("draws", 10_000), "seed": data.get("seed", 0), **data.get("ranges", {}),
                **{k: tuple(v) if isinstance(v, list) else v for k, v in data.get("alternatives", {}).items()},
                **data.get("labels", {})}
        flat.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**flat)


def _points(values: np.ndarray, low: np.ndarray, high: np.ndarray, worse: bool) -> np.ndarray:
    if worse:
        return np.where(values <= low, 1, np.where(values <= high, 2, 3)).astype(np.int8)
    return np.where(values >= high, 1, np.where(values >= low, 2, 3)).astype(np.int8)


def run(inputs: pd.DataFrame, references: dict[str, pd.DataFrame], model: ScoringModel,
        settings: SensitivitySettings) -> pd.DataFrame:
    """``inputs``: one row per buurt and indicator of the active run (area_code, factor, indicator, value,
    value_year, scope), complete buurten only. ``references``: per indicator the reference values
    (value_year, scope, value) its quantile rule ranks against. Returns one row per buurt."""
    rng = np.random.default_rng(settings.seed)
    codes = np.array(sorted(inputs["area_code"].unique()))
    n, d = len(codes), settings.draws
    factor_points = {}
    for factor in FACTORS:
        spec = model.factors[factor]
        per_indicator = []
        for rule in spec.indicators:
            rows = inputs[inputs["indicator"] == rule.id].set_index("area_code").reindex(codes)
            values = rows["value"].to_numpy(float)
            worse = rule.resolved_direction() == "higher_is_worse"
            ref = references.get(rule.id)
            switch = rng.random(d) < settings.rule_switch
            low = np.empty((d, n))
            high = np.empty((d, n))
            if rule.rule == "quantile":
                cuts = np.asarray(rule.cuts)[None, :] + rng.uniform(-settings.cut_shift, settings.cut_shift, (d, 2))
                cuts = np.clip(np.sort(cuts, axis=1), 0.01, 0.99)
                q = cuts if worse else 1 - cuts[:, ::-1]
                keys = list(zip(rows["value_year"], rows["scope"], strict=True))
                for key in set(keys):
                    members = np.array([k == key for k in keys])
                    sample = ref[(ref["value_year"] == key[0]) & (ref["scope"] == key[1])]["value"].to_numpy(float)
                    qs = np.quantile(sample, q.ravel()).reshape(d, 2)
                    low[:, members], high[:, members] = qs[:, [0]], qs[:, [1]]
                # the alternative rule: fixed national limits, the model's quantiles over all buurten and years
                default_q = rule.cuts if worse else (1 - rule.cuts[1], 1 - rule.cuts[0])
                fixed = np.quantile(ref["value"].to_numpy(float), default_q)
                low[switch], high[switch] = fixed[0], fixed[1]
            else:
                scale = 1 + rng.uniform(-settings.threshold_scale, settings.threshold_scale, (d, 2))
                t = np.sort(np.asarray(rule.thresholds)[None, :] * scale, axis=1)
                low[:], high[:] = t[:, [0]], t[:, [1]]
                if ref is not None and len(ref):  # the alternative: the default cuts over all buurten
                    q = [0.5, 0.8] if worse else [0.2, 0.5]
                    alt = np.quantile(ref["value"].to_numpy(float), q)
                    low[switch], high[switch] = alt[0], alt[1]
            per_indicator.append(_points(values[None, :], low, high, worse))
        stack = np.stack(per_indicator)  # (k, d, n)
        if len(per_indicator) == 1:
            factor_points[factor] = stack[0]
        else:
            choice = rng.integers(0, len(settings.combine), d)[:, None]
            options = {"max": stack.max(axis=0), "min": stack.min(axis=0),
                       "mean": np.floor(stack.mean(axis=0) + 0.5).astype(np.int8)}
            combined = np.zeros((d, n), dtype=np.int8)
            for i, name in enumerate(settings.combine):
                combined = np.where(choice == i, options[name], combined)
            factor_points[factor] = combined
    product = (factor_points["leefbaarheid"].astype(np.int16) * factor_points["organisatiekracht"]
               * factor_points["veerkracht"])
    aggregation = rng.integers(0, len(settings.aggregation), d)[:, None]
    geometric = np.array([a == "geometric_mean" for a in settings.aggregation])[aggregation]
    threshold = np.where(geometric, settings.geometric_mean_threshold ** 3, model.model.attention_threshold)
    flagged = product >= threshold

    # rank (1 = weakest) per draw: 1 + number of buurten with a strictly higher product
    levels = np.array([1, 2, 3, 4, 6, 8, 9, 12, 18, 27])
    level = np.searchsorted(levels, product)
    counts = np.zeros((d, len(levels)), dtype=np.int32)
    np.add.at(counts, (np.repeat(np.arange(d), n), level.ravel()), 1)
    above = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1] - counts  # buurten strictly above each level
    rank = (1 + np.take_along_axis(above, level, axis=1)).astype(np.int32)
    k5, k95 = int(0.05 * (d - 1)), int(0.95 * (d - 1))
    part = np.partition(rank, [k5, k95], axis=0)

    p = flagged.mean(axis=0)
    result = pd.DataFrame({"area_code": codes, "p_flagged": p, "rank_p05": part[k5], "rank_p95": part[k95],
                           "draws": d})
    result["label"] = np.select([p >= settings.stable_flagged, p <= settings.stable_not_flagged],
                                ["stable_flagged", "stable_not_flagged"], "borderline")
    return result


def inputs_from_run(ws, run, year: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The active run's indicator rows of complete buurten in ``year`` and the reference values they rank against."""
    rows = ws.query("""
        SELECT i.area_code, i.factor, i.indicator, i.value, i.value_year, COALESCE(i.reference, 'all') AS scope
        FROM score_indicators i JOIN scores s USING (run_id, area_code, year)
        WHERE i.run_id = ? AND i.year = ? AND s.complete""", [run.run_id, year])
    references = {}
    for ind in rows["indicator"].unique():
        ref = ws.query("""SELECT m.year AS value_year, a.gemeente_code, m.value FROM measurements m
                          JOIN areas a ON a.code = m.area_code WHERE a.level = 'buurt' AND m.indicator = ?""", [ind])
        gemeente_scoped = rows.loc[rows["indicator"] == ind, "scope"].ne("all").any()
        # duplicate the reference under both scopes: all buurten, and each gemeente
        parts = [ref.assign(scope="all")]
        if gemeente_scoped:
            parts.append(ref.assign(scope=ref["gemeente_code"]))
        references[ind] = pd.concat(parts, ignore_index=True)[["value_year", "scope", "value"]]
    return rows, references

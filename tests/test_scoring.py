"""Score arithmetic as a table, the rules, the latest-value-within-age choice and the unknown path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.scoring.engine import latest_values, score
from wijkvitaliteit.scoring.model import default_model_text, load_model, parse_model

MODEL_TEXT = """
[model]
name = "fixed"
aggregation = "product"
attention_threshold = 9

[[bands]]
category = "hoog"
label_nl = "hoog vitaal"
label_en = "high"
max = 2
[[bands]]
category = "gemiddeld"
label_nl = "gemiddeld"
label_en = "medium"
max = 8
[[bands]]
category = "kwetsbaar"
label_nl = "kwetsbaar"
label_en = "vulnerable"
max = 12
[[bands]]
category = "laag"
label_nl = "laag vitaal"
label_en = "low"
max = 27

[factors.leefbaarheid]
[[factors.leefbaarheid.indicators]]
id = "lbm.afw"
rule = "thresholds"
thresholds = [-0.1, 0.0]
max_age = 4

[factors.organisatiekracht]
[[factors.organisatiekracht.indicators]]
id = "corp.org_assets"
rule = "thresholds"
thresholds = [2, 4]

[factors.veerkracht]
combine = "{combine}"
require = "{require}"
[[factors.veerkracht.indicators]]
id = "corp.nuisance_per_100"
rule = "thresholds"
thresholds = [5, 10]
[[factors.veerkracht.indicators]]
id = "corp.vulnerable_share"
rule = "thresholds"
thresholds = [0.15, 0.30]
"""

# values that give 1, 2 or 3 points for each indicator under MODEL_TEXT
POINT_VALUES = {
    "lbm.afw": {1: 0.05, 2: -0.05, 3: -0.2},
    "corp.org_assets": {1: 5, 2: 3, 3: 1},
    "corp.nuisance_per_100": {1: 2, 2: 7, 3: 12},
    "corp.vulnerable_share": {1: 0.1, 2: 0.2, 3: 0.4},
}


def model(combine="max", require="all", **replace):
    text = MODEL_TEXT.format(combine=combine, require=require)
    for old, new in replace.items():
        text = text.replace(old, new)
    return parse_model(text)


def measurements(rows):
    frame = pd.DataFrame(rows, columns=["area_code", "year", "indicator", "value"])
    frame["vintage"] = None
    return frame


def buurten(*codes):
    return pd.DataFrame({"code": list(codes), "gemeente_code": ["GM0001"] * len(codes)})


def one_buurt(lb, o, v):
    rows = [
        ("BU00010001", 2024, "lbm.afw", POINT_VALUES["lbm.afw"][lb]),
        ("BU00010001", 2024, "corp.org_assets", POINT_VALUES["corp.org_assets"][o]),
        ("BU00010001", 2024, "corp.nuisance_per_100", POINT_VALUES["corp.nuisance_per_100"][v]),
        ("BU00010001", 2024, "corp.vulnerable_share", POINT_VALUES["corp.vulnerable_share"][v]),
    ]
    return score(measurements(rows), buurten("BU00010001"), [2024], model()).scores.iloc[0]


@pytest.mark.parametrize(
    ("lb", "o", "v", "vitality", "attention", "category"),
    [
        (1, 1, 1, 1, False, "hoog"),
        (2, 1, 1, 2, False, "hoog"),
        (3, 1, 1, 3, False, "gemiddeld"),
        (2, 2, 1, 4, False, "gemiddeld"),
        (3, 2, 1, 6, False, "gemiddeld"),
        (2, 2, 2, 8, False, "gemiddeld"),  # 2·2·2 = 8 is NOT flagged
        (3, 3, 1, 9, True, "kwetsbaar"),  # 3·3·1 = 9 is flagged
        (1, 3, 3, 9, True, "kwetsbaar"),
        (3, 2, 2, 12, True, "kwetsbaar"),
        (3, 3, 2, 18, True, "laag"),
        (3, 3, 3, 27, True, "laag"),
    ],
)
def test_product_attention_and_category(lb, o, v, vitality, attention, category):
    row = one_buurt(lb, o, v)
    assert (row["leefbaarheid"], row["organisatiekracht"], row["veerkracht"]) == (lb, o, v)
    assert row["vitality"] == vitality
    assert bool(row["attention"]) is attention
    assert row["category"] == category
    assert bool(row["complete"])


def test_value_on_a_threshold_gets_the_better_points():
    rows = [
        ("BU00010001", 2024, "lbm.afw", 0.0),  # higher is better: on high → 1
        ("BU00010001", 2024, "corp.org_assets", 2),  # on low → 2
        ("BU00010001", 2024, "corp.nuisance_per_100", 5),  # higher is worse: on low → 1
        ("BU00010001", 2024, "corp.vulnerable_share", 0.30),
    ]  # on high → 2
    result = score(measurements(rows), buurten("BU00010001"), [2024], model(combine="max"))
    points = result.indicators.set_index("indicator")["points"].to_dict()
    assert points == {"lbm.afw": 1, "corp.org_assets": 2, "corp.nuisance_per_100": 1, "corp.vulnerable_share": 2}


@pytest.mark.parametrize(("combine", "expected"), [("max", 3), ("min", 1), ("mean", 2)])
def test_combine_rules(combine, expected):
    rows = [
        ("BU00010001", 2024, "lbm.afw", 0.05),
        ("BU00010001", 2024, "corp.org_assets", 5),
        ("BU00010001", 2024, "corp.nuisance_per_100", 2),
        ("BU00010001", 2024, "corp.vulnerable_share", 0.4),
    ]
    result = score(measurements(rows), buurten("BU00010001"), [2024], model(combine=combine))
    assert result.scores.iloc[0]["veerkracht"] == expected


def test_mean_rounds_half_up():
    rows = [
        ("BU00010001", 2024, "lbm.afw", 0.05),
        ("BU00010001", 2024, "corp.org_assets", 5),
        ("BU00010001", 2024, "corp.nuisance_per_100", 7),
        ("BU00010001", 2024, "corp.vulnerable_share", 0.4),
    ]
    result = score(measurements(rows), buurten("BU00010001"), [2024], model(combine="mean"))
    assert result.scores.iloc[0]["veerkracht"] == 3  # (2 + 3) / 2 = 2.5 → 3


def test_unknown_factor_is_never_silently_1_or_3():
    rows = [("BU00010001", 2024, "lbm.afw", -0.2), ("BU00010001", 2024, "corp.org_assets", 1)]
    result = score(measurements(rows), buurten("BU00010001"), [2024], model())
    row = result.scores.iloc[0]
    assert pd.isna(row["veerkracht"]) and pd.isna(row["vitality"]) and row["category"] is None
    assert not row["complete"]
    # 3 · 3 · (1…3): already ≥ 9 whatever veerkracht turns out to be
    assert (row["vitality_min"], row["vitality_max"]) == (9, 27)
    assert bool(row["attention"]) is True
    factor = result.factors.set_index("factor").loc["veerkracht"]
    assert factor["status"] == "unknown"
    assert "corp.nuisance_per_100 (missing)" in factor["reason"]
    assert "corp.vulnerable_share (missing)" in factor["reason"]


def test_unknown_factor_leaves_attention_open_when_bounds_straddle():
    rows = [("BU00010001", 2024, "lbm.afw", 0.05)]
    row = score(measurements(rows), buurten("BU00010001"), [2024], model()).scores.iloc[0]
    assert (row["vitality_min"], row["vitality_max"]) == (1, 9)
    assert pd.isna(row["attention"])


def test_unknown_is_false_when_even_the_worst_case_stays_below_threshold():
    text = MODEL_TEXT.format(combine="max", require="all").replace("attention_threshold = 9", "attention_threshold = 10")
    rows = [("BU00010001", 2024, "lbm.afw", 0.05)]
    row = score(measurements(rows), buurten("BU00010001"), [2024], parse_model(text)).scores.iloc[0]
    assert bool(row["attention"]) is False


def test_require_any_uses_what_is_there():
    rows = [
        ("BU00010001", 2024, "lbm.afw", 0.05),
        ("BU00010001", 2024, "corp.org_assets", 5),
        ("BU00010001", 2024, "corp.nuisance_per_100", 12),
    ]
    row = score(measurements(rows), buurten("BU00010001"), [2024], model(require="any")).scores.iloc[0]
    assert row["veerkracht"] == 3 and bool(row["complete"])


def test_latest_value_within_max_age_and_its_year():
    rows = measurements([("BU1", 2016, "x", 1.0), ("BU1", 2018, "x", 2.0), ("BU1", 2020, "x", 3.0), ("BU2", 2014, "x", 9.0)])
    targets = pd.DataFrame(
        {"area_code": ["BU1", "BU1", "BU1", "BU1", "BU2", "BU2"], "year": [2017, 2020, 2024, 2025, 2018, 2019]}
    )
    found = latest_values(rows, targets, max_age=4)
    assert found["value"].tolist()[:3] == [1.0, 3.0, 3.0]
    assert found["value_year"].tolist()[:3] == [2016, 2020, 2020]
    assert np.isnan(found["value"].iloc[3])  # 2025 − 2020 = 5 > 4
    assert found["value"].iloc[4] == 9.0 and np.isnan(found["value"].iloc[5])


def test_score_year_uses_older_leefbaarometer_and_says_which_year():
    rows = [
        ("BU00010001", 2020, "lbm.afw", -0.2),
        ("BU00010001", 2023, "corp.org_assets", 1),
        ("BU00010001", 2023, "corp.nuisance_per_100", 12),
        ("BU00010001", 2023, "corp.vulnerable_share", 0.4),
    ]
    result = score(measurements(rows), buurten("BU00010001"), [2023], model())
    lbm = result.indicators.set_index("indicator").loc["lbm.afw"]
    assert lbm["value_year"] == 2020 and lbm["points"] == 3
    assert result.scores.iloc[0]["vitality"] == 27


def test_quantile_rule_thresholds_from_reference_in_the_values_year():
    text = default_model_text()
    default = parse_model(text)
    codes = [f"BU0001{i:04d}" for i in range(100)]
    rows = [(c, 2020, "lbm.afw", float(i)) for i, c in enumerate(codes)]
    result = score(measurements(rows), buurten(*codes), [2020], default)
    lbm = result.indicators[result.indicators["indicator"] == "lbm.afw"].set_index("area_code")
    # cuts [0.5, 0.8]: best 50 % → 1, weakest 20 % → 3
    assert lbm["points"].value_counts().to_dict() == {1: 50, 2: 30, 3: 20}
    assert lbm.loc[codes[0], "reference_n"] == 100
    assert lbm.loc[codes[0], "threshold_low"] == pytest.approx(np.quantile(np.arange(100), 0.2))
    assert lbm.loc[codes[0], "threshold_high"] == pytest.approx(np.quantile(np.arange(100), 0.5))


def test_quantile_reference_per_gemeente_and_minimum_reference():
    default, _ = load_model()
    codes = [f"BU0001{i:04d}" for i in range(10)] + ["BU00020001", "BU00020002"]
    areas = pd.DataFrame({"code": codes, "gemeente_code": ["GM0001"] * 10 + ["GM0002"] * 2})
    rows = [(c, 2024, "corp.nuisance_per_100", float(i)) for i, c in enumerate(codes)]
    result = score(measurements(rows), areas, [2024], default)
    ind = result.indicators[result.indicators["indicator"] == "corp.nuisance_per_100"].set_index("area_code")
    assert ind.loc["BU00010000", "reference"] == "GM0001" and ind.loc["BU00010000", "reference_n"] == 10
    assert ind.loc["BU00020001", "status"] == "no_reference"  # 2 buurten are too few to compare with
    assert pd.isna(ind.loc["BU00020001", "points"])


def test_geometric_mean_aggregation():
    text = MODEL_TEXT.format(combine="max", require="all").replace('aggregation = "product"', 'aggregation = "geometric_mean"')
    text = text.replace("attention_threshold = 9", "attention_threshold = 2.08")
    rows = [
        ("BU00010001", 2024, "lbm.afw", -0.2),
        ("BU00010001", 2024, "corp.org_assets", 1),
        ("BU00010001", 2024, "corp.nuisance_per_100", 2),
        ("BU00010001", 2024, "corp.vulnerable_share", 0.1),
    ]
    row = score(measurements(rows), buurten("BU00010001"), [2024], parse_model(text)).scores.iloc[0]
    assert row["vitality"] == pytest.approx(9 ** (1 / 3))
    assert bool(row["attention"]) is True


def test_model_hash_ignores_comments_and_layout_but_not_values():
    text = default_model_text()
    a = parse_model(text)
    b = parse_model("# a comment\n" + text.replace("attention_threshold = 9 ", "attention_threshold=9"))
    c = parse_model(text.replace("cuts = [0.5, 0.8]                # weakest", "cuts = [0.5, 0.9] # weakest"))
    assert a.hash == b.hash
    assert a.hash != c.hash


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('rule = "quantile"', 'rule = "median"'),
        ("cuts = [0.5, 0.8]                # weakest", "cuts = [0.8, 0.5] # weakest"),
        ("[factors.veerkracht]", "[factors.weerkracht]"),
        ("max = 8", "max = 30"),
        ("attention_threshold = 9 ", "attention_threshold = 'nine' "),
    ],
)
def test_bad_models_give_a_clear_error(old, new):
    with pytest.raises(InputError) as info:
        parse_model(default_model_text().replace(old, new, 1), "my-model.toml")
    assert "my-model.toml" in str(info.value)

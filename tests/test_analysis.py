"""Diagnoses: segregation against PySAL, the resilience model against the planted truth, sensitivity."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from segregation.singlegroup import Dissim, Entropy, Interaction, Isolation

from tests.conftest import run_cli
from wijkvitaliteit import data as bundled
from wijkvitaliteit.analysis import resilience, segregation, sensitivity
from wijkvitaliteit.present.diagnosis import sensitivity_inputs
from wijkvitaliteit.scoring.runs import active_run
from wijkvitaliteit.sources.kwb import read_kwb
from wijkvitaliteit.workspace.store import Workspace

PYSAL = {"dissimilarity": Dissim, "isolation": Isolation, "exposure": Interaction, "entropy": Entropy}


def _assert_matches_pysal(units: pd.DataFrame, by: list[str]) -> int:
    batch = segregation.indices(units, by).set_index(by)
    checked = 0
    for key, sub in units.dropna(subset=["group", "total"]).groupby(by):
        for name, cls in PYSAL.items():
            expected = cls(sub.reset_index(drop=True), "group", "total").statistic
            assert batch.loc[key, name] == pytest.approx(expected, abs=1e-12), (key, name)
            checked += 1
    return checked


def test_segregation_equals_pysal_on_real_utrecht_counts():
    kwb = read_kwb(bundled.KWB_UTRECHT[2023]).measurements
    wide = kwb[kwb["area_code"].str.startswith("BU")].pivot(index="area_code", columns="indicator", values="value")
    units = pd.DataFrame(
        {"gemeente": "GM0344", "year": 2023, "group": wide["kwb.a_soz_wb"], "total": wide["kwb.a_inw"]}
    ).reset_index()
    assert units["group"].notna().sum() == 107
    assert _assert_matches_pysal(units, ["gemeente", "year"]) == 4
    result = segregation.indices(units, ["gemeente", "year"]).iloc[0]
    assert 0 < result["dissimilarity"] < 1 and result["units"] == 107


def test_segregation_equals_pysal_on_random_data():
    rng = np.random.default_rng(7)
    frames = []
    for g in range(30):
        for year in (2020, 2021):
            n = rng.integers(3, 50)
            total = rng.integers(0, 5000, n)
            frames.append(
                pd.DataFrame({"g": g, "year": year, "total": total, "group": rng.binomial(total, rng.uniform(0.01, 0.7))})
            )
    assert _assert_matches_pysal(pd.concat(frames, ignore_index=True), ["g", "year"]) == 240


def test_location_quotients_and_centre_profile():
    units = pd.DataFrame({"g": 1, "group": [10, 30, 60], "total": [100, 100, 100], "km": [0.5, 2.0, 4.0]})
    lq = segregation.location_quotients(units, ["g"])
    assert lq.round(6).tolist() == [0.3, 0.9, 1.8]
    profile = segregation.centre_profile(units, "km", rings=3)
    assert profile["share"].round(6).tolist() == [0.1, 0.3, 0.6]


def _truth(demo_data) -> dict:
    return json.loads((demo_data / "truth.json").read_text())


@pytest.fixture(scope="module")
def resilience_fit(demo_workspace):
    with Workspace(demo_workspace, read_only=True) as ws:
        m = ws.query("""SELECT area_code, year, indicator, value FROM measurements
                        WHERE indicator IN ('corp.nuisance_per_100', 'corp.vulnerable_share', 'kwb.p_wcorpw')""")
    return resilience.fit(resilience.panel(m))


def test_resilience_recovers_the_planted_coefficients(resilience_fit, demo_data):
    truth = _truth(demo_data)["coefficients"]
    coefficients = resilience_fit.coefficients.set_index("term")
    for term, key in (("vulnerable_share", "b_v"), ("vulnerable_share × corporation_share", "b_vc")):
        row = coefficients.loc[term]
        assert row["ci_low"] <= truth[key] <= row["ci_high"], (term, row.to_dict(), truth[key])
    assert resilience_fit.n_buurten > 90  # Utrecht: the corporation share comes from KWB p_wcorpw


def test_resilience_labels_follow_the_planted_buurt_effects(resilience_fit, demo_data):
    alpha = {b["code"]: b["buurt_effect"] for b in _truth(demo_data)["buurten"]}
    labelled = resilience_fit.buurten.assign(alpha=resilience_fit.buurten["area_code"].map(alpha))
    assert (labelled.loc[labelled["label"] == "absorbs", "alpha"] < 0).all()
    assert (labelled.loc[labelled["label"] == "under_pressure", "alpha"] > 0).all()
    assert labelled["label"].isin(["absorbs", "under_pressure"]).sum() >= 10


def test_resilience_estimator_on_a_large_synthetic_panel():
    """A panel with known slopes and many buurten: the estimates land close, the intervals cover them."""
    rng = np.random.default_rng(3)
    n, years = 600, range(2019, 2025)
    share = rng.uniform(0.1, 0.9, n)
    effect = rng.normal(0, 0.8, n)
    rows = []
    for i in range(n):
        for j, year in enumerate(years):
            v = np.clip(0.05 + 0.3 * share[i] + rng.normal(0, 0.08), 0, 1)
            y = 2 + 3 * v + 4 * share[i] + 12 * v * share[i] + effect[i] + 0.2 * j + rng.normal(0, 0.5)
            rows.append({"area_code": f"BU{i:08d}", "year": year, "y": y, "V": v, "S": share[i]})
    result = resilience.fit(pd.DataFrame(rows))
    est = result.coefficients.set_index("term")
    assert est.loc["vulnerable_share", "estimate"] == pytest.approx(3, abs=1.0)
    assert est.loc["vulnerable_share × corporation_share", "estimate"] == pytest.approx(12, abs=2.0)
    assert (est["ci_low"] <= [3, 12]).all() and (est["ci_high"] >= [3, 12]).all()


def test_draagkracht_is_the_room_before_veerkracht_points_rise(resilience_fit, demo_workspace):
    with Workspace(demo_workspace, read_only=True) as ws:
        run = active_run(ws)
        current = ws.query(
            """SELECT area_code, factor, indicator, value, threshold_low, threshold_high, direction,
                                     points FROM score_indicators WHERE run_id = ? AND year = 2024""",
            [run.run_id],
        )
    room = resilience.draagkracht(resilience_fit, current, run.model)
    veerkracht = current[current["factor"] == "veerkracht"].groupby("area_code")["points"].agg(list)
    points = {c: int(np.floor(np.mean(p) + 0.5)) for c, p in veerkracht.items() if not any(pd.isna(x) for x in p)}
    at_max = [c for c, p in points.items() if p == 3 and c in room.index]
    assert at_max and (room[at_max] == 0).all()
    below = room[[c for c, p in points.items() if p < 3 and c in room.index]]
    in_model = set(resilience_fit.buurten["area_code"])
    assert below[below.index.isin(in_model)].gt(0).all() and below.index.isin(in_model).sum() > 30
    # outside the model (Nijmegen has no KWB corporation share here) there is no slope to project with
    assert below[~below.index.isin(in_model)].isna().all()


def test_sensitivity_labels_and_stability(demo_workspace):
    with Workspace(demo_workspace, read_only=True) as ws:
        run = active_run(ws)
        rows, references = sensitivity_inputs(ws, run, 2024)
        flagged = ws.query(
            "SELECT area_code, attention, vitality FROM scores WHERE run_id = ? AND year = 2024 AND complete", [run.run_id]
        ).set_index("area_code")
    settings = sensitivity.SensitivitySettings.load(draws=2000)
    result = sensitivity.run(rows, references, run.model, settings).set_index("area_code")
    assert len(result) == len(flagged)
    # the extremes are (nearly always) stable; the boundary is where the borderline cases are
    high, low = flagged.index[flagged["vitality"] >= 18], flagged.index[flagged["vitality"] <= 2]
    assert result.loc[high, "p_flagged"].mean() > 0.9 and result.loc[low, "p_flagged"].mean() < 0.1
    assert (result.loc[low, "label"] == "stable_not_flagged").all()
    assert set(result["label"]) == {"stable_flagged", "borderline", "stable_not_flagged"}
    border = result.loc[result["label"] == "borderline"].index
    assert flagged.loc[border, "vitality"].between(4, 18).all()
    # the model itself sits inside the draws: flagged buurten are flagged in at least some draws
    assert (result.loc[flagged.index[flagged["attention"].astype(bool)], "p_flagged"] > 0).all()
    assert (result["rank_p05"] <= result["rank_p95"]).all()
    again = sensitivity.run(rows, references, run.model, settings).set_index("area_code")
    pd.testing.assert_frame_equal(result, again)  # seeded: the same draws give the same answer


def test_analyse_cli(demo_workspace, tmp_path):
    out = tmp_path / "sens.csv"
    result = run_cli("analyse", "sensitivity", "--draws", "500", "--out", str(out), "--workspace", str(demo_workspace))
    assert result.returncode == 0, result.stderr
    assert {"p_flagged", "rank_p05", "rank_p95", "label"} <= set(pd.read_csv(out).columns)
    result = run_cli("analyse", "segregation", "--gemeente", "Utrecht", "--workspace", str(demo_workspace))
    assert result.returncode == 0 and "Utrecht" in result.stdout
    result = run_cli("analyse", "resilience", "--workspace", str(demo_workspace), "--lang", "en")
    assert result.returncode == 0 and "share of vulnerable inflow" in result.stdout and "vulnerable_share" not in result.stdout
    bad = run_cli(
        "analyse", "segregation", "--group", "kwb.bestaat_niet", "--total", "kwb.a_inw", "--workspace", str(demo_workspace)
    )
    assert bad.returncode == 2 and "kwb.bestaat_niet" in bad.stderr

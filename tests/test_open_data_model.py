"""The open-data model (issue 13, item 7) on the bundled real data: leefbaarheid from the Leefbaarometer, veerkracht
from what open data there is (bijstand per 1,000 from the KWB, the Leefbaarometer's soc and onv), organisatiekracht
unknown without a register — with its bounds, never invented."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import run_cli

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.scoring.model import load_model
from wijkvitaliteit.workspace.store import Workspace


@pytest.fixture(scope="module")
def scored(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("open") / "open.duckdb"
    pipeline.import_codes(path, bundled.CODES)
    pipeline.import_leefbaarometer(path, bundled.LEEFBAAROMETER)
    for kwb in bundled.KWB_UTRECHT.values():
        pipeline.import_kwb(path, kwb)
    model, text = load_model("open-data")
    pipeline.score_workspace(path, model, text)
    return path


def test_bijstand_per_1000_is_the_kwb_ratio(scored):
    with Workspace(scored, read_only=True) as ws:
        rows = ws.query(
            """SELECT r.value AS ratio, b.value AS bijstand, i.value AS inw FROM measurements r
               JOIN measurements b ON b.area_code = r.area_code AND b.year = r.year AND b.indicator = 'kwb.a_soz_wb'
               JOIN measurements i ON i.area_code = r.area_code AND i.year = r.year AND i.indicator = 'kwb.a_inw'
               WHERE r.indicator = 'open.bijstand_per_1000'"""
        )
    assert len(rows) > 100
    assert ((rows["ratio"] - rows["bijstand"] / rows["inw"] * 1000).abs() < 1e-9).all()


def test_veerkracht_is_the_mean_of_what_is_there_and_organisatiekracht_is_bounded(scored):
    with Workspace(scored, read_only=True) as ws:
        run = int(ws.query("SELECT max(run_id) AS r FROM score_runs")["r"].iloc[0])
        scores = ws.query("SELECT * FROM scores WHERE run_id = ? AND year = 2023 AND area_code LIKE 'BU0344%'", [run])
        points = ws.query(
            """SELECT area_code, indicator, points FROM score_indicators
               WHERE run_id = ? AND year = 2023 AND factor = 'veerkracht' AND points IS NOT NULL AND area_code LIKE 'BU0344%'""",
            [run],
        )
        nijmegen = ws.query(
            """SELECT DISTINCT indicator FROM score_indicators WHERE run_id = ? AND year = 2020 AND factor = 'veerkracht'
               AND points IS NOT NULL AND area_code LIKE 'BU0268%'""",
            [run],
        )["indicator"]
    assert len(scores) >= 100
    assert scores["organisatiekracht"].isna().all() and (~scores["complete"]).all()
    known = scores.dropna(subset=["leefbaarheid", "veerkracht"])
    assert len(known) >= 100
    assert (known["vitality_min"] == known["leefbaarheid"] * 1 * known["veerkracht"]).all()
    assert (known["vitality_max"] == known["leefbaarheid"] * 3 * known["veerkracht"]).all()
    flagged = known[known["vitality_min"] >= 9]
    assert flagged["attention"].eq(True).all() and known.loc[known["vitality_max"] < 9, "attention"].eq(False).all()
    assert {"open.bijstand_per_1000", "lbm.soc", "lbm.onv"} <= set(points["indicator"])
    mean = points.groupby("area_code")["points"].mean()
    expected = mean.map(lambda m: math.floor(m + 0.5))
    got = known.set_index("area_code")["veerkracht"]
    assert (got.loc[expected.index.intersection(got.index)] == expected.loc[expected.index.intersection(got.index)]).all()
    assert set(nijmegen) == {"lbm.soc", "lbm.onv"}  # no KWB for Nijmegen: the Leefbaarometer dimensions carry it


def test_score_takes_a_bundled_model_by_name(tmp_path, scored):
    import shutil

    path = tmp_path / "again.duckdb"
    shutil.copy(scored, path)
    result = run_cli("score", "--model", "open-data", "--year", "2023", "-w", str(path))
    assert result.returncode == 0, result.stderr
    assert "wijkvitaliteit-open-data" in result.stdout


def test_pages_of_an_open_data_workspace_answer_without_a_500(scored):
    from fastapi.testclient import TestClient

    from wijkvitaliteit.web.app import create_app

    app = create_app(scored)
    try:
        client = TestClient(app, raise_server_exceptions=False)
        for path in ("/nederland", "/gemeente/GM0344", "/buurt/BU03440112", "/buurt/BU03440112.json", "/model"):
            assert client.get(path).status_code == 200, path
        for path in ("/analyse/veerkracht.json", "/analyse/gevoeligheid.json", "/toewijzing.json"):
            response = client.get(path)
            assert response.status_code in (200, 422), path  # no corporation records: said plainly, never a 500
        body = client.get("/buurt/BU03440112.json").json()
        assert body["score"]["organisatiekracht"] is None
    finally:
        app.state.close()

"""Score runs record their inputs; `runs compare` names exactly the buurten whose points moved; a running server
follows the workspace to a new run without a restart."""

from __future__ import annotations

import json
import urllib.request

import pandas as pd
import pytest

from tests.conftest import run_cli, served
from tests.test_migrations import schema2_copy
from wijkvitaliteit.scoring.model import default_model_text
from wijkvitaliteit.workspace.store import Workspace


@pytest.fixture
def small(tmp_path):
    """The small Nijmegen workspace (migrated from the schema-2 fixture), scored once with today's code."""
    path = schema2_copy(tmp_path)
    assert run_cli("score", "-w", str(path)).returncode == 0
    return path


def _stricter_model(tmp_path):
    """The shipped model with the Leefbaarometer afw thresholds raised: planted, so that some buurten's
    leefbaarheid points rise and the comparison must name exactly those."""
    text = default_model_text()
    start = text.index('id = "lbm.afw"')
    cut = text.index("cuts = [0.5, 0.8]", start)
    assert cut - start < 300, "the shipped model's lbm.afw rule changed; adjust the planted model"
    text = text[:cut] + "cuts = [0.3, 0.6]" + text[cut + len("cuts = [0.5, 0.8]") :]
    path = tmp_path / "stricter.toml"
    path.write_text(text.replace('name = "wijkvitaliteit-standaard"', 'name = "strenger"', 1), encoding="utf-8")
    return path


def _runs(path):
    with Workspace(path, read_only=True) as ws:
        return ws.query("SELECT run_id, model_hash, inputs_hash, inputs, derive FROM score_runs ORDER BY run_id")


def test_a_run_records_its_inputs_and_the_same_inputs_replace_it(small):
    runs = _runs(small)
    assert runs["run_id"].tolist() == [1, 2]
    inputs = json.loads(runs["inputs"].iloc[1])
    assert {i["kind"] for i in inputs["imports"]} == {"leefbaarometer", "corporation"}
    assert all(len(i["sha256"]) == 64 for i in inputs["imports"]) and inputs["derive"] == {"window": 3, "min_lettings": 5}
    assert run_cli("score", "-w", str(small)).returncode == 0  # same model, same inputs: the same run again
    again = _runs(small)
    assert again["run_id"].tolist() == [1, 2] and again["inputs_hash"].iloc[1] == runs["inputs_hash"].iloc[1]


def test_a_re_derive_makes_a_new_run(small):
    assert run_cli("derive", "--window", "2", "-w", str(small)).returncode == 0
    assert run_cli("score", "-w", str(small)).returncode == 0
    runs = _runs(small)
    assert runs["run_id"].tolist() == [1, 2, 3]
    assert runs["model_hash"].iloc[1] == runs["model_hash"].iloc[2]
    assert runs["inputs_hash"].iloc[1] != runs["inputs_hash"].iloc[2]
    assert json.loads(runs["derive"].iloc[2]) == {"window": 2, "min_lettings": 5}


def test_runs_compare_names_exactly_the_buurten_whose_points_moved(small, tmp_path):
    model = _stricter_model(tmp_path)
    assert run_cli("score", "--model", str(model), "-w", str(small)).returncode == 0
    with Workspace(small, read_only=True) as ws:
        truth = ws.query("""SELECT a.area_code FROM scores a JOIN scores b USING (area_code, year)
                            WHERE a.run_id = 2 AND b.run_id = 3 AND a.year = 2023
                              AND a.leefbaarheid IS DISTINCT FROM b.leefbaarheid""")["area_code"]
    assert len(truth) > 0, "the planted model should move some buurten's leefbaarheid"
    out = tmp_path / "compare.csv"
    result = run_cli("runs", "compare", "2", "3", "--year", "2023", "--all", "--out", str(out), "-w", str(small))
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out)
    moved = table[table["factors_changed"].fillna("").str.contains("leefbaarheid")]["code"]
    assert sorted(moved) == sorted(truth)
    assert "model: wijkvitaliteit-standaard → strenger" in result.stdout
    listed = run_cli("runs", "-w", str(small))
    assert listed.returncode == 0 and "strenger" in listed.stdout
    missing = run_cli("runs", "compare", "2", "9", "-w", str(small))
    assert missing.returncode == 2 and "run" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.slow
def test_the_server_follows_a_new_score_without_a_restart(small, tmp_path):
    model = _stricter_model(tmp_path)
    with served(small) as base:

        def get(path):
            return json.loads(urllib.request.urlopen(base + path).read())

        before = get("/model.json")["hash"]
        gemeente_before = get("/gemeente/GM0268.json?jaar=2023")
        assert run_cli("score", "--model", str(model), "-w", str(small)).returncode == 0
        after = get("/model.json")
        assert after["hash"] != before and after["name"] == "strenger"
        assert [r["run_id"] for r in get("/runs.json")["runs"]] == [1, 2, 3]
        gemeente_after = get("/gemeente/GM0268.json?jaar=2023")
        assert gemeente_after["buurten"] != gemeente_before["buurten"]  # the cached page went with the old file
        compared = get("/runs/vergelijk.json?a=2&b=3&jaar=2023")
        assert compared["model_changed"] and compared["a"] == 2 and compared["b"] == 3

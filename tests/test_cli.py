"""The command line as a user runs it, on the demo workspace."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.conftest import run_cli
from wijkvitaliteit.workspace.store import Workspace


def test_help_lists_the_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("demo", "init", "import", "score", "show", "list", "export", "demo-data", "derive"):
        assert command in result.stdout
    result = run_cli("import", "--help")
    for kind in ("leefbaarometer", "kwb", "geometry", "codes", "corporation"):
        assert kind in result.stdout


def test_show_malvert_explains_every_factor(demo_workspace):
    result = run_cli("show", "Malvert", "--workspace", str(demo_workspace))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Malvert (BU02680736)" in text and "Nijmegen" in text and "Dukenburg" in text
    for factor in ("leefbaarheid", "organisatiekracht", "veerkracht"):
        assert factor in text
    assert "Overlastmeldingen per 100 corporatiewoningen" in text
    assert "meting 2020, Leefbaarometer 3.0" in text  # the 2024 score uses the 2020 measurement, and says so
    assert "kruist Leefbaarometer-versies" in text
    assert "Nederlandse buurten scoort lager" in text
    for year in ("2002", "2008", "2012", "2014", "2016", "2018", "2020"):
        assert year in text


def test_show_in_english_and_by_code(demo_workspace):
    result = run_cli("show", "bu02680736", "--workspace", str(demo_workspace), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert "liveability" in result.stdout and "Vitality score" in result.stdout


def test_show_unknown_buurt_suggests(demo_workspace):
    result = run_cli("show", "Malvrt", "--workspace", str(demo_workspace))
    assert result.returncode == 2
    assert "Malvert (BU02680736)" in result.stderr and "Traceback" not in result.stderr


def test_list_attention_matches_the_scores(demo_workspace):
    result = run_cli("list", "--gemeente", "Nijmegen", "--attention", "--workspace", str(demo_workspace))
    assert result.returncode == 0, result.stderr
    with Workspace(demo_workspace, read_only=True) as ws:
        flagged = ws.query("""SELECT s.area_code FROM scores s JOIN areas a ON a.code = s.area_code
                              WHERE a.gemeente_code = 'GM0268' AND s.year = 2024 AND s.attention""")
    assert len(flagged) > 0
    for code in flagged["area_code"]:
        assert code in result.stdout
    assert f"{len(flagged)} buurten" in result.stdout or (len(flagged) == 1 and "1 buurt" in result.stdout)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_list_fits_an_80_column_terminal_with_whole_names_and_headers(demo_workspace, lang):
    """In 80 columns no header or name is cut: names wrap, the point columns are L/O/V with a line that says so."""
    result = run_cli("list", "--lang", lang, "--workspace", str(demo_workspace), env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert "…" not in result.stdout
    header = next(line for line in lines if line.startswith("code"))
    words = {"nl": ["naam", "gemeente", "score", "categorie", "aandacht"], "en": ["name", "municipality", "attention"]}
    assert all(w in header.split() for w in words[lang]), header
    caption = {"nl": "L = leefbaarheid", "en": "L = liveability"}[lang]
    assert caption in result.stdout and {"nl": "buurten", "en": "neighbourhoods"}[lang] in lines[-1]


def test_export_csv_round_trips_the_scores(demo_workspace, tmp_path):
    out = tmp_path / "scores.csv"
    result = run_cli("export", "--format", "csv", "--year", "2024", "--out", str(out), "--workspace", str(demo_workspace))
    assert result.returncode == 0, result.stderr
    exported = pd.read_csv(out)
    with Workspace(demo_workspace, read_only=True) as ws:
        stored = ws.query("SELECT area_code, vitality FROM scores WHERE year = 2024")
    assert len(exported) == len(stored)
    merged = exported.merge(stored, left_on="code", right_on="area_code", suffixes=("", "_db"))
    pd.testing.assert_series_equal(merged["vitality"], merged["vitality_db"], check_names=False)
    indicators = run_cli("export", "--table", "indicators", "--year", "2024", "--workspace", str(demo_workspace))
    frame = pd.read_csv(io.StringIO(indicators.stdout))
    assert {"indicator", "value", "value_year", "threshold_low", "threshold_high", "points"} <= set(frame.columns)


def test_score_with_another_model_is_another_run(workspace_copy, tmp_path):
    from wijkvitaliteit.scoring.model import default_model_text

    model = tmp_path / "strict.toml"
    model.write_text(default_model_text().replace("attention_threshold = 9 ", "attention_threshold = 6 "))
    result = run_cli("score", "--model", str(model), "--year", "2024", "--workspace", str(workspace_copy))
    assert result.returncode == 0, result.stderr
    with Workspace(workspace_copy, read_only=True) as ws:
        runs = ws.query("SELECT run_id, model_hash FROM score_runs ORDER BY run_id")
        flagged = ws.query(
            "SELECT run_id, count(*) FILTER (WHERE attention) n FROM scores WHERE year = 2024 GROUP BY 1 ORDER BY 1"
        )
    assert len(runs) == 2 and runs["model_hash"].nunique() == 2
    assert flagged["n"].iloc[1] > flagged["n"].iloc[0]


def test_bad_model_file_is_a_user_error(workspace_copy, tmp_path):
    model = tmp_path / "bad.toml"
    model.write_text("[model]\nname = 'x'\n")
    result = run_cli("score", "--model", str(model), "--workspace", str(workspace_copy))
    assert result.returncode == 2 and "bad.toml" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_demo_command_builds_a_workspace_and_prints_the_summary(tmp_path):
    ws = tmp_path / "demo.duckdb"
    result = run_cli("demo", "--workspace", str(ws))
    assert result.returncode == 0, result.stderr
    assert ws.exists()
    assert "FICTIEF" in result.stdout
    assert "Nijmegen (GM0268)" in result.stdout and "Utrecht (GM0344)" in result.stdout
    assert "Aandachtslijst Nijmegen" in result.stdout and "BU02680736" in result.stdout
    assert (tmp_path / "demo-corporatie" / "truth.json").exists()

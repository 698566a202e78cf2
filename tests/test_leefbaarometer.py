"""The national Leefbaarometer file (meting 2020), read from the zip it is published in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wijkvitaliteit import data as bundled
from wijkvitaliteit.sources.leefbaarometer import DIMENSIONS, LBM_REFERENCE, read_leefbaarometer


@pytest.fixture(scope="module")
def lbm():
    return read_leefbaarometer(bundled.LEEFBAAROMETER)


def test_national_file_row_and_code_counts(lbm):
    assert len(lbm.scores) == 92_683
    assert lbm.scores["bu_code"].nunique() == 13_326
    per_year = lbm.scores.groupby("jaar").size().to_dict()
    assert per_year == {2002: 13_211, 2008: 13_211, 2012: 13_211, 2014: 13_225, 2016: 13_248, 2018: 13_290, 2020: 13_287}


def test_afw_is_lbm_minus_fixed_reference_on_every_scored_row(lbm):
    scored = lbm.scores.dropna(subset=["lbm", "afw"])
    assert len(scored) == 92_683 - 12_835
    assert np.abs(scored["lbm"] - scored["afw"] - LBM_REFERENCE).max() < 1e-6


def test_dimensions_sum_to_afw_for_version_3_years(lbm):
    v3 = lbm.scores[lbm.scores["jaar"].isin([2014, 2018, 2020])].dropna(subset=["afw"])
    total = v3[list(DIMENSIONS)].sum(axis=1, min_count=5)
    assert total.notna().all()
    assert np.abs(total - v3["afw"]).max() < 1e-9


def test_dimensions_missing_for_older_versions_and_versions_recorded(lbm):
    old = lbm.scores[lbm.scores["jaar"].isin([2002, 2008, 2012, 2016])]
    assert old[list(DIMENSIONS)].isna().all().all()
    versions = lbm.scores.groupby("jaar")["versie"].unique().map(lambda v: list(v))
    assert versions[2002] == ["Leefbaarometer 1.0"] and versions[2016] == ["Leefbaarometer 2.0"]
    assert versions[2020] == ["Leefbaarometer 3.0"]


def test_measurements_are_long_with_vintage(lbm):
    malvert = lbm.measurements[lbm.measurements["area_code"] == "BU02680736"]
    assert sorted(malvert.loc[malvert["indicator"] == "lbm.afw", "year"]) == [2002, 2008, 2012, 2014, 2016, 2018, 2020]
    row = malvert[(malvert["indicator"] == "lbm.score") & (malvert["year"] == 2020)].iloc[0]
    assert row["vintage"] == "Leefbaarometer 3.0"
    assert not lbm.measurements["value"].isna().any()


def test_buurt_areas_imply_wijk_and_gemeente(lbm):
    areas = lbm.areas.set_index("code")
    assert areas.loc["BU02680736", "wijk_code"] == "WK026807"
    assert areas.loc["BU02680736", "gemeente_code"] == "GM0268"
    assert areas.loc["WK026807", "level"] == "wijk"
    assert (areas["level"] == "buurt").sum() == 13_326


def test_csv_and_zip_give_the_same_table(lbm, tmp_path):
    import zipfile

    with zipfile.ZipFile(bundled.LEEFBAAROMETER) as archive:
        archive.extract("Livability.csv", tmp_path)
    plain = read_leefbaarometer(tmp_path / "Livability.csv")
    assert plain.scores.equals(lbm.scores)


def test_a_wijk_level_file_with_a_leading_index_column(tmp_path):
    """Leefbaarometer wijk scores (wk_code, wk_naam, …) after an unnamed index column, as a pandas export writes them:
    stored at the wijk codes, not scored as buurten, and `inspect` names the import."""
    from wijkvitaliteit import data as bundled
    from wijkvitaliteit import pipeline
    from wijkvitaliteit.sources.identify import inspect
    from wijkvitaliteit.workspace.store import Workspace

    fixture = Path(__file__).parent / "fixtures" / "leefbaarometer-wijk-nijmegen.csv"
    data = read_leefbaarometer(fixture)
    assert data.level == "wijk" and set(data.areas["level"]) == {"wijk"}
    assert set(data.areas["gemeente_code"]) == {"GM0268"}
    raw = pd.read_csv(fixture, index_col=0)
    got = data.measurements.query("indicator == 'lbm.afw'").set_index(["area_code", "year"])["value"]
    want = raw.set_index(["wk_code", "jaar"])["afw"]
    assert len(got) == len(want) and (got.sort_index().to_numpy() == want.sort_index().to_numpy()).all()
    ws_path = tmp_path / "ws.duckdb"
    pipeline.import_codes(ws_path, bundled.CODES)
    summary = pipeline.import_leefbaarometer(ws_path, fixture)
    assert "level wijk" in summary.detail
    with Workspace(ws_path, read_only=True) as ws:
        stored = ws.query("SELECT DISTINCT a.level FROM measurements m JOIN areas a ON a.code = m.area_code")
        name = ws.query("SELECT name FROM areas WHERE code = 'WK026807'")["name"].iloc[0]
    assert stored["level"].tolist() == ["wijk"] and name == "Wijk 07 Dukenburg"
    found = inspect(fixture)
    assert found.command is not None and "import leefbaarometer" in found.command and found.facts["level"] == "wijk"


def test_an_xlsx_workbook_gives_the_same_table_as_the_csv(tmp_path):
    """The same Leefbaarometer columns in a workbook (as a user saves the download from Excel) read as the CSV does,
    and `inspect` names the import."""
    from wijkvitaliteit.sources.identify import inspect

    fixture = Path(__file__).parent / "fixtures" / "leefbaarometer-wijk-nijmegen.csv"
    frame = pd.read_csv(fixture, index_col=0)
    book = tmp_path / "Leefbaarometer wijken.xlsx"
    frame.to_excel(book, index=False, engine="xlsxwriter")
    from_csv, from_xlsx = read_leefbaarometer(fixture), read_leefbaarometer(book)
    assert from_xlsx.level == "wijk" and len(from_xlsx.measurements) == len(from_csv.measurements) > 0
    key = ["area_code", "year", "indicator"]
    a = from_csv.measurements.sort_values(key).reset_index(drop=True)
    b = from_xlsx.measurements.sort_values(key).reset_index(drop=True)
    assert (a[key] == b[key]).all().all() and np.allclose(a["value"], b["value"], rtol=0, atol=1e-12)
    found = inspect(book)
    assert found.command == f"wijkvitaliteit import leefbaarometer '{book}'" and found.facts["level"] == "wijk"  # quoted: a space

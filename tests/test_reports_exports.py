"""Reports (PDF/HTML through WeasyPrint) and exports (CSV, xlsx, GeoPackage, Parquet) on the demo workspace."""

from __future__ import annotations

import subprocess

import openpyxl
import pandas as pd
import pyogrio
import pytest

from tests.conftest import ARTIFACTS, run_cli
from wijkvitaliteit.workspace.store import Workspace


def _flagged(ws_path, gemeente: str) -> pd.DataFrame:
    with Workspace(ws_path, read_only=True) as ws:
        return ws.query(
            """SELECT s.area_code, a.name, s.vitality FROM scores s JOIN areas a ON a.code = s.area_code
                           WHERE a.gemeente_code = ? AND s.year = 2024 AND s.attention""",
            [gemeente],
        )


@pytest.fixture(scope="module")
def nijmegen_pdf(demo_workspace, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "nijmegen.pdf"
    result = run_cli("report", "--gemeente", "GM0268", "--out", str(out), "--workspace", str(demo_workspace))
    assert result.returncode == 0, result.stderr
    return out


def _pdftotext(path, first=None, last=None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(first), "-l", str(last)] if first else []) + [str(path), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_nijmegen_pdf_pages_text_and_artifacts(nijmegen_pdf, demo_workspace):
    flagged = _flagged(demo_workspace, "GM0268")
    info = subprocess.run(["pdfinfo", str(nijmegen_pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    # cover + summary + map + diagnosis + allocation + one page per flagged buurt + model + sources
    assert pages == 7 + len(flagged)
    text = _pdftotext(nijmegen_pdf)
    malvert = flagged.set_index("name").loc["Malvert", "vitality"]
    assert "Malvert" in text and f"Vitaliteitsscore {int(malvert)}" in text
    assert "Bron: CBS (CC BY 4.0); Leefbaarometer 3.0, BZK" in text and "FICTIEF" in text
    assert "Diagnose" in text and text.count("Gevoeligheid: aandacht in") == len(flagged)
    assert "Toewijzing 2025" in text and "Spreiden" in text and "huidige praktijk" in text
    assert "Categorieën" in text  # a Dutch diacritic, in the embedded DejaVu font:
    fonts = subprocess.run(["pdffonts", str(nijmegen_pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVu-Sans" in fonts and "yes yes yes" in fonts  # embedded, subset, with a Unicode map
    # every flagged buurt has its page, in the order of the attention list
    for name in flagged["name"]:
        assert name in text
    ARTIFACTS.mkdir(exist_ok=True)
    malvert_page = next(i for i in range(4, pages) if "(BU02680736" in _pdftotext(nijmegen_pdf, i, i))
    for page, name in ((1, "report-page-1"), (malvert_page, "report-page-malvert")):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(nijmegen_pdf),
                str(ARTIFACTS / name),
            ],
            check=True,
        )
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 10_000


def test_report_in_english_and_scoped_to_a_wijk(demo_workspace, tmp_path):
    out = tmp_path / "dukenburg.html"
    result = run_cli(
        "report",
        "--gemeente",
        "Nijmegen",
        "--wijk",
        "WK026807",
        "--format",
        "html",
        "--lang",
        "en",
        "--out",
        str(out),
        "--workspace",
        str(demo_workspace),
    )
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Vitality of the neighbourhoods" in html and "Malvert" in html
    assert "Hatert" not in html.split('<section class="map-page">')[0]  # Hatert lies in another wijk


def test_report_of_one_buurt_and_bad_scope(demo_workspace, tmp_path):
    out = tmp_path / "galgenveld.pdf"
    result = run_cli(
        "report", "--gemeente", "GM0268", "--buurt", "Galgenveld", "--out", str(out), "--workspace", str(demo_workspace)
    )
    assert result.returncode == 0, result.stderr
    assert "Galgenveld" in _pdftotext(out)
    bad = run_cli("report", "--gemeente", "GM0268", "--buurt", "Zuilen", "--out", str(out), "--workspace", str(demo_workspace))
    assert bad.returncode == 2 and "Zuilen" in bad.stderr and "Traceback" not in bad.stderr
    bad = run_cli("report", "--gemeente", "GM0268", "--year", "1999", "--out", str(out), "--workspace", str(demo_workspace))
    assert bad.returncode == 2 and "1999" in bad.stderr


def _stored_scores(ws_path) -> pd.DataFrame:
    with Workspace(ws_path, read_only=True) as ws:
        return ws.query(
            "SELECT area_code AS code, year, leefbaarheid, organisatiekracht, veerkracht, vitality, "
            "category, attention, complete FROM scores ORDER BY 1, 2"
        )


def test_csv_and_parquet_round_trip_to_the_workspace(demo_workspace, tmp_path):
    stored = _stored_scores(demo_workspace)
    csv = tmp_path / "scores.csv"
    assert run_cli("export", "--format", "csv", "--out", str(csv), "--workspace", str(demo_workspace)).returncode == 0
    folder = tmp_path / "parquet"
    assert run_cli("export", "--format", "parquet", "--out", str(folder), "--workspace", str(demo_workspace)).returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "factors.parquet",
        "indicators.parquet",
        "model.parquet",
        "scores.parquet",
        "sources.parquet",
    ]
    for frame in (pd.read_csv(csv, low_memory=False), pd.read_parquet(folder / "scores.parquet")):
        got = frame[stored.columns].sort_values(["code", "year"], ignore_index=True)
        assert len(got) == len(stored)
        for col in ("leefbaarheid", "organisatiekracht", "veerkracht", "vitality"):
            pd.testing.assert_series_equal(got[col].astype("Float64"), stored[col].astype("Float64"), check_names=False)
        assert (got["category"].fillna("") == stored["category"].fillna("")).all()
        assert (got["attention"].astype("boolean").fillna(False) == stored["attention"].fillna(False)).all()
    indicators = pd.read_parquet(folder / "indicators.parquet")
    with Workspace(demo_workspace, read_only=True) as ws:
        n = ws.query("SELECT count(*) FROM score_indicators").iloc[0, 0]
    assert len(indicators) == n


def test_xlsx_has_a_formatted_sheet_per_table(demo_workspace, tmp_path):
    out = tmp_path / "export.xlsx"
    result = run_cli(
        "export",
        "--format",
        "xlsx",
        "--gemeente",
        "GM0268",
        "--gemeente",
        "Utrecht",
        "--out",
        str(out),
        "--workspace",
        str(demo_workspace),
    )
    assert result.returncode == 0, result.stderr
    book = openpyxl.load_workbook(out, read_only=False)
    assert book.sheetnames == ["info", "scores", "factors", "indicators", "model", "sources"]
    scores = book["scores"]
    assert scores.freeze_panes == "A2" and scores["A1"].font.bold
    header = [c.value for c in scores[1]]
    rows = {(r[header.index("code")], r[header.index("year")]): r for r in scores.iter_rows(min_row=2, values_only=True)}
    malvert = rows[("BU02680736", 2024)]
    stored = _stored_scores(demo_workspace).set_index(["code", "year"]).loc[("BU02680736", 2024)]
    assert malvert[header.index("vitality")] == stored["vitality"]
    assert malvert[header.index("category")] == stored["category"]
    assert {r[0] for r in book["info"].iter_rows(min_row=2, values_only=True)} >= {"model_hash", "source", "FICTIEF"}
    assert book["model"].max_row == 5  # four rules + header


def test_geopackage_layers_columns_and_crs(demo_workspace, tmp_path):
    out = tmp_path / "export.gpkg"
    result = run_cli(
        "export",
        "--format",
        "gpkg",
        "--gemeente",
        "GM0268",
        "--gemeente",
        "GM0344",
        "--out",
        str(out),
        "--workspace",
        str(demo_workspace),
    )
    assert result.returncode == 0, result.stderr
    layers = {name: kind for name, kind in pyogrio.list_layers(out)}
    assert {"buurten", "wijken", "gemeenten"} <= set(layers) and layers["model"] is None
    buurten = pyogrio.read_dataframe(out, layer="buurten")
    assert buurten.crs.to_epsg() == 28992
    assert {
        "code",
        "name",
        "leefbaarheid",
        "organisatiekracht",
        "veerkracht",
        "vitality",
        "category",
        "attention",
        "model_hash",
    } <= set(buurten.columns)
    stored = _stored_scores(demo_workspace)
    stored = stored[(stored["year"] == 2024) & stored["code"].str.match("BU0268|BU0344")]
    assert len(buurten) == len(stored)
    assert buurten.set_index("code").loc["BU02680736", "vitality"] == stored.set_index("code").loc["BU02680736", "vitality"]
    gemeenten = pyogrio.read_dataframe(out, layer="gemeenten").set_index("code")
    assert gemeenten.loc["GM0268", "flagged"] == stored[stored["code"].str.startswith("BU0268")]["attention"].sum()
    assert buurten.geometry.is_valid.all()

"""StatLine CSV and police open data (issue 13, items 1–4): real StatLine downloads (tests/fixtures/statline, CBS,
CC BY 4.0) and police fixtures written in exactly the format StatLine exports (tests/fixtures/politie)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_cli

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.indicators import indicator
from wijkvitaliteit.sources.identify import inspect
from wijkvitaliteit.sources.names import match_names, normalise
from wijkvitaliteit.sources.statline import read_statline
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace

FIX = Path(__file__).parent / "fixtures"
NABIJHEID = FIX / "statline" / "CBS-Utrecht_Nabijheid_voorzieningen__buurt_2023_14102024_164034.csv"
AMSTERDAM = FIX / "statline" / "Nabijheid_voorzieningen__buurt_2021_10022023_162519.csv"
OVERLAST = FIX / "politie" / "overlast-rotterdam-2022-2023.csv"
MISDRIJVEN = FIX / "politie" / "misdrijven-utrecht-2023-2024.csv"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The national code list and Utrecht's KWB (inhabitants): what these imports match against."""
    path = tmp_path_factory.mktemp("statline") / "ws.duckdb"
    pipeline.import_codes(path, bundled.CODES)
    for kwb in bundled.KWB_UTRECHT.values():
        pipeline.import_kwb(path, kwb)
    return path


@pytest.fixture
def ws_path(base, tmp_path) -> Path:
    target = tmp_path / "ws.duckdb"
    shutil.copy(base, target)
    return target


def _areas(path: Path) -> pd.DataFrame:
    with Workspace(path, read_only=True) as ws:
        return queries.areas(ws)


def test_real_nabijheid_export_reads_every_filled_column_at_its_level(base):
    raw = pd.read_csv(NABIJHEID, sep=";", dtype=str, encoding="utf-8-sig")
    data = read_statline(NABIJHEID, _areas(base))
    assert data.years == [2023] and data.decimal == "." and data.nederland_rows == 1
    # every non-'.' value cell is one measurement, the Nederland row's too (as NL01); the '.' cells are counted, not stored
    values = raw.iloc[:, 5:].apply(lambda c: c.str.strip())
    assert len(data.measurements) == int((values != ".").sum().sum())
    assert data.symbols["."] == int((values == ".").sum().sum())
    levels = data.measurements["area_code"].str[:2].value_counts().to_dict()
    nl = int((values.iloc[0] != ".").sum())
    assert nl > 0 and raw.iloc[0]["Wijken en buurten"].strip() == "Nederland"
    assert levels == {"BU": 111 * 36 - _dots(values, raw, "BU"), "WK": 10 * 36 - _dots(values, raw, "WK"), "GM": 36, "NL": nl}
    land = data.areas.set_index("code").loc["NL01"]
    assert land["level"] == "land" and land["name"] == "Nederland" and pd.isna(land["gemeente_code"])
    m = data.measurements
    supermarkt = "cbs.detailhandel.winkels_dagelijkse_boodschappen.afstand_tot_grote_supermarkt"
    header = "Detailhandel/Winkels dagelijkse boodschappen/Afstand tot grote supermarkt (km)"
    national = m.loc[(m["area_code"] == "NL01") & (m["indicator"] == supermarkt), "value"]
    assert national.tolist() == [float(raw.iloc[0][header])]
    row = raw[raw["Wijken en buurten"].str.strip() == "Oog in Al"].iloc[0]
    header = "Detailhandel/Winkels dagelijkse boodschappen/Afstand tot grote supermarkt (km)"
    supermarkt = "cbs.detailhandel.winkels_dagelijkse_boodschappen.afstand_tot_grote_supermarkt"
    m = data.measurements
    got = m.loc[(m["area_code"] == "BU03440112") & (m["indicator"] == supermarkt), "value"]
    assert got.tolist() == [float(row[header])]
    entry = data.catalogue.set_index("id").loc["cbs.detailhandel.winkels_dagelijkse_boodschappen.afstand_tot_grote_supermarkt"]
    assert entry["label_nl"] == "Winkels dagelijkse boodschappen / Afstand tot grote supermarkt" and entry["unit"] == "km"


def _dots(values, raw, prefix):
    codes = raw.iloc[:, 3].str.strip()
    filled = [c for c in values.columns if (values[c] != ".").any()]
    return int((values.loc[codes.str.startswith(prefix), filled] == ".").sum().sum())


def test_import_statline_lands_with_labels_and_a_second_import_replaces(ws_path):
    result = run_cli("import", "statline", str(NABIJHEID), "-w", str(ws_path))
    assert result.returncode == 0, result.stderr
    with Workspace(ws_path, read_only=True) as ws:
        n = ws.query("SELECT count(*) AS n FROM measurements WHERE source = 'cbs_statline'")["n"].iloc[0]
        cat = ws.query("SELECT count(*) AS n FROM indicator_catalogue")["n"].iloc[0]
    assert n > 4000 and cat == 36
    supermarkt = indicator("cbs.detailhandel.winkels_dagelijkse_boodschappen.afstand_tot_grote_supermarkt")
    assert supermarkt.label_nl == "Winkels dagelijkse boodschappen / Afstand tot grote supermarkt" and supermarkt.unit == "km"
    assert run_cli("import", "statline", str(NABIJHEID), "-w", str(ws_path)).returncode == 0
    with Workspace(ws_path, read_only=True) as ws:
        again = ws.query("SELECT count(*) AS n FROM measurements WHERE source = 'cbs_statline'")["n"].iloc[0]
    assert again == n


def test_every_column_and_category_of_the_real_and_fixture_files_gets_an_english_label(ws_path):
    """The catalogue's label_en is English for every value column of the real Nabijheid exports and every police
    category of the fixtures (statline_en.toml); a title the glossary cannot read keeps its Dutch text."""
    areas = _areas(ws_path)
    catalogues = [
        read_statline(NABIJHEID, areas).catalogue,
        read_statline(AMSTERDAM, areas, gemeente="Amsterdam").catalogue,
        read_statline(OVERLAST, areas, kind="politie", gemeente="GM0599").catalogue,
        read_statline(MISDRIJVEN, areas, kind="politie", gemeente="GM0344").catalogue,
    ]
    labels = pd.concat(catalogues, ignore_index=True)
    assert len(labels) >= 40  # the filled columns of both exports and every police category
    dutch = {"afstand", "aantal", "binnen", "totaal", "overlast", "misdrijven", "geregistreerde", "winkels", "groen"}
    left = [e for e in labels["label_en"] if dutch & set(normalise(e).replace("/", " ").split())]
    assert left == []
    by_id = labels.set_index("id")["label_en"]
    assert by_id["cbs.detailhandel.winkels_dagelijkse_boodschappen.afstand_tot_grote_supermarkt"] == (
        "Daily groceries shops / Distance to large supermarket"
    )
    assert by_id["politie.overlast_door_verward_persoon"] == "Registered nuisance: Nuisance caused by a confused person"


def test_names_only_need_a_gemeente_and_match_exactly(ws_path):
    result = run_cli("import", "statline", str(AMSTERDAM), "-w", str(ws_path))
    assert result.returncode == 2 and "--gemeente" in result.stderr and "inspect" in result.stderr
    data = read_statline(AMSTERDAM, _areas(ws_path), gemeente="Amsterdam")
    assert data.matching.counts() == {"exact": 10} and data.nederland_rows == 1
    assert data.measurements.set_index("area_code")["value"].to_dict()["WK036306"] == 1.0  # Jordaan


def test_police_by_name_with_a_wijk_buurt_clash(ws_path):
    data = read_statline(OVERLAST, _areas(ws_path), kind="politie", gemeente="GM0599")
    m = data.matching
    assert m.counts() == {"exact": 5, "normalised": 1, "order": 2, "unmatched": 1}
    assert m.unmatched == ["Vliegveld"]
    values = data.measurements.query("indicator == 'politie.totaal_registraties_overlast' and year == 2022")
    by_code = values.set_index("area_code")["value"].to_dict()
    assert by_code["WK059904"] == 600 and by_code["BU05990456"] == 300  # Overschie: wijk first, then the buurt
    assert by_code["BU05990452"] == 40  # "Noord-Kethel" matched "Noord Kethel"
    assert set(data.measurements["indicator"]) == {
        "politie.totaal_registraties_overlast",
        "politie.overlast_door_verward_persoon",
        "politie.melding_overlast_jeugd",
        "politie.overlast_ivm_alcohol_drugs",
    }
    with pytest.raises(InputError, match="--strict"):
        read_statline(OVERLAST, _areas(ws_path), kind="politie", gemeente="GM0599", strict=True)


def test_order_contradicted_by_values_is_ambiguous_not_guessed():
    areas = pd.DataFrame(
        {
            "code": ["GM0001", "WK000101", "BU00010101", "BU00010102"],
            "level": ["gemeente", "wijk", "buurt", "buurt"],
            "name": ["Dorp", "Akker", "Akker", "Veld"],
            "gemeente_code": [None, "GM0001", "GM0001", "GM0001"],
        }
    )
    names = ["Dorp", "Akker", "Akker", "Veld"]
    ok = match_names(names, areas, "GM0001", totals=[100, 60, 40, 20])
    assert ok.codes == ["GM0001", "WK000101", "BU00010101", "BU00010102"]
    wrong = match_names(names, areas, "GM0001", totals=[100, 40, 60, 20])  # a "wijk" smaller than its buurt
    assert wrong.codes[1:3] == [None, None] and "Akker" in wrong.ambiguous
    apart = match_names(["Dorp", "Akker", "Veld", "Akker"], areas, "GM0001", totals=[100, 40, 20, 60])
    assert apart.codes == ["GM0001", None, "BU00010102", None]  # not adjacent: both Akker rows still undone
    once = match_names(["Dorp", "Akker", "Veld"], areas, "GM0001")  # only once: which one is meant?
    assert once.codes[1] is None and once.how[1] == "ambiguous"
    assert normalise("Sint-Jansklooster e.o.") == normalise("sint jansklooster")


def test_police_per_1000_inhabitants_where_the_kwb_has_them(ws_path):
    result = run_cli("import", "politie", str(MISDRIJVEN), "--gemeente", "Utrecht", "-w", str(ws_path))
    assert result.returncode == 0, result.stderr
    with Workspace(ws_path, read_only=True) as ws:
        rows = ws.query(
            """SELECT m.area_code, m.year, m.value, i.value AS inw FROM measurements m
               JOIN measurements i ON i.area_code = m.area_code AND i.year = m.year AND i.indicator = 'kwb.a_inw'
               WHERE m.indicator = 'politie.totaal_misdrijven_per_1000'"""
        )
        counts = ws.query("SELECT area_code, year, value FROM measurements WHERE indicator = 'politie.totaal_misdrijven'")
        missing = ws.query(
            "SELECT * FROM measurements WHERE indicator LIKE 'politie.1_1_1%' AND area_code = 'BU03440112' AND year = 2024"
        )
    merged = rows.merge(counts, on=["area_code", "year"], suffixes=("", "_count"))
    assert len(merged) == 8  # 4 areas × 2 years (2023, 2024)
    assert (abs(merged["value"] - merged["value_count"] / merged["inw"] * 1000) < 1e-9).all()
    assert missing.empty  # the '.' cell is not a zero
    assert indicator("politie.totaal_misdrijven_per_1000").direction == "higher_is_worse"


def test_refusals_are_one_line_and_change_nothing(ws_path, tmp_path):
    before = ws_path.read_bytes()
    text = OVERLAST.read_text(encoding="utf-8-sig")
    cases = {
        "maanden.csv": text.replace('"2023"', '"2023MM01"'),
        "gemengd.csv": text.replace('"     600"', '"   600,5"').replace('"     120"', '"   120.5"'),
        "tekst.csv": text.replace('"     600"', '"veel"'),
        "geen-regio.csv": text.replace('"Wijken en buurten"', '"Plaats"'),
    }
    expected = {
        "maanden.csv": "years such as 2023",
        "gemengd.csv": "one decimal sign",
        "tekst.csv": "a number or a CBS symbol",
        "geen-regio.csv": "a region column",
    }
    for name, body in cases.items():
        path = tmp_path / name
        path.write_text("\ufeff" + body, encoding="utf-8")
        result = run_cli("import", "politie", str(path), "--gemeente", "GM0599", "-w", str(ws_path))
        assert result.returncode == 2, name
        assert expected[name] in result.stderr and result.stderr.count("\n") == 1, result.stderr
        assert "inspect" in result.stderr
    assert ws_path.read_bytes() == before


def test_decimal_commas_are_detected_and_said(ws_path, tmp_path):
    import re

    text = NABIJHEID.read_text(encoding="utf-8-sig")
    header, body = text.split("\n", 1)
    path = tmp_path / "Nabijheid_komma_2023.csv"  # as Excel in a Dutch locale writes it: decimal commas
    path.write_text("\ufeff" + header + "\n" + re.sub(r"(\d)\.(\d)", r"\1,\2", body), encoding="utf-8")
    dot = read_statline(NABIJHEID, _areas(ws_path))
    got = read_statline(path, _areas(ws_path))
    assert got.decimal == "," and dot.decimal == "."
    a = dot.measurements.set_index(["area_code", "indicator"])["value"]
    b = got.measurements.set_index(["area_code", "indicator"])["value"]
    assert a.sort_index().equals(b.sort_index())


@pytest.mark.parametrize(
    "path, command",
    [
        (NABIJHEID, "import statline"),
        (AMSTERDAM, "import statline"),
        (OVERLAST, "import politie"),
        (MISDRIJVEN, "import politie"),
        (bundled.KWB_UTRECHT[2023], "import kwb"),
        (bundled.LEEFBAAROMETER, "import leefbaarometer"),
        (bundled.CODES, "import codes"),
        (bundled.GEMEENTEN_NL, "import geometry"),
    ],
)
def test_inspect_names_the_import(path, command):
    found = inspect(path)
    assert found.command is not None and command in found.command, found.lines()
    result = run_cli("inspect", str(path))
    assert result.returncode == 0 and command in result.stdout


def test_inspect_says_what_it_cannot_place(tmp_path):
    path = tmp_path / "iets.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = run_cli("inspect", str(path))
    assert result.returncode == 1 and "no import reads this file; expected" in result.stdout


def test_inspect_a_folder_of_downloads_names_each_files_import(tmp_path):
    """An unpacked download folder (no corporation delivery): one import per file it can place, with paths quoted;
    documents and files it cannot place are listed, not guessed."""
    folder = tmp_path / "downloads van de gemeente"
    folder.mkdir()
    shutil.copy(NABIJHEID, folder / NABIJHEID.name)
    shutil.copy(OVERLAST, folder / OVERLAST.name)
    (folder / "toelichting.pdf").write_bytes(b"%PDF-1.4")
    (folder / "iets.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    found = inspect(folder)
    assert found.what == "a folder of 4 files" and found.command is not None
    commands = found.command.split("\n")
    assert [c.strip().split(" ")[2] for c in commands] == ["statline", "politie"]
    assert all("'" in c for c in commands)  # the folder's name has spaces: quoted for the shell
    assert found.facts["iets.csv"] == "not recognised" and "toelichting.pdf" not in found.facts
    empty = tmp_path / "leeg"
    empty.mkdir()
    assert inspect(empty).command is None

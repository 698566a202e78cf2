"""The corporation's records: derive on hand-made tables, and the demo corporation end to end."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from wijkvitaliteit.derive.corporation import DeriveSettings, derive_corporation
from wijkvitaliteit.workspace.store import Workspace


def _records():
    dwellings = pd.DataFrame(
        {"dwelling_id": [f"D{i}" for i in range(40)], "buurt_code": ["BU00010001"] * 20 + ["BU00010002"] * 20}
    )
    years = [2020] * 4 + [2021] * 4 + [2022] * 4
    lettings = pd.DataFrame(
        {
            "letting_id": [f"L{i}" for i in range(12)],
            "dwelling_id": ["D0"] * 12,
            "buurt_code": ["BU00010001"] * 12,
            "start_date": pd.to_datetime([f"{y}-03-01" for y in years]),
            "income_class": ["bijstand", "midden"] * 6,
            "vulnerable": [True, False, False, False] * 2 + [True, True, False, False],
            "contacted_within_6_weeks": [None] * 8 + [True, True, True, False],
        }
    )
    nuisance = pd.DataFrame(
        {
            "report_id": ["R1", "R2", "R3"],
            "buurt_code": ["BU00010001"] * 2 + ["BU00010002"],
            "report_date": pd.to_datetime(["2021-05-01", "2021-06-01", "2022-01-01"]),
        }
    )
    organisation = pd.DataFrame(
        {
            "buurt_code": ["BU00010001"],
            "year": [2022],
            "wijkraad": [True],
            "wijkregisseur": [False],
            "buurtbeheerder": [True],
            "bewonerscommissies": [2],
            "clubs": [0],
            "buurtfonds_aanvragen": [1],
        }
    )
    return dwellings, lettings, nuisance, organisation


def _value(frame, code, year, indicator):
    hit = frame[(frame["area_code"] == code) & (frame["year"] == year) & (frame["indicator"] == indicator)]
    return None if hit.empty else hit["value"].iloc[0]


def test_derive_on_a_hand_table():
    m = derive_corporation(*_records(), DeriveSettings(window=3, min_lettings=5))
    assert _value(m, "BU00010001", 2021, "corp.nuisance_per_100") == pytest.approx(10.0)  # 2 reports / 20 dwellings
    assert _value(m, "BU00010002", 2021, "corp.nuisance_per_100") == 0.0  # no reports is a measured zero
    assert _value(m, "BU00010002", 2022, "corp.nuisance_per_100") == pytest.approx(5.0)
    # window of 3 years: only 2022 has a complete window (2020–2022): 4 vulnerable of 12
    assert _value(m, "BU00010001", 2022, "corp.vulnerable_share") == pytest.approx(4 / 12)
    assert _value(m, "BU00010001", 2021, "corp.vulnerable_share") is None
    assert _value(m, "BU00010001", 2022, "corp.bijstand_share") == pytest.approx(0.5)
    assert _value(m, "BU00010001", 2022, "corp.contact_6w_share") == pytest.approx(0.75)
    assert _value(m, "BU00010001", 2020, "corp.contact_6w_share") is None
    assert _value(m, "BU00010001", 2022, "corp.org_assets") == 4  # wijkraad, beheerder, commissie, buurtfonds
    assert _value(m, "BU00010001", 2022, "corp.dwellings") == 20


def test_too_few_lettings_give_no_share():
    m = derive_corporation(*_records(), DeriveSettings(window=1, min_lettings=5))
    assert _value(m, "BU00010001", 2022, "corp.vulnerable_share") is None  # 4 lettings < 5
    assert _value(m, "BU00010001", 2022, "corp.lettings_window") == 4
    m = derive_corporation(*_records(), DeriveSettings(window=1, min_lettings=4))
    assert _value(m, "BU00010001", 2022, "corp.vulnerable_share") == pytest.approx(0.5)


def test_demo_corporation_files_and_planted_facts(demo_data):
    for name in ("dwellings", "lettings", "nuisance", "organisation"):
        assert (demo_data / f"{name}.csv").exists()
    assert "fictitious = true" in (demo_data / "corporatie.toml").read_text()
    truth = json.loads((demo_data / "truth.json").read_text())
    assert truth["coefficients"] == {"b0": 2.0, "b_v": 3.0, "b_c": 4.0, "b_vc": 12.0}
    assert "FICTIEF" in truth["note"]
    lettings = pd.read_csv(demo_data / "lettings.csv")
    assert 0.45 <= (lettings["income_class"] == "bijstand").mean() <= 0.55


def test_demo_stock_follows_kwb_in_utrecht(demo_workspace, demo_data):
    with Workspace(demo_workspace, read_only=True) as ws:
        joined = ws.query("""
            SELECT d.buurt_code, count(*) AS n,
                   any_value(w.value) AS woningen, any_value(c.value) AS pct
            FROM corp_dwellings d
            JOIN measurements w ON w.area_code = d.buurt_code AND w.indicator = 'kwb.a_woning' AND w.year = 2023
            JOIN measurements c ON c.area_code = d.buurt_code AND c.indicator = 'kwb.p_wcorpw' AND c.year = 2023
            WHERE d.buurt_code LIKE 'BU0344%' GROUP BY 1""")
    assert len(joined) > 90
    assert ((joined["n"] - (joined["pct"] / 100 * joined["woningen"]).round()).abs() <= 0.5).all()


def test_demo_malvert_mostly_maisonnettes_and_placed_by_coordinates(demo_workspace, demo_data):
    with Workspace(demo_workspace, read_only=True) as ws:
        types = ws.query(
            "SELECT dwelling_type, count(*) n FROM corp_dwellings WHERE buurt_code = 'BU02680736' GROUP BY 1"
        ).set_index("dwelling_type")["n"]
        nijmegen = ws.query(
            "SELECT buurt_code, count(*) n FROM corp_dwellings WHERE buurt_code LIKE 'BU0268%' GROUP BY 1"
        ).set_index("buurt_code")["n"]
    assert types["maisonnette"] / types.sum() > 0.7
    # Nijmegen's dwellings came with x/y only: the import placed each in the buurt the generator drew it in
    truth = json.loads((demo_data / "truth.json").read_text())
    expected = {b["code"]: b["dwellings"] for b in truth["buurten"] if b["gemeente"] == "GM0268"}
    assert nijmegen.to_dict() == expected


def test_demo_scores_are_complete_where_the_corporation_works(demo_workspace):
    with Workspace(demo_workspace, read_only=True) as ws:
        scores = ws.query("""SELECT s.* FROM scores s JOIN areas a ON a.code = s.area_code
                             WHERE year = 2024 AND a.gemeente_code IN ('GM0268', 'GM0344')""")
        malvert = ws.query("SELECT * FROM scores WHERE area_code = 'BU02680736' AND year = 2024").iloc[0]
        hashes = ws.query("SELECT DISTINCT model_hash FROM scores")
    assert scores["complete"].mean() > 0.85
    assert 0.05 < scores["attention"].fillna(False).mean() < 0.5
    assert bool(malvert["attention"])  # the planted pressure in Malvert shows
    assert len(hashes) == 1


@pytest.mark.slow
def test_one_workbook_with_a_sheet_per_table_imports_like_the_csv_folder(tmp_path, demo_data):
    from wijkvitaliteit import data as bundled
    from wijkvitaliteit import pipeline

    small = {
        name: pd.read_csv(demo_data / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("dwellings", "lettings", "nuisance", "organisation")
    }
    keep = small["dwellings"]["buurt_code"].str.startswith("BU0344").to_numpy()
    small["dwellings"] = small["dwellings"][keep]
    ids = set(small["dwellings"]["dwelling_id"])
    small["lettings"] = small["lettings"][small["lettings"]["dwelling_id"].isin(ids)]
    small["nuisance"] = small["nuisance"][
        small["nuisance"]["dwelling_id"].isin(ids) | small["nuisance"]["buurt_code"].str.startswith("BU0344")
    ]
    small["organisation"] = small["organisation"][small["organisation"]["buurt_code"].str.startswith("BU0344")]
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, frame in small.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    workbook = tmp_path / "corporatie.xlsx"
    with pd.ExcelWriter(workbook) as writer:
        for name, frame in small.items():
            frame.to_excel(writer, sheet_name=name, index=False)
    results = []
    for source in (folder, workbook):
        ws = tmp_path / f"{source.stem}.duckdb"
        pipeline.import_codes(ws, bundled.CODES)
        pipeline.import_corporation(ws, source)
        with Workspace(ws, read_only=True) as w:
            results.append(w.query("SELECT * FROM measurements ORDER BY ALL").drop(columns="import_id"))
    assert len(results[0]) > 1000
    pd.testing.assert_frame_equal(results[0], results[1])

"""Personal data: pseudonymised records, the partner's copy with small counts suppressed, roles and tokens."""

from __future__ import annotations

import hashlib
import shutil

import duckdb
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.conftest import run_cli
from wijkvitaliteit import pipeline
from wijkvitaliteit.privacy import pseudonyms, suppress
from wijkvitaliteit.web.app import create_app
from wijkvitaliteit.web.server import Access, RoleRouter, load_access
from wijkvitaliteit.workspace.partner import COUNTS, make_partner_copy
from wijkvitaliteit.workspace.store import Workspace

CORP_TOKEN = "corporatie-token-0123456789"
PARTNER_TOKEN = "partner-token-0123456789abc"


def _text_cells(path) -> list[str]:
    """Every text value in every table of a workspace."""
    con = duckdb.connect(str(path), read_only=True)
    values = []
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
    ).fetchall():
        values += [r[0] for r in con.execute(f'SELECT DISTINCT "{column}" FROM "{table}"').fetchall() if r[0]]
    con.close()
    return values


def test_record_ids_are_salted_hashes_and_links_survive(demo_workspace, demo_data):
    raw = pd.read_csv(demo_data / "dwellings.csv", dtype=str)
    with Workspace(demo_workspace, read_only=True) as ws:
        dwellings = ws.query("SELECT dwelling_id, postcode FROM corp_dwellings")
        orphans = ws.query(
            "SELECT count(*) FROM corp_lettings l LEFT JOIN corp_dwellings d USING (dwelling_id) WHERE d.dwelling_id IS NULL"
        ).iloc[0, 0]
        salt = ws.query("SELECT value FROM meta WHERE key = 'pseudonym_salt'").iloc[0, 0]
        applicants = ws.query("SELECT DISTINCT applicant_id FROM allocation_lettings")
    assert len(dwellings) == len(raw) and dwellings["dwelling_id"].str.fullmatch(r"[0-9a-f]{24}").all()
    assert not set(raw["dwelling_id"]) & set(dwellings["dwelling_id"])
    assert orphans == 0  # every letting still points at its dwelling
    assert set(pseudonyms(raw["dwelling_id"], salt)) == set(dwellings["dwelling_id"])
    assert applicants["applicant_id"].str.fullmatch(r"[0-9a-f]{24}").all()
    cells = set(_text_cells(demo_workspace))
    assert not any(c.startswith(("VHE", "HC0", "OM0", "WZ0")) for c in cells)


def test_names_and_addresses_in_a_delivery_are_never_stored(workspace_copy, demo_data, tmp_path, monkeypatch):
    delivery = tmp_path / "levering"
    shutil.copytree(demo_data, delivery)
    dwellings = pd.read_csv(delivery / "dwellings.csv", dtype=str, keep_default_na=False)
    dwellings["naam_huurder"] = "Jansen-Vermeulen"
    dwellings["adres"] = "Malvert 4512"
    dwellings["postcode"] = "6538 AB"
    dwellings.to_csv(delivery / "dwellings.csv", index=False)
    pipeline.import_corporation(workspace_copy, delivery)
    cells = _text_cells(workspace_copy)
    assert not any("Jansen" in c or "Malvert 4512" in c or "6538AB" in c.replace(" ", "") for c in cells)
    with Workspace(workspace_copy, read_only=True) as ws:
        assert set(ws.query("SELECT DISTINCT postcode FROM corp_dwellings")["postcode"]) == {"6538"}
        first = ws.query("SELECT dwelling_id FROM corp_dwellings ORDER BY 1 LIMIT 3")
    # the same salt gives the same pseudonyms on a new delivery; another salt other ones
    pipeline.import_corporation(workspace_copy, delivery)
    with Workspace(workspace_copy, read_only=True) as ws:
        assert ws.query("SELECT dwelling_id FROM corp_dwellings ORDER BY 1 LIMIT 3").equals(first)
    monkeypatch.setenv("WIJKVITALITEIT_SALT", "another-secret-salt")
    pipeline.import_corporation(workspace_copy, delivery)
    with Workspace(workspace_copy, read_only=True) as ws:
        assert not set(ws.query("SELECT dwelling_id FROM corp_dwellings")["dwelling_id"]) & set(first["dwelling_id"])


def test_suppress_hides_small_counts_and_what_a_total_would_give_back():
    frame = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 3, "n": [3, 40, 12, 0, 2, 4, 50]})
    out = suppress(frame, ["n"], threshold=5, totals=["g"])
    # a: 3 is small; alone it could be recomputed from the total, so 12 (next smallest non-zero) goes too
    assert out["n"].isna().tolist() == [True, False, True, False, True, True, False]
    assert out.loc[3, "n"] == 0  # zero is shown


@pytest.fixture(scope="module")
def partner_ws(demo_workspace, tmp_path_factory):
    return make_partner_copy(demo_workspace, tmp_path_factory.mktemp("partner") / "partner.duckdb", 5)


def test_partner_copy_has_no_records_no_small_counts_and_no_recoverable_cells(demo_workspace, partner_ws):
    with Workspace(partner_ws, read_only=True) as p, Workspace(demo_workspace, read_only=True) as full:
        for table in ("corp_dwellings", "corp_lettings", "corp_nuisance", "allocation_lettings"):
            assert p.query(f"SELECT count(*) FROM {table}").iloc[0, 0] == 0
        assert p.query("SELECT count(*) FROM meta WHERE key = 'pseudonym_salt'").iloc[0, 0] == 0
        counts = p.query("SELECT * FROM measurements WHERE indicator IN (SELECT unnest(?))", [list(COUNTS)])
        assert len(counts) and not counts["value"].between(1, 4.999).any()
        original = full.query(
            "SELECT m.area_code, m.year, m.indicator, m.value, a.gemeente_code FROM measurements m "
            "JOIN areas a ON a.code = m.area_code WHERE indicator IN (SELECT unnest(?))",
            [list(COUNTS)],
        )
        assert original["value"].between(1, 4.999).any()  # the demo has small counts to hide
        kept = original.merge(counts[["area_code", "year", "indicator"]], how="left", indicator=True)
        kept["hidden"] = kept["_merge"] == "left_only"
        per_total = kept.groupby(["gemeente_code", "year", "indicator"])["hidden"].sum()
        assert (per_total != 1).all()  # never exactly one hidden cell next to a computable total
        shares = p.query(
            "SELECT s.value, n.value AS n FROM measurements s JOIN measurements n ON n.area_code = "
            "s.area_code AND n.year = s.year AND n.indicator = 'corp.lettings_window' "
            "WHERE s.indicator = 'corp.vulnerable_share'"
        )
        numerators = (shares["value"] * shares["n"]).round()
        assert not numerators.between(1, 4).any() and not shares["n"].between(1, 4).any()
        scores_p = p.query("SELECT area_code, year, vitality, category, attention FROM scores ORDER BY ALL")
        scores_f = full.query("SELECT area_code, year, vitality, category, attention FROM scores ORDER BY ALL")
        pd.testing.assert_frame_equal(scores_p, scores_f)  # the same facts: scores are not counts
        small = p.query("SELECT vulnerable FROM allocation_buurten WHERE vulnerable BETWEEN 1 AND 4")
        assert small.empty


@pytest.fixture(scope="module")
def role_client(demo_workspace, partner_ws):
    access = Access(
        {
            "corporatie": (hashlib.sha256(CORP_TOKEN.encode()).hexdigest(),),
            "partner": (hashlib.sha256(PARTNER_TOKEN.encode()).hexdigest(),),
        },
        5,
    )
    router = RoleRouter(
        {"corporatie": create_app(demo_workspace, role="corporatie"), "partner": create_app(partner_ws, role="partner")}, access
    )
    return TestClient(router)


def test_every_request_needs_a_token_of_a_role(role_client):
    for path in ("/nederland", "/gemeente/GM0268.json", "/buurt/BU02680736.csv", "/toewijzing.json", "/docs"):
        assert role_client.get(path).status_code == 401
        assert role_client.get(path, headers={"Authorization": "Bearer not-a-valid-token-at-all"}).status_code == 401
    assert role_client.get("/health").status_code == 200


def test_partner_gets_aggregates_only(role_client, demo_workspace):
    with Workspace(demo_workspace, read_only=True) as ws:
        small = ws.query(
            "SELECT DISTINCT area_code FROM measurements WHERE indicator IN (SELECT unnest(?)) "
            "AND value BETWEEN 1 AND 4 ORDER BY 1 LIMIT 4",
            [list(COUNTS)],
        )["area_code"].tolist()
    corp = {"Authorization": f"Bearer {CORP_TOKEN}"}
    partner = {"Authorization": f"Bearer {PARTNER_TOKEN}"}
    assert role_client.get("/toewijzing/verhuringen.csv?run=1", headers=corp).status_code == 200
    assert role_client.get("/toewijzing/verhuringen.csv?run=1", headers=partner).status_code == 403
    seen_small = False
    for code in ["BU02680736", *small]:
        for who, headers in (("corp", corp), ("partner", partner)):
            figures = role_client.get(f"/buurt/{code}.json", headers=headers).json()["corporation"]
            counts = [f[k] for f in figures for k in ("dwellings", "lettings", "nuisance_reports") if f[k] is not None]
            if who == "partner":
                assert not any(1 <= c < 5 for c in counts), (code, counts)
            else:
                seen_small |= any(1 <= c < 5 for c in counts)
    assert seen_small  # the corporation does see those small counts
    page = role_client.get("/gemeente/GM0268", headers=partner).text
    assert "Partnerweergave" in page
    allocation = role_client.get("/toewijzing.json?gemeente=GM0268", headers=partner).json()
    assert not any(b["vulnerable"] is not None and 1 <= b["vulnerable"] < 5 for b in allocation["buurten"])
    # a token in the query string once: the browser keeps a cookie, and the address loses the token (issue 12)
    first = role_client.get(f"/gemeente/GM0268?jaar=2024&token={PARTNER_TOKEN}", follow_redirects=False)
    assert first.status_code == 303 and "wv_token=" in first.headers["set-cookie"]
    assert first.headers["location"] == "/gemeente/GM0268?jaar=2024"
    assert "Partnerweergave" in role_client.get("/gemeente/GM0268").text
    role_client.cookies.clear()


def test_tokens_file_and_environment(tmp_path, monkeypatch):
    path = tmp_path / "tokens.toml"
    path.write_text(f'threshold = 10\n[tokens]\ncorporatie = ["{CORP_TOKEN}"]\npartner = ["{PARTNER_TOKEN}"]\n')
    access = load_access(path)
    assert access.threshold == 10 and access.role_of(PARTNER_TOKEN) == "partner"
    assert access.role_of(CORP_TOKEN) == "corporatie" and access.role_of("nope") is None
    path.write_text(f'[tokens]\ncorporatie = ["{CORP_TOKEN}"]\n')
    with pytest.raises(Exception, match="a token for each role"):
        load_access(path)
    monkeypatch.setenv("WIJKVITALITEIT_TOKEN_CORPORATIE", CORP_TOKEN)
    monkeypatch.setenv("WIJKVITALITEIT_TOKEN_PARTNER", PARTNER_TOKEN)
    assert load_access(None).role_of(PARTNER_TOKEN) == "partner"


def test_serve_beyond_loopback_requires_tokens(demo_workspace):
    result = run_cli("serve", "--host", "0.0.0.0", "--workspace", str(demo_workspace))
    assert result.returncode == 2 and "tokens" in result.stderr and "Traceback" not in result.stderr


def test_export_and_report_as_partner(demo_workspace, tmp_path):
    out = tmp_path / "indicators.csv"
    done = run_cli(
        "export",
        "--table",
        "indicators",
        "--role",
        "partner",
        "--gemeente",
        "GM0268",
        "--out",
        str(out),
        "--workspace",
        str(demo_workspace),
    )
    assert done.returncode == 0, done.stderr
    full = tmp_path / "full.csv"
    run_cli("export", "--table", "indicators", "--gemeente", "GM0268", "--out", str(full), "--workspace", str(demo_workspace))
    key = ["code", "year", "indicator"]
    both = pd.read_csv(full).merge(pd.read_csv(out), on=key, suffixes=("_full", "_partner"))
    rates = both[both["indicator"].isin(["corp.nuisance_per_100", "corp.vulnerable_share"])]
    # values built on small counts are gone for the partner; every value it keeps is the true one
    assert rates["value_partner"].notna().sum() < rates["value_full"].notna().sum()
    kept = rates[rates["value_partner"].notna()]
    assert (kept["value_partner"] - kept["value_full"]).abs().max() < 1e-12
    assert both["points_full"].equals(both["points_partner"])
    html = tmp_path / "partner.html"
    done = run_cli(
        "report",
        "--gemeente",
        "GM0268",
        "--format",
        "html",
        "--role",
        "partner",
        "--out",
        str(html),
        "--workspace",
        str(demo_workspace),
    )
    assert done.returncode == 0, done.stderr
    text = html.read_text(encoding="utf-8")
    assert "Partnerweergave" in text and "Malvert" in text

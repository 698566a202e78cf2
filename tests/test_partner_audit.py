"""The partner differencing audit (web/audit.py): on the demo, nothing a partner can fetch gives back a hidden count
of 1–4; and the audit itself finds the attacks of the attack run when the rule against each is taken away."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.conftest import run_cli
from wijkvitaliteit.web import audit
from wijkvitaliteit.web.app import create_app
from wijkvitaliteit.workspace import partner
from wijkvitaliteit.workspace.partner import make_partner_copy

pytestmark = pytest.mark.slow


def test_nothing_a_partner_fetches_gives_back_a_small_count(demo_workspace):
    result = audit.audit_partner(demo_workspace)
    assert result.fetched > 150 and result.facts > 3000 and result.equations > 3000
    assert result.hidden_small > 100  # there is something to protect
    assert result.leaks == [], [leak.line() for leak in result.leaks[:10]]


@pytest.mark.parametrize(
    ("weaken", "kind"),
    [
        # window − years: publish every window, also where one of its years is hidden
        ("_window_has_hidden_year", "L"),
        # share × base: keep every projected window share of the allocation
        ("_projected_window", "PV"),
    ],
)
def test_the_audit_finds_the_attack_when_its_rule_is_taken_away(demo_workspace, monkeypatch, weaken, kind):
    if weaken == "_window_has_hidden_year":
        monkeypatch.setattr(partner, weaken, lambda frame, window: pd.Series(False, index=frame.index))
    else:
        real = partner._projected_window
        monkeypatch.setattr(partner, weaken, lambda b, lettings, window: real(b, lettings, window) * 0 + 100)
    result = audit.audit_partner(demo_workspace)
    found = Counter(leak.quantity[0] for leak in result.leaks)
    assert found[kind] > 0, found


def test_the_audit_command(demo_workspace):
    result = run_cli("audit", "partner", "-w", str(demo_workspace), "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"recovered: 0\b", result.stdout)


@pytest.fixture(scope="module")
def partner_client(demo_workspace, tmp_path_factory):
    path = make_partner_copy(demo_workspace, tmp_path_factory.mktemp("partner") / "partner.duckdb")
    return TestClient(create_app(path, role="partner"))


def test_the_partner_national_map_shows_the_suppressed_aggregate(partner_client):
    gemeenten = {g["code"]: g for g in partner_client.get("/nederland.json").json()["gemeenten"]}
    for code in ("GM0268", "GM0344"):
        assert gemeenten[code]["corp_dwellings"] >= 5 and gemeenten[code]["attention_share"] is not None
    assert "Aandeel buurten met aandacht" in partner_client.get("/nederland?laag=vitaliteit").text


def test_partner_limits_do_not_say_how_many_values_were_behind_them(partner_client):
    data = partner_client.get("/buurt/BU03440532.json").json()
    corp = [i for i in data["indicators"] if i["indicator"].startswith("corp.") and i["rule"] == "quantile"]
    assert corp and all(i["reference_n"] is None for i in corp)
    assert "ook die met verborgen waarden" in partner_client.get("/buurt/BU03440532").text


def test_broken_rules_hide_allowed_with_found(partner_client):
    violations = partner_client.get("/toewijzing.json?gemeente=GM0344").json()["violations"]
    hidden = [v for v in violations if v["found"] is None]
    assert hidden and all(v["allowed"] is None for v in hidden)


def test_the_partner_report_marks_hidden_cells(demo_workspace, tmp_path):
    out = tmp_path / "partner.html"
    done = run_cli(
        "report", "--gemeente", "GM0344", "--format", "html", "--role", "partner", "--out", str(out), "-w", str(demo_workspace)
    )
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"\bnan\b", html, re.IGNORECASE)  # the attack run saw 'nan/35.0'
    assert not re.search(r"\d\.0/|/\d+\.0\b", html)
    assert re.search(r"–/\d+ →|\d+/– →|–/– →", html)  # a hidden cell is marked as on the pages

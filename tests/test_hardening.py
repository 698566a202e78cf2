"""Hardening (issue 12): the server fails closed on unusable tokens, never echoes a token, sends security headers,
shows no server paths, and cleans up on SIGTERM; impossible settings are one line, not a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from fastapi.testclient import TestClient

from tests.conftest import free_port, run_cli
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.web.app import create_app
from wijkvitaliteit.web.server import Access, RoleRouter, load_access
from wijkvitaliteit.workspace.partner import make_partner_copy

CORP = "corporatie-token-0123456789"
PARTNER = "partner-token-0123456789abc"


@pytest.fixture(autouse=True)
def no_token_environment(monkeypatch):
    for name in ("WIJKVITALITEIT_TOKENS", "WIJKVITALITEIT_TOKEN_CORPORATIE", "WIJKVITALITEIT_TOKEN_PARTNER"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (f'[token]\ncorporatie = "{CORP}"\npartner = "{PARTNER}"\n', "only a [tokens] table"),
        ("threshold = 5\n", "a [tokens] table"),
        (f'[tokens]\ncorporatie = "{CORP}"\npartner = "short"\n', "at least 16 characters"),
        (f'[tokens]\ncorporatie = "{CORP}"\npartner = "{CORP}"\n', "a different token for each role"),
        (f'threshold = "five"\n[tokens]\ncorporatie = "{CORP}"\npartner = "{PARTNER}"\n', "a whole number"),
        (f'threshold = 0\n[tokens]\ncorporatie = "{CORP}"\npartner = "{PARTNER}"\n', "at least 1"),
        (f'[tokens]\ncorporatie = "{CORP}"\npartner = "sha256:abc"\n', "64 hexadecimal digits"),
        (f'[tokens]\ncorporatie = "{CORP}"\n', "a token for each role"),
    ],
)
def test_an_unusable_tokens_file_stops_the_server_with_one_line(tmp_path, text, fragment):
    path = tmp_path / "tokens.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        load_access(path)
    result = run_cli("serve", "--tokens", str(path), "-w", str(tmp_path / "none.duckdb"))
    assert result.returncode == 2 and fragment in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("corp", "partner", "fragment"), [("x", PARTNER, "at least 16"), (CORP, CORP, "different"), ("", PARTNER, "at least 16")]
)
def test_token_variables_fail_closed(monkeypatch, corp, partner, fragment):
    monkeypatch.setenv("WIJKVITALITEIT_TOKEN_CORPORATIE", corp)
    monkeypatch.setenv("WIJKVITALITEIT_TOKEN_PARTNER", partner)
    with pytest.raises(InputError, match=fragment):
        load_access(None)


@pytest.fixture(scope="module")
def router(demo_workspace, tmp_path_factory):
    partner = make_partner_copy(demo_workspace, tmp_path_factory.mktemp("partner") / "partner.duckdb")
    access = load_access_from_tokens(tmp_path_factory.mktemp("tokens"))
    apps = {"corporatie": create_app(demo_workspace, role="corporatie"), "partner": create_app(partner, role="partner")}
    return apps, access


def load_access_from_tokens(folder, behind_proxy=False) -> Access:
    path = folder / "tokens.toml"
    path.write_text(f'[tokens]\ncorporatie = "{CORP}"\npartner = "{PARTNER}"\n', encoding="utf-8")
    return load_access(path, behind_proxy=behind_proxy)


@pytest.mark.slow
def test_a_token_in_the_address_is_redirected_away_and_never_echoed(router, tmp_path):
    apps, access = router
    client = TestClient(RoleRouter(apps, access))
    first = client.get(f"/buurt/BU02680736?token={PARTNER}&lang=en", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/buurt/BU02680736?lang=en"
    assert "Secure" not in first.headers["set-cookie"] and "HttpOnly" in first.headers["set-cookie"]
    page = client.get(first.headers["location"])
    assert page.status_code == 200 and PARTNER not in page.text and "token=" not in page.text
    secure = TestClient(RoleRouter(apps, load_access_from_tokens(tmp_path, behind_proxy=True)))
    assert "Secure" in secure.get(f"/nederland?token={CORP}", follow_redirects=False).headers["set-cookie"]
    https = TestClient(RoleRouter(apps, access), base_url="https://testserver")
    assert "Secure" in https.get(f"/nederland?token={CORP}", follow_redirects=False).headers["set-cookie"]


@pytest.mark.slow
def test_security_headers_and_no_server_paths(router):
    apps, _ = router
    client = TestClient(apps["corporatie"])
    for path in ("/gemeente/GM0268", "/gemeente/GM0268.json", "/buurt/BU02680736.csv", "/bestaat-niet"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self';" in headers["content-security-policy"]  # no inline script
        assert headers["referrer-policy"] == "same-origin"
    assert "'unsafe-inline'" in client.get("/docs").headers["content-security-policy"].split("style-src")[0]
    assert "workspace" not in client.get("/health").json()
    allocation = client.get("/toewijzing.json").json()
    assert "/" not in allocation["inputs"]


@pytest.mark.slow
def test_sigterm_removes_the_partner_copy_and_the_links(demo_workspace, tmp_path):
    workspace = tmp_path / "ws" / "demo.duckdb"
    workspace.parent.mkdir()
    workspace.write_bytes(demo_workspace.read_bytes())
    tokens = tmp_path / "tokens.toml"
    tokens.write_text(f'[tokens]\ncorporatie = "{CORP}"\npartner = "{PARTNER}"\n', encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_port()
    env = {**os.environ, "TMPDIR": str(temp)}
    process = subprocess.Popen(
        [sys.executable, "-m", "wijkvitaliteit", "serve", "-w", str(workspace), "--port", str(port), "--tokens", str(tokens)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                break
            except OSError:
                assert process.poll() is None and time.time() < deadline, process.stderr.read().decode()[-500:]
                time.sleep(0.2)
        assert list(temp.glob("wijkvitaliteit-partner-*")) and list(workspace.parent.glob(".demo.duckdb.serve-*"))
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert not list(temp.glob("wijkvitaliteit-partner-*"))
    assert not list(workspace.parent.glob(".demo.duckdb.serve-*"))


@pytest.mark.parametrize(
    "rows",
    [
        ["BU02680736;Leefbaarometer 3.0;2020;Malvert;4,02;-0,08", "BU02680737;Leefbaarometer 3.0;2020;Weezenhof;4,1;0,01"],
        ["BU02680736;Leefbaarometer 3.0;2020;Malvert;4,02;-0,08", "BU02680737;Leefbaarometer 3.0;2020;Weezenhof;4;0"],
    ],
)
def test_a_dutch_excel_csv_for_the_leefbaarometer_is_named_as_such(tmp_path, rows):
    path = tmp_path / "lbm.csv"
    path.write_text("\n".join(["bu_code;versie;jaar;bu_naam;lbm;afw", *rows]) + "\n", encoding="utf-8")
    result = run_cli("import", "leefbaarometer", str(path), "-w", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "';'-separated with decimal commas" in result.stderr


def test_a_model_that_leaves_most_buurten_incomplete_is_warned_about(tmp_path):
    from tests.test_migrations import schema2_copy

    result = run_cli("score", "-w", str(schema2_copy(tmp_path)))
    assert result.returncode == 0 and "onvolledig" in result.stderr

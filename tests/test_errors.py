"""One error family, mapped once at each edge: a user's mistake is one line (CLI, exit 2) or a 404/422 page or
JSON; a fault of ours is a styled 500 (web) or one line with an error id (CLI) whose details are in the log."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.conftest import run_cli
from wijkvitaliteit.errors import BadParameter, InputError, NotFound, UserError
from wijkvitaliteit.web.app import create_app


def test_the_family_says_one_line():
    for exc in (
        InputError("a.csv", "a number", row=3, column="jaar", found="x"),
        NotFound("buurt", "BU1"),
        BadParameter("jaar", "1999 was not scored"),
    ):
        assert isinstance(exc, UserError) and "\n" not in exc.one_line()
    assert (
        NotFound("buurt", "Malvrt", [{"code": "BU02680736", "name": "Malvert"}]).one_line()
        == "unknown buurt: Malvrt; did you mean Malvert (BU02680736)?"
    )


@pytest.fixture(scope="module")
def app(demo_workspace):
    return create_app(demo_workspace)


def test_a_fault_is_a_styled_500_with_an_id_in_the_log(app, monkeypatch, caplog):
    from wijkvitaliteit.present import pages

    def broken(*args, **kwargs):
        raise RuntimeError("planted fault")

    monkeypatch.setattr(pages, "model_page", broken)
    client = TestClient(app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="wijkvitaliteit.web"):
        html = client.get("/model")
        twin = client.get("/model.json")
    assert html.status_code == 500 and html.headers["content-type"].startswith("text/html")
    assert "Internal Server Error" not in html.text and "wijkvitaliteit" in html.text
    error_id = re.search(r"foutcode ([0-9a-f]{12})", html.text).group(1)
    assert twin.status_code == 500 and re.fullmatch(r"[0-9a-f]{12}", twin.json()["error_id"])
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert error_id in logged and twin.json()["error_id"] in logged
    assert any("planted fault" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


def test_user_errors_are_404_and_422_as_page_and_json(app):
    client = TestClient(app)
    assert client.get("/runs/vergelijk?a=1&b=99").status_code == 404
    assert client.get("/runs/vergelijk.json?a=1&b=99").json()["detail"].startswith("unknown run")
    bad = client.get("/analyse/segregatie.json?groep=bijstand&gemeente=GM0003")
    assert bad.status_code == 422 and "gemeente" in bad.json()["detail"]
    missing = client.get("/runs/vergelijk.json?a=1")
    assert missing.status_code == 422 and "b" in missing.json()["detail"]


def test_a_cli_fault_is_one_line_with_an_id_and_a_log(demo_workspace, monkeypatch):
    from wijkvitaliteit.cli import read

    def broken(*args, **kwargs):
        raise RuntimeError("planted fault")

    monkeypatch.setattr(read, "active_run", broken)
    result = run_cli("list", "-w", str(demo_workspace))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    log = Path(re.search(r"(/\S+wijkvitaliteit-error-[0-9a-f]{12}\.log)", result.stderr).group(1))
    assert "planted fault" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["analyse", "segregation", "--group", "kwb.bestaat_niet", "--total", "kwb.a_inw"],
        ["analyse", "segregation", "--gemeente", "GM0003"],
        ["runs", "compare", "1", "99"],
        ["show", "Malvrt"],
        ["list", "--year", "1999"],
    ],
)
def test_cli_user_errors_are_one_line_and_exit_2(demo_workspace, args):
    result = run_cli(*args, "-w", str(demo_workspace))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr

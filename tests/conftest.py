"""Shared fixtures: the bundled real data, the demo corporation and a demo workspace, built once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from wijkvitaliteit import data as bundled

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    from wijkvitaliteit.demo.generator import generate

    out = tmp_path_factory.mktemp("demo-corporatie")
    generate(out, seed=42)
    return out


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory, demo_data) -> Path:
    """The full demo workspace (bundled real data + demo corporation, scored). Do not modify it:
    copy it with the ``workspace_copy`` fixture."""
    from wijkvitaliteit import pipeline
    from wijkvitaliteit.scoring.model import load_model

    path = tmp_path_factory.mktemp("ws") / "demo.duckdb"
    pipeline.import_codes(path, bundled.CODES)
    pipeline.import_leefbaarometer(path, bundled.LEEFBAAROMETER)
    for geo in (*bundled.BUURTEN.values(), bundled.GEMEENTEN_NL, bundled.WIJKEN_NL):
        pipeline.import_geometry(path, geo)
    for kwb in bundled.KWB_UTRECHT.values():
        pipeline.import_kwb(path, kwb)
    pipeline.import_corporation(path, demo_data)
    model, text = load_model()
    pipeline.score_workspace(path, model, text)
    from wijkvitaliteit.allocation.run import bundled_comparison
    from wijkvitaliteit.demo.generator import ALLOCATION_DIR

    pipeline.allocate(path, demo_data / ALLOCATION_DIR, bundled_comparison())
    return path


@pytest.fixture
def workspace_copy(demo_workspace, tmp_path) -> Path:
    target = tmp_path / "copy.duckdb"
    shutil.copy(demo_workspace, target)
    return target


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the CLI in this process (Typer's runner): exit code, stdout and stderr as a user sees them."""
    from typer.testing import CliRunner

    from wijkvitaliteit.cli.main import app

    full_env = {"COLUMNS": "200", "WIJKVITALITEIT_WORKSPACE": None, **(env or {})}
    result = CliRunner().invoke(app, list(args), env=full_env, catch_exceptions=False)
    return subprocess.CompletedProcess(["wijkvitaliteit", *args], result.exit_code, result.stdout, result.stderr)


def run_cli_process(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real console entry point in a subprocess (for what needs a process: signals, servers)."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("WIJKVITALITEIT_WORKSPACE", None)
    return subprocess.run(
        [sys.executable, "-m", "wijkvitaliteit", *args], capture_output=True, text=True, env=full_env, timeout=timeout
    )


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(workspace: Path, *extra: str, env: dict | None = None):
    """``wijkvitaliteit serve`` in its own process on a free loopback port; yields its base URL, stops it after."""
    import time
    import urllib.request

    port = free_port()
    full_env = {**os.environ, **(env or {})}
    full_env.pop("WIJKVITALITEIT_WORKSPACE", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "wijkvitaliteit", "serve", "--workspace", str(workspace), "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=full_env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"serve ended: {process.stderr.read().decode()[-2000:]}")
            try:
                urllib.request.urlopen(base + "/health", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def live_server(demo_workspace):
    """The real server (``wijkvitaliteit serve``) in a subprocess on a free loopback port."""
    with served(demo_workspace) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page that records every request; the test fails if one left the local server."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    requested: list[str] = []
    pg.on("request", lambda request: requested.append(request.url))
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    local = live_server.split("//", 1)[1]
    foreign = [url for url in requested if not url.startswith(("data:", "blob:")) and url.split("/")[2] != local]
    assert not foreign, f"requests left the machine: {foreign[:5]}"


def screenshot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=True)
    return path


def pytest_collection_modifyitems(config, items):
    """Markers by what a test needs: the browser fixtures make it ``browser``; the demo workspace (built once, about
    a minute) or the demo corporation's files make it ``slow``. ``make test-fast`` runs the rest."""
    for item in items:
        needs = set(getattr(item, "fixturenames", ()))
        if needs & {"browser", "page"}:
            item.add_marker(pytest.mark.browser)
        if needs & {"demo_workspace", "workspace_copy", "live_server", "demo_data"}:
            item.add_marker(pytest.mark.slow)

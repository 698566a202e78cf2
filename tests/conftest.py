"""Shared fixtures: the bundled real data, the demo corporation and a demo workspace, built once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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
    """Run the real console entry point in a subprocess (exit codes and stderr as a user sees them)."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("WIJKVITALITEIT_WORKSPACE", None)
    return subprocess.run([sys.executable, "-m", "wijkvitaliteit", *args], capture_output=True, text=True,
                          env=full_env, timeout=300)


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def live_server(demo_workspace):
    """The real app under uvicorn on a free loopback port, in a thread."""
    import socket
    import threading
    import time

    import uvicorn

    from wijkvitaliteit.web.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(demo_workspace), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


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


def pytest_sessionfinish(session, exitstatus):
    session.config._wv_exitstatus = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the process as soon as pytest is done. Daemon threads of the servers started in tests (uvicorn's
    thread pool) may still sit in DuckDB or Arrow code when the interpreter finalises; Python 3.11 then stops
    them with a forced unwind that a C++ catch-all turns into abort() ("FATAL: exception not rethrown"),
    which failed one CI run after all tests had passed. The result is known here: skip finalisation."""
    status = getattr(config, "_wv_exitstatus", None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)

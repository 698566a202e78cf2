"""Crash safety: an import killed with SIGKILL at any point leaves the workspace exactly as it was, and it
opens; a reader during an import sees the old state (writes go to a staging copy, swapped in whole)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.workspace.store import PAUSE_ENV, Workspace

pytestmark = pytest.mark.slow  # SIGKILLs real imports in subprocesses

POINTS = ["staged", "before-commit", "before-swap"]


@pytest.fixture(scope="module")
def small_workspace(tmp_path_factory) -> Path:
    ws = tmp_path_factory.mktemp("crash") / "ws.duckdb"
    pipeline.import_codes(ws, bundled.CODES)
    pipeline.import_geometry(ws, bundled.BUURTEN["GM0268"])
    return ws


def _snapshot(path: Path) -> dict[str, pd.DataFrame]:
    with Workspace(path, read_only=True) as ws:
        return ws.snapshot()


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(a[t].equals(b[t]) for t in a)


def _start_import(ws: Path, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "wijkvitaliteit", "import", "leefbaarometer", str(bundled.LEEFBAAROMETER), "--workspace", str(ws)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def _wait_for(process: subprocess.Popen, marker: str, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = process.stderr.readline()
        if marker in line:
            return
        if process.poll() is not None:
            raise AssertionError(f"import ended before {marker}: {process.stderr.read()}")
    raise AssertionError(f"no {marker} within {timeout} s")


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_at_each_point_leaves_the_previous_state(small_workspace, tmp_path, point):
    ws = tmp_path / "ws.duckdb"
    ws.write_bytes(small_workspace.read_bytes())
    before = _snapshot(ws)
    process = _start_import(ws, **{PAUSE_ENV: point})
    _wait_for(process, f"paused at {point}")
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    assert _same(_snapshot(ws), before)  # opens, and is exactly what it was
    # the next write clears what the killed one left behind and works
    pipeline.import_leefbaarometer(ws, bundled.LEEFBAAROMETER)
    assert not list(tmp_path.glob(".ws.duckdb.*.staging*"))
    with Workspace(ws, read_only=True) as w:
        assert w.query("SELECT count(*) FROM measurements").iloc[0, 0] > 300_000


@pytest.mark.parametrize("delay", [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0])
def test_sigkill_at_random_moments_gives_old_or_new_state_never_a_mix(small_workspace, tmp_path, delay):
    ws = tmp_path / "ws.duckdb"
    ws.write_bytes(small_workspace.read_bytes())
    before = _snapshot(ws)
    process = _start_import(ws)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    after = _snapshot(ws)
    if not _same(after, before):  # the import had finished: then it is whole
        with Workspace(ws, read_only=True) as w:
            assert w.query("SELECT count(*) FROM import_log WHERE kind = 'leefbaarometer'").iloc[0, 0] == 1
            assert w.query("SELECT count(*) FROM measurements").iloc[0, 0] == 331_161


def test_a_reader_during_an_import_sees_the_old_state(small_workspace, tmp_path):
    ws = tmp_path / "ws.duckdb"
    ws.write_bytes(small_workspace.read_bytes())
    process = _start_import(ws, **{PAUSE_ENV: "before-swap"})  # written and committed in the staging copy
    _wait_for(process, "paused at before-swap")
    with Workspace(ws, read_only=True) as reader:  # opens while the writer holds its copy
        assert reader.query("SELECT count(*) FROM measurements").iloc[0, 0] == 0
        assert reader.query("SELECT count(*) FROM import_log WHERE kind = 'leefbaarometer'").iloc[0, 0] == 0
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    # and without a pause the import lands whole while a reader keeps its old view
    with Workspace(ws, read_only=True) as reader:
        process = _start_import(ws)
        assert process.wait(timeout=120) == 0, process.stderr.read()
        assert reader.query("SELECT count(*) FROM measurements").iloc[0, 0] == 0
    with Workspace(ws, read_only=True) as fresh:
        assert fresh.query("SELECT count(*) FROM measurements").iloc[0, 0] == 331_161

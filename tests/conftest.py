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

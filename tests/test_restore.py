"""A damaged workspace (corrupted blocks, truncated) is refused with one line that says how to restore; every write
keeps the last generations, and `wijkvitaliteit restore` puts the newest readable one back (issue 12, item 14)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import run_cli
from tests.test_migrations import schema2_copy
from wijkvitaliteit.workspace.staging import generations


@pytest.fixture
def scored(tmp_path):
    path = schema2_copy(tmp_path)
    assert run_cli("score", "-w", str(path)).returncode == 0  # migrated, then scored: two writes
    assert run_cli("derive", "--window", "2", "-w", str(path)).returncode == 0
    return path


def _damage(path, how: str) -> None:
    size = path.stat().st_size
    if how == "truncated":
        os.truncate(path, size // 3)
    else:  # overwrite the middle half with noise: data and metadata blocks
        with open(path, "r+b") as handle:
            handle.seek(size // 4)
            handle.write(os.urandom(size // 2))


def test_writes_keep_the_last_generations(scored, monkeypatch):
    assert len(generations(scored)) == 2  # score (which migrated its staged copy first), derive
    assert not [p for p in scored.parent.iterdir() if p.name.startswith("..")]  # nothing of the nested write
    for _ in range(3):
        assert run_cli("score", "-w", str(scored)).returncode == 0
    assert len(generations(scored)) == 3  # only the last three stay


@pytest.mark.parametrize("how", ["corrupted", "truncated"])
def test_a_damaged_workspace_is_one_line_and_restore_brings_it_back(scored, how):
    before = run_cli("list", "-w", str(scored))
    assert before.returncode == 0
    _damage(scored, how)
    for args in (["list"], ["show", "Malvert"], ["serve"], ["runs"]):
        result = run_cli(*args, "-w", str(scored))
        assert result.returncode == 2, (args, result.stdout[-300:], result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert "wijkvitaliteit restore" in result.stderr
    listed = run_cli("restore", "--list", "-w", str(scored))
    assert listed.returncode == 0 and ".gen-" in listed.stdout
    restored = run_cli("restore", "-w", str(scored))
    assert restored.returncode == 0, restored.stderr
    after = run_cli("list", "-w", str(scored))
    assert after.returncode == 0 and after.stdout == before.stdout  # the state of the last good generation


def test_without_generations_restore_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("WIJKVITALITEIT_GENERATIONS", "0")
    path = schema2_copy(tmp_path)
    assert run_cli("score", "-w", str(path)).returncode == 0
    _damage(path, "truncated")
    result = run_cli("restore", "-w", str(path))
    assert result.returncode == 2 and "no generations kept" in result.stderr

"""Schema migrations: a workspace written at schema 2 (tests/fixtures/schema2, made by the code of commit 710b81b)
opens with today's code, is migrated once on a staged copy, keeps every row of every table, and works with
show, score and serve."""

from __future__ import annotations

import gzip
import shutil
import urllib.request
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli, served
from wijkvitaliteit.workspace import migrations
from wijkvitaliteit.workspace.store import SCHEMA_VERSION, Workspace

FIXTURE = Path(__file__).parent / "fixtures" / "schema2" / "workspace.duckdb.gz"
NEW_COLUMNS = {"score_runs": {"inputs_hash", "inputs", "derive"}}
NEW_TABLES = {"indicator_catalogue"}  # schema 4


def schema2_copy(folder: Path) -> Path:
    path = folder / "schema2.duckdb"
    with gzip.open(FIXTURE) as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def _content(path: Path) -> dict[str, object]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {t: con.execute(f'SELECT * FROM "{t}"').df() for t in tables}
    finally:
        con.close()


def _same_rows(before: Path, after: Path, table: str, columns: list[str]) -> bool:
    """Every row of ``table`` (these columns) is in both files, as a multiset (DuckDB compares, blobs included)."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{before}' AS a (READ_ONLY)")
        con.execute(f"ATTACH '{after}' AS b (READ_ONLY)")
        cols = ", ".join(f'"{c}"' for c in columns)
        missing = con.execute(
            f'SELECT count(*) FROM (SELECT {cols} FROM a."{table}" EXCEPT ALL SELECT {cols} FROM b."{table}")'
        ).fetchone()[0]
        extra = con.execute(
            f'SELECT count(*) FROM (SELECT {cols} FROM b."{table}" EXCEPT ALL SELECT {cols} FROM a."{table}")'
        ).fetchone()[0]
        return missing == 0 and extra == 0
    finally:
        con.close()


@pytest.fixture
def old(tmp_path) -> Path:
    return schema2_copy(tmp_path)


def test_the_fixture_is_at_schema_2_and_has_rows(old):
    before = _content(old)
    assert before["meta"].set_index("key").loc["schema_version", "value"] == "2"
    for table in (
        "areas",
        "measurements",
        "scores",
        "score_factors",
        "score_indicators",
        "score_runs",
        "corp_dwellings",
        "corp_lettings",
        "allocation_runs",
        "allocation_buurten",
        "import_log",
    ):
        assert len(before[table]) > 0, table


def test_opening_migrates_once_and_keeps_every_row(old, tmp_path, capsys):
    original = tmp_path / "original.duckdb"
    shutil.copy(old, original)
    before = _content(old)
    with Workspace(old, read_only=True) as ws:
        assert ws.query("SELECT value FROM meta WHERE key = 'schema_version'").iloc[0, 0] == SCHEMA_VERSION
    told = capsys.readouterr().err
    assert "migrated from schema 2 to 4" in told and told.count("\n") == 1
    after = _content(old)
    assert set(after) - set(before) == NEW_TABLES
    assert len(after["indicator_catalogue"]) == 0
    for table, rows in before.items():
        assert len(after[table]) == len(rows), table
        assert set(after[table].columns) - set(rows.columns) == NEW_COLUMNS.get(table, set()), table
        unchanged = {"meta": [], "measurements": ["import_id"]}.get(table)
        columns = [c for c in rows.columns if c not in (unchanged or [])]
        if table == "meta":
            assert after["meta"].set_index("key").drop("schema_version").equals(rows.set_index("key").drop("schema_version"))
        else:
            assert _same_rows(original, old, table, columns), table
    # derived corporation measurements now name the import they come from; no other id changed
    keys = ["area_code", "year", "indicator", "source"]
    ids = before["measurements"].merge(after["measurements"], on=keys, suffixes=("_before", "_after"))
    changed = ids[ids["import_id_before"].fillna(-1) != ids["import_id_after"].fillna(-1)]
    assert changed["import_id_before"].isna().all() and (changed["source"] == "corporatie").all()
    corp = after["measurements"][after["measurements"]["source"] == "corporatie"]
    assert len(corp) > 0 and corp["import_id"].notna().all()
    runs = after["score_runs"]
    assert runs["inputs"].str.contains('"recorded": false').all() and runs["inputs_hash"].isna().all()
    with Workspace(old, read_only=True):
        pass
    assert capsys.readouterr().err == ""  # told once: the file is at the new schema now


def test_a_failed_migration_leaves_the_old_file(old, monkeypatch):
    original = old.read_bytes()

    def broken(con):
        con.execute("ALTER TABLE score_runs ADD COLUMN inputs_hash VARCHAR")
        raise RuntimeError("planted failure in the middle of a migration")

    monkeypatch.setattr(migrations, "MIGRATIONS", [migrations.Migration("2", "3", "broken", broken), *migrations.MIGRATIONS[1:]])
    with pytest.raises(RuntimeError, match="planted"):
        Workspace(old, read_only=True)
    assert old.read_bytes() == original
    assert not list(old.parent.glob(".*staging*"))


def test_a_newer_workspace_is_refused_with_a_hint(old):
    con = duckdb.connect(str(old))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    result = run_cli("list", "-w", str(old))
    assert result.returncode == 2 and "schema version" in result.stderr and "upgrade" in result.stderr


@pytest.mark.slow
def test_show_score_and_serve_work_on_a_migrated_workspace(old):
    shown = run_cli("show", "Malvert", "-w", str(old))
    assert shown.returncode == 0, shown.stderr
    assert "Malvert (BU02680736)" in shown.stdout and "migrated from schema 2" in shown.stderr
    scored = run_cli("score", "-w", str(old))
    assert scored.returncode == 0, scored.stderr
    with Workspace(old, read_only=True) as ws:
        runs = ws.query("SELECT run_id, inputs_hash, inputs FROM score_runs ORDER BY run_id")
    assert runs["run_id"].tolist() == [1, 2]  # the migrated run stays; the new one records its inputs
    assert runs["inputs_hash"].iloc[1] and '"kind": "corporation"' in runs["inputs"].iloc[1]
    with served(old) as base:
        page = urllib.request.urlopen(base + "/buurt/BU02680736.json").read().decode()
        runs_page = urllib.request.urlopen(base + "/runs").read().decode()
    assert '"name": "Malvert"' in page
    assert "lbm_nijmegen.csv" in runs_page

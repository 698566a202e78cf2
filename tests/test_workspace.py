"""The workspace file: schema, version, idempotent imports and the import log."""

from __future__ import annotations

import duckdb
import pytest

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.workspace.store import SCHEMA_VERSION, Workspace


def test_schema_and_version(tmp_path):
    with Workspace(tmp_path / "w.duckdb", create=True) as ws:
        assert {
            "areas",
            "measurements",
            "import_log",
            "scores",
            "score_factors",
            "score_indicators",
            "corp_dwellings",
            "corp_lettings",
            "corp_nuisance",
            "corp_organisation",
            "meta",
        } <= set(ws.tables())
        assert ws.query("SELECT value FROM meta WHERE key = 'schema_version'").iloc[0, 0] == SCHEMA_VERSION


def test_other_schema_version_is_refused(tmp_path):
    path = tmp_path / "w.duckdb"
    Workspace(path, create=True).close()
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(InputError, match="schema version"):
        Workspace(path)


def test_reimport_replaces_instead_of_duplicating(tmp_path):
    path = tmp_path / "w.duckdb"
    pipeline.import_kwb(path, bundled.KWB_UTRECHT[2023])
    pipeline.import_kwb(path, bundled.KWB_UTRECHT[2023])
    with Workspace(path, read_only=True) as ws:
        dup = ws.query("SELECT area_code, year, indicator, count(*) n FROM measurements GROUP BY ALL HAVING n > 1")
        log = ws.query("SELECT kind, rows, sha256 FROM import_log")
    assert dup.empty
    assert log["kind"].tolist() == ["kwb", "kwb"] and log["sha256"].nunique() == 1


def test_names_from_code_list_win_over_geometry_names(tmp_path):
    path = tmp_path / "w.duckdb"
    pipeline.import_geometry(path, bundled.WIJKEN_NL)  # wijk names like "Wijk 07"
    pipeline.import_codes(path, bundled.CODES)  # authoritative: "Wijk 07 Dukenburg"
    pipeline.import_geometry(path, bundled.WIJKEN_NL)  # does not overwrite them again
    with Workspace(path, read_only=True) as ws:
        row = ws.query("SELECT name, geometry IS NOT NULL AS has_geometry FROM areas WHERE code = 'WK026807'").iloc[0]
    assert row["name"] == "Wijk 07 Dukenburg" and row["has_geometry"]

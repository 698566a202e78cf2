"""Schema migrations: a workspace written by an older version is brought to today's schema, never lost.

``MIGRATIONS`` is an ordered list; each step takes the schema from one version to the next inside one
transaction. :func:`migrate` applies every pending step on a staged copy of the workspace that replaces it
whole (``store.staged_write``), so a failure or a kill leaves the old file as it was. Every row is kept.
Opening an older workspace migrates it (``Workspace.__init__``); the user is told once, on stderr, what
changed. To change the schema: edit ``schema.sql`` (for new workspaces), raise ``store.SCHEMA_VERSION``
and append a step here that does the same to an existing workspace (CONTRIBUTING.md).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from wijkvitaliteit.workspace.staging import staged_write


@dataclass(frozen=True)
class Migration:
    source: str  # schema version it applies to
    target: str  # schema version it produces
    what: str  # one line for the user
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _v2_to_v3(con: duckdb.DuckDBPyConnection) -> None:
    """Score runs record their inputs: the derive settings, the imports behind the measurements and a hash of
    them. Runs scored before this cannot say what they used: their inputs are marked as not recorded. Derived
    corporation measurements carry the corporation import they come from."""
    for column in ("inputs_hash", "inputs", "derive"):
        con.execute(f"ALTER TABLE score_runs ADD COLUMN {column} VARCHAR")
    con.execute("""UPDATE score_runs SET inputs = '{"recorded": false}',
                   derive = (SELECT value FROM corporation WHERE key = 'derive')""")
    con.execute("""UPDATE measurements SET import_id = (SELECT max(import_id) FROM import_log WHERE kind = 'corporation')
                   WHERE source = 'corporatie' AND import_id IS NULL""")


def _v3_to_v4(con: duckdb.DuckDBPyConnection) -> None:
    """Indicators that imports declare (StatLine and police columns): an empty catalogue table."""
    con.execute(CATALOGUE_TABLE)


CATALOGUE_TABLE = """CREATE TABLE IF NOT EXISTS indicator_catalogue (
    id VARCHAR PRIMARY KEY, label_nl VARCHAR NOT NULL, label_en VARCHAR NOT NULL, unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL, source VARCHAR NOT NULL, import_id INTEGER)"""

MIGRATIONS: list[Migration] = [
    Migration("2", "3", "score runs now record their inputs (model, derive settings, source files)", _v2_to_v3),
    Migration("3", "4", "indicators declared by imports (StatLine, police) get a catalogue table", _v3_to_v4),
]
FROM = {m.source for m in MIGRATIONS}
SCHEMA_VERSION = MIGRATIONS[-1].target  # 2: allocation tables; 3: score runs record their inputs; 4: catalogue


def schema_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """The workspace's schema version, or None for a file without the wijkvitaliteit schema."""
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return None
    return None if row is None else row[0]


def pending(version: str) -> list[Migration]:
    steps, current = [], version
    for step in MIGRATIONS:
        if step.source == current:
            steps.append(step)
            current = step.target
    return steps


def migrate(path: Path, notify: Callable[[str], None] | None = None) -> list[Migration]:
    """Apply every pending migration to the workspace at ``path`` (staged, swapped in whole); returns them."""
    with staged_write(path) as stage:
        con = duckdb.connect(str(stage))
        try:
            version = schema_version(con)
            steps = pending(version or "")
            if not steps or steps[-1].target != SCHEMA_VERSION:
                return []
            con.execute("BEGIN TRANSACTION")
            for step in steps:
                step.apply(con)
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [SCHEMA_VERSION])
            con.execute("COMMIT")
        finally:
            con.close()
    say = notify or (lambda line: print(line, file=sys.stderr, flush=True))
    say(f"{path}: workspace migrated from schema {version} to {SCHEMA_VERSION}: " + "; ".join(s.what for s in steps))
    return steps

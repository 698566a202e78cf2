"""The workspace: one DuckDB file holding areas, measurements, the corporation's records, scores and
an import log. Every import runs in one transaction: it lands whole or not at all.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.indicators import Indicator, declare
from wijkvitaliteit.workspace import migrations
from wijkvitaliteit.workspace.migrations import SCHEMA_VERSION
from wijkvitaliteit.workspace.staging import PAUSE_ENV, pause_point, staged_write

__all__ = ["CORP_TABLES", "DEFAULT_PATH", "ENV_VAR", "PAUSE_ENV", "SCHEMA_VERSION", "Workspace", "staged_write"]

ENV_VAR = "WIJKVITALITEIT_WORKSPACE"
DEFAULT_PATH = "wijkvitaliteit.duckdb"
CORP_TABLES = ("corp_dwellings", "corp_lettings", "corp_nuisance", "corp_organisation")


def default_path() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


RESTORE_HINT = "restore the previous generation with 'wijkvitaliteit restore' (or from your backup)"
EXPECTED_TABLES = frozenset(
    {
        "meta",
        "areas",
        "measurements",
        "import_log",
        "indicator_catalogue",
        "corporation",
        "corp_dwellings",
        "corp_lettings",
        "corp_nuisance",
        "corp_organisation",
        "score_runs",
        "scores",
        "score_factors",
        "score_indicators",
        "allocation_runs",
        "allocation_buurten",
        "allocation_violations",
        "allocation_lettings",
    }
)


def damaged(path: Path, exc: BaseException) -> InputError:
    """A workspace DuckDB cannot read (damaged blocks, a truncated file, not a DuckDB file): one line, how to
    restore."""
    first = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return InputError(path, "a readable wijkvitaliteit workspace (DuckDB file)", found=first, hint=RESTORE_HINT)


def declare_catalogue(con: duckdb.DuckDBPyConnection) -> None:
    """Make the indicators this workspace's imports declared known to labels everywhere (indicators.declare)."""
    rows = con.execute("SELECT id, label_nl, label_en, unit, direction, source FROM indicator_catalogue").fetchall()
    declare([Indicator(*row) for row in rows])


class Workspace:
    """A handle on one workspace file. Use as a context manager; writes go through :meth:`transaction`."""

    def __init__(self, path: str | Path | None = None, *, create: bool = False, read_only: bool = False) -> None:
        self.path = Path(path) if path else default_path()
        if not self.path.exists() and not create:
            raise InputError(
                self.path, "a workspace file (run 'wijkvitaliteit init' or 'wijkvitaliteit demo')", found="no such file"
            )
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only and self.path.exists())
        except duckdb.Error as exc:
            raise damaged(self.path, exc) from None
        try:
            if create and not read_only:
                if migrations.schema_version(self.con) is None:  # a new file: today's schema; an older one migrates
                    self._create_schema()
            self._check_version(read_only)
            problem = table_problem(self.con)
            if problem:
                raise InputError(self.path, "every table of the wijkvitaliteit schema", found=problem, hint=RESTORE_HINT)
            declare_catalogue(self.con)
        except duckdb.Error as exc:
            self.con.close()
            raise damaged(self.path, exc) from None

    @classmethod
    def view(cls, path: Path, con: duckdb.DuckDBPyConnection) -> Workspace:
        """A handle on an already open connection (e.g. a per-thread cursor of a server's connection)."""
        ws = cls.__new__(cls)
        ws.path, ws.con = Path(path), con
        return ws

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def _create_schema(self) -> None:
        ddl = resources.files("wijkvitaliteit.workspace").joinpath("schema.sql").read_text(encoding="utf-8")
        self.con.execute("BEGIN TRANSACTION")
        self.con.execute(ddl)
        self.con.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING", [SCHEMA_VERSION])
        self.con.execute("COMMIT")

    def _check_version(self, read_only: bool) -> None:
        version = migrations.schema_version(self.con)
        if version == SCHEMA_VERSION:
            return
        if version in migrations.FROM:  # an older workspace: migrate it on a staged copy, then reopen
            self.con.close()
            migrations.migrate(self.path)
            self.con = duckdb.connect(str(self.path), read_only=read_only)
            return
        raise InputError(
            self.path,
            f"a wijkvitaliteit workspace with schema version {SCHEMA_VERSION}",
            found=f"version {version}" if version else "no wijkvitaliteit schema",
            hint="a newer wijkvitaliteit wrote it: upgrade wijkvitaliteit"
            if version and version.isdigit() and int(version) > int(SCHEMA_VERSION)
            else None,
        )

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        else:
            pause_point("before-commit")
            self.con.execute("COMMIT")

    # -- reads -----------------------------------------------------------------------------------
    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        try:
            return self.con.execute(sql, params or []).df()
        except (duckdb.IOException, duckdb.InternalException, duckdb.SerializationException) as exc:
            raise damaged(self.path, exc) from None

    def tables(self) -> list[str]:
        return [
            r[0]
            for r in self.con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
            ).fetchall()
        ]

    def insert(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        frame: pd.DataFrame,
        pseudonymise: tuple[str, ...] = (),
        salt: str | None = None,
    ) -> None:
        """Append a frame's columns that the table has (by name); other columns are not stored. Columns in
        ``pseudonymise`` are stored as their salted hash (privacy.pseudonym_sql), computed on the way in."""
        columns = [
            r[0]
            for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()
        ]
        import pyarrow as pa

        # through Arrow: DuckDB scans it without converting every string (seconds for millions of rows)
        con.register("incoming", pa.Table.from_pandas(frame[[c for c in frame.columns if c in columns]], preserve_index=False))
        from wijkvitaliteit.privacy import pseudonym_sql

        hashed = [c for c in pseudonymise if c in frame.columns and c in columns]
        replace = f" REPLACE ({', '.join(f'{pseudonym_sql(c, chr(63))} AS {c}' for c in hashed)})" if hashed else ""
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT *{replace} FROM incoming", [salt] * len(hashed))
        finally:
            con.unregister("incoming")

    def insert_row(self, con: duckdb.DuckDBPyConnection, table: str, **values: object) -> None:
        """Insert one row by column name (columns not named get their default or NULL)."""
        names = ", ".join(f'"{k}"' for k in values)
        marks = ", ".join("?" for _ in values)
        con.execute(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(values.values()))

    def clear(self, con: duckdb.DuckDBPyConnection, *tables: str) -> None:
        """Empty whole tables (a delivery that replaces the previous one)."""
        for table in tables:
            con.execute(f'DELETE FROM "{table}"')

    def next_id(self, con: duckdb.DuckDBPyConnection, table: str, column: str) -> int:
        row = con.execute(f'SELECT COALESCE(MAX("{column}"), 0) + 1 FROM "{table}"').fetchone()
        assert row is not None  # an aggregate always gives a row
        return int(row[0])

    def replace_score_run(self, con: duckdb.DuckDBPyConnection, model_hash: str, inputs_hash: str) -> int:
        """Remove the run with this identity (model hash, inputs hash), if stored; returns the id for the new one."""
        old = [
            r[0]
            for r in con.execute(
                "SELECT run_id FROM score_runs WHERE model_hash = ? AND inputs_hash = ?", [model_hash, inputs_hash]
            ).fetchall()
        ]
        for table in ("scores", "score_factors", "score_indicators", "score_runs"):
            con.execute(f"DELETE FROM {table} WHERE run_id IN (SELECT unnest(?::INTEGER[]))", [old])
        return self.next_id(con, "score_runs", "run_id")

    def set_keys(self, con: duckdb.DuckDBPyConnection, table: str, values: dict[str, str]) -> None:
        """Key/value tables (``meta``, ``corporation``): insert or replace each key."""
        for key, value in values.items():
            con.execute(f'INSERT OR REPLACE INTO "{table}" (key, value) VALUES (?, ?)', [key, value])

    def snapshot(self) -> dict[str, pd.DataFrame]:
        """Every table's full content, ordered: for checking that a failed import changed nothing."""
        return {t: self.query(f'SELECT * FROM "{t}" ORDER BY ALL') for t in self.tables()}

    # -- writes (call inside transaction()) ------------------------------------------------------
    def upsert_areas(
        self, con: duckdb.DuckDBPyConnection, areas: pd.DataFrame, *, names: str = "fill", geometry: str = "replace"
    ) -> int:
        """Merge area rows by code. ``names='overwrite'`` lets this source's names win (code lists,
        KWB); ``'fill'`` only fills missing names (geometry files, Leefbaarometer). Parents fill what
        is missing. ``geometry='replace'``: a new boundary replaces the old one; ``'fill'``: only where
        there is none (boundaries derived by dissolving buurten never replace published ones)."""
        frame = areas.copy()
        if "geometry" not in frame.columns:
            frame["geometry"] = None
        frame = frame[["code", "level", "name", "wijk_code", "gemeente_code", "geometry"]]
        name_sql = "COALESCE(EXCLUDED.name, areas.name)" if names == "overwrite" else "COALESCE(areas.name, EXCLUDED.name)"
        geometry_sql = (
            "COALESCE(EXCLUDED.geometry, areas.geometry)"
            if geometry == "replace"
            else "COALESCE(areas.geometry, EXCLUDED.geometry)"
        )
        con.register("incoming_areas", frame)
        con.execute(f"""
            INSERT INTO areas BY NAME SELECT code, level, name, wijk_code, gemeente_code, geometry FROM incoming_areas
            ON CONFLICT (code) DO UPDATE SET
                name = {name_sql},
                wijk_code = COALESCE(EXCLUDED.wijk_code, areas.wijk_code),
                gemeente_code = COALESCE(EXCLUDED.gemeente_code, areas.gemeente_code),
                geometry = {geometry_sql}
        """)
        con.unregister("incoming_areas")
        return len(frame)

    def replace_measurements(self, con: duckdb.DuckDBPyConnection, measurements: pd.DataFrame, import_id: int | None) -> int:
        """Insert measurements; an existing value for the same area, year and indicator is replaced."""
        frame = measurements[["area_code", "year", "indicator", "value", "source", "vintage"]].copy()
        frame["import_id"] = import_id
        con.register("incoming_measurements", frame)
        con.execute("""
            DELETE FROM measurements m USING (SELECT DISTINCT area_code, year, indicator
                                              FROM incoming_measurements) n
            WHERE m.area_code = n.area_code AND m.year = n.year AND m.indicator = n.indicator
        """)
        con.execute(
            "INSERT INTO measurements BY NAME SELECT area_code, year, indicator, value, source, vintage, "
            "CAST(import_id AS INTEGER) AS import_id FROM incoming_measurements"
        )
        con.unregister("incoming_measurements")
        return len(frame)

    def declare_indicators(self, con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, import_id: int | None) -> None:
        """Add or update catalogue entries (id, label_nl, label_en, unit, direction, source) an import declares."""
        if rows.empty:
            return
        frame = rows[["id", "label_nl", "label_en", "unit", "direction", "source"]].astype(str).copy()
        frame["import_id"] = import_id
        con.register("incoming_catalogue", frame)
        con.execute("DELETE FROM indicator_catalogue WHERE id IN (SELECT id FROM incoming_catalogue)")
        con.execute(
            "INSERT INTO indicator_catalogue BY NAME SELECT id, label_nl, label_en, unit, direction, source, "
            "CAST(import_id AS INTEGER) AS import_id FROM incoming_catalogue"
        )
        con.unregister("incoming_catalogue")
        declare_catalogue(con)

    def delete_measurements(self, con: duckdb.DuckDBPyConnection, source: str) -> None:
        con.execute("DELETE FROM measurements WHERE source = ?", [source])

    def log_import(self, con: duckdb.DuckDBPyConnection, kind: str, path: Path, rows: int, detail: str = "") -> int:
        next_id = self.next_id(con, "import_log", "import_id")
        sha = (
            file_sha256(path)
            if path.is_file()
            else hashlib.sha256("".join(sorted(file_sha256(p) for p in path.iterdir() if p.is_file())).encode()).hexdigest()
        )
        self.insert_row(
            con,
            "import_log",
            import_id=next_id,
            imported_at=datetime.now().replace(microsecond=0),
            kind=kind,
            path=str(path),
            sha256=sha,
            rows=rows,
            detail=detail,
        )
        return int(next_id)


def table_problem(con: duckdb.DuckDBPyConnection, whole: bool = False) -> str | None:
    """The sanity check of an open workspace: every table of its schema is there, and each can be counted and read —
    its first rows, or ``whole`` every block (a damaged block or a truncated file raises duckdb.Error here, not
    halfway through a page). Returns what is missing, or None."""
    present = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()
    }
    missing = sorted(EXPECTED_TABLES - present)
    if missing and migrations.schema_version(con) == SCHEMA_VERSION:  # an older schema lacks later tables
        return f"no table {missing[0]}"
    for table in sorted(EXPECTED_TABLES & present):
        con.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        con.execute(f'SELECT * FROM "{table}"' + ("" if whole else " LIMIT 1")).fetchall()
    return None


def readable(path: Path) -> str | None:
    """None when the workspace file at ``path`` opens and every block of every table reads, else what is wrong."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        return str(exc).splitlines()[0][:120]
    try:
        return table_problem(con, whole=True)
    except duckdb.Error as exc:
        return str(exc).splitlines()[0][:120]
    finally:
        con.close()


def restore(path: Path, generation: Path | None = None) -> Path:
    """Put a kept generation back in place of the workspace (staged, swapped in whole; the file it replaces is
    kept as a generation too). Default: the newest generation that reads cleanly. Returns the generation used."""
    import shutil

    from wijkvitaliteit.workspace.staging import generations

    path = Path(path)
    kept = generations(path)
    if generation is None:
        generation = next((g for g in kept if readable(g) is None), None)
        if generation is None:
            raise InputError(
                path,
                "a kept generation that reads cleanly",
                found=f"{len(kept)} generations, none readable" if kept else "no generations kept",
                hint="restore from your backup",
            )
    elif (problem := readable(generation)) is not None:
        raise InputError(generation, "a generation that reads cleanly", found=problem)
    with staged_write(path) as stage:
        shutil.copyfile(generation, stage)
    return generation

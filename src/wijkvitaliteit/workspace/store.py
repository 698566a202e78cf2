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

SCHEMA_VERSION = "2"  # 2: allocation tables
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


PAUSE_ENV = "WIJKVITALITEIT_PAUSE_AT"


def pause_point(name: str) -> None:
    """For the crash tests only: with $WIJKVITALITEIT_PAUSE_AT = name, say so on stderr and wait to be killed."""
    if os.environ.get(PAUSE_ENV) == name:
        import sys
        import time

        print(f"paused at {name}", file=sys.stderr, flush=True)
        time.sleep(600)


@contextmanager
def staged_write(path: str | Path) -> Iterator[Path]:
    """Write to a copy and swap it in whole: yields the path of a staging copy of the workspace (or a new
    file's path); on success the copy replaces the workspace in one rename, on any error or a kill the
    workspace is untouched. Readers that have the workspace open keep seeing the old state, and can open
    it while a write is under way (the writer locks only the staging copy). One writer at a time: a lock
    file next to the workspace serialises writers."""
    import fcntl
    import shutil

    path = Path(path) if path else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(f"{path}.lock", "a+")  # noqa: SIM115 — held for the whole block
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stage = path.with_name(f".{path.name}.{os.getpid()}.staging")
        for leftover in path.parent.glob(f".{path.name}.*.staging*"):
            pid = leftover.name.split(".")[-2] if leftover.name.endswith(".staging") else ""
            if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
                leftover.unlink(missing_ok=True)  # from a writer that was killed
        if path.exists():
            shutil.copyfile(path, stage)
            if Path(f"{path}.wal").exists():
                shutil.copyfile(f"{path}.wal", f"{stage}.wal")
        pause_point("staged")
        try:
            yield stage
        except InputError as exc:
            if exc.file and str(stage) in exc.file:
                exc.file = exc.file.replace(str(stage), str(path))
            raise
        else:
            if Path(f"{stage}.wal").exists():  # fold a WAL left by a connection into the file before the swap
                con = duckdb.connect(str(stage))
                con.execute("CHECKPOINT")
                con.close()
            if stage.exists():
                with open(stage, "rb") as f:
                    os.fsync(f.fileno())
                pause_point("before-swap")
                os.replace(stage, path)
                Path(f"{path}.wal").unlink(missing_ok=True)
                dir_fd = os.open(path.parent, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        finally:
            stage.unlink(missing_ok=True)
            Path(f"{stage}.wal").unlink(missing_ok=True)
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


class Workspace:
    """A handle on one workspace file. Use as a context manager; writes go through :meth:`transaction`."""

    def __init__(self, path: str | Path | None = None, *, create: bool = False, read_only: bool = False) -> None:
        self.path = Path(path) if path else default_path()
        if not self.path.exists() and not create:
            raise InputError(self.path, "a workspace file (run 'wijkvitaliteit init' or 'wijkvitaliteit demo')",
                             found="no such file")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only and self.path.exists())
        except duckdb.Error as exc:
            raise InputError(self.path, "a DuckDB workspace file", found=str(exc).splitlines()[0][:120]) from None
        if create and not read_only:
            self._create_schema()
        self._check_version()

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
        self.con.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING", [SCHEMA_VERSION])
        self.con.execute("COMMIT")

    def _check_version(self) -> None:
        try:
            row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except duckdb.CatalogException:
            row = None
        if row is None or row[0] != SCHEMA_VERSION:
            raise InputError(self.path, f"a wijkvitaliteit workspace with schema version {SCHEMA_VERSION}",
                             found=f"version {row[0]}" if row else "no wijkvitaliteit schema")

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
        return self.con.execute(sql, params or []).df()

    def tables(self) -> list[str]:
        return [r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1").fetchall()]

    def insert(self, con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame,
               pseudonymise: tuple[str, ...] = (), salt: str | None = None) -> None:
        """Append a frame's columns that the table has (by name); other columns are not stored. Columns in
        ``pseudonymise`` are stored as their salted hash (privacy.pseudonym_sql), computed on the way in."""
        columns = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()]
        import pyarrow as pa

        # through Arrow: DuckDB scans it without converting every string (seconds for millions of rows)
        con.register("incoming", pa.Table.from_pandas(frame[[c for c in frame.columns if c in columns]],
                                                      preserve_index=False))
        from wijkvitaliteit.privacy import pseudonym_sql

        hashed = [c for c in pseudonymise if c in frame.columns and c in columns]
        replace = f" REPLACE ({', '.join(f'{pseudonym_sql(c, chr(63))} AS {c}' for c in hashed)})" if hashed else ""
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT *{replace} FROM incoming", [salt] * len(hashed))
        finally:
            con.unregister("incoming")

    def snapshot(self) -> dict[str, pd.DataFrame]:
        """Every table's full content, ordered: for checking that a failed import changed nothing."""
        return {t: self.query(f'SELECT * FROM "{t}" ORDER BY ALL') for t in self.tables()}

    def areas(self, level: str | None = None) -> pd.DataFrame:
        sql = "SELECT code, level, name, wijk_code, gemeente_code FROM areas"
        return self.query(sql + (" WHERE level = ?" if level else "") + " ORDER BY code", [level] if level else [])

    def known_codes(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT code FROM areas").fetchall()}

    def latest_run(self) -> dict | None:
        row = self.query("SELECT * FROM score_runs ORDER BY run_id DESC LIMIT 1")
        return None if row.empty else row.iloc[0].to_dict()

    # -- writes (call inside transaction()) ------------------------------------------------------
    def upsert_areas(self, con: duckdb.DuckDBPyConnection, areas: pd.DataFrame, *, names: str = "fill",
                     geometry: str = "replace") -> int:
        """Merge area rows by code. ``names='overwrite'`` lets this source's names win (code lists,
        KWB); ``'fill'`` only fills missing names (geometry files, Leefbaarometer). Parents fill what
        is missing. ``geometry='replace'``: a new boundary replaces the old one; ``'fill'``: only where
        there is none (boundaries derived by dissolving buurten never replace published ones)."""
        frame = areas.copy()
        if "geometry" not in frame.columns:
            frame["geometry"] = None
        frame = frame[["code", "level", "name", "wijk_code", "gemeente_code", "geometry"]]
        name_sql = "COALESCE(EXCLUDED.name, areas.name)" if names == "overwrite" else "COALESCE(areas.name, EXCLUDED.name)"
        geometry_sql = ("COALESCE(EXCLUDED.geometry, areas.geometry)" if geometry == "replace"
                        else "COALESCE(areas.geometry, EXCLUDED.geometry)")
        con.register("incoming_areas", frame)
        con.execute(f"""
            INSERT INTO areas SELECT code, level, name, wijk_code, gemeente_code, geometry FROM incoming_areas
            ON CONFLICT (code) DO UPDATE SET
                name = {name_sql},
                wijk_code = COALESCE(EXCLUDED.wijk_code, areas.wijk_code),
                gemeente_code = COALESCE(EXCLUDED.gemeente_code, areas.gemeente_code),
                geometry = {geometry_sql}
        """)
        con.unregister("incoming_areas")
        return len(frame)

    def replace_measurements(self, con: duckdb.DuckDBPyConnection, measurements: pd.DataFrame,
                             import_id: int | None) -> int:
        """Insert measurements; an existing value for the same area, year and indicator is replaced."""
        frame = measurements[["area_code", "year", "indicator", "value", "source", "vintage"]].copy()
        frame["import_id"] = import_id
        con.register("incoming_measurements", frame)
        con.execute("""
            DELETE FROM measurements m USING (SELECT DISTINCT area_code, year, indicator
                                              FROM incoming_measurements) n
            WHERE m.area_code = n.area_code AND m.year = n.year AND m.indicator = n.indicator
        """)
        con.execute("INSERT INTO measurements SELECT area_code, year, indicator, value, source, vintage, "
                    "CAST(import_id AS INTEGER) FROM incoming_measurements")
        con.unregister("incoming_measurements")
        return len(frame)

    def delete_measurements(self, con: duckdb.DuckDBPyConnection, source: str) -> None:
        con.execute("DELETE FROM measurements WHERE source = ?", [source])

    def log_import(self, con: duckdb.DuckDBPyConnection, kind: str, path: Path, rows: int, detail: str = "") -> int:
        next_id = con.execute("SELECT COALESCE(MAX(import_id), 0) + 1 FROM import_log").fetchone()[0]
        sha = file_sha256(path) if path.is_file() else hashlib.sha256(
            "".join(sorted(file_sha256(p) for p in path.iterdir() if p.is_file())).encode()).hexdigest()
        con.execute("INSERT INTO import_log VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [next_id, datetime.now().replace(microsecond=0), kind, str(path), sha, rows, detail])
        return int(next_id)

"""Writes as whole-file swaps: a staging copy of the workspace is written and renamed over it on success, so a
failure or a kill leaves the workspace as it was, and readers keep their old view meanwhile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from wijkvitaliteit.errors import InputError

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

    path = Path(path)
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
                keep_generation(path)
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


GENERATIONS_ENV = "WIJKVITALITEIT_GENERATIONS"
DEFAULT_GENERATIONS = 3


def generations(path: Path) -> list[Path]:
    """The kept earlier generations of a workspace, newest first (``.NAME.gen-<time>`` next to it)."""
    path = Path(path)
    return sorted(path.parent.glob(f".{path.name}.gen-*"), key=lambda p: p.name, reverse=True)


def keep_generation(path: Path) -> None:
    """Before a write replaces the workspace, keep the current file as a generation (a hard link: no copy), and
    only the last ``$WIJKVITALITEIT_GENERATIONS`` (default 3; 0 keeps none)."""
    import time

    if path.name.endswith(".staging"):  # a write nested in another (a migration on the staged copy)
        return
    value = os.environ.get(GENERATIONS_ENV, "")
    keep = int(value) if value.strip().isdigit() else DEFAULT_GENERATIONS
    if keep > 0 and path.exists():
        stamp = time.strftime("%Y%m%dT%H%M%S") + f"{time.time_ns() % 1_000_000_000:09d}"
        try:
            os.link(path, path.with_name(f".{path.name}.gen-{stamp}"))
        except OSError:
            pass  # no hard links here: no generations kept
    for old in generations(path)[keep:]:
        old.unlink(missing_ok=True)

"""What a running server reads: one generation of the workspace at a time.

A write (import, score, …) replaces the workspace file whole (``store.staged_write``). The server notices the
swap on the next request (the file's inode and modification time), opens the new file read-only, drops every
cached page, and serves the new state: no restart. A request that began on the old generation finishes on it.
For the partner role the state is built through ``prepare`` (a fresh partner copy of the new workspace).
"""

from __future__ import annotations

import atexit
import itertools
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from wijkvitaliteit.scoring.runs import Run, active_run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace


def _stamp(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns, st.st_size


@dataclass
class Generation:
    """One opened workspace file: its connection, its active run and the caches built on it."""

    path: Path
    connection: duckdb.DuckDBPyConnection
    run: Run
    corporation: dict[str, str]
    threshold: int | None
    caches: dict[str, OrderedDict[Hashable, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    building: dict[tuple, threading.Lock] = field(default_factory=dict)
    local: threading.local = field(default_factory=threading.local)
    owned: bool = False  # a partner copy made for this generation: removed when it closes
    stopping: threading.Event = field(default_factory=threading.Event)
    warmer: threading.Thread | None = None

    @classmethod
    def open(cls, path: Path) -> Generation:
        connection = duckdb.connect(str(path), read_only=True)
        try:
            ws = Workspace.view(path, connection.cursor())
            return cls(path, connection, active_run(ws), queries.corporation_info(ws), queries.partner_threshold(ws))
        except BaseException:
            connection.close()
            raise

    def ws(self) -> Workspace:
        """A per-thread view on the shared read-only connection."""
        view = getattr(self.local, "ws", None)
        if view is None:
            view = self.local.ws = Workspace.view(self.path, self.connection.cursor())
        return view

    def cached(self, name: str, size: int, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()`` once per key in this generation (at most ``size`` keys per name, least recent dropped)."""
        with self.lock:
            cache = self.caches.setdefault(name, OrderedDict())
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
            building = self.building.setdefault((name, key), threading.Lock())
        with building:  # one thread builds a key; the others wait for it instead of building it again
            try:
                with self.lock:
                    if key in cache:
                        return cache[key]
                value = build()
                with self.lock:
                    cache[key] = value
                    while len(cache) > size:
                        cache.popitem(last=False)
            finally:
                with self.lock:
                    self.building.pop((name, key), None)
        return value

    def peek(self, name: str, key: Hashable) -> Any:
        with self.lock:
            cache = self.caches.get(name)
            return None if cache is None else cache.get(key)

    def start_warming(self, warm: Callable[[Generation], Any]) -> None:
        """Run ``warm(self)`` in a thread of its own (not a daemon: ``close`` stops and joins it, so no thread is
        left inside DuckDB when the process ends)."""
        self.warmer = threading.Thread(target=warm, args=(self,), name=f"warm {self.path.name}")
        self.warmer.start()

    def warmed(self) -> bool:
        """No warming under way (finished, or never started)."""
        return self.warmer is None or not self.warmer.is_alive()

    def close(self) -> None:
        self.stopping.set()
        if self.warmer is not None and self.warmer is not threading.current_thread():
            self.warmer.join()
        self.connection.close()
        self.local = threading.local()
        if self.owned:
            self.path.unlink(missing_ok=True)


class ServedWorkspace:
    """The workspace a server follows. ``prepare(path)`` turns the workspace file into the file to serve (the
    file itself for the corporation; a partner copy for partners).

    Each generation is opened through a hard link of its own next to the workspace: DuckDB keeps one database
    instance per path in a process, so reopening the same path would hand back the old file while a request still
    holds it; the link also keeps the old file readable for requests under way until its generation is closed."""

    def __init__(self, path: Path, prepare: Callable[[Path], Path] | None = None) -> None:
        self.path, self.prepare = Path(path), prepare
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._remove_stale_links()
        self._retired: list[Generation] = []
        self._current, self._stamp = self._open()
        self._warm: Callable[[Generation], Any] | None = None
        atexit.register(self.close)

    def warm_with(self, warm: Callable[[Generation], Any]) -> None:
        """Warm the current generation and each one opened after it with ``warm`` (in the background)."""
        self._warm = warm
        self._current.start_warming(warm)

    def _remove_stale_links(self) -> None:
        for leftover in self.path.parent.glob(f".{self.path.name}.serve-*"):
            pid = leftover.name.rsplit(".serve-", 1)[1].split("-")[0]
            if not pid.isdigit() or not Path(f"/proc/{pid}").exists():
                leftover.unlink(missing_ok=True)  # from a server that was killed

    def _open(self) -> tuple[Generation, tuple[int, int, int]]:
        with Workspace(self.path, read_only=True):  # a clear error on a bad file; an older schema is migrated
            pass
        if self.prepare is not None:
            stamp = _stamp(self.path)
            generation = Generation.open(self.prepare(self.path))
            generation.owned = True
            return generation, stamp
        link = self.path.with_name(f".{self.path.name}.serve-{os.getpid()}-{next(self._counter)}")
        try:
            os.link(self.path, link)
        except OSError:  # no hard links here (another file system, a read-only folder): serve the file itself
            return Generation.open(self.path), _stamp(self.path)
        generation = Generation.open(link)
        generation.owned = True
        return generation, _stamp(link)

    def current(self) -> Generation:
        """The generation to serve this request from; a swapped workspace file is opened first."""
        try:
            stamp = _stamp(self.path)
        except FileNotFoundError:  # between a writer's unlink and rename: keep serving what we have
            return self._current
        if stamp == self._stamp:
            return self._current
        with self._lock:
            if stamp != self._stamp:
                fresh, fresh_stamp = self._open()
                if self._warm is not None:
                    fresh.start_warming(self._warm)
                self._current.stopping.set()  # no more warming of a generation nobody will ask for
                self._retired.append(self._current)  # requests under way may still read it
                if len(self._retired) > 2:
                    self._retired.pop(0).close()
                self._current, self._stamp = fresh, fresh_stamp
        return self._current

    def close(self) -> None:
        for generation in (*self._retired, self._current):
            try:
                generation.close()
            except duckdb.Error:
                pass
        self._retired = []

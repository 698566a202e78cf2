"""``serve`` builds the corporation's buurt pages ahead (issue 12, item 15): the warmed answers are the answers a
cold server gives, every scored year of the corporation's gemeenten is covered, /health says when they are
ready, and closing a generation stops its warming thread (no thread left inside DuckDB at exit)."""

from __future__ import annotations

import json
import random

from fastapi.testclient import TestClient

from wijkvitaliteit.web.app import create_app
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace

JSON_CACHE = "/buurt/{code}.json"


def _corporation_pages(path) -> list[tuple[str, int]]:
    with Workspace(path, read_only=True) as ws:
        gemeenten = sorted(
            ws.query(
                """SELECT DISTINCT a.gemeente_code FROM measurements m JOIN areas a ON a.code = m.area_code
                   WHERE m.source = 'corporatie'"""
            )["gemeente_code"]
        )
        run_id = int(queries.score_runs(ws)["run_id"].max())
        pages = []
        for gemeente in gemeenten:
            codes = queries.gemeente_buurt_rows(ws, gemeente)["code"].tolist()
            pages += [(code, year) for year in queries.scored_years(ws, run_id, gemeente) for code in codes]
    return pages


def test_warmed_pages_are_the_cold_answers_and_cover_the_corporation(demo_workspace):
    pages = _corporation_pages(demo_workspace)
    assert len(pages) > 1000  # Nijmegen and Utrecht, every scored year
    warm_app = create_app(demo_workspace, warm=True)
    try:
        gen = warm_app.state.served.current()
        gen.warmer.join(timeout=300)
        assert gen.warmed()
        missing = [(c, y) for c, y in pages if gen.peek(JSON_CACHE, (("code", c), ("jaar", y))) is None]
        assert missing == []
        with TestClient(warm_app) as warm:
            assert warm.get("/health").json()["pages_ready"] is True
            cold_app = create_app(demo_workspace)
            try:
                with TestClient(cold_app) as cold:
                    for code, year in random.Random(3).sample(pages, 25):
                        a = warm.get(f"/buurt/{code}.json?jaar={year}")
                        b = cold.get(f"/buurt/{code}.json?jaar={year}")
                        assert a.status_code == b.status_code == 200
                        assert json.loads(a.content) == json.loads(b.content), (code, year)
                    latest = max(y for _, y in pages)
                    code = next(c for c, y in pages if y == latest)
                    assert json.loads(warm.get(f"/buurt/{code}.json").content) == json.loads(
                        cold.get(f"/buurt/{code}.json").content
                    )
            finally:
                cold_app.state.close()
    finally:
        warm_app.state.close()


def test_closing_stops_the_warming_thread(demo_workspace):
    app = create_app(demo_workspace, warm=True)
    gen = app.state.served.current()
    assert gen.warmer is not None and gen.warmer.is_alive()  # 24 gemeente-years take seconds
    app.state.close()
    assert not gen.warmer.is_alive()
    built = len(gen.caches.get("buurt_batch", {}))
    assert built < 24  # it stopped early instead of finishing


def test_no_warming_unless_asked(demo_workspace):
    app = create_app(demo_workspace)
    try:
        gen = app.state.served.current()
        assert gen.warmer is None and gen.warmed()
    finally:
        app.state.close()

"""The national synthetic sector for the scale benchmark writes the documented formats and imports whole."""

from __future__ import annotations

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.demo.national import generate_national, national_buurten
from wijkvitaliteit.workspace.store import Workspace


def test_national_sector_imports_at_small_scale(tmp_path):
    counts = generate_national(tmp_path / "sector", scale=0.005, seed=3)
    assert counts["dwellings"] == 11_500 and counts["lettings"] == 3 * 1_500 and counts["nuisance"] == 5_000
    ws = tmp_path / "ws.duckdb"
    pipeline.import_leefbaarometer(ws, bundled.LEEFBAAROMETER)
    pipeline.import_corporation(ws, tmp_path / "sector")
    with Workspace(ws, read_only=True) as w:
        stored = w.query(
            "SELECT (SELECT count(*) FROM corp_dwellings) d, (SELECT count(*) FROM corp_lettings) l, "
            "(SELECT count(*) FROM corp_nuisance) n, (SELECT count(DISTINCT buurt_code) FROM "
            "corp_dwellings) b"
        ).iloc[0]
        shares = w.query("SELECT count(*) FROM measurements WHERE indicator = 'corp.vulnerable_share'").iloc[0, 0]
    assert (stored["d"], stored["l"], stored["n"]) == (11_500, 4_500, 5_000)
    assert stored["b"] == counts["buurten"] and stored["b"] <= len(national_buurten())
    assert shares > 0  # the three-year window of 2022-2024 gives vulnerable shares for 2024

"""Boundaries as gemeenten and PDOK publish them (issue 13, item 5): a municipal shapefile without .prj in lon/lat
with 4-digit codes in capitals and a Windows-1252 (or UTF-8) DBF, a PDOK GeoPackage with a renamed layer and a
water buurt, a GeoPackage with several unknown layers, and a CBS grid that is refused for what it is."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from conftest import run_cli

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.sources.geometry import read_geometry
from wijkvitaliteit.sources.identify import inspect
from wijkvitaliteit.workspace.store import Workspace

NAMED = "Café Lombok"  # planted: a name with an é, to survive the DBF's encoding


def _utrecht(n: int = 6) -> gpd.GeoDataFrame:
    frame = gpd.read_file(bundled.BUURTEN["GM0344"])
    frame = frame[frame["statcode"].str.startswith("BU0344")].head(n).reset_index(drop=True)
    return frame


def _municipal_shapefile(folder: Path, encoding: str, cpg: bool = False) -> Path:
    frame = _utrecht()
    out = gpd.GeoDataFrame(
        {
            "BUURTCODE": frame["statcode"].str[6:],  # 4 digits: 0111, 0112, …
            "BUURTNAAM": [NAMED, *frame["statnaam"].iloc[1:]],
        },
        geometry=frame.geometry.to_crs("EPSG:4326"),
    )
    path = folder / "buurten_gemeente.shp"
    pyogrio.write_dataframe(out, path, encoding=encoding)
    path.with_suffix(".prj").unlink()
    if not cpg:
        path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


@pytest.mark.parametrize("encoding", ["cp1252", "UTF-8"])
def test_municipal_shapefile_without_prj_in_lon_lat_with_own_codes(tmp_path, encoding):
    path = _municipal_shapefile(tmp_path, encoding)
    assert not path.with_suffix(".prj").exists() and not path.with_suffix(".cpg").exists()
    no_crs = run_cli("import", "geometry", str(path), "-w", str(tmp_path / "ws.duckdb"))
    assert no_crs.returncode == 2 and "lon/lat" in no_crs.stderr and "--crs EPSG:4326" in no_crs.stderr
    assert len(no_crs.stderr.strip().splitlines()) == 1, no_crs.stderr
    refused = run_cli("import", "geometry", str(path), "--crs", "EPSG:4326", "-w", str(tmp_path / "ws.duckdb"))
    assert refused.returncode == 2 and "--code-column" in refused.stderr
    data = read_geometry(path, code_column="BUURTCODE", code_template="BU0344{}", crs="EPSG:4326")
    buurten = data.areas[data.areas["level"] == "buurt"].set_index("code")
    original = _utrecht()
    assert sorted(buurten.index) == sorted(original["statcode"])
    assert buurten.loc[original["statcode"].iloc[0], "name"] == NAMED  # never "CafÃ©"
    assert data.source_crs == "EPSG:4326"
    ws = tmp_path / "ws.duckdb"
    pipeline.import_codes(ws, bundled.CODES)
    options = ["--code-column", "buurtcode", "--code-template", "BU0344{}", "--crs", "EPSG:4326"]
    result = run_cli("import", "geometry", str(path), *options, "-w", str(ws))
    assert result.returncode == 0, result.stderr
    found = inspect(path)
    assert "lon/lat" in found.facts["CRS"] and found.command is not None
    assert "--code-column BUURTCODE --code-template 'BUGGGG{}'" in found.command and "--crs EPSG:4326" in found.command


def test_code_template_pads_numbers(tmp_path):
    frame = _utrecht(3)
    out = gpd.GeoDataFrame({"NR": frame["statcode"].str[6:].astype(int)}, geometry=frame.geometry, crs="EPSG:28992")
    path = tmp_path / "nummers.gpkg"
    pyogrio.write_dataframe(out, path, layer="buurt")
    data = read_geometry(path, code_column="nr", code_template="BU0344{:04d}")
    assert set(data.areas.loc[data.areas["level"] == "buurt", "code"]) == set(frame["statcode"])


def test_pdok_geopackage_with_a_renamed_layer_and_a_water_buurt(tmp_path):
    frame = _utrecht(4)
    water = frame.iloc[[0]].copy()
    out = gpd.GeoDataFrame(
        {
            "buurtcode": [*frame["statcode"], "BU03449997"],
            "buurtnaam": [*frame["statnaam"], "Water"],
            "gemeentecode": "GM0344",
            "water": ["NEE"] * 4 + ["JA"],
            "aantal_inwoners": [1200, -99997, 800, 450, 0],
        },
        geometry=[*frame.geometry, water.geometry.iloc[0]],
        crs="EPSG:28992",
    )
    path = tmp_path / "wijkenbuurten_2023_v1.gpkg"
    pyogrio.write_dataframe(out, path, layer="cbs_buurten_2023")
    data = read_geometry(path)
    assert data.water == 1
    assert "BU03449997" not in set(data.areas["code"])  # water: not scored, not drawn
    inhabitants = data.measurements.query("indicator == 'wijkenbuurten.aantal_inwoners'").set_index("area_code")["value"]
    assert frame["statcode"].iloc[1] not in inhabitants.index  # -99997 = secret: missing, not a number
    ws = tmp_path / "ws.duckdb"
    result = run_cli("import", "geometry", str(path), "-w", str(ws))
    assert result.returncode == 0 and "1 water" in result.stdout.replace("\n", " ")
    with Workspace(ws, read_only=True) as w:
        assert w.query("SELECT count(*) AS n FROM areas WHERE code = 'BU03449997'")["n"].iloc[0] == 0


def test_several_unknown_layers_ask_for_layer(tmp_path):
    frame = _utrecht(2)
    path = tmp_path / "twee.gpkg"
    pyogrio.write_dataframe(frame, path, layer="a")
    pyogrio.write_dataframe(frame, path, layer="b", append=False)
    result = run_cli("import", "geometry", str(path), "-w", str(tmp_path / "ws.duckdb"))
    assert result.returncode == 2 and "--layer" in result.stderr and "a, b" in result.stderr


def test_a_cbs_grid_given_as_boundaries_is_refused_as_a_grid(tmp_path):
    import shapely

    cells = [shapely.box(136000 + 100 * i, 455000, 136100 + 100 * i, 455100) for i in range(4)]
    grid = gpd.GeoDataFrame(
        {"crs28992res100m": [f"E{1360 + i}N4550" for i in range(4)], "aantal_inwoners": [5, -99997, 120, 40]},
        geometry=cells,
        crs="EPSG:28992",
    )
    path = tmp_path / "cbs_vk100_2022.gpkg"
    pyogrio.write_dataframe(grid, path, layer="vierkanten")
    ws = tmp_path / "ws.duckdb"
    result = run_cli("import", "geometry", str(path), "-w", str(ws))
    assert result.returncode == 2 and "not a CBS grid of 100 m or 500 m cells" in result.stderr
    assert "import grid" in result.stderr and result.stderr.count("\n") == 1
    assert "each area once" not in result.stderr
    assert not ws.exists()
    found = inspect(path)
    assert "grid" in found.what and "import grid" in found.command


def test_a_cbs_grid_is_aggregated_to_buurten(tmp_path):
    """Planted truth: four 100 m cells in each of two Utrecht buurten (centres inside), one cell outside all buurten.
    Counts sum over the cells; a percentage is weighted by its base; a secret cell is left out and counted."""
    import shapely

    buurten = _utrecht(2)
    cells, ids, rows = [], [], []
    for b, geom in enumerate(buurten.geometry):
        point = geom.representative_point()
        for k in range(4):
            x, y = point.x + (k % 2) * 1, point.y + (k // 2) * 1  # tiny offsets: the centres stay in the buurt
            cells.append(shapely.box(x - 50, y - 50, x + 50, y + 50))
            ids.append(f"E{int(x) // 100:04d}N{int(y) // 100 + k:04d}")
            rows.append((10 * (b + 1) + k, 5 + k, 50.0 + 10 * k))
    cells.append(shapely.box(0, 300000, 100, 300100))  # far outside Utrecht
    ids.append("E0000N3000")
    rows.append((999, 999, 99.0))
    rows[1] = (rows[1][0], rows[1][1], -99997.0)  # secret share in buurt 0
    grid = gpd.GeoDataFrame(
        {
            "crs28992res100m": ids,
            "aantal_inwoners": [r[0] for r in rows],
            "aantal_woningen": [r[1] for r in rows],
            "percentage_koopwoningen": [r[2] for r in rows],
        },
        geometry=cells,
        crs="EPSG:28992",
    )
    path = tmp_path / "cbs_vk100_2022.gpkg"
    pyogrio.write_dataframe(grid, path, layer="vierkanten")
    ws = tmp_path / "ws.duckdb"
    pipeline.import_codes(ws, bundled.CODES)
    pipeline.import_geometry(ws, bundled.BUURTEN["GM0344"])
    assert "import grid" in inspect(path).command
    result = run_cli("import", "grid", str(path), "-w", str(ws))
    assert result.returncode == 0, result.stderr
    with Workspace(ws, read_only=True) as w:
        got = w.query("SELECT area_code, indicator, value FROM measurements WHERE source = 'cbs_vierkant' AND year = 2022")
        log = w.query("SELECT detail FROM import_log WHERE kind = 'grid'")["detail"].iloc[0]
    table = got.pivot(index="area_code", columns="indicator", values="value")
    first, second = buurten["statcode"].iloc[0], buurten["statcode"].iloc[1]
    assert table.loc[first, "vierkant.aantal_inwoners"] == 10 + 11 + 12 + 13
    assert table.loc[second, "vierkant.aantal_inwoners"] == 20 + 21 + 22 + 23
    # koopwoningen weighted by aantal_woningen, the secret cell (k = 1) left out
    w0 = [5, 7, 8]
    assert table.loc[first, "vierkant.percentage_koopwoningen"] == pytest.approx((50 * 5 + 70 * 7 + 80 * 8) / sum(w0))
    assert "1 cells outside" in log and "1 secret" in log

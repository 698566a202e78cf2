"""CBS sources on the real bundled files: KWB workbooks, the code list and the geometries."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from wijkvitaliteit import data as bundled
from wijkvitaliteit.sources.codes import read_codes
from wijkvitaliteit.sources.geometry import read_geometry
from wijkvitaliteit.sources.kwb import read_kwb
from wijkvitaliteit.sources.leefbaarometer import read_leefbaarometer


@pytest.fixture(scope="module")
def lbm_codes():
    scores = read_leefbaarometer(bundled.LEEFBAAROMETER).scores
    return set(scores["bu_code"])


def _buurt_values(kwb, indicator):
    m = kwb.measurements
    return m[(m["indicator"] == indicator) & m["area_code"].str.startswith("BU")].set_index("area_code")["value"]


def test_kwb_2023_utrecht_p_wcorpw_by_name_with_dots_missing():
    kwb = read_kwb(bundled.KWB_UTRECHT[2023])
    assert kwb.year == 2023
    buurten = kwb.areas[kwb.areas["level"] == "buurt"]
    assert len(buurten) == 111
    wcorp = _buurt_values(kwb, "kwb.p_wcorpw")
    # 111 buurt rows carry the column; three hold '.', which becomes missing (no row, not 0)
    assert len(wcorp) == 108
    assert set(buurten["code"]) - set(wcorp.index) == {"BU03440911", "BU03440952", "BU03440953"}
    assert wcorp["BU03440111"] == 0
    assert wcorp.between(0, 100).all()


def test_kwb_numbers_stored_as_text_cells_are_kept():
    kwb = read_kwb(bundled.KWB_UTRECHT[2023])
    bijstand = _buurt_values(kwb, "kwb.a_soz_wb")
    assert len(bijstand) == 107
    assert bijstand["BU03440111"] == 10


def test_kwb_2024_year_from_file_name_when_sheet_is_renamed():
    kwb = read_kwb(bundled.KWB_UTRECHT[2024])
    assert kwb.year == 2024
    assert "kwb.p_wcorpw" not in set(kwb.measurements["indicator"])  # not yet published in this release
    assert len(_buurt_values(kwb, "kwb.a_inw")) > 100


def test_kwb_national_row_is_kept_as_nl01(tmp_path):
    """A KWB workbook of the whole country starts with the row 'Nederland' (recs Land, code NL00): its values are
    stored under NL01 at level 'land', beside the gemeenten, wijken and buurten."""
    import pandas as pd

    from wijkvitaliteit.sources.tabular import read_xlsx

    frame, sheet = read_xlsx(bundled.KWB_UTRECHT[2023])
    land = frame.iloc[[0]].copy()
    code_col = "gwb_code_10" if "gwb_code_10" in frame.columns else "gwb_code"
    land[code_col], land["regio"], land["recs"], land["a_inw"] = "NL00", "Nederland", "Land", 17942942
    path = tmp_path / "kwb-2023.xlsx"
    pd.concat([land, frame], ignore_index=True).to_excel(path, sheet_name=sheet, index=False, engine="xlsxwriter")
    kwb = read_kwb(path)
    nl = kwb.areas.set_index("code").loc["NL01"]
    assert nl["level"] == "land" and nl["name"] == "Nederland" and pd.isna(nl["gemeente_code"])
    m = kwb.measurements
    assert m.loc[(m["area_code"] == "NL01") & (m["indicator"] == "kwb.a_inw"), "value"].tolist() == [17942942]
    assert len(kwb.areas[kwb.areas["level"] == "buurt"]) == 111


def test_code_list_rebuilds_codes_and_names():
    codes = read_codes(bundled.CODES)
    areas = codes.areas.set_index("code")
    assert (areas["level"] == "buurt").sum() == 14_175
    assert (areas["level"] == "gemeente").sum() == 353
    assert areas.loc["BU00140000", "name"] == "Binnenstad-Noord"
    assert areas.loc["BU02680736", ["name", "wijk_code", "gemeente_code"]].tolist() == ["Malvert", "WK026807", "GM0268"]
    assert areas.loc["GM0268", "name"] == "Nijmegen"


@pytest.mark.parametrize(("gemeente", "n", "lbm_n"), [("GM0268", 44, 43), ("GM0344", 111, 110)])
def test_buurt_geometries_valid_and_codes_match(gemeente, n, lbm_n, lbm_codes):
    geo = read_geometry(bundled.BUURTEN[gemeente])
    buurten = geo.areas[geo.areas["level"] == "buurt"]
    assert len(buurten) == n
    polygons = shapely.from_wkb(buurten["geometry"].map(bytes).to_numpy())
    assert shapely.is_valid(polygons).all()
    assert len(set(buurten["code"]) & lbm_codes) == lbm_n
    if gemeente == "GM0344":
        kwb = read_kwb(bundled.KWB_UTRECHT[2023]).areas
        assert set(kwb.loc[kwb["level"] == "buurt", "code"]) == set(buurten["code"])
    # RD New metres: Utrecht ≈ 99 km², Nijmegen ≈ 58 km²
    assert shapely.area(shapely.union_all(polygons)) / 1e6 == pytest.approx({"GM0268": 58.10, "GM0344": 99.28}[gemeente], abs=0.5)


def test_national_topojson_boundaries():
    gemeenten = read_geometry(bundled.GEMEENTEN_NL).areas
    assert (gemeenten["level"] == "gemeente").sum() == 355
    wijken = read_geometry(bundled.WIJKEN_NL).areas
    assert (wijken["level"] == "wijk").sum() == 3_177


def test_geojson_in_wgs84_is_converted_to_rd(tmp_path):
    frame = gpd.read_file(bundled.BUURTEN["GM0268"]).to_crs("EPSG:4326")
    path = tmp_path / "nijmegen_wgs84.geojson"
    frame.to_file(path, driver="GeoJSON")
    converted = read_geometry(path)
    assert converted.source_crs.endswith("4326")
    original = read_geometry(bundled.BUURTEN["GM0268"]).areas.set_index("code")
    back = converted.areas.set_index("code")
    code = "BU02680736"
    a = shapely.from_wkb(bytes(original.loc[code, "geometry"]))
    b = shapely.from_wkb(bytes(back.loc[code, "geometry"]))
    assert shapely.area(shapely.symmetric_difference(a, b)) / shapely.area(a) < 1e-3


def test_pdok_geopackage_layers_and_sentinels(tmp_path):
    """A wijkenbuurten GeoPackage in PDOK's layout: layers buurten/wijken/gemeenten, -99997 = secret."""
    src = gpd.read_file(bundled.BUURTEN["GM0268"])
    buurten = gpd.GeoDataFrame(
        {
            "buurtcode": src["statcode"],
            "buurtnaam": src["statnaam"],
            "wijkcode": "WK" + src["statcode"].str[2:8],
            "gemeentecode": "GM0268",
            "gemeentenaam": "Nijmegen",
            "water": "NEE",
            "aantal_inwoners": np.where(src["statcode"] == "BU02680736", -99997, 1000),
            "jaarstatcode": "2023" + src["statcode"],
        },
        geometry=src.geometry,
        crs="EPSG:28992",
    )
    gemeente = gpd.GeoDataFrame(
        {"gemeentecode": ["GM0268"], "gemeentenaam": ["Nijmegen"]},
        geometry=[shapely.union_all(src.geometry.values)],
        crs="EPSG:28992",
    )
    path = tmp_path / "wijkenbuurten_2023_v1.gpkg"
    pyogrio.write_dataframe(buurten, path, layer="buurten")
    pyogrio.write_dataframe(gemeente, path, layer="gemeenten")
    geo = read_geometry(path)
    assert (geo.areas["level"] == "buurt").sum() == 44
    assert geo.areas.set_index("code").loc["GM0268", "geometry"] is not None
    inw = geo.measurements[geo.measurements["indicator"] == "wijkenbuurten.aantal_inwoners"].set_index("area_code")
    assert "BU02680736" not in inw.index  # -99997 became missing
    assert inw["value"].eq(1000).all() and len(inw) == 43
    assert set(geo.measurements["year"]) == {2023}


def test_wijk_and_gemeente_boundaries_dissolved_from_buurten_never_replace_published_ones(tmp_path):
    from wijkvitaliteit import pipeline
    from wijkvitaliteit.workspace.store import Workspace

    path = tmp_path / "w.duckdb"
    summary = pipeline.import_geometry(path, bundled.BUURTEN["GM0268"])
    assert "10 wijk/gemeente boundaries dissolved" in summary.detail
    with Workspace(path, read_only=True) as ws:
        rows = ws.query("SELECT code, level, geometry FROM areas WHERE gemeente_code = 'GM0268' OR code = 'GM0268'")
    parents = rows[rows["level"] != "buurt"]
    assert len(parents) == 10 and parents["geometry"].notna().all()
    buurten = shapely.from_wkb(rows.loc[rows["level"] == "buurt", "geometry"].map(bytes).to_numpy())
    gemeente = shapely.from_wkb(bytes(parents.set_index("code").loc["GM0268", "geometry"]))
    assert shapely.area(gemeente) == pytest.approx(shapely.area(shapely.union_all(buurten)))
    # the published national gemeente boundary replaces the dissolved one; a later buurt import keeps it
    pipeline.import_geometry(path, bundled.GEMEENTEN_NL)
    pipeline.import_geometry(path, bundled.BUURTEN["GM0268"])
    with Workspace(path, read_only=True) as ws:
        published = ws.query("SELECT geometry FROM areas WHERE code = 'GM0268'")["geometry"].iloc[0]
    national = read_geometry(bundled.GEMEENTEN_NL).areas.set_index("code").loc["GM0268", "geometry"]
    assert bytes(published) == bytes(national)

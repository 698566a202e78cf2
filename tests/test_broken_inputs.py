"""Bad input: a non-zero exit, one line naming file, row and column, and a workspace left unchanged."""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from tests.conftest import run_cli
from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.workspace.store import Workspace

NIJMEGEN_LBM = None


def _lbm_nijmegen_text() -> str:
    with zipfile.ZipFile(bundled.LEEFBAAROMETER) as archive:
        text = archive.read("Livability.csv").decode("utf-8")
    lines = text.splitlines()
    return "\n".join([lines[0]] + [line for line in lines[1:] if line.startswith("BU0268")]) + "\n"


def _write_corporation(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dwellings.csv").write_text(
        "dwelling_id,complex,buurt_code,dwelling_type,build_year,energy_label,rent\n"
        "D1,C1,BU02680736,maisonnette,1972,c,612.50\n"
        "D2,C1,BU02680736,maisonnette,1972,d,598.00\n"
        "D3,C2,BU02680100,portiek,1930,e,540.10\n",
        encoding="utf-8",
    )
    (folder / "lettings.csv").write_text(
        "letting_id,dwelling_id,start_date,income_class,uitstroom_ggz,uitstroom_mo,uitstroom_bw,statushouder\n"
        "L1,D1,2023-02-01,bijstand,ja,nee,nee,nee\n"
        "L2,D3,2023-05-01,huurtoeslag,nee,nee,nee,nee\n",
        encoding="utf-8",
    )
    (folder / "nuisance.csv").write_text(
        "report_id,report_date,dwelling_id,buurt_code,category,severity,status\n"
        "R1,2023-03-01,D1,,geluid,2,afgehandeld\n"
        "R2,2023-04-01,,BU02680736,vervuiling,1,open\n",
        encoding="utf-8",
    )
    (folder / "organisation.csv").write_text(
        "buurt_code,year,wijkraad,wijkregisseur,buurtbeheerder,bewonerscommissies,clubs,buurtfonds_aanvragen\n"
        "BU02680736,2023,nee,ja,ja,1,0,2\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A small valid workspace: CBS codes, Nijmegen's Leefbaarometer and boundaries, a tiny corporation."""
    root = tmp_path_factory.mktemp("broken")
    lbm = root / "lbm_nijmegen.csv"
    lbm.write_text(_lbm_nijmegen_text(), encoding="utf-8")
    ws = root / "base.duckdb"
    pipeline.import_codes(ws, bundled.CODES)
    pipeline.import_leefbaarometer(ws, lbm)
    pipeline.import_geometry(ws, bundled.BUURTEN["GM0268"])
    pipeline.import_corporation(ws, _write_corporation(root / "corp"))
    return {"root": root, "ws": ws, "lbm": lbm, "corp": root / "corp"}


def _lbm_variant(base, tmp_path, edit) -> Path:
    lines = base["lbm"].read_text(encoding="utf-8").splitlines()
    path = tmp_path / "leefbaarometer.csv"
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return path


def _corp_variant(base, tmp_path, name, edit) -> Path:
    folder = tmp_path / "corp"
    shutil.copytree(base["corp"], folder)
    path = folder / f"{name}.csv"
    edit(path)
    return folder


def _replace_line(path: Path, index: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[index] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _kwb_variant(tmp_path, column, row, value, drop=False) -> Path:
    path = tmp_path / "kwb-2023.xlsx"
    workbook = openpyxl.load_workbook(bundled.KWB_UTRECHT[2023])
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    col = header.index(column) + 1
    if drop:
        sheet.delete_cols(col)
    else:
        sheet.cell(row=row, column=col, value=value)
    workbook.save(path)
    return path


def _geojson_without_crs(tmp_path) -> Path:
    text = bundled.BUURTEN["GM0268"].read_text(encoding="utf-8")
    text = text.replace('"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}, ', "")
    text = text.replace(
        '{"type": "FeatureCollection", ',
        '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}, ',
    )
    path = tmp_path / "buurten_wrong_crs.geojson"
    path.write_text(text, encoding="utf-8")
    return path


def _bowtie_geojson(tmp_path) -> Path:
    path = tmp_path / "bowtie.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": '
        '"urn:ogc:def:crs:EPSG::28992"}}, "features": [{"type": "Feature", "properties": '
        '{"statcode": "BU02680736", "statnaam": "Malvert"}, "geometry": {"type": "Polygon", '
        '"coordinates": [[[183000, 424000], [184000, 425000], [184000, 424000], [183000, 425000], '
        "[183000, 424000]]]}}]}",
        encoding="utf-8",
    )
    return path


def _truncated_zip(tmp_path) -> Path:
    data = bundled.LEEFBAAROMETER.read_bytes()
    path = tmp_path / "open-data-leefbaarometer.zip"
    path.write_bytes(data[: len(data) // 2])
    return path


# (id, import kind, builder(base, tmp_path) -> path, expected fragments of the one-line error)
CASES = [
    (
        "missing-column",
        "leefbaarometer",
        lambda b, t: _lbm_variant(b, t, lambda ls: [ls[0].replace(",afw,", ",afwijking,")] + ls[1:]),
        ["leefbaarometer.csv", "column 'afw'"],
    ),
    (
        "bad-buurt-code",
        "leefbaarometer",
        lambda b, t: _lbm_variant(b, t, lambda ls: ls[:3] + ["BX0268073," + ls[3].split(",", 1)[1]] + ls[4:]),
        ["row 4", "column 'bu_code'", "BX0268073"],
    ),
    (
        "wrong-delimiter",
        "leefbaarometer",
        lambda b, t: _lbm_variant(b, t, lambda ls: [line.replace(",", ";") for line in ls]),
        ["column 'bu_code'", "wrong delimiter"],
    ),
    (
        "text-in-number-column",
        "leefbaarometer",
        lambda b, t: _lbm_variant(b, t, lambda ls: ls[:5] + [ls[5].replace(ls[5].split(",")[4], "hoog", 1)] + ls[6:]),
        ["row 6", "column 'lbm'", "hoog"],
    ),
    (
        "empty-file",
        "leefbaarometer",
        lambda b, t: (t / "empty.csv").write_bytes(b"") or t / "empty.csv",
        ["empty.csv", "empty file"],
    ),
    (
        "duplicate-key",
        "leefbaarometer",
        lambda b, t: _lbm_variant(b, t, lambda ls: ls[:8] + [ls[2]] + ls[8:]),
        ["row 9", "unique bu_code + jaar", "row 3"],
    ),
    ("truncated-zip", "leefbaarometer", lambda b, t: _truncated_zip(t), ["open-data-leefbaarometer.zip", "zip"]),
    (
        "wrong-encoding",
        "corporation",
        lambda b, t: _corp_variant(
            b, t, "dwellings", lambda p: p.write_bytes(p.read_bytes().replace(b"D3,C2", "D3,Complex Ré".encode("latin-1")))
        ),
        ["dwellings.csv", "row 4", "UTF-8"],
    ),
    (
        "unknown-buurt",
        "corporation",
        lambda b, t: _corp_variant(b, t, "organisation", lambda p: _replace_line(p, 1, "BU99999999,2023,nee,ja,ja,1,0,2")),
        ["organisation.csv", "row 2", "column 'buurt_code'", "BU99999999"],
    ),
    (
        "unknown-dwelling",
        "corporation",
        lambda b, t: _corp_variant(
            b, t, "lettings", lambda p: _replace_line(p, 2, "L2,D99,2023-05-01,huurtoeslag,nee,nee,nee,nee")
        ),
        ["lettings.csv", "row 3", "column 'dwelling_id'", "D99"],
    ),
    (
        "bad-date",
        "corporation",
        lambda b, t: _corp_variant(b, t, "lettings", lambda p: _replace_line(p, 1, "L1,D1,01-02-2023,bijstand,ja,nee,nee,nee")),
        ["lettings.csv", "row 2", "column 'start_date'", "YYYY-MM-DD"],
    ),
    (
        "duplicate-dwelling",
        "corporation",
        lambda b, t: _corp_variant(b, t, "dwellings", lambda p: _replace_line(p, 3, "D1,C2,BU02680100,portiek,1930,e,540.10")),
        ["dwellings.csv", "row 4", "unique dwelling_id"],
    ),
    (
        "kwb-text-in-number",
        "kwb",
        lambda b, t: _kwb_variant(t, "a_inw", 5, "veel"),
        ["kwb-2023.xlsx", "row 5", "column 'a_inw'", "veel"],
    ),
    ("kwb-missing-recs", "kwb", lambda b, t: _kwb_variant(t, "recs", 1, None, drop=True), ["kwb-2023.xlsx", "column 'recs'"]),
    (
        "geojson-wrong-crs",
        "geometry",
        lambda b, t: _geojson_without_crs(t),
        ["buurten_wrong_crs.geojson", "Netherlands", "wrong CRS"],
    ),
    (
        "geojson-invalid-polygon",
        "geometry",
        lambda b, t: _bowtie_geojson(t),
        ["bowtie.geojson", "row 1", "valid polygon", "Self-intersection"],
    ),
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("kind", "build", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_file_is_refused_and_changes_nothing(base, tmp_path, kind, build, fragments):
    ws = tmp_path / "ws.duckdb"
    shutil.copy(base["ws"], ws)
    with Workspace(ws, read_only=True) as w:
        before = w.snapshot()
    bytes_before = _digest(ws)
    broken = build(base, tmp_path)
    result = run_cli("import", kind, str(broken), "--workspace", str(ws))
    assert result.returncode == 2, result.stderr + result.stdout
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert message.startswith("fout: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    assert _digest(ws) == bytes_before
    with Workspace(ws, read_only=True) as w:
        after = w.snapshot()
    assert before.keys() == after.keys()
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


def test_a_failure_inside_the_transaction_rolls_back(base, tmp_path, monkeypatch):
    """The unknown-buurt check runs against the workspace; force a failure after the first writes."""
    ws = tmp_path / "ws.duckdb"
    shutil.copy(base["ws"], ws)
    with Workspace(ws, read_only=True) as w:
        before = w.snapshot()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Workspace, "replace_measurements", boom)
    with pytest.raises(RuntimeError):
        pipeline.import_corporation(ws, base["corp"])
    with Workspace(ws, read_only=True) as w:
        after = w.snapshot()
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


def test_unknown_workspace_and_missing_file_are_user_errors(tmp_path):
    result = run_cli("list", "--workspace", str(tmp_path / "nope.duckdb"))
    assert result.returncode == 2 and "nope.duckdb" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("import", "leefbaarometer", str(tmp_path / "missing.csv"), "--workspace", str(tmp_path / "w.db"))
    assert result.returncode == 2 and "missing.csv" in result.stderr
    assert not (tmp_path / "w.db").exists()


def test_not_a_workspace_file_is_refused(tmp_path):
    fake = tmp_path / "fake.duckdb"
    fake.write_bytes(io.BytesIO(b"not a database").getvalue())
    result = run_cli("list", "--workspace", str(fake))
    assert result.returncode == 2 and "fake.duckdb" in result.stderr and "Traceback" not in result.stderr

"""Write tests/fixtures/broken/: broken files derived from every real format the importers read.

Each file is a small real file (a slice of the bundled Leefbaarometer, KWB, boundaries and code list, or
the documented corporation and allocation formats) with one thing broken. MANIFEST.toml lists for each
the importer, the table it replaces (corporation and allocation deliveries are folders: the test copies
the valid folder in ``_valid/`` and puts the broken table in), and fragments the one-line error must
contain. Run: ``.venv/bin/python scripts/make_broken_corpus.py`` (the output is committed).
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl

from wijkvitaliteit import data as bundled

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "broken"
CASES: list[dict] = []


def case(
    name: str, kind: str, expect: list[str], *, table: str | None = None, content: bytes | str | None = None, what: str = ""
) -> Path:
    path = OUT / name
    if content is not None:
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    CASES.append({"file": name, "kind": kind, "table": table, "expect": expect, "what": what})
    return path


# -- Leefbaarometer: a slice of the real national file (Nijmegen, 2020 and 2018) ------------------------------


def lbm_lines() -> list[str]:
    with zipfile.ZipFile(bundled.LEEFBAAROMETER) as archive:
        text = archive.read("Livability.csv").decode("utf-8")
    lines = text.splitlines()
    rows = [line for line in lines[1:] if line.startswith("BU0268")][:40]
    return [lines[0], *rows]


def lbm(edit) -> str:
    return "\n".join(edit(lbm_lines())) + "\n"


def field(line: str, index: int, value: str) -> str:
    parts = line.split(",")
    parts[index] = value
    return ",".join(parts)


def lbm_cases() -> None:
    header = lbm_lines()[0].split(",")
    afw, lbm_col, jaar = header.index("afw"), header.index("lbm"), header.index("jaar")
    case(
        "lbm-missing-column.csv",
        "leefbaarometer",
        ["column 'afw'"],
        content=lbm(lambda ls: [ls[0].replace(",afw,", ",afwijking,"), *ls[1:]]),
        what="required column renamed",
    )
    case(
        "lbm-bad-buurt-code.csv",
        "leefbaarometer",
        ["row 4", "column 'bu_code'", "BX0268073"],
        content=lbm(lambda ls: ls[:3] + ["BX0268073," + ls[3].split(",", 1)[1]] + ls[4:]),
        what="code not BU+8",
    )
    case(
        "lbm-semicolon.csv",
        "leefbaarometer",
        ["bu_code", "delimiter"],
        content=lbm(lambda ls: [x.replace(",", ";") for x in ls]),
        what="semicolon-separated",
    )
    case(
        "lbm-text-in-number.csv",
        "leefbaarometer",
        ["row 6", "column 'lbm'", "hoog"],
        content=lbm(lambda ls: ls[:5] + [field(ls[5], lbm_col, "hoog")] + ls[6:]),
        what="text in a number column",
    )
    case("lbm-empty.csv", "leefbaarometer", ["empty file"], content=b"", what="zero bytes")
    case(
        "lbm-header-only.csv",
        "leefbaarometer",
        ["at least one data row"],
        content=lbm(lambda ls: ls[:1]),
        what="header without rows",
    )
    case(
        "lbm-duplicate-key.csv",
        "leefbaarometer",
        ["row 9", "unique bu_code + jaar"],
        content=lbm(lambda ls: ls[:8] + [ls[2]] + ls[8:]),
        what="same buurt and year twice",
    )
    case(
        "lbm-latin1.csv",
        "leefbaarometer",
        ["UTF-8", "row 2", "0xe9"],
        content=lbm(lambda ls: ls).replace(ls_second(), ls_second() + "é", 1).encode("latin-1"),
        what="Latin-1 byte in a UTF-8 file",
    )
    case(
        "lbm-duplicated-column.csv",
        "leefbaarometer",
        ["column 'afw'", "once"],
        content=lbm(lambda ls: [ls[0] + ",afw", *[x + ",0.1" for x in ls[1:]]]),
        what="column twice",
    )
    case(
        "lbm-sentinel.csv",
        "leefbaarometer",
        ["row 5", "column 'afw'", "at least -10"],
        content=lbm(lambda ls: ls[:4] + [field(ls[4], afw, "-99999")] + ls[5:]),
        what="-99999 sentinel",
    )
    case(
        "lbm-huge-value.csv",
        "leefbaarometer",
        ["row 3", "column 'afw'", "at most 10"],
        content=lbm(lambda ls: ls[:2] + [field(ls[2], afw, "1e300")] + ls[3:]),
        what="1e300",
    )
    case(
        "lbm-infinity.csv",
        "leefbaarometer",
        ["row 3", "column 'afw'", "inf"],
        content=lbm(lambda ls: ls[:2] + [field(ls[2], afw, "inf")] + ls[3:]),
        what="inf",
    )
    case(
        "lbm-year-1899.csv",
        "leefbaarometer",
        ["row 2", "column 'jaar'", "at least 1990"],
        content=lbm(lambda ls: ls[:1] + [field(ls[1], jaar, "1899")] + ls[2:]),
        what="year out of range",
    )
    case(
        "lbm-year-2099.csv",
        "leefbaarometer",
        ["row 2", "column 'jaar'", "a year from 1990 to", "WIJKVITALITEIT_FIRST_YEAR"],
        content=lbm(lambda ls: ls[:1] + [field(ls[1], jaar, "2099")] + ls[2:]),
        what="a year in the future",
    )
    case(
        "lbm-ragged-row.csv",
        "leefbaarometer",
        ["same number of ','-separated fields"],
        content=lbm(lambda ls: ls[:6] + [ls[6] + ",extra,fields"] + ls[7:]),
        what="row with extra fields",
    )
    case(
        "lbm-nul-bytes.csv",
        "leefbaarometer",
        ["lbm-nul-bytes.csv"],
        content=b"\x00\x01\x02binary\x00\xff\xfe" * 20,
        what="binary garbage",
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Livability.csv", lbm(lambda ls: ls) * 20)
    data = buffer.getvalue()
    case("lbm-truncated.zip", "leefbaarometer", ["zip"], content=data[: len(data) // 2], what="download cut off")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "no csv here")
    case(
        "lbm-zip-without-csv.zip",
        "leefbaarometer",
        ["lbm-zip-without-csv.zip", "csv"],
        content=buffer.getvalue(),
        what="zip without a CSV",
    )
    case("lbm-not-a-zip.zip", "leefbaarometer", ["lbm-not-a-zip.zip", "zip"], content="bu_code,jaar\n", what="text named .zip")


_SECOND: list[str] = []


def ls_second() -> str:
    if not _SECOND:
        _SECOND.append(lbm_lines()[2].split(",")[0])
    return _SECOND[0]


# -- KWB: the real Utrecht 2023 workbook, cut to its first 30 rows --------------------------------------------------


def kwb_book():
    book = openpyxl.load_workbook(bundled.KWB_UTRECHT[2023])
    sheet = book.active
    if sheet.max_row > 30:
        sheet.delete_rows(31, sheet.max_row - 30)
    return book, sheet


def kwb_col(sheet, name: str) -> int:
    return [c.value for c in sheet[1]].index(name) + 1


def save(book, name: str) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def kwb_cases() -> None:
    book, sheet = kwb_book()
    sheet.cell(row=5, column=kwb_col(sheet, "a_inw"), value="veel")
    case("kwb-text-in-number.xlsx", "kwb", ["row 5", "column 'a_inw'", "veel"], content=save(book, ""), what="text in a count")
    book, sheet = kwb_book()
    sheet.delete_cols(kwb_col(sheet, "recs"))
    case("kwb-missing-recs.xlsx", "kwb", ["column 'recs'"], content=save(book, ""), what="required column gone")
    book, sheet = kwb_book()
    sheet.cell(row=6, column=kwb_col(sheet, "a_inw"), value="=SUM(A1:A2)")
    case("kwb-formula.xlsx", "kwb", ["row 6", "column 'a_inw'", "formula"], content=save(book, ""), what="formula in a cell")
    book, sheet = kwb_book()
    sheet.cell(row=7, column=kwb_col(sheet, "a_inw"), value=-99997)
    case(
        "kwb-negative-count.xlsx",
        "kwb",
        ["row 7", "column 'a_inw'", "at least 0"],
        content=save(book, ""),
        what="negative sentinel in a count",
    )
    book, sheet = kwb_book()
    column = next(c.value for c in sheet[1] if str(c.value).startswith("p_"))
    sheet.cell(row=8, column=kwb_col(sheet, column), value=250)
    case(
        "kwb-percentage-250.xlsx",
        "kwb",
        ["row 8", f"column '{column}'", "at most 100"],
        content=save(book, ""),
        what="percentage above 100",
    )
    book, sheet = kwb_book()
    sheet.cell(row=9, column=kwb_col(sheet, "gwb_code_10"), value="BU12")
    case("kwb-bad-code.xlsx", "kwb", ["row 9", "gwb_code_10", "BU12"], content=save(book, ""), what="bad area code")
    book, sheet = kwb_book()
    sheet.cell(row=1, column=kwb_col(sheet, "a_man"), value="a_inw")
    case("kwb-duplicated-column.xlsx", "kwb", ["column 'a_inw'", "once"], content=save(book, ""), what="column name twice")
    full = save(kwb_book()[0], "")
    case("kwb-truncated.xlsx", "kwb", ["kwb-truncated.xlsx", "xlsx"], content=full[: len(full) // 2], what="file cut off")
    case(
        "kwb-csv-named-xlsx.xlsx",
        "kwb",
        ["kwb-csv-named-xlsx.xlsx", "xlsx"],
        content="gwb_code_10;regio\n",
        what="CSV renamed to .xlsx",
    )
    book = openpyxl.Workbook()
    case("kwb-empty-sheet.xlsx", "kwb", ["empty sheet"], content=save(book, ""), what="workbook without data")


# -- geometry: the real Nijmegen boundaries -------------------------------------------------------------------------


def geo() -> dict:
    g = json.loads(bundled.BUURTEN["GM0268"].read_text(encoding="utf-8"))
    g["features"] = g["features"][:10]  # enough to be real, small enough to commit
    return g


def geo_cases() -> None:
    g = geo()
    g["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    case(
        "geo-wrong-crs.geojson",
        "geometry",
        ["Netherlands", "wrong CRS"],
        content=json.dumps(g),
        what="RD coordinates labelled WGS84",
    )
    case(
        "geo-bowtie.geojson",
        "geometry",
        ["row 1", "valid polygon"],
        content=json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"statcode": "BU02680736", "statnaam": "Malvert"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [
                                [[183000, 424000], [184000, 425000], [184000, 424000], [183000, 425000], [183000, 424000]]
                            ],
                        },
                    }
                ],
            }
        ),
        what="self-intersecting polygon",
    )
    g = geo()
    for f in g["features"]:
        f["properties"].pop("statcode", None)
    case("geo-no-statcode.geojson", "geometry", ["statcode"], content=json.dumps(g), what="no code property")
    g = geo()
    g["features"][3]["properties"]["statcode"] = "BU0268XX"
    case("geo-bad-code.geojson", "geometry", ["row 4", "BU0268XX"], content=json.dumps(g), what="bad code")
    g = geo()
    g["features"][5]["properties"]["statcode"] = g["features"][4]["properties"]["statcode"]
    case("geo-duplicate-code.geojson", "geometry", ["row 6", "each area once"], content=json.dumps(g), what="code twice")
    text = json.dumps(geo())
    case("geo-truncated.geojson", "geometry", ["geo-truncated.geojson"], content=text[: len(text) // 2], what="JSON cut off")
    g = geo()
    g["features"] = []
    case("geo-empty.geojson", "geometry", ["geo-empty.geojson"], content=json.dumps(g), what="no features")
    g = geo()
    for f in g["features"]:
        f["geometry"] = {"type": "Point", "coordinates": [187000, 425000]}
    case(
        "geo-points.geojson",
        "geometry",
        ["row 1", "Polygon or MultiPolygon", "Point"],
        content=json.dumps(g),
        what="points, not polygons",
    )
    g = geo()
    for f in g["features"]:
        f["geometry"]["coordinates"] = shift(f["geometry"]["coordinates"], 2_000_000)
    case("geo-outside-nl.geojson", "geometry", ["Netherlands"], content=json.dumps(g), what="far outside NL")
    case("geo-not-json.geojson", "geometry", ["geo-not-json.geojson"], content="statcode;statnaam\n", what="CSV named .geojson")
    case(
        "geo-truncated.gpkg",
        "geometry",
        ["geo-truncated.gpkg"],
        content=b"SQLite format 3\x00" + b"\x00" * 200,
        what="GeoPackage cut off",
    )


def shift(coords, dx):
    if isinstance(coords[0], (int, float)):
        return [coords[0] + dx, coords[1]]
    return [shift(c, dx) for c in coords]


# -- CBS code list --------------------------------------------------------------------------------------------


def codes_cases() -> None:
    lines = bundled.CODES.read_text(encoding="utf-8-sig").splitlines()[:30]
    header = lines[0]
    case(
        "codes-missing-column.csv",
        "codes",
        ["codes-missing-column.csv", "column"],
        content="\n".join([";".join(header.split(";")[1:])] + [";".join(x.split(";")[1:]) for x in lines[1:]]) + "\n",
        what="first column dropped",
    )
    case("codes-empty.csv", "codes", ["empty file"], content=b"", what="zero bytes")
    case(
        "codes-bad-code.csv",
        "codes",
        ["row 3"],
        content="\n".join(lines[:2] + ["X" + lines[2]] + lines[3:]) + "\n",
        what="code with a letter",
    )


# -- corporation deliveries (a table of the valid folder replaced) ----------------------------------------------------

VALID_CORP = {
    "dwellings": "dwelling_id,complex,postcode,buurt_code,x,y,dwelling_type,build_year,energy_label,rent\n"
    "D1,C1,6537AB,BU02680736,,,maisonnette,1972,c,612.50\n"
    "D2,C1,6537AB,BU02680736,,,maisonnette,1972,d,598.00\n"
    "D3,C2,6511AA,BU02680100,,,portiek,1930,e,540.10\n",
    "lettings": "letting_id,dwelling_id,start_date,income_class,uitstroom_ggz,uitstroom_mo,uitstroom_bw,statushouder\n"
    "L1,D1,2023-02-01,bijstand,ja,nee,nee,nee\n"
    "L2,D3,2023-05-01,huurtoeslag,nee,nee,nee,nee\n",
    "nuisance": "report_id,report_date,dwelling_id,buurt_code,category,severity,status\n"
    "R1,2023-03-01,D1,,geluid,2,afgehandeld\n"
    "R2,2023-04-01,,BU02680736,vervuiling,1,open\n",
    "organisation": "buurt_code,year,wijkraad,wijkregisseur,buurtbeheerder,bewonerscommissies,clubs,"
    "buurtfonds_aanvragen\nBU02680736,2023,nee,ja,ja,1,0,2\n",
}


def corp(table: str, name: str, expect: list[str], content, what: str) -> None:
    case(name, "corporation", expect, table=table, content=content, what=what)


def corporation_cases() -> None:
    d = VALID_CORP["dwellings"]
    corp("dwellings", "dwellings-latin1.csv", ["UTF-8", "row 4"], d.replace("D3,C2", "D3,Ré").encode("latin-1"), "Latin-1 byte")
    corp(
        "dwellings",
        "dwellings-bad-type.csv",
        ["row 2", "column 'dwelling_type'", "villa"],
        d.replace("maisonnette,1972,c", "villa,1972,c", 1),
        "unknown choice",
    )
    corp("dwellings", "dwellings-duplicate-id.csv", ["row 4", "unique dwelling_id"], d.replace("D3,C2", "D1,C2"), "same id twice")
    corp(
        "dwellings",
        "dwellings-build-year-99999.csv",
        ["row 2", "column 'build_year'", "at most 2100"],
        d.replace("maisonnette,1972,c", "maisonnette,99999,c", 1),
        "year out of range",
    )
    corp(
        "dwellings",
        "dwellings-negative-rent.csv",
        ["row 4", "column 'rent'", "at least 0"],
        d.replace("540.10", "-540.10"),
        "negative rent",
    )
    corp(
        "dwellings",
        "dwellings-huge-rent.csv",
        ["row 4", "column 'rent'", "at most 10000"],
        d.replace("540.10", "5.4e12"),
        "huge rent",
    )
    corp(
        "dwellings",
        "dwellings-xy-outside.csv",
        ["row 4", "column 'x'"],
        d.replace("6511AA,BU02680100,,", "6511AA,,10000,10000"),
        "coordinates outside every buurt",
    )
    corp(
        "dwellings",
        "dwellings-no-buurt.csv",
        ["row 4", "column 'buurt_code'", "x and y"],
        d.replace("6511AA,BU02680100,,", "6511AA,,,"),
        "no buurt and no coordinates",
    )
    corp(
        "dwellings",
        "dwellings-duplicated-column.csv",
        ["column 'rent'", "once"],
        d.replace("energy_label,rent\n", "energy_label,rent,rent\n")
        .replace(".50\n", ".50,1\n")
        .replace(".00\n", ".00,1\n")
        .replace(".10\n", ".10,1\n"),
        "column twice",
    )
    corp("dwellings", "dwellings-empty.csv", ["empty file"], b"", "zero bytes")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in d.strip().splitlines():
        sheet.append(row.split(","))
    sheet["J3"] = "=J2*1.1"
    corp(
        "dwellings",
        "dwellings-formula.xlsx",
        ["row 3", "column 'rent'", "formula"],
        save(book, ""),
        "formula in an xlsx delivery",
    )
    l_ = VALID_CORP["lettings"]
    corp(
        "lettings",
        "lettings-unknown-dwelling.csv",
        ["row 3", "column 'dwelling_id'", "D99"],
        l_.replace("L2,D3", "L2,D99"),
        "dwelling not in dwellings",
    )
    corp(
        "lettings",
        "lettings-bad-date.csv",
        ["row 2", "column 'start_date'", "YYYY-MM-DD"],
        l_.replace("2023-02-01", "01-02-2023"),
        "day-month-year date",
    )
    corp(
        "lettings",
        "lettings-year-1900.csv",
        ["row 2", "column 'start_date'", "a date from 1990-01-01 to today"],
        l_.replace("2023-02-01", "1900-02-01"),
        "a letting before any record",
    )
    corp(
        "lettings",
        "lettings-year-2099.csv",
        ["row 2", "column 'start_date'", "to today"],
        l_.replace("2023-02-01", "2099-02-01"),
        "a letting in the future",
    )
    corp(
        "nuisance",
        "nuisance-year-2099.csv",
        ["row 2", "column 'report_date'", "to today"],
        VALID_CORP["nuisance"].replace("2023-03-01", "2099-03-01"),
        "a report from the future",
    )
    corp(
        "organisation",
        "organisation-year-2099.csv",
        ["row 2", "column 'year'", "a year from 1990 to"],
        VALID_CORP["organisation"].replace(",2023,", ",2099,"),
        "a register year in the future",
    )
    corp(
        "lettings",
        "lettings-bad-bool.csv",
        ["row 2", "column 'uitstroom_ggz'", "misschien"],
        l_.replace("bijstand,ja", "bijstand,misschien"),
        "not a yes/no",
    )
    corp(
        "lettings",
        "lettings-missing-income.csv",
        ["row 3", "column 'income_class'"],
        l_.replace("huurtoeslag", ""),
        "empty required cell",
    )
    corp("lettings", "lettings-header-only.csv", ["at least one data row"], l_.splitlines()[0] + "\n", "header without rows")
    n = VALID_CORP["nuisance"]
    corp(
        "nuisance",
        "nuisance-severity-9.csv",
        ["row 2", "column 'severity'", "at most 3"],
        n.replace("geluid,2", "geluid,9"),
        "severity out of range",
    )
    corp(
        "nuisance",
        "nuisance-conflicting-buurt.csv",
        ["row 2", "column 'buurt_code'", "BU02680100"],
        n.replace("R1,2023-03-01,D1,,", "R1,2023-03-01,D1,BU02680100,"),
        "dwelling in another buurt",
    )
    corp(
        "nuisance",
        "nuisance-neither.csv",
        ["row 3", "dwelling_id or a buurt_code"],
        n.replace(",,BU02680736,vervuiling", ",,,vervuiling"),
        "no dwelling and no buurt",
    )
    o = VALID_CORP["organisation"]
    corp(
        "organisation",
        "organisation-year-1800.csv",
        ["row 2", "column 'year'", "at least 1990"],
        o.replace(",2023,", ",1800,"),
        "year out of range",
    )
    corp(
        "organisation",
        "organisation-unknown-buurt.csv",
        ["row 2", "column 'buurt_code'", "BU99999999"],
        o.replace("BU02680736", "BU99999999"),
        "buurt not in the workspace",
    )
    corp(
        "organisation",
        "organisation-tab-separated.csv",
        ["row 2", "column 'wijkraad'"],
        o.replace(",", "\t").replace("\tnee\tja", "\tmisschien\tja", 1),
        "tab-separated, with a bad cell",
    )


# -- allocation round ------------------------------------------------------------------------------------------------

VALID_ROUND = {
    "vacancies": "vacancy_id,dwelling_id,buurt_code,rent,rooms,dwelling_type,published\n"
    "V1,,BU02680736,600,3,maisonnette,2025-01-10\nV2,,BU02680100,750,2,portiek,2025-01-12\n",
    "applicants": "applicant_id,household_size,household_type,age,income,income_source,registration_date,"
    "years_in_region,urgent,uitstroom_ggz,uitstroom_mo,uitstroom_bw,statushouder,commitment_buurt,"
    "commitment_kind\n"
    "A1,1,alleenstaand,40,21000,werk,2018-03-01,10,nee,nee,nee,nee,nee,,\n"
    "A2,3,gezin,35,36000,werk,2020-06-01,3,nee,nee,nee,nee,ja,,\n",
    "responses": "applicant_id,vacancy_id,buurt_code,rank\nA1,V1,,1\nA1,V2,,2\nA2,,BU02680100,1\n",
}


def allocation_cases() -> None:
    v, a, r = VALID_ROUND["vacancies"], VALID_ROUND["applicants"], VALID_ROUND["responses"]
    case(
        "vacancies-unknown-buurt.csv",
        "allocation",
        ["row 3", "column 'buurt_code'", "BU99999999"],
        table="vacancies",
        content=v.replace("BU02680100", "BU99999999"),
        what="buurt not in the workspace",
    )
    case(
        "vacancies-negative-rent.csv",
        "allocation",
        ["row 2", "column 'rent'", "at least 0"],
        table="vacancies",
        content=v.replace(",600,", ",-600,"),
        what="negative rent",
    )
    case(
        "applicants-bad-income-source.csv",
        "allocation",
        ["row 2", "column 'income_source'", "loterij"],
        table="applicants",
        content=a.replace(",werk,2018", ",loterij,2018"),
        what="unknown choice",
    )
    case(
        "applicants-commitment-without-kind.csv",
        "allocation",
        ["row 2", "column 'commitment_kind'"],
        table="applicants",
        content=a.replace("nee,nee,nee,nee,nee,,", "nee,nee,nee,nee,nee,BU02680736,", 1),
        what="commitment without its kind",
    )
    case(
        "responses-unknown-vacancy.csv",
        "allocation",
        ["row 3", "column 'vacancy_id'", "V9"],
        table="responses",
        content=r.replace("A1,V2", "A1,V9"),
        what="vacancy not in vacancies",
    )
    case(
        "responses-both-targets.csv",
        "allocation",
        ["row 2", "either a vacancy_id or a buurt_code"],
        table="responses",
        content=r.replace("A1,V1,,1", "A1,V1,BU02680736,1"),
        what="vacancy and buurt",
    )
    case(
        "responses-duplicate.csv",
        "allocation",
        ["row 5", "each applicant and vacancy once"],
        table="responses",
        content=r + "A2,V2,,2\n",
        what="the same pair directly and through its buurt",
    )


# -- configuration files --------------------------------------------------------------------------------------------


def config_cases() -> None:
    from wijkvitaliteit.allocation.policy import bundled_policy_path
    from wijkvitaliteit.scoring.model import default_model_text

    policy = bundled_policy_path("spreiden").read_text(encoding="utf-8")
    case(
        "policy-bad-share.toml",
        "policy",
        ["multiple of 0.001"],
        content=policy.replace("min_share = 0.925", "min_share = 0.9255"),
        what="share in ten-thousandths",
    )
    case(
        "policy-no-limits.toml",
        "policy",
        ["no limits for the policy year 2031"],
        content=policy.replace("year = 2025", "year = 2031", 1),
        what="year without limits",
    )
    case("policy-not-toml.toml", "policy", ["valid TOML"], content="[policy\nname = ", what="not TOML")
    case(
        "policy-unknown-setting.toml",
        "policy",
        ["Extra inputs"],
        content=policy.replace("[baseline]", "[baseline]\nlotery_share = 0.2"),
        what="misspelt setting",
    )
    model = default_model_text()
    case(
        "model-bad-cuts.toml",
        "model",
        ["0 < low < high < 1"],
        content=model.replace("cuts = [0.5, 0.8]", "cuts = [0.8, 0.5]", 1),
        what="cuts in the wrong order",
    )
    case(
        "model-unknown-factor.toml",
        "model",
        ["factors must be exactly"],
        content=model.replace("[factors.veerkracht]", "[factors.weerbaarheid]").replace(
            "[[factors.veerkracht.indicators]]", "[[factors.weerbaarheid.indicators]]"
        ),
        what="unknown factor",
    )
    case(
        "model-two-bands-one-category.toml",
        "model",
        ["'hoog' names two bands"],
        content=model.replace('category = "kwetsbaar"', 'category = "hoog"', 1),
        what="two bands with the same category",
    )
    case(
        "model-threshold-nan.toml",
        "model",
        ["attention_threshold", "finite number"],
        content=model.replace("attention_threshold = 9 ", "attention_threshold = nan ", 1),
        what="attention threshold nan",
    )
    case(
        "model-threshold-unreachable.toml",
        "model",
        ["attention_threshold between 1", "flags every buurt or none"],
        content=model.replace("attention_threshold = 9 ", "attention_threshold = 30 ", 1),
        what="attention threshold above the highest product",
    )
    case(
        "model-band-max-nan.toml",
        "model",
        ["max", "finite number"],
        content=model.replace("max = 8", "max = nan", 1),
        what="band max nan",
    )
    case(
        "model-thresholds-infinite.toml",
        "model",
        ["thresholds must be finite"],
        content=model.replace(
            'rule = "quantile"                # the thresholds', 'rule = "thresholds"\nthresholds = [-inf, inf] #', 1
        ).replace("cuts = [0.5, 0.8]                # weakest", "# cuts = [0.5, 0.8]              # weakest", 1),
        what="infinite thresholds",
    )
    case(
        "model-min-reference-unreachable.toml",
        "model",
        ["min_reference", "less than or equal to 20000"],
        content=model.replace("max_age = 4                      # years", "min_reference = 100000\nmax_age = 4  # years", 1),
        what="a reference group larger than the Netherlands",
    )
    case(
        "model-unknown-indicator.toml",
        "model",
        ["corp.nuisance_per_1000", "did you mean corp.nuisance_per_100"],
        content=model.replace(
            'id = "corp.nuisance_per_100" ', 'id = "corp.nuisance_per_1000"\ndirection = "higher_is_worse" #', 1
        ),
        what="an indicator id that does not exist",
    )


# -- Police open data and StatLine CSV (issue 13), in the exact export format: BOM, CRLF, ';', quoted, padded ----


def statline_csv(header: list[str], rows: list[list[str]]) -> bytes:
    lines = [";".join(f'"{h}"' for h in header)] + [";".join(f'"{v}"' for v in r) for r in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


POLICE_HEADER = ["Overlast", "Perioden", "Wijken en buurten", "Geregistreerde overlast (aantal)"]
POLICE_REGIONS = [("Nijmegen", 5000), ("Wijk 07 Dukenburg", 700), ("Malvert", 120), ("Zwanenveld", 150)]


def police_rows(period: str = "2023", value=lambda n: f"{n:>8}") -> list[list[str]]:
    return [["Totaal registraties overlast", period, name, value(n)] for name, n in POLICE_REGIONS]


def police_cases() -> None:
    case(
        "politie-months.csv",
        "politie",
        ["row 2", "Perioden", "years such as 2023", "2023MM01"],
        content=statline_csv(POLICE_HEADER, police_rows("2023MM01")),
        what="monthly periods instead of years",
    )
    rows = police_rows()
    rows[1][3], rows[2][3] = "   700,5", "   120.5"
    case(
        "politie-mixed-decimals.csv",
        "politie",
        ["one decimal sign", "700,5", "120.5"],
        content=statline_csv(POLICE_HEADER, rows),
        what="decimal comma and decimal point in one file",
    )
    rows = police_rows()
    rows[2][3] = "veel"
    case(
        "politie-text-count.csv",
        "politie",
        ["row 4", "Geregistreerde overlast (aantal)", "a number or a CBS symbol", "veel"],
        content=statline_csv(POLICE_HEADER, rows),
        what="a word where a count belongs",
    )
    case(
        "politie-no-region.csv",
        "politie",
        ["a region column", "Plaats"],
        content=statline_csv(["Overlast", "Perioden", "Plaats", "Geregistreerde overlast (aantal)"], police_rows()),
        what="no 'Wijken en buurten' column",
    )
    case(
        "politie-not-police.csv",
        "politie",
        ["police open data", "Afstand tot huisartsenpraktijk (km)"],
        content=statline_csv(
            ["Wijken en buurten", "Gezondheid en welzijn/Afstand tot huisartsenpraktijk (km)"], [["Malvert", "     1.2"]]
        ),
        what="a StatLine table that is not police data",
    )
    rows = police_rows() + [police_rows()[2]]
    case(
        "politie-twice.csv",
        "politie",
        ["each region once per period and category", "BU02680736 2023"],
        content=statline_csv(POLICE_HEADER, rows),
        what="a buurt twice for one period and category",
    )


def statline_cases() -> None:
    header = ["Wijken en buurten", "Regioaanduiding/Codering (code)", "Bevolking/Aantal inwoners (aantal)"]
    rows = [["Malvert", "BU02680736", "    3455"], ["Zwanenveld", "BU02680731  ", "    6010"]]
    case(
        "statline-no-year.csv",
        "statline",
        ["a 'Perioden' column, a year in the file name, or --year"],
        content=statline_csv(header, rows),
        what="no period column and no year in the name",
    )
    bad = [["Malvert", "BU02680736", "    3455"], ["Zwanenveld", "BU02680731", "  n.v.t."]]
    case(
        "statline-2023-unknown-symbol.csv",
        "statline",
        ["row 3", "Aantal inwoners", "a number or a CBS symbol", "n.v.t."],
        content=statline_csv(header, bad),
        what="a symbol that is not one of CBS's",
    )
    mixed = [["Malvert", "BU02680736", "    3455"], ["Zwanenveld", "Zwanenveld", "    6010"]]
    case(
        "statline-2023-code-missing.csv",
        "statline",
        ["row 3", "a CBS region code on every row", "Zwanenveld"],
        content=statline_csv(header, mixed),
        what="codes on some rows, a name on another",
    )


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "_valid" / "corporation").mkdir(parents=True)
    (OUT / "_valid" / "round").mkdir(parents=True)
    for name, text in VALID_CORP.items():
        (OUT / "_valid" / "corporation" / f"{name}.csv").write_text(text, encoding="utf-8")
    for name, text in VALID_ROUND.items():
        (OUT / "_valid" / "round" / f"{name}.csv").write_text(text, encoding="utf-8")
    (OUT / "_valid" / "lbm_nijmegen.csv").write_text("\n".join(lbm_lines()) + "\n", encoding="utf-8")
    for make in (
        lbm_cases,
        kwb_cases,
        geo_cases,
        codes_cases,
        corporation_cases,
        allocation_cases,
        config_cases,
        police_cases,
        statline_cases,
    ):
        make()
    lines = ["# Broken files and the one-line error each must give (written by scripts/make_broken_corpus.py)", ""]
    for c in CASES:
        lines += ["[[case]]", f'file = "{c["file"]}"', f'kind = "{c["kind"]}"']
        if c["table"]:
            lines.append(f'table = "{c["table"]}"')
        lines.append("expect = [" + ", ".join(json.dumps(e, ensure_ascii=False) for e in c["expect"]) + "]")
        lines += [f"what = {json.dumps(c['what'], ensure_ascii=False)}", ""]
    (OUT / "MANIFEST.toml").write_text("\n".join(lines), encoding="utf-8")
    print(f"{len(CASES)} broken files → {OUT}")


if __name__ == "__main__":
    main()

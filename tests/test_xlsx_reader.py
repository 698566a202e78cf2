"""The xlsx reader (python-calamine): the same values as openpyxl gives, typed per column, formulas found
wherever they are in a sheet, and whole-number columns that keep codes and ids intact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from wijkvitaliteit import data as bundled
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.tabular import is_missing, read_xlsx, to_number


def _openpyxl_rows(path: Path) -> list[list]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return [r for r in rows if any(v is not None and str(v).strip() != "" for v in r)]


@pytest.mark.parametrize("year", [2023, 2024])
def test_bundled_kwb_reads_as_openpyxl_reads_it(year):
    path = bundled.KWB_UTRECHT[year]
    frame, title = read_xlsx(path)
    expected = _openpyxl_rows(path)
    assert list(frame.columns) == [str(v).strip() for v in expected[0] if v is not None]
    assert len(frame) == len(expected) - 1
    compared = 0
    for j, column in enumerate(frame.columns):
        for i, value in enumerate(frame[column].tolist()):
            want = expected[i + 1][j] if j < len(expected[i + 1]) else None
            if want is None or (isinstance(want, str) and want == ""):
                assert pd.isna(value), (column, i)
            elif isinstance(want, str):
                assert value == want, (column, i)
            else:
                assert float(value) == pytest.approx(float(want)), (column, i)
            compared += 1
    assert compared > 10_000


def _book(path: Path, rows: list[list]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("blad")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(i, j, dt.datetime(value.year, value.month, value.day), date)
            elif value is not None:
                sheet.write(i, j, value)
    book.close()
    return path


def test_column_types(tmp_path):
    path = _book(
        tmp_path / "types.xlsx",
        [
            ["id", "code", "rent", "mixed", "when", "flag"],
            [1001, "0344", 612.5, 3, dt.date(2023, 5, 1), True],
            [1002, "0345", None, "x", dt.date(2024, 1, 31), False],
            [1003, "0346", 700, 4, None, True],
        ],
    )
    frame, title = read_xlsx(path)
    assert title == "blad"
    assert str(frame["id"].dtype) == "Int64" and frame["id"].astype("string").tolist() == ["1001", "1002", "1003"]
    assert frame["code"].tolist() == ["0344", "0345", "0346"]  # text keeps its leading zero
    assert frame["rent"].dtype == "float64" and pd.isna(frame["rent"].iloc[1])
    assert frame["mixed"].tolist() == [3, "x", 4]  # a column with text keeps each cell as it is
    assert frame["when"].tolist()[:2] == [dt.datetime(2023, 5, 1), dt.datetime(2024, 1, 31)]
    assert frame["flag"].tolist() == [True, False, True]
    assert is_missing(frame["rent"]).tolist() == [False, True, False]
    assert to_number(frame["id"], path, "id", integer=True).tolist() == [1001.0, 1002.0, 1003.0]


def test_formula_far_down_a_large_sheet_is_found(tmp_path):
    """The formula check scans the sheet's XML in 16 MB chunks: a formula beyond the first chunk is found."""
    path = tmp_path / "late-formula.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["a", "b", "c", "d", "e", "f", "g", "h"])
    last = 70_000
    for r in range(1, last):
        sheet.write_row(r, 0, [r, r + 1, r + 2, r + 3, r + 4, r + 5, r + 6, r + 7])
    sheet.write_row(last, 0, [1, 2, 3])
    sheet.write_formula(last, 3, "=A1+B1", None, 3)
    book.close()
    import zipfile

    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 1 << 24  # really past one chunk
    with pytest.raises(InputError) as err:
        read_xlsx(path)
    assert err.value.row == last + 1 and err.value.column == "d"

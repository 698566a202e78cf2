"""Reading and validating tables from CSV and xlsx files, with errors that name file, row and column.

Row numbers are what a spreadsheet shows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wijkvitaliteit.config import (
    MAX_EXPANDED_ENV,
    MAX_FILE_ENV,
    MAX_RATIO_ENV,
    input_limits,
    measurement_window,
    window_hint,
)
from wijkvitaliteit.errors import InputError

NA_TOKENS = frozenset({"", ".", "NA", "N/A", "nan", "NaN", "null", "NULL"})

_TRUE = {"1", "ja", "j", "yes", "y", "true", "waar", "x"}
_FALSE = {"0", "nee", "n", "no", "false", "onwaar"}

BUURT_CODE = re.compile(r"^BU[0-9]{4}[0-9A-Z]{4}$")
WIJK_CODE = re.compile(r"^WK[0-9]{4}[0-9A-Z]{2}$")
GEMEENTE_CODE = re.compile(r"^GM[0-9]{4}$")


@dataclass(frozen=True)
class Column:
    """One column of a documented file format."""

    name: str
    kind: str  # str | int | float | bool | date | buurt_code | choice
    required: bool = True
    description: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    past: bool = False  # a date or year of something that happened: within config.measurement_window()


@dataclass(frozen=True)
class TableFormat:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def check_file(path: Path) -> Path:
    """A regular file within the size limit (config.input_limits): no device, pipe or link to one, no file
    larger than the limit. Refused with one line before anything is read."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "an existing file", found="no such file")
    if not path.is_file():
        raise InputError(path, "a regular file", found="a device, pipe or folder" if not path.is_dir() else "a folder")
    limit = input_limits()[0]
    size = path.stat().st_size
    if size > limit:
        raise InputError(
            path, f"a file of at most {limit >> 20} MB", found=f"{size >> 20} MB", hint=f"set {MAX_FILE_ENV} to read larger files"
        )
    return path


def check_archive(path: Path, members: list | None = None) -> None:
    """A zip (a zip download, an xlsx workbook) whose members expand within the limits: no zip bomb."""
    import zipfile

    _, expanded_limit, ratio_limit = input_limits()
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist() if members is None else [archive.getinfo(m) for m in members]
    except (zipfile.BadZipFile, OSError, KeyError):
        return  # the reader names what is wrong with the file
    total = sum(i.file_size for i in infos)
    if total > expanded_limit:
        raise InputError(
            path,
            f"an archive that expands to at most {expanded_limit >> 20} MB",
            found=f"{total >> 20} MB",
            hint=f"set {MAX_EXPANDED_ENV} to read larger archives",
        )
    for info in infos:
        if info.file_size > (1 << 20) and info.file_size > ratio_limit * max(info.compress_size, 1):
            raise InputError(
                path,
                f"members at most {ratio_limit:g} times their compressed size",
                column=info.filename,
                found=f"{info.file_size // max(info.compress_size, 1)} times "
                f"({info.file_size >> 20} MB from {max(info.compress_size >> 10, 1)} KB)",
                hint=f"a zip bomb? set {MAX_RATIO_ENV} if the file is genuine",
            )


def read_member(path: Path, archive, name: str) -> bytes:
    """A zip member, read up to the expansion limit (a member that says less than it holds is still bounded)."""
    _, expanded_limit, _ = input_limits()
    with archive.open(name) as handle:
        data = handle.read(expanded_limit + 1)
    if len(data) > expanded_limit:
        raise InputError(
            path,
            f"a member of at most {expanded_limit >> 20} MB",
            column=name,
            found="more",
            hint=f"set {MAX_EXPANDED_ENV} to read larger archives",
        )
    return data


def decode_text(path: Path, data: bytes | None = None) -> str:
    """Decode a text file as UTF-8 (a BOM is allowed); name the row of the first undecodable byte."""
    raw = check_file(path).read_bytes() if data is None else data
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            path, "UTF-8 text", row=row, found=f"byte 0x{raw[exc.start]:02x} (is the file in another encoding?)"
        ) from None


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


FAST_CSV_BYTES = 5_000_000


def _read_csv_fast(text: str, sep: str) -> pd.DataFrame | None:
    """Large files through Arrow's multi-threaded parser, every column as text; None when Arrow refuses the
    file (the pandas parser then reads it and names the bad row)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        header = next(csv.reader([text.split("\n", 1)[0]], delimiter=sep))
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(
                column_types={name.strip().lstrip("\ufeff"): pa.string() for name in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, ValueError, StopIteration):
        return None
    return table.to_pandas(types_mapper=lambda t: pd.StringDtype() if t == pa.string() else None)


def _locale_hint(text: str, sep: str) -> str | None:
    """What a file that does not parse with ``sep`` looks like instead (a Dutch Excel export, say)."""
    lines = text.splitlines()[:20]
    other = sniff_delimiter(lines[0]) if lines else sep
    if other == sep:
        return None
    decimal_commas = sum(len(re.findall(r"(?<![\d.])-?\d+,\d+(?![\d.])", line)) for line in lines[1:])
    what = f"it looks '{other}'-separated"
    if other == ";" and decimal_commas:
        what += " with decimal commas (as Excel writes CSV in a Dutch locale)"
    return f"{what}: save it with '{sep}' between fields and '.' as decimal point"


def read_csv_text(path: Path, text: str, *, delimiter: str | None = None) -> pd.DataFrame:
    """Parse CSV text into a frame of stripped strings; every column is kept as text."""
    if not text.strip():
        raise InputError(path, "a header row and data rows", found="an empty file")
    first_line = text.split("\n", 1)[0]
    sep = delimiter or sniff_delimiter(first_line)
    frame = _read_csv_fast(text, sep) if len(text) > FAST_CSV_BYTES else None
    if frame is None:
        try:
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skipinitialspace=True,
                quoting=csv.QUOTE_MINIMAL,
                engine="c",
            )
        except pd.errors.ParserError as exc:
            match = re.search(r"line (\d+)", str(exc))
            row = int(match.group(1)) if match else None
            raise InputError(
                path,
                f"the same number of '{sep}'-separated fields on every row",
                row=row,
                found=str(exc).strip(),
                hint=_locale_hint(text, sep),
            ) from None
    header = next(csv.reader([first_line], delimiter=sep))
    check_header(path, [h.strip().lstrip("\ufeff") for h in header])
    if delimiter:
        frame.attrs["locale_hint"] = _locale_hint(text, sep)
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].str.strip()
    return frame


def check_header(path: Path, header: list[str]) -> None:
    """Each column once: a repeated name would make one of the two silently win."""
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise InputError(path, "each column name once in the header", row=1, column=name, found="twice")
        seen.add(name)


FORMULA_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*>\s*<f[ >/]')


def _first_formula(path: Path, sheet_index: int) -> tuple[int, str] | None:
    """Row and column letter of the first formula cell of a worksheet (formulas are refused: their result
    depends on the program that last saved the file, and may not be stored at all). The sheet's XML is
    scanned in chunks: memory stays flat however large the sheet."""
    import zipfile

    chunk, overlap = 1 << 24, 512
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
            if not names:
                return None
            name = f"xl/worksheets/sheet{sheet_index + 1}.xml"
            with archive.open(name if name in names else names[0]) as member:
                tail = b""
                while block := member.read(chunk):
                    data = tail + block
                    if b"<f" in data:
                        match = FORMULA_CELL.search(data)
                        if match:
                            return int(match.group(2)), match.group(1).decode()
                    tail = data[-overlap:]
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def _cell(value):
    """A calamine cell as openpyxl gave it: empty is None, a whole number an int (calamine gives every number as
    a float: 367947 must not become '367947.0'), a date cell a datetime."""
    if value == "" and isinstance(value, str):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def read_xlsx(path: Path, sheet: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read one sheet of an xlsx workbook into a frame of raw cell values (header in row 1). The sheet is parsed
    by calamine (Rust), in time and memory proportional to its cells; a file that cannot be read is one line."""
    import python_calamine as calamine

    check_file(path)
    check_archive(path)
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine's Zip/Xml/Password errors, or an OSError: not a workbook we can read
        raise InputError(path, "an xlsx workbook", found=f"{type(exc).__name__}: {exc}") from None
    try:
        names = list(workbook.sheet_names)
        if not names:
            raise InputError(path, "an xlsx workbook with a sheet", found="no sheets")
        if sheet is not None and sheet not in names:
            raise InputError(path, f"a sheet named '{sheet}'", found=", ".join(names))
        title = sheet if sheet is not None else names[0]
        try:
            cells = workbook.get_sheet_by_name(title).iter_rows()
            rows = [row for row in cells if any(v != "" and str(v).strip() != "" for v in row)]
        except Exception as exc:
            raise InputError(path, "an xlsx workbook", found=f"{type(exc).__name__}: {exc}") from None
        index = names.index(title)
    finally:
        workbook.close()
    if not rows:
        raise InputError(path, "a header row and data rows", found="an empty sheet")
    header = ["" if (cell := _cell(v)) is None else str(cell).strip() for v in rows[0]]
    while header and header[-1] == "":
        header.pop()
    check_header(path, header)
    formula = _first_formula(path, index)
    if formula is not None:
        from openpyxl.utils import column_index_from_string

        col = column_index_from_string(formula[1]) - 1
        raise InputError(
            path,
            "values, not formulas (paste as values)",
            row=formula[0],
            column=header[col] if col < len(header) else formula[1],
            found="a formula",
        )
    width = len(header)
    body = [r[:width] if len(r) >= width else [*r, *[""] * (width - len(r))] for r in rows[1:]]
    columns = list(zip(*body, strict=True)) if body else [() for _ in header]
    frame = pd.DataFrame({name: _column(list(columns[j])) for j, name in enumerate(header)}, index=pd.RangeIndex(len(body)))
    return frame, title


def _column(values: list) -> pd.Series:
    """One sheet column. A column of number cells (and empty ones) becomes numbers at once — Int64 when every
    number is whole, so codes and ids read as '344', not '344.0' —; any other column keeps its cells as
    openpyxl gave them (text stays text: '0344' keeps its zero)."""
    kinds = set(map(type, values))
    if kinds == {float}:
        numbers = np.array(values, dtype="float64")
    elif kinds == {float, str} and not any(type(v) is str and v != "" for v in values):
        numbers = np.array([np.nan if type(v) is str else v for v in values], dtype="float64")
    else:
        return pd.Series([_cell(v) for v in values], dtype=object)
    present = numbers[~np.isnan(numbers)]
    if np.isfinite(present).all() and (np.abs(present) < 2**53).all() and (present == np.round(present)).all():
        return pd.Series(numbers).astype("Int64")
    return pd.Series(numbers)


def delimiter_hint(frame: pd.DataFrame) -> str | None:
    """A hint when the whole header landed in one column: the file uses another delimiter."""
    if len(frame.columns) == 1 and any(d in str(frame.columns[0]) for d in ";,\t|"):
        more = frame.attrs.get("locale_hint")
        return "the header is one column: wrong delimiter?" + (f" {more}" if more else "")
    return None


def require_columns(frame: pd.DataFrame, path: Path, names: list[str] | tuple[str, ...]) -> None:
    present = set(frame.columns)
    for name in names:
        if name not in present:
            raise InputError(
                path,
                f"a column named '{name}'",
                column=name,
                found="columns " + ", ".join(map(str, frame.columns)),
                hint=delimiter_hint(frame),
            )
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise InputError(path, "each column name once", column=duplicated[0], found="a duplicated column")


def is_in(series: pd.Series, values) -> pd.Series:
    """``series.isin(values)`` for text, in one Arrow hash lookup (pandas' Arrow-string isin builds a Python
    scalar per value: minutes for the ids of a national delivery). Missing is never in."""
    import pyarrow as pa
    import pyarrow.compute as pc

    left = pa.array(series.astype("string").array)
    if isinstance(values, pd.Series | pd.Index):
        right = pa.array(pd.Series(values).astype("string").array)
    else:
        right = pa.array([str(v) for v in values], type=pa.string())
    if isinstance(left, pa.ChunkedArray):
        left = left.combine_chunks()
    right = right.combine_chunks() if isinstance(right, pa.ChunkedArray) else right
    found = pc.is_in(left, value_set=right.cast(left.type)).fill_null(False)
    return pd.Series(np.asarray(found, dtype=bool), index=series.index)


def _cast_numbers(text: pd.Series) -> pd.Series | None:
    """All cells as float64 in one Arrow cast, or None when one of them is not a number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        array = pa.array(text.astype("string").array)
        cast = pc.cast(array, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return pd.Series(np.asarray(cast.to_numpy(zero_copy_only=False), dtype="float64"), index=text.index)


def is_missing(series: pd.Series) -> pd.Series:
    """True where a cell is empty or a publisher's missing-value token (`.`, `NA`, …)."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.isna()
    as_text = series.astype("string").str.strip()
    return series.isna() | as_text.isin(NA_TOKENS).fillna(True)


def to_number(
    series: pd.Series,
    path: Path,
    column: str,
    *,
    integer: bool = False,
    row_offset: int = 2,
    minimum: float | None = None,
    maximum: float | None = None,
) -> pd.Series:
    """Convert a column to float (NaN for missing tokens); the first bad cell raises with its row.

    Cells are converted by value, not by cell type: xlsx text cells such as '10' become 10.
    """
    missing = is_missing(series)
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):  # number cells of an xlsx
        values: pd.Series | None = series.astype("float64")
    else:
        text = series.astype("string").str.strip().str.replace("\u2212", "-", regex=False)
        values = _cast_numbers(text.where(~missing))
    if values is None:  # some cell is not a number: the slow path finds which
        values = pd.to_numeric(text.where(~missing), errors="coerce").astype("float64")
    bad = (values.isna() | np.isinf(values)) & ~missing
    expected = "a whole number" if integer else "a number"
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, expected, row=i + row_offset, column=column, found=series.iloc[i])
    if integer:
        frac = values.notna() & (values != np.round(values))
        if frac.any():
            i = int(np.flatnonzero(frac.to_numpy())[0])
            raise InputError(path, expected, row=i + row_offset, column=column, found=series.iloc[i])
    for limit, op, word in ((minimum, np.less, "at least"), (maximum, np.greater, "at most")):
        if limit is None:
            continue
        out = op(values.fillna(limit), limit)
        if out.any():
            i = int(np.flatnonzero(out.to_numpy())[0])
            raise InputError(path, f"{expected} {word} {limit:g}", row=i + row_offset, column=column, found=series.iloc[i])
    return values


def to_bool(series: pd.Series, path: Path, column: str, *, row_offset: int = 2) -> pd.Series:
    missing = is_missing(series)
    text = series.astype("string").str.strip().str.lower()
    text = text.str.replace(r"\.0$", "", regex=True)
    result = pd.Series(pd.NA, index=series.index, dtype="boolean")
    result[text.isin(_TRUE).fillna(False)] = True
    result[text.isin(_FALSE).fillna(False)] = False
    bad = result.isna() & ~missing
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, "ja/nee, 1/0 or true/false", row=i + row_offset, column=column, found=series.iloc[i])
    return result


def to_date(
    series: pd.Series, path: Path, column: str, *, row_offset: int = 2, past: bool = False, earliest: int | None = None
) -> pd.Series:
    """Dates as YYYY-MM-DD (text) or date cells (xlsx). ``past``: within the plausible window of a measurement
    (config.measurement_window; ``earliest`` overrides its first year)."""
    values = _parse_dates(series, path, column, row_offset)
    if past:
        first, today = measurement_window()
        first = earliest if earliest is not None else first
        low, high = pd.Timestamp(year=first, month=1, day=1), pd.Timestamp(today)
        wrong = (values < low) | (values > high)
        if wrong.any():
            i = int(np.flatnonzero(wrong.to_numpy())[0])
            raise InputError(
                path,
                f"a date from {low.date()} to today ({today})",
                row=i + row_offset,
                column=column,
                found=series.iloc[i],
                hint=window_hint(),
            )
    return values


def check_years(years: pd.Series, path: Path, column: str, *, row_offset: int | None = 2) -> None:
    """Years of measurements within the plausible window (config.measurement_window); ``row_offset`` None: the
    year is the file's (its name or a --year), not a row's."""
    first, today = measurement_window()
    wrong = (years < first) | (years > today.year)
    if wrong.any():
        i = int(np.flatnonzero(wrong.to_numpy())[0])
        row = None if row_offset is None else i + row_offset
        raise InputError(
            path, f"a year from {first} to {today.year}", row=row, column=column, found=int(years.iloc[i]), hint=window_hint()
        )


def _parse_dates(series: pd.Series, path: Path, column: str, row_offset: int) -> pd.Series:
    missing = is_missing(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.normalize().astype("datetime64[s]")
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        raw = series  # CSV: text already
    else:  # xlsx: date cells as dates
        raw = series.map(lambda v: v.date().isoformat() if hasattr(v, "date") and not isinstance(v, str) else v)
    text = raw.astype("string").str.strip()
    values = pd.to_datetime(text.where(~missing), format="%Y-%m-%d", errors="coerce")
    bad = values.isna() & ~missing
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, "a date as YYYY-MM-DD", row=i + row_offset, column=column, found=series.iloc[i])
    return values.astype("datetime64[s]")


def to_code(
    series: pd.Series,
    path: Path,
    column: str,
    pattern: re.Pattern[str],
    what: str,
    *,
    row_offset: int = 2,
    allow_missing: bool = False,
) -> pd.Series:
    text = series.astype("string").str.strip().str.upper()
    missing = is_missing(series)
    ok = text.str.fullmatch(pattern.pattern).fillna(False)
    bad = ~ok & ~(missing if allow_missing else pd.Series(False, index=series.index))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, what, row=i + row_offset, column=column, found=series.iloc[i])
    return text.where(~missing)


def check_unique(frame: pd.DataFrame, path: Path, key: list[str] | tuple[str, ...], *, row_offset: int = 2) -> None:
    """Refuse a repeated key, naming the repeat's row and the row it repeats."""
    key = list(key)
    dup = frame.duplicated(key, keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((frame[key] == frame.iloc[i][key]).all(axis=1).to_numpy())[0])
        values = ", ".join(str(frame.iloc[i][k]) for k in key)
        raise InputError(
            path,
            f"a unique {' + '.join(key)} (already on row {first + row_offset})",
            row=i + row_offset,
            column=key[0],
            found=values,
        )


def apply_format(frame: pd.DataFrame, path: Path, fmt: TableFormat) -> pd.DataFrame:
    """Validate and type a raw frame against a documented format. Unknown extra columns are dropped."""
    frame = frame.rename(columns={a: c for a, c in fmt.aliases.items() if a in frame.columns})
    require_columns(frame, path, [c.name for c in fmt.columns if c.required])
    if frame.empty:
        raise InputError(path, f"at least one data row in a {fmt.name} file", found="only a header")
    out = pd.DataFrame(index=frame.index)
    for col in fmt.columns:
        if col.name not in frame.columns:
            out[col.name] = pd.Series(pd.NA, index=frame.index, dtype="object")
            continue
        raw = frame[col.name]
        if col.required:
            missing = is_missing(raw)
            if missing.any():
                i = int(np.flatnonzero(missing.to_numpy())[0])
                raise InputError(path, f"a value ({col.kind})", row=i + 2, column=col.name, found="an empty cell")
        if col.kind in ("int", "float"):
            out[col.name] = to_number(raw, path, col.name, integer=col.kind == "int", minimum=col.minimum, maximum=col.maximum)
            if col.past:
                check_years(out[col.name].dropna(), path, col.name)
        elif col.kind == "bool":
            out[col.name] = to_bool(raw, path, col.name)
        elif col.kind == "date":
            out[col.name] = to_date(
                raw, path, col.name, past=col.past, earliest=None if col.minimum is None else int(col.minimum)
            )
        elif col.kind == "buurt_code":
            out[col.name] = to_code(
                raw, path, col.name, BUURT_CODE, "a CBS buurt code such as BU02680736", allow_missing=not col.required
            )
        elif col.kind == "choice":
            text = raw.astype("string").str.strip().str.lower()
            missing = is_missing(raw)
            bad = ~text.isin(col.choices).fillna(False) & ~missing
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise InputError(path, "one of " + ", ".join(col.choices), row=i + 2, column=col.name, found=raw.iloc[i])
            out[col.name] = text.where(~missing)
        else:
            if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
                text = raw  # CSV: already text
            else:  # xlsx cells: numbers as they were typed (12.0 → "12")
                text = raw.map(lambda v: v if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)))
            out[col.name] = text.astype("string").str.strip().where(~is_missing(raw))
    if fmt.key:
        check_unique(out, path, fmt.key)
    return out.reset_index(drop=True)

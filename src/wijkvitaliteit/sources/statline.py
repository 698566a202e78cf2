"""CBS StatLine "CSV met statistische symbolen" downloads of tables by wijk en buurt (Kerncijfers wijken en buurten,
Nabijheid voorzieningen, SES-WOA, Bevolking, …) and the police open data published the same way (Geregistreerde
misdrijven / overlast; wijk, buurt: 47018NED, 47022NED, 47024NED).

The format, as StatLine writes it: UTF-8 with a BOM, ``;``-separated, every field quoted, values padded with
spaces, CBS symbols for what is not a number (``.`` not available, ``x`` secret, ``-`` nil or not applicable,
``?`` unreliable), decimals ``.`` or ``,`` (one per file: detected, and said), headers "Theme/Subtheme/Name (unit)",
a region column ("Wijken en buurten") with codes right-padded with spaces (``"GM0344    "``) or names only, an
optional period column ("Perioden": ``2019``, ``2019JJ00``, ``2019*`` provisional) and optional dimension columns
("Soort misdrijf", "Overlast"): one row per category × period × region.

Each value column (per dimension category) becomes an indicator with a stable id from its title (``cbs.…`` or
``politie.…``) and its Dutch title as label; a title listed in ``statline_kwb.toml`` becomes the ``kwb.*``
indicator the KWB workbook reader makes."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from wijkvitaliteit.errors import INSPECT_HINT as HINT
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.areas import AREA_COLUMNS, NEDERLAND, gemeente_of, wijk_of, with_parent_areas
from wijkvitaliteit.sources.kwb import CODE_PATTERN
from wijkvitaliteit.sources.names import NameMatch, match_names, normalise
from wijkvitaliteit.sources.tabular import check_years, decode_text, read_csv_text

SYMBOLS = {".": "not available", "x": "secret", "-": "nil or not applicable", "?": "unreliable", "": "empty"}
REGION_HEADERS = re.compile(r"^(wijken en buurten|regio'?s|regio|gemeenten?|wijken|buurten)(\s+\d{4})?$", re.IGNORECASE)
PERIOD_HEADERS = re.compile(r"^perioden?$", re.IGNORECASE)
PERIOD = re.compile(r"^((?:19|20)\d{2})(?:JJ00)?\s*\**$")
UNIT = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
YEAR_IN_NAME = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])")
LEVELS = {"land": "land", "gemeente": "gemeente", "wijk": "wijk", "buurt": "buurt"}
POLICE_MEASURES = re.compile(r"^geregistreerde (overlast|misdrijven)", re.IGNORECASE)
META_PREFIX = "regioaanduiding/"


@dataclass(frozen=True)
class Column:
    """A value column: its header, indicator id stem, Dutch label and unit."""

    header: str
    stem: str
    label: str
    unit: str


@dataclass
class StatlineFile:
    kind: str  # statline | politie
    table: str  # what the file is, from its name
    areas: pd.DataFrame  # areas the file's codes add (names from the file)
    measurements: pd.DataFrame
    catalogue: pd.DataFrame  # id, label_nl, label_en, unit, direction, source
    years: list[int]
    decimal: str
    symbols: dict[str, int]  # CBS symbol -> cells
    nederland_rows: int = 0
    matching: NameMatch | None = None
    kwb_columns: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            f"{self.table}: {self.measurements['indicator'].nunique()} indicators",
            f"years {', '.join(map(str, self.years))}",
            f"decimals '{self.decimal}'",
        ]
        if self.symbols:
            parts.append("missing " + ", ".join(f"{n}× '{s}' ({SYMBOLS.get(s, 'symbol')})" for s, n in self.symbols.items()))
        if self.kwb_columns:
            parts.append(f"{len(self.kwb_columns)} columns as kwb.* ({', '.join(self.kwb_columns[:4])})")
        if self.nederland_rows:
            parts.append(f"{self.nederland_rows} Nederland rows (stored as {NEDERLAND})")
        if self.matching is not None:
            counts = self.matching.counts()
            parts.append("names: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
            if self.matching.ambiguous:
                parts.append("ambiguous: " + "; ".join(self.matching.ambiguous))
            if self.matching.unmatched:
                parts.append("unmatched: " + "; ".join(self.matching.unmatched[:10]))
        return "; ".join(parts)


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = text.replace("%", " pct ").replace("+", " plus ").replace("<", " lt ").replace(">", " gt ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@cache
def kwb_titles() -> dict[str, str]:
    text = resources.files("wijkvitaliteit.sources").joinpath("statline_kwb.toml").read_text(encoding="utf-8")
    return {normalise(k.replace("/", " / ")).replace(" ", ""): v for k, v in tomllib.loads(text)["titles"].items()}


@cache
def _glossary() -> tuple[list[tuple[re.Pattern[str], str]], dict[str, str], dict[str, str]]:
    text = resources.files("wijkvitaliteit.sources").joinpath("statline_en.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    patterns = [(re.compile(k, re.IGNORECASE), v) for k, v in data["patterns"].items()]
    return patterns, {k.lower(): v for k, v in data["parts"].items()}, {k.lower(): v for k, v in data["words"].items()}


def _english_part(part: str, depth: int = 0) -> str | None:
    """One label part in English, or None when a word of it is in no list of statline_en.toml."""
    patterns, parts, words = _glossary()
    key = re.sub(r"\s+", " ", part.strip()).lower()
    if key in parts:
        return parts[key]
    if depth < 3:
        for pattern, template in patterns:
            match = pattern.fullmatch(key)
            if match:
                groups = [g if re.fullmatch(r"[\d.]+", g) else _english_part(g, depth + 1) for g in match.groups()]
                if all(g is not None for g in groups):
                    out = template
                    for i, g in enumerate(groups, start=1):
                        out = out.replace(f"{{{i}}}", str(g))
                    return out
    translated = [words.get(w) for w in key.split(" ")]
    return " ".join(translated) if all(translated) else None  # type: ignore[arg-type]


def english_label(label_nl: str) -> str:
    """The English label of a StatLine/police label ("Aantal grote supermarkten / Binnen 1 km" → "Number of large
    supermarkets / Within 1 km"), part by part; a part the glossary cannot read keeps its Dutch text."""
    out = []
    for part in re.split(r"( / |: )", label_nl):  # the separators are kept (odd positions)
        english = None if part in (" / ", ": ") else _english_part(part)
        out.append(english[0].upper() + english[1:] if english else part)
    return "".join(out)


def kwb_indicator(title: str) -> str | None:
    """The kwb.* id of a StatLine title whose path ends with a title in statline_kwb.toml (longest suffix wins)."""
    parts = [p.strip() for p in title.split("/")]
    titles = kwb_titles()
    for start in range(len(parts)):
        key = normalise(" / ".join(parts[start:])).replace(" ", "")
        if key in titles:
            return titles[key]
    return None


def looks_like_statline(header: list[str]) -> bool:
    return any(REGION_HEADERS.match(h.strip()) for h in header)


def _decimal(path: Path, cells: pd.Series) -> str:
    """'.' or ',' as the file's decimal sign, from its numbers; mixed use is refused, never guessed."""
    comma = cells.str.fullmatch(r"-?\d+,\d+").fillna(False)
    dot = cells.str.fullmatch(r"-?\d+\.\d+").fillna(False)
    if comma.any() and dot.any():
        thousands = cells.str.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?").fillna(False)
        if (dot & ~thousands).any():
            i, j = int(np.flatnonzero(comma.to_numpy())[0]), int(np.flatnonzero((dot & ~thousands).to_numpy())[0])
            raise InputError(
                path,
                "one decimal sign in the whole file",
                found=f"'{cells.iloc[i]}' and '{cells.iloc[j]}'",
                hint="download the table again as 'CSV met statistische symbolen'",
            )
    return "," if comma.any() else "."


def _numbers(cells: pd.Series, decimal: str) -> pd.Series:
    text = cells.str.replace("\u2212", "-", regex=False)
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce")


def year_in_name(path: Path) -> int | None:
    """The first year 19xx/20xx standing alone in a file name (…_buurt_2023_14102024_164034 → 2023)."""
    found = YEAR_IN_NAME.findall(path.stem)
    return int(found[0]) if found else None


def read_statline(
    path: str | Path,
    areas: pd.DataFrame,
    *,
    kind: str = "statline",
    gemeente: str | None = None,
    year: int | None = None,
    strict: bool = False,
) -> StatlineFile:
    """Read a StatLine (or police open data) CSV against the workspace's ``areas`` (code, level, name,
    gemeente_code): region codes are used as they are; names are matched within ``gemeente`` (names.py)."""
    path = Path(path)
    text = decode_text(path)
    first = text.split("\n", 1)[0]
    if ";" not in first:
        raise InputError(path, "a StatLine CSV (';'-separated, quoted)", found=first[:80], hint=HINT)
    raw = read_csv_text(path, text, delimiter=";")
    header = list(raw.columns)
    region_col = next((h for h in header if REGION_HEADERS.match(h)), None)
    if region_col is None:
        raise InputError(
            path,
            "a region column such as 'Wijken en buurten' (a StatLine table by wijk en buurt)",
            found=", ".join(header[:6]),
            hint=HINT,
        )
    raw = raw.fillna("")
    period_col = next((h for h in header if PERIOD_HEADERS.match(h)), None)
    meta = [h for h in header if h.lower().startswith(META_PREFIX)]
    code_col = next((h for h in meta if "codering" in h.lower()), None)
    level_col = next((h for h in meta if "soort regio" in h.lower()), None)
    gemeente_name_col = next((h for h in meta if "gemeentenaam" in h.lower()), None)
    rest = [h for h in header if h not in (region_col, period_col, *meta)]
    symbols = set(SYMBOLS)

    def is_text_column(h: str) -> bool:
        values = raw[h][~raw[h].isin(symbols)]
        return (
            bool(len(values))
            and UNIT.match(h) is None
            and pd.to_numeric(values.str.replace(",", "."), errors="coerce").isna().all()
        )

    dimensions = [h for h in rest if is_text_column(h)]
    value_cols = [h for h in rest if h not in dimensions]
    if not value_cols:
        raise InputError(path, "at least one value column, titled 'Name (unit)'", found=", ".join(header), hint=HINT)
    if kind == "politie" and not any(POLICE_MEASURES.match(h) for h in value_cols):
        raise InputError(
            path,
            "police open data: a column 'Geregistreerde overlast (aantal)' or 'Geregistreerde misdrijven (aantal)'",
            found=", ".join(value_cols[:3]),
            hint=HINT,
        )

    # -- years ---------------------------------------------------------------------------------------------
    if period_col is not None:
        parsed = raw[period_col].str.extract(PERIOD)[0]
        bad = parsed.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                path,
                "years such as 2023 or 2023JJ00 (download the year figures, not months or quarters)",
                row=i + 2,
                column=period_col,
                found=raw[period_col].iloc[i],
            )
        years = parsed.astype(int)
    else:
        single = year if year is not None else year_in_name(path)
        if single is None:
            raise InputError(path, "a 'Perioden' column, a year in the file name, or --year", found="none", hint=HINT)
        years = pd.Series(single, index=raw.index)
    check_years(years, path, period_col or "year", row_offset=2 if period_col else None)

    # -- regions ----------------------------------------------------------------------------------------------
    region = raw[region_col].str.strip()
    code_source = raw[code_col].str.strip().str.upper() if code_col else region.str.upper()
    is_code = code_source.str.fullmatch(CODE_PATTERN.pattern).fillna(False)
    codes = code_source.where(is_code)
    nederland = codes.str.startswith("NL").fillna(False) | (region.map(normalise) == "nederland")
    matching = None
    need_names = ~is_code & ~nederland
    if need_names.any():
        if is_code[~nederland].any():
            i = int(np.flatnonzero(need_names.to_numpy())[0])
            raise InputError(
                path,
                "a CBS region code on every row, as on the others",
                row=i + 2,
                column=code_col or region_col,
                found=region.iloc[i],
            )
        target = _gemeente(path, areas, gemeente, raw[gemeente_name_col] if gemeente_name_col else None)
        block = _region_rows(raw, region, nederland, period_col, dimensions)  # one row per region, in file order
        levels = [LEVELS.get(v.strip().lower()) for v in raw.loc[block.index, level_col]] if level_col else None
        count_col = next((c for c in value_cols if c.lower().endswith("(aantal)")), None)
        totals = (
            _numbers(
                raw.loc[block.index, count_col].where(~raw.loc[block.index, count_col].isin(symbols)),
                _decimal(path, raw[count_col]),
            ).tolist()
            if count_col
            else None
        )
        names_in_order = block.tolist()
        matching = match_names(names_in_order, areas, target, levels=levels, totals=totals)
        if strict and (matching.ambiguous or matching.unmatched):
            name = next(iter(matching.ambiguous), None) or matching.unmatched[0]
            raise InputError(path, "every region name matched once (--strict)", column=region_col, found=name)
        by_occurrence = _codes_by_occurrence(raw, region, nederland, period_col, dimensions, names_in_order, matching)
        codes = codes.where(~need_names, by_occurrence)

    # -- values -----------------------------------------------------------------------------------------------
    cells = pd.concat([raw[c] for c in value_cols], ignore_index=True)
    numeric_cells = cells[~cells.isin(symbols)]
    decimal = _decimal(path, numeric_cells)
    counted: dict[str, int] = {}
    columns = _columns(value_cols, kind)
    frames = []
    codes = codes.where(~nederland, NEDERLAND)  # the country's own row, kept at level 'land'
    keep = codes.notna()
    for col in columns:
        values = raw[col.header]
        missing = values.isin(symbols)
        for sym, n in values[missing & keep].value_counts().items():
            counted[str(sym)] = counted.get(str(sym), 0) + int(n)
        numbers = _numbers(values.where(~missing), decimal)
        bad = numbers.isna() & ~missing
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, "a number or a CBS symbol (. x - ?)", row=i + 2, column=col.header, found=values.iloc[i])
        category = raw[dimensions].agg(" / ".join, axis=1) if dimensions else pd.Series("", index=raw.index)
        frame = pd.DataFrame({"area_code": codes, "year": years, "value": numbers, "category": category, "keep": keep & ~missing})
        frame = frame[frame["keep"]]
        frame["indicator"] = [_indicator_id(col, c, kind) for c in frame["category"]]
        frame["label"] = [col.label + (f": {c}" if c else "") for c in frame["category"]]
        frame["unit"] = col.unit
        frames.append(frame)
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    dup = long.duplicated(["area_code", "year", "indicator"], keep=False)
    if dup.any():
        row = long[dup].iloc[0]
        raise InputError(path, "each region once per period and category", found=f"{row['area_code']} {row['year']} twice")
    source = "politie" if kind == "politie" else "cbs_statline"
    table = _table_name(path)
    measurements = pd.DataFrame(
        {
            "area_code": long["area_code"].astype("string"),
            "year": long["year"].astype("int32"),
            "indicator": long["indicator"].astype("string"),
            "value": long["value"].astype("float64"),
            "source": source,
            "vintage": table,
        }
    )
    catalogue = (
        long.drop_duplicates("indicator")[["indicator", "label", "unit"]]
        .rename(columns={"indicator": "id", "label": "label_nl"})
        .assign(label_en=lambda f: f["label_nl"].map(english_label), direction="neutral", source=source)
        .reset_index(drop=True)
    )
    catalogue = catalogue[~catalogue["id"].str.startswith("kwb.")]  # the KWB ids keep their catalogue labels
    new_areas = _areas_from_codes(codes[keep & (is_code | nederland)], region[keep & (is_code | nederland)], areas)
    return StatlineFile(
        kind=kind,
        table=table,
        areas=new_areas,
        measurements=measurements.reset_index(drop=True),
        catalogue=catalogue,
        years=sorted(set(measurements["year"].tolist())),
        decimal=decimal,
        symbols=counted,
        nederland_rows=int(nederland.sum()),
        matching=matching,
        kwb_columns=sorted({c.stem for c in columns if c.stem.startswith("kwb.")}),
    )


def _columns(headers: list[str], kind: str) -> list[Column]:
    out = []
    stems: set[str] = set()
    for h in headers:
        match = UNIT.match(h)
        title, unit = (match.group(1), match.group(2).strip()) if match else (h, "")
        kwb = kwb_indicator(title)
        if kwb and kind != "politie":
            stem = kwb
        elif kind == "politie":
            stem = "politie." + slug(re.sub(r"^geregistreerde\s+", "", title, flags=re.IGNORECASE))
        else:
            stem = "cbs." + ".".join(slug(part) for part in title.split("/") if slug(part))
        if stem in stems:
            stem = f"{stem}.{slug(unit) or len(stems)}"
        stems.add(stem)
        parts = [p.strip() for p in title.split("/") if p.strip()]
        label = " / ".join(parts[-2:]) if len(parts) >= 3 else parts[-1]  # "Aantal grote supermarkten / Binnen 1 km"
        out.append(Column(h, stem, label, unit))
    return out


def _indicator_id(col: Column, category: str, kind: str) -> str:
    if not category:
        return col.stem
    parts = [slug(c) for c in category.split(" / ")]
    if kind == "politie":
        # "Totaal registraties overlast", "Overlast door verward persoon": the category is the indicator
        return "politie." + ".".join(parts)
    return col.stem + "." + ".".join(parts)


def _table_name(path: Path) -> str:
    stem = re.sub(r"_\d{8}_\d{6}$", "", path.stem)  # StatLine adds the download's date and time
    return re.sub(r"[_]+", " ", stem).strip()


def _gemeente(path: Path, areas: pd.DataFrame, given: str | None, names_col: pd.Series | None) -> str:
    gemeenten = areas[areas["level"] == "gemeente"]
    wanted = given
    if wanted is None and names_col is not None:
        found = {v.strip() for v in names_col if v.strip() and normalise(v) != "nederland"}
        wanted = next(iter(found)) if len(found) == 1 else None
    if wanted is None:
        raise InputError(
            path,
            "region codes, or the gemeente whose names these are (--gemeente GM0599 or its name)",
            found="region names without codes",
            hint=HINT,
        )
    key = wanted.strip().upper()
    if key in set(gemeenten["code"]):
        return key
    named = gemeenten[gemeenten["name"].fillna("").map(normalise) == normalise(wanted)]
    if len(named) == 1:
        return str(named["code"].iloc[0])
    raise InputError(
        path, "a gemeente in the workspace (code GM0599 or its name)", found=wanted, hint="import the CBS code list first"
    )


def _region_rows(raw, region, nederland, period_col, dimensions) -> pd.Series:
    """The rows of the file's first period and first category: one per region, in file order."""
    mask = ~nederland
    if period_col:
        mask &= raw[period_col] == raw.loc[mask, period_col].iloc[0] if mask.any() else mask
    for d in dimensions:
        mask &= raw[d] == raw.loc[mask, d].iloc[0] if mask.any() else mask
    return region[mask]


def _codes_by_occurrence(raw, region, nederland, period_col, dimensions, names, matching: NameMatch) -> pd.Series:
    """Spread the codes found for the first block of region rows over every period and category: the n-th time
    a name occurs within a block is the n-th time it occurs in the first block."""
    block_keys = [raw[c] for c in ([period_col] if period_col else []) + dimensions]
    block = pd.Series(list(zip(*block_keys, strict=True)), index=raw.index) if block_keys else pd.Series(0, index=raw.index)
    occurrence = region.groupby([block, region]).cumcount()
    first_codes: dict[tuple[str, int], str | None] = {}
    seen: dict[str, int] = {}
    for name, code in zip(names, matching.codes, strict=True):
        k = seen.get(name, 0)
        first_codes[(name, k)] = code
        seen[name] = k + 1
    return pd.Series(
        [first_codes.get((n, int(o))) for n, o in zip(region, occurrence, strict=True)], index=raw.index, dtype="string"
    ).where(~nederland)


def _areas_from_codes(codes: pd.Series, names: pd.Series, known: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame({"code": codes.to_numpy(), "name": names.to_numpy()}).drop_duplicates("code")
    frame = frame[~frame["code"].isin(set(known["code"]))]
    if frame.empty:
        return pd.DataFrame(columns=AREA_COLUMNS).astype("string")
    frame["level"] = frame["code"].str[:2].map({"BU": "buurt", "WK": "wijk", "GM": "gemeente", "NL": "land"})
    frame.loc[frame["level"] == "land", "name"] = "Nederland"
    frame["wijk_code"] = wijk_of(frame["code"]).where(frame["level"] == "buurt")
    frame["gemeente_code"] = gemeente_of(frame["code"]).where(frame["level"].isin(["buurt", "wijk"]))
    return with_parent_areas(frame[AREA_COLUMNS])

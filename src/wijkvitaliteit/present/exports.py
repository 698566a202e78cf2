"""Exports that open where people work: CSV, Excel (xlsx), GeoPackage (QGIS) and Parquet (Power BI, pandas).

Every export carries the same tables: ``scores`` (a row per buurt-year), ``factors`` (points and the reason
per factor), ``indicators`` (every value, its year, the limits and the points), ``model`` (the rules) and
``sources`` (what was imported, with attribution). The GeoPackage holds the boundaries with the scores of
one year, a layer per level, in EPSG:28992.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from wijkvitaliteit.data import ATTRIBUTION
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.present import pages
from wijkvitaliteit.scoring.runs import Run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace

TABLES = ("scores", "factors", "indicators", "model", "sources")


def export_tables(
    ws: Workspace, run: Run, year: int | None = None, gemeenten: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    """All export tables for the active run (optionally one year, some gemeenten)."""
    scores = queries.score_table(ws, run.run_id, year, gemeenten).sort_values(["code", "year"], ignore_index=True)
    factors = queries.factor_rows(ws, run.run_id, year, gemeenten)
    indicators = queries.indicator_rows(ws, run.run_id, year, gemeenten)
    model = pages.model_page(run, "").table
    sources = queries.import_log(ws)
    corp = queries.corporation_info(ws)
    for frame in (scores, factors, indicators):
        frame["corporation"] = corp.get("name")
        frame["corporation_fictitious"] = corp.get("fictitious") == "true"
    return {"scores": scores, "factors": factors, "indicators": indicators, "model": model, "sources": sources}


def info_rows(ws: Workspace, run: Run) -> list[tuple[str, str]]:
    corp = queries.corporation_info(ws)
    rows = [
        ("generated", datetime.now().isoformat(timespec="seconds")),
        ("workspace", str(ws.path)),
        ("model", run.model.model.name),
        ("model_hash", run.model_hash),
        ("source", ATTRIBUTION),
    ]
    if corp:
        rows.append(("corporation", corp.get("name", "")))
        if corp.get("fictitious") == "true":
            rows.append(("FICTIEF", "the corporation's records are generated (demo)"))
    return rows


def write_csv(tables: dict[str, pd.DataFrame], table: str, out: Path | None) -> str | None:
    text = tables[table].to_csv(index=False)
    if out is None:
        return text
    out.write_text(text, encoding="utf-8")
    return None


def write_parquet(tables: dict[str, pd.DataFrame], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.parquet"
        frame.to_parquet(path, index=False)
        written.append(path)
    return written


_NUMBER_FORMATS = {
    "vitality": "0",
    "vitality_min": "0",
    "vitality_max": "0",
    "value": "0.000",
    "threshold_low": "0.000",
    "threshold_high": "0.000",
}


def write_xlsx(tables: dict[str, pd.DataFrame], info: list[tuple[str, str]], out: Path) -> Path:
    """One formatted sheet per table: bold frozen header, filters, number formats, fitted widths
    (written with XlsxWriter, which streams large sheets quickly; any xlsx reader opens the result)."""
    sheets = {"info": pd.DataFrame(info, columns=["key", "value"]), **tables}
    with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
        book = writer.book
        header = book.add_format({"bold": True, "bg_color": "#D8DAEB", "border": 1})
        formats = {
            "0": book.add_format({"num_format": "0"}),
            "0.000": book.add_format({"num_format": "0.000"}),
            "0.0%": book.add_format({"num_format": "0.0%"}),
        }
        for name, frame in sheets.items():
            clean = frame.copy()
            for col in clean.columns:
                if isinstance(clean[col].dtype, pd.DatetimeTZDtype):
                    clean[col] = clean[col].dt.tz_localize(None)
                elif clean[col].map(lambda v: isinstance(v, list)).any():
                    clean[col] = clean[col].map(lambda v: None if v is None else ", ".join(map(str, v)))
            clean.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(clean), 1), max(len(clean.columns) - 1, 0))
            for idx, col in enumerate(clean.columns):
                sample = clean[col].head(200).astype(str)
                width = min(max([len(str(col)), *sample.str.len().tolist()]) + 2, 60)
                fmt = _NUMBER_FORMATS.get(col) or ("0.0%" if str(col).endswith("_share") else None)
                sheet.set_column(idx, idx, width, formats[fmt] if fmt else None)
                sheet.write(0, idx, str(col), header)
    return out


def write_gpkg(ws: Workspace, run: Run, year: int, tables: dict[str, pd.DataFrame], out: Path) -> Path:
    """Layers ``buurten`` (scores of ``year``), ``wijken`` and ``gemeenten`` (counts of their buurten), in
    EPSG:28992, plus the non-spatial ``model`` and ``sources`` tables."""
    import geopandas as gpd
    import pyogrio

    scores = tables["scores"][tables["scores"]["year"] == year]
    if scores.empty:
        raise InputError(None, f"scores for {year} to export", found="none")
    codes = {
        "buurt": sorted(set(scores["code"])),
        "wijk": sorted(set(scores["wijk_code"].dropna())),
        "gemeente": sorted(set(scores["gemeente_code"].dropna())),
    }
    shapes = {
        level: queries.geometries(ws, level, codes=wanted)[["code", "name", "wijk_code", "gemeente_code", "geometry"]]
        for level, wanted in codes.items()
    }
    if shapes["buurt"].empty:
        raise InputError(None, "buurt boundaries in the workspace for a GeoPackage", found="none for these buurten")
    if out.exists():
        out.unlink()

    def frame(level: str, attributes: pd.DataFrame) -> gpd.GeoDataFrame:
        rows = shapes[level]
        return rows.merge(attributes, on="code", how="inner") if len(attributes) else rows

    buurt_cols = [c for c in scores.columns if c not in ("name", "wijk_code", "wijk_name", "gemeente_code", "gemeente_name")]
    buurten = frame("buurt", scores[buurt_cols].astype({"attention": "object"}))
    buurten["attention"] = buurten["attention"].map(lambda v: None if pd.isna(v) else bool(v))
    summary = scores.assign(flagged=scores["attention"].fillna(False).astype(bool))
    for level, key in (("wijk", "wijk_code"), ("gemeente", "gemeente_code")):
        grouped = summary.groupby(key).agg(
            buurten=("code", "size"),
            complete=("complete", "sum"),
            flagged=("flagged", "sum"),
            median_vitality=("vitality", "median"),
        )
        grouped = grouped.reset_index().rename(columns={key: "code"})
        grouped["year"] = year
        layer = frame(level, grouped)
        pyogrio.write_dataframe(layer, out, layer=f"{level}en" if level == "wijk" else "gemeenten")
    pyogrio.write_dataframe(buurten, out, layer="buurten")
    for name in ("model", "sources"):
        table = tables[name].copy()
        for col in table.columns:
            if table[col].map(lambda v: isinstance(v, list)).any():
                table[col] = table[col].map(lambda v: None if v is None else ", ".join(map(str, v)))
        pyogrio.write_dataframe(table, out, layer=name)
    return out

"""Read models for the presentation layer: what the CLI (and later the web and reports) show."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.scoring.model import ScoringModel, parse_model
from wijkvitaliteit.workspace.store import Workspace


@dataclass(frozen=True)
class Run:
    run_id: int
    model_hash: str
    model: ScoringModel
    years: list[int]


def active_run(ws: Workspace) -> Run:
    row = ws.latest_run()
    if row is None:
        raise InputError(ws.path, "scores in the workspace (run 'wijkvitaliteit score')", found="no score run")
    import json

    return Run(int(row["run_id"]), row["model_hash"], parse_model(row["model_toml"], "stored model"),
               json.loads(row["years"]))


def find_buurt(ws: Workspace, text: str) -> pd.Series:
    """A buurt by code (any case) or name; an unknown or ambiguous one raises with suggestions."""
    key = text.strip()
    rows = ws.query("""
        SELECT a.code, a.name, a.wijk_code, w.name AS wijk_name, a.gemeente_code, g.name AS gemeente_name
        FROM areas a LEFT JOIN areas w ON w.code = a.wijk_code LEFT JOIN areas g ON g.code = a.gemeente_code
        WHERE a.level = 'buurt' AND (upper(a.code) = upper(?) OR lower(a.name) = lower(?))
        ORDER BY a.code""", [key, key])
    if len(rows) == 1:
        return rows.iloc[0]
    if len(rows) > 1:
        options = "; ".join(f"{r.code} ({r.gemeente_name or r.gemeente_code})" for r in rows.itertuples())
        raise InputError(None, f"one buurt; '{key}' names {len(rows)}: use a code", found=options)
    names = ws.query("SELECT code, name FROM areas WHERE level = 'buurt' AND name IS NOT NULL")
    close = difflib.get_close_matches(key.lower(), names["name"].str.lower().unique().tolist(), n=5, cutoff=0.6)
    hint = ", ".join(sorted({f"{r.name} ({r.code})" for r in names[names["name"].str.lower().isin(close)].itertuples()}))
    raise InputError(None, "a buurt code (BU02680736) or buurt name", found=key,
                     hint=f"did you mean {hint}?" if hint else None)


def resolve_gemeenten(ws: Workspace, values: list[str]) -> list[str]:
    codes = []
    for value in values:
        rows = ws.query("SELECT code FROM areas WHERE level = 'gemeente' AND (upper(code) = upper(?) "
                        "OR lower(name) = lower(?))", [value.strip(), value.strip()])
        if rows.empty:
            raise InputError(None, "a gemeente code (GM0268) or name", found=value)
        codes.append(rows["code"].iloc[0])
    return codes


def latest_year(ws: Workspace, run: Run) -> int:
    row = ws.con.execute("SELECT max(year) FROM scores WHERE run_id = ? AND complete", [run.run_id]).fetchone()
    if row[0] is None:
        row = ws.con.execute("SELECT max(year) FROM scores WHERE run_id = ?", [run.run_id]).fetchone()
    return int(row[0])


def score_table(ws: Workspace, run: Run, year: int | None, gemeenten: list[str] | None = None,
                attention_only: bool = False, complete_only: bool = False) -> pd.DataFrame:
    """Scores with area names for one year (or all years when ``year`` is None), weakest first."""
    where = ["s.run_id = ?", "(? IS NULL OR s.year = ?)"]
    params: list = [run.run_id, year, year]
    if gemeenten:
        where.append("a.gemeente_code IN (SELECT unnest(?))")
        params.append(gemeenten)
    if attention_only:
        where.append("s.attention")
    if complete_only:
        where.append("s.complete")
    return ws.query(f"""
        SELECT s.area_code AS code, a.name, a.wijk_code, w.name AS wijk_name, a.gemeente_code,
               g.name AS gemeente_name, s.year, s.leefbaarheid, s.organisatiekracht, s.veerkracht, s.vitality,
               s.vitality_min, s.vitality_max, s.category, s.attention, s.complete, s.model_hash
        FROM scores s JOIN areas a ON a.code = s.area_code
        LEFT JOIN areas w ON w.code = a.wijk_code LEFT JOIN areas g ON g.code = a.gemeente_code
        WHERE {' AND '.join(where)}
        ORDER BY s.vitality DESC NULLS LAST, s.vitality_min DESC, s.area_code""", params)


def corporation_gemeenten(ws: Workspace) -> list[str]:
    """Gemeenten where the corporation has dwellings (where the full score can exist)."""
    rows = ws.query("SELECT DISTINCT a.gemeente_code FROM corp_dwellings d JOIN areas a ON a.code = d.buurt_code "
                    "ORDER BY 1")
    return rows["gemeente_code"].tolist()


def corporation_info(ws: Workspace) -> dict[str, str]:
    return dict(ws.con.execute("SELECT key, value FROM corporation").fetchall())


def yearly(ws: Workspace, code: str, columns: dict[str, str], source: str, vintage: bool = False) -> pd.DataFrame:
    """One area's measurements as a table by year: ``columns`` maps an output column to an indicator id."""
    selects = ",\n".join(f"max(value) FILTER (WHERE indicator = '{ind}') AS {name}" for name, ind in columns.items())
    version = "any_value(vintage) AS versie, " if vintage else ""
    return ws.query(f"SELECT year, {version}{selects} FROM measurements WHERE area_code = ? AND source = ? "
                    "GROUP BY year ORDER BY year", [code, source])


LBM_COLUMNS = {"lbm": "lbm.score", "afw": "lbm.afw", **{d: f"lbm.{d}" for d in ("fys", "onv", "soc", "vrz", "won")}}


def lbm_trend(ws: Workspace, code: str) -> pd.DataFrame:
    """The buurt's Leefbaarometer series: score, afw and the five dimensions per year, with the version."""
    return yearly(ws, code, LBM_COLUMNS, "leefbaarometer", vintage=True)


def lbm_percentile(ws: Workspace, code: str, year: int | None = None) -> dict | None:
    """Share (%) of all buurten in the workspace with a lower Leefbaarometer score in the latest year
    (up to ``year``) that this buurt has one."""
    row = ws.con.execute("""
        WITH mine AS (SELECT year, value FROM measurements WHERE area_code = ? AND indicator = 'lbm.afw'
                      AND (? IS NULL OR year <= ?) ORDER BY year DESC LIMIT 1)
        SELECT mine.year, count(*) AS n, count(*) FILTER (WHERE m.value < mine.value) AS lower
        FROM mine JOIN measurements m ON m.indicator = 'lbm.afw' AND m.year = mine.year
        GROUP BY mine.year""", [code, year, year]).fetchone()
    if row is None:
        return None
    year_, n, lower = row
    return {"year": int(year_), "n": int(n), "pct": 100.0 * lower / max(n - 1, 1)}


def explanation(ws: Workspace, run: Run, code: str, year: int) -> dict:
    score = ws.query("SELECT * FROM scores WHERE run_id = ? AND area_code = ? AND year = ?", [run.run_id, code, year])
    factors = ws.query("SELECT * FROM score_factors WHERE run_id = ? AND area_code = ? AND year = ? ",
                       [run.run_id, code, year])
    indicators = ws.query("SELECT * FROM score_indicators WHERE run_id = ? AND area_code = ? AND year = ?",
                          [run.run_id, code, year])
    return {"score": None if score.empty else score.iloc[0], "factors": factors, "indicators": indicators}



def partner_threshold(ws: Workspace) -> int | None:
    """The suppression threshold when the workspace is a partner copy (workspace/partner.py), else None."""
    row = ws.query("SELECT value FROM meta WHERE key = 'suppression_threshold'")
    return int(row.iloc[0, 0]) if len(row) else None

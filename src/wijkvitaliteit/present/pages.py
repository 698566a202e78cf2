"""Page models: the data behind each web page, language-neutral. The HTML renders them; the JSON twin
returns them; the CSV twin returns their main table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.indicators import indicator
from wijkvitaliteit.present import queries
from wijkvitaliteit.present.explain import points_text
from wijkvitaliteit.scoring.model import FACTORS
from wijkvitaliteit.workspace.store import Workspace

LBM_DIMENSIONS = ("fys", "onv", "soc", "vrz", "won")
MAP_LAYERS = ("categorie", *FACTORS, "lbm", *LBM_DIMENSIONS)
COMPARE_INDICATORS = ("lbm.afw", "corp.nuisance_per_100", "corp.vulnerable_share", "corp.org_assets",
                      "corp.bijstand_share", "kwb.p_wcorpw")


class NotFound(Exception):
    def __init__(self, what: str, key: str, suggestions: list[dict] | None = None):
        super().__init__(f"{what} {key}")
        self.what, self.key, self.suggestions = what, key, suggestions or []


class BadParameter(Exception):
    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


@dataclass
class Page:
    data: dict
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows: NaN/NA → None, numpy scalars → Python."""
    if frame.empty:
        return []
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def _scored_years(ws: Workspace, run: queries.Run, gemeente: str | None = None) -> list[int]:
    rows = ws.query("""SELECT DISTINCT s.year FROM scores s JOIN areas a ON a.code = s.area_code
                       WHERE s.run_id = ? AND (? IS NULL OR a.gemeente_code = ?) ORDER BY 1""",
                    [run.run_id, gemeente, gemeente])
    return rows["year"].astype(int).tolist()


def check_year(year: int | None, years: list[int], default: int | None = None) -> int:
    if year is None:
        if default is not None:
            return default
        if not years:
            raise BadParameter("jaar", "there are no scores")
        return years[-1]
    if year not in years:
        raise BadParameter("jaar", f"{year} was not scored; choose from {', '.join(map(str, years))}")
    return year


def gemeente_row(ws: Workspace, code: str) -> pd.Series:
    row = ws.query("SELECT code, name FROM areas WHERE level = 'gemeente' AND upper(code) = upper(?)", [code])
    if row.empty:
        raise NotFound("gemeente", code, search(ws, code)["results"][:8])
    return row.iloc[0]


# -- national overview -------------------------------------------------------------------------------------

def national(ws: Workspace, run: queries.Run, year: int | None) -> Page:
    lbm_years = ws.query("SELECT DISTINCT year FROM measurements WHERE indicator = 'lbm.afw' ORDER BY 1")["year"]
    years = sorted(set(_scored_years(ws, run)) | set(lbm_years.astype(int)))
    year = check_year(year, years)
    lbm_year = int(max([y for y in lbm_years if y <= year], default=min(lbm_years))) if len(lbm_years) else None
    gemeenten = ws.query("""
        WITH lbm AS (
            SELECT a.gemeente_code AS code, median(m.value) AS lbm_afw_median, count(*) AS lbm_buurten
            FROM measurements m JOIN areas a ON a.code = m.area_code
            WHERE m.indicator = 'lbm.afw' AND m.year = ? GROUP BY 1),
        corp AS (SELECT a.gemeente_code AS code, count(*) AS corp_dwellings
                 FROM corp_dwellings d JOIN areas a ON a.code = d.buurt_code GROUP BY 1),
        sc AS (SELECT a.gemeente_code AS code, count(*) FILTER (WHERE s.complete) AS scored,
                      count(*) FILTER (WHERE s.attention) AS attention
               FROM scores s JOIN areas a ON a.code = s.area_code WHERE s.run_id = ? AND s.year = ? GROUP BY 1)
        SELECT g.code, g.name, lbm.lbm_afw_median, lbm.lbm_buurten, COALESCE(corp.corp_dwellings, 0) AS corp_dwellings,
               COALESCE(sc.scored, 0) AS scored, COALESCE(sc.attention, 0) AS attention,
               CASE WHEN corp.corp_dwellings > 0 AND sc.scored > 0 THEN sc.attention / sc.scored END AS attention_share
        FROM areas g LEFT JOIN lbm USING (code) LEFT JOIN corp USING (code) LEFT JOIN sc USING (code)
        WHERE g.level = 'gemeente' AND g.geometry IS NOT NULL ORDER BY g.code""", [lbm_year, run.run_id, year])
    data = {"year": year, "years": years, "leefbaarometer_year": lbm_year,
            "aggregation": "median of the buurten's Leefbaarometer afw (deviation from the national reference) "
                           "in the Leefbaarometer year; attention_share = flagged / completely scored buurten",
            "gemeenten": records(gemeenten)}
    return Page(data, gemeenten)


def wijk_values(ws: Workspace, lbm_year: int | None) -> pd.DataFrame:
    return ws.query("""
        SELECT w.code, w.name, w.gemeente_code, median(m.value) AS lbm_afw_median, count(m.value) AS lbm_buurten
        FROM areas w LEFT JOIN areas b ON b.wijk_code = w.code AND b.level = 'buurt'
        LEFT JOIN measurements m ON m.area_code = b.code AND m.indicator = 'lbm.afw' AND m.year = ?
        WHERE w.level = 'wijk' AND w.geometry IS NOT NULL GROUP BY ALL ORDER BY w.code""", [lbm_year])


def geometries(ws: Workspace, level: str, gemeente: str | None = None) -> pd.DataFrame:
    return ws.query("""SELECT code, name, geometry FROM areas WHERE level = ? AND geometry IS NOT NULL
                       AND (? IS NULL OR gemeente_code = ?) ORDER BY code""", [level, gemeente, gemeente])


# -- gemeente ----------------------------------------------------------------------------------------------

def gemeente(ws: Workspace, run: queries.Run, code: str, year: int | None) -> Page:
    row = gemeente_row(ws, code)
    code = row["code"]
    years = _scored_years(ws, run, code)
    if not years:
        raise NotFound("scores voor gemeente", code)
    year = check_year(year, years)
    buurten = ws.query("""
        WITH lbm AS (
            SELECT area_code, arg_max(year, year) AS lbm_year,
                   arg_max(value, year) FILTER (WHERE indicator = 'lbm.score') AS lbm
            FROM measurements WHERE source = 'leefbaarometer' AND year <= ? AND indicator = 'lbm.score'
            GROUP BY 1),
        dims AS (
            SELECT area_code, indicator, arg_max(value, year) AS value FROM measurements
            WHERE indicator IN ('lbm.fys', 'lbm.onv', 'lbm.soc', 'lbm.vrz', 'lbm.won') AND year <= ? GROUP BY ALL)
        SELECT b.code, b.name, b.wijk_code, w.name AS wijk_name, s.leefbaarheid, s.organisatiekracht, s.veerkracht,
               s.vitality, s.vitality_min, s.vitality_max, s.category, s.attention, COALESCE(s.complete, false) AS complete,
               lbm.lbm, lbm.lbm_year,
               max(d.value) FILTER (WHERE d.indicator = 'lbm.fys') AS fys,
               max(d.value) FILTER (WHERE d.indicator = 'lbm.onv') AS onv,
               max(d.value) FILTER (WHERE d.indicator = 'lbm.soc') AS soc,
               max(d.value) FILTER (WHERE d.indicator = 'lbm.vrz') AS vrz,
               max(d.value) FILTER (WHERE d.indicator = 'lbm.won') AS won,
               s.area_code IS NOT NULL AS scored
        FROM areas b LEFT JOIN areas w ON w.code = b.wijk_code
        LEFT JOIN scores s ON s.area_code = b.code AND s.run_id = ? AND s.year = ?
        LEFT JOIN lbm ON lbm.area_code = b.code LEFT JOIN dims d ON d.area_code = b.code
        WHERE b.level = 'buurt' AND b.gemeente_code = ?
          AND (b.geometry IS NOT NULL OR s.area_code IS NOT NULL)
        GROUP BY ALL
        ORDER BY s.vitality DESC NULLS LAST, s.vitality_min DESC NULLS LAST, b.code""",
                       [year, year, run.run_id, year, code])
    counts = {band.category: int((buurten["category"] == band.category).sum()) for band in run.model.bands}
    counts["onvolledig"] = int((buurten["scored"] & ~buurten["complete"]).sum())
    counts["niet_gescoord"] = int((~buurten["scored"]).sum())
    attention = buurten[buurten["attention"].fillna(False).astype(bool)]
    data = {"code": code, "name": row["name"], "year": year, "years": years, "counts": counts,
            "attention_threshold": run.model.model.attention_threshold,
            "attention": records(attention[["code", "name", "wijk_name", "leefbaarheid", "organisatiekracht",
                                            "veerkracht", "vitality", "category"]]),
            "buurten": records(buurten)}
    return Page(data, buurten)


# -- buurt -------------------------------------------------------------------------------------------------

def find_buurt(ws: Workspace, code: str) -> pd.Series:
    try:
        return queries.find_buurt(ws, code)
    except InputError:
        raise NotFound("buurt", code, search(ws, code)["results"][:8]) from None


def buurt(ws: Workspace, run: queries.Run, code: str, year: int | None) -> Page:
    area = find_buurt(ws, code)
    code = area["code"]
    years = _scored_years(ws, run, area["gemeente_code"])
    year = check_year(year, years) if years else None
    detail = queries.explanation(ws, run, code, year) if year else {"score": None, "factors": pd.DataFrame(),
                                                                    "indicators": pd.DataFrame()}
    trend = queries.lbm_trend(ws, code)
    percentile = queries.lbm_percentile(ws, code, year)
    corp = queries.yearly(ws, code, {name: f"corp.{name}" for name in (
        "dwellings", "lettings", "nuisance_reports", "nuisance_per_100", "vulnerable_share", "contact_6w_share",
        "org_assets")}, "corporatie")
    compare = comparison(ws, area, year) if year else pd.DataFrame()
    history = ws.query("""SELECT year, leefbaarheid, organisatiekracht, veerkracht, vitality, category, attention,
                                 complete FROM scores WHERE run_id = ? AND area_code = ? ORDER BY year""",
                       [run.run_id, code])
    score = detail["score"]
    data = {
        "code": code, "name": area["name"], "wijk_code": area["wijk_code"], "wijk_name": area["wijk_name"],
        "gemeente_code": area["gemeente_code"], "gemeente_name": area["gemeente_name"], "year": year, "years": years,
        "score": None if score is None else records(score.to_frame().T)[0],
        "factors": records(detail["factors"].drop(columns=["run_id"], errors="ignore")),
        "indicators": records(detail["indicators"].drop(columns=["run_id"], errors="ignore")),
        "leefbaarometer_trend": records(trend),
        "leefbaarometer_versions": sorted(trend["versie"].dropna().unique().tolist()) if len(trend) else [],
        "percentile": percentile,
        "corporation": records(corp),
        "comparison": records(compare),
        "history": records(history),
    }
    return Page(data, detail["indicators"].drop(columns=["run_id"], errors="ignore"))


def comparison(ws: Workspace, area: pd.Series, year: int) -> pd.DataFrame:
    """The buurt against the median of the buurten of its wijk and of its gemeente (latest value ≤ year)."""
    values = ws.query("""
        SELECT m.area_code, a.wijk_code, m.indicator, arg_max(m.value, m.year) AS value
        FROM measurements m JOIN areas a ON a.code = m.area_code
        WHERE a.gemeente_code = ? AND a.level = 'buurt' AND m.indicator IN (SELECT unnest(?)) AND m.year <= ?
          AND m.year >= ? - 4
        GROUP BY ALL""", [area["gemeente_code"], list(COMPARE_INDICATORS), year, year])
    rows = []
    for ind in COMPARE_INDICATORS:
        sub = values[values["indicator"] == ind]
        if sub.empty:
            continue
        own = sub.loc[sub["area_code"] == area["code"], "value"]
        rows.append({"indicator": ind, "buurt": float(own.iloc[0]) if len(own) else None,
                     "wijk_median": float(sub.loc[sub["wijk_code"] == area["wijk_code"], "value"].median()),
                     "gemeente_median": float(sub["value"].median()), "gemeente_n": int(len(sub)),
                     "direction": indicator(ind).direction})
    frame = pd.DataFrame(rows)
    return frame.replace({np.nan: None}) if len(frame) else frame


# -- changes -----------------------------------------------------------------------------------------------

def changes(ws: Workspace, run: queries.Run, code: str, year_from: int | None, year_to: int | None,
            everything: bool) -> Page:
    row = gemeente_row(ws, code)
    code = row["code"]
    years = _scored_years(ws, run, code)
    if len(years) < 2:
        raise NotFound("twee gescoorde jaren voor gemeente", code)
    year_to = check_year(year_to, years)
    year_from = check_year(year_from, years, default=max([y for y in years if y < year_to], default=years[0]))
    if year_from >= year_to:
        raise BadParameter("van", f"{year_from} is not before {year_to}")
    frame = ws.query("""
        WITH a AS (SELECT * FROM scores WHERE run_id = ? AND year = ?),
             b AS (SELECT * FROM scores WHERE run_id = ? AND year = ?)
        SELECT ar.code, ar.name, b.area_code IS NOT NULL AS in_to,
               a.leefbaarheid AS l_from, b.leefbaarheid AS l_to, a.organisatiekracht AS o_from,
               b.organisatiekracht AS o_to, a.veerkracht AS v_from, b.veerkracht AS v_to,
               a.vitality AS vitality_from, b.vitality AS vitality_to, a.category AS category_from,
               b.category AS category_to, a.attention AS attention_from, b.attention AS attention_to
        FROM a FULL JOIN b ON a.area_code = b.area_code
        JOIN areas ar ON ar.code = COALESCE(a.area_code, b.area_code)
        WHERE ar.gemeente_code = ? ORDER BY ar.code""", [run.run_id, year_from, run.run_id, year_to, code])
    frame["category_changed"] = frame["category_from"].fillna("-") != frame["category_to"].fillna("-")
    frame["attention_changed"] = frame["attention_from"].fillna(False) != frame["attention_to"].fillna(False)
    reasons = []
    for _, r in frame.iterrows():
        moved = [f"{name}: {points_text(r[f'{k}_from'])} → {points_text(r[f'{k}_to'])}"
                 for name, k in (("leefbaarheid", "l"), ("organisatiekracht", "o"), ("veerkracht", "v"))
                 if points_text(r[f"{k}_from"]) != points_text(r[f"{k}_to"])]
        reasons.append("; ".join(moved))
    frame["factors_changed"] = reasons
    indicator_moves = ws.query("""
        SELECT i.area_code, i.indicator, a.value AS value_from, a.value_year AS value_year_from, a.points AS points_from,
               i.value AS value_to, i.value_year AS value_year_to, i.points AS points_to
        FROM score_indicators i JOIN areas ar ON ar.code = i.area_code
        LEFT JOIN score_indicators a ON a.run_id = i.run_id AND a.area_code = i.area_code
             AND a.indicator = i.indicator AND a.year = ?
        WHERE i.run_id = ? AND i.year = ? AND ar.gemeente_code = ?
          AND a.points IS DISTINCT FROM i.points""", [year_from, run.run_id, year_to, code])
    shown = frame if everything else frame[frame["category_changed"] | frame["attention_changed"]]
    moves = {c: records(g.drop(columns="area_code")) for c, g in indicator_moves.groupby("area_code")}
    data = {"code": code, "name": row["name"], "from": year_from, "to": year_to, "years": years,
            "all": everything, "changed": int(frame["category_changed"].sum()),
            "buurten": [dict(r, indicators=moves.get(r["code"], [])) for r in records(shown)]}
    return Page(data, shown)


# -- model and search --------------------------------------------------------------------------------------

def model_page(run: queries.Run, toml_text: str) -> Page:
    rules = []
    for factor in FACTORS:
        spec = run.model.factors[factor]
        for rule in spec.indicators:
            rules.append({"factor": factor, "combine": spec.combine, "require": spec.require, "indicator": rule.id,
                          "rule": rule.rule, "reference": rule.reference if rule.rule == "quantile" else None,
                          "cuts": list(rule.cuts) if rule.cuts else None,
                          "thresholds": list(rule.thresholds) if rule.thresholds else None,
                          "direction": rule.resolved_direction(), "max_age": rule.max_age})
    data = {"name": run.model.model.name, "description": run.model.model.description, "hash": run.model_hash,
            "aggregation": run.model.model.aggregation, "attention_threshold": run.model.model.attention_threshold,
            "bands": [b.model_dump() for b in run.model.bands], "rules": rules, "toml": toml_text}
    return Page(data, pd.DataFrame(rules))


def search(ws: Workspace, q: str, limit: int = 30) -> dict:
    q = q.strip()
    if not q:
        return {"q": q, "results": []}
    rows = ws.query("""
        SELECT a.code, a.level, a.name, g.name AS gemeente_name,
               CASE WHEN upper(a.code) = upper(?) OR lower(a.name) = lower(?) THEN 0
                    WHEN lower(a.name) LIKE lower(?) || '%' THEN 1 ELSE 2 END AS rank
        FROM areas a LEFT JOIN areas g ON g.code = a.gemeente_code
        WHERE a.level IN ('buurt', 'gemeente') AND (a.name ILIKE '%' || ? || '%' OR a.code ILIKE ? || '%'
              OR jaro_winkler_similarity(lower(a.name), lower(?)) > 0.88)
        ORDER BY rank, jaro_winkler_similarity(lower(a.name), lower(?)) DESC, a.code LIMIT ?""",
                    [q, q, q, q, q, q, q, limit])
    return {"q": q, "results": records(rows.drop(columns="rank"))}

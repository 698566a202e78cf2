"""Every read of the workspace, in one module: the SQL that the layers above run, each as a named function.

Functions take a :class:`~wijkvitaliteit.workspace.store.Workspace` and plain values (codes, years, run ids)
and return DataFrames (or a GeoDataFrame for boundaries, in EPSG:28992). Nothing here writes; writes are
``Workspace`` methods inside a transaction. A schema change touches this module and a migration.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

import pandas as pd

from wijkvitaliteit.errors import BadParameter, InputError

if TYPE_CHECKING:
    import geopandas as gpd

    from wijkvitaliteit.workspace.store import Workspace

CRS = "EPSG:28992"


# -- areas ---------------------------------------------------------------------------------------------------


def areas(ws: Workspace, level: str | None = None) -> pd.DataFrame:
    sql = "SELECT code, level, name, wijk_code, gemeente_code FROM areas"
    return ws.query(sql + (" WHERE level = ?" if level else "") + " ORDER BY code", [level] if level else [])


def geometries(ws: Workspace, level: str, gemeente: str | None = None, codes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Boundaries of one level (optionally of one gemeente, or of some codes) as a GeoDataFrame in EPSG:28992
    with ``code``, ``name``, ``wijk_code``, ``gemeente_code``; areas without a boundary are left out."""
    import geopandas as gpd
    import shapely

    rows = ws.query(
        """SELECT code, name, wijk_code, gemeente_code, geometry FROM areas
                       WHERE level = ? AND geometry IS NOT NULL AND (? IS NULL OR gemeente_code = ?)
                         AND (?::VARCHAR[] IS NULL OR code IN (SELECT unnest(?::VARCHAR[])))
                       ORDER BY code""",
        [level, gemeente, gemeente, codes, codes],
    )
    shapes = shapely.from_wkb(rows.pop("geometry").map(bytes).to_numpy()) if len(rows) else []
    return gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(shapes, crs=CRS, index=rows.index), crs=CRS)


def buurt_rows(ws: Workspace, key: str) -> pd.DataFrame:
    """Buurten whose code (any case) or name is ``key``, with their wijk and gemeente."""
    return ws.query(
        """
        SELECT a.code, a.name, a.wijk_code, w.name AS wijk_name, a.gemeente_code, g.name AS gemeente_name
        FROM areas a LEFT JOIN areas w ON w.code = a.wijk_code LEFT JOIN areas g ON g.code = a.gemeente_code
        WHERE a.level = 'buurt' AND (upper(a.code) = upper(?) OR lower(a.name) = lower(?))
        ORDER BY a.code""",
        [key, key],
    )


def gemeente_buurt_rows(ws: Workspace, gemeente: str) -> pd.DataFrame:
    """Every buurt of a gemeente, with its wijk and gemeente names (as ``buurt_rows``)."""
    return ws.query(
        """
        SELECT a.code, a.name, a.wijk_code, w.name AS wijk_name, a.gemeente_code, g.name AS gemeente_name
        FROM areas a LEFT JOIN areas w ON w.code = a.wijk_code LEFT JOIN areas g ON g.code = a.gemeente_code
        WHERE a.level = 'buurt' AND a.gemeente_code = ? ORDER BY a.code""",
        [gemeente],
    )


def find_buurt(ws: Workspace, text: str) -> pd.Series:
    """A buurt by code (any case) or name; an unknown or ambiguous one raises with suggestions."""
    key = text.strip()
    rows = buurt_rows(ws, key)
    if len(rows) == 1:
        return rows.iloc[0]
    if len(rows) > 1:
        options = "; ".join(f"{r.code} ({r.gemeente_name or r.gemeente_code})" for r in rows.itertuples())
        raise InputError(None, f"one buurt; '{key}' names {len(rows)}: use a code", found=options)
    names = ws.query("SELECT code, name FROM areas WHERE level = 'buurt' AND name IS NOT NULL")
    close = difflib.get_close_matches(key.lower(), names["name"].str.lower().unique().tolist(), n=5, cutoff=0.6)
    hint = ", ".join(sorted({f"{r.name} ({r.code})" for r in names[names["name"].str.lower().isin(close)].itertuples()}))
    raise InputError(None, "a buurt code (BU02680736) or buurt name", found=key, hint=f"did you mean {hint}?" if hint else None)


def gemeente_rows(ws: Workspace, code: str) -> pd.DataFrame:
    return ws.query("SELECT code, name FROM areas WHERE level = 'gemeente' AND upper(code) = upper(?)", [code])


def resolve_gemeenten(ws: Workspace, values: list[str]) -> list[str]:
    """Gemeente codes for codes or names; an unknown one raises."""
    codes = []
    for value in values:
        rows = ws.query(
            "SELECT code FROM areas WHERE level = 'gemeente' AND (upper(code) = upper(?) OR lower(name) = lower(?))",
            [value.strip(), value.strip()],
        )
        if rows.empty:
            raise InputError(None, "a gemeente code (GM0268) or name", found=value)
        codes.append(rows["code"].iloc[0])
    return codes


def search(ws: Workspace, q: str, limit: int = 30) -> pd.DataFrame:
    """Buurten and gemeenten by name or code: exact first, then prefix, then similar names."""
    return ws.query(
        """
        SELECT a.code, a.level, a.name, g.name AS gemeente_name
        FROM areas a LEFT JOIN areas g ON g.code = a.gemeente_code
        WHERE a.level IN ('buurt', 'gemeente') AND (a.name ILIKE '%' || ? || '%' OR a.code ILIKE ? || '%'
              OR jaro_winkler_similarity(lower(a.name), lower(?)) > 0.88)
        ORDER BY CASE WHEN upper(a.code) = upper(?) OR lower(a.name) = lower(?) THEN 0
                      WHEN lower(a.name) LIKE lower(?) || '%' THEN 1 ELSE 2 END,
                 jaro_winkler_similarity(lower(a.name), lower(?)) DESC, a.code LIMIT ?""",
        [q, q, q, q, q, q, q, limit],
    )


def buurt_names(ws: Workspace) -> pd.DataFrame:
    return ws.query("SELECT code AS area_code, name, gemeente_code FROM areas WHERE level = 'buurt'")


def gemeente_names(ws: Workspace) -> pd.DataFrame:
    return ws.query("SELECT code AS gemeente_code, name AS gemeente_name FROM areas WHERE level = 'gemeente'")


# -- measurements ----------------------------------------------------------------------------------------------


def measurements(
    ws: Workspace,
    indicators: list[str] | None = None,
    *,
    buurten_only: bool = False,
    columns: str = "area_code, year, indicator, value, vintage, source",
    level: str | None = None,
) -> pd.DataFrame:
    """Measurements of some indicators (all when None), optionally of one level (``buurten_only``: buurt)."""
    level = "buurt" if buurten_only else level
    return ws.query(
        f"""SELECT {columns} FROM measurements
                        WHERE (?::VARCHAR[] IS NULL OR indicator IN (SELECT unnest(?::VARCHAR[])))
                          AND (? IS NULL OR area_code IN (SELECT code FROM areas WHERE level = ?))""",
        [indicators, indicators, level, level],
    )


def indicator_values(ws: Workspace, indicator: str, year: int | None = None) -> pd.DataFrame:
    """One indicator's values per area and year (one year when given)."""
    return ws.query(
        "SELECT area_code, year, value FROM measurements WHERE indicator = ? AND (? IS NULL OR year = ?)", [indicator, year, year]
    )


def indicator_ids(ws: Workspace) -> list[str]:
    return [r[0] for r in ws.con.execute("SELECT DISTINCT indicator FROM measurements ORDER BY 1").fetchall()]


def indicator_years(ws: Workspace, indicator: str) -> list[int]:
    rows = ws.query("SELECT DISTINCT year FROM measurements WHERE indicator = ? ORDER BY 1", [indicator])
    return rows["year"].astype(int).tolist()


def buurt_reference(ws: Workspace, indicator: str) -> pd.DataFrame:
    """Every buurt's values of an indicator with its gemeente: what quantile rules rank against."""
    return ws.query(
        """SELECT m.year AS value_year, a.gemeente_code, m.value FROM measurements m
                       JOIN areas a ON a.code = m.area_code WHERE a.level = 'buurt' AND m.indicator = ?""",
        [indicator],
    )


def yearly(ws: Workspace, code: str, columns: dict[str, str], source: str, vintage: bool = False) -> pd.DataFrame:
    """One area's measurements as a table by year: ``columns`` maps an output column to an indicator id."""
    return yearly_many(ws, [code], columns, source, vintage).drop(columns="area_code").reset_index(drop=True)


def yearly_many(ws: Workspace, codes: list[str], columns: dict[str, str], source: str, vintage: bool = False) -> pd.DataFrame:
    """Some areas' measurements as a table by area and year (``area_code``, ``year``, the ``columns``)."""
    selects = ",\n".join(f"max(value) FILTER (WHERE indicator = '{ind}') AS {name}" for name, ind in columns.items())
    version = "any_value(vintage) AS versie, " if vintage else ""
    return ws.query(
        f"SELECT area_code, year, {version}{selects} FROM measurements "
        "WHERE area_code IN (SELECT unnest(?)) AND source = ? GROUP BY area_code, year "
        "ORDER BY area_code, year",
        [codes, source],
    )


LBM_COLUMNS = {"lbm": "lbm.score", "afw": "lbm.afw", **{d: f"lbm.{d}" for d in ("fys", "onv", "soc", "vrz", "won")}}


def lbm_trend(ws: Workspace, code: str) -> pd.DataFrame:
    """The buurt's Leefbaarometer series: score, afw and the five dimensions per year, with the version."""
    return yearly(ws, code, LBM_COLUMNS, "leefbaarometer", vintage=True)


def lbm_percentile(ws: Workspace, code: str, year: int | None = None) -> dict | None:
    """Share (%) of all buurten in the workspace with a lower Leefbaarometer score in the latest year
    (up to ``year``) that this buurt has one."""
    return lbm_percentiles(ws, [code], year).get(code)


def lbm_percentiles(ws: Workspace, codes: list[str], year: int | None = None) -> dict[str, dict]:
    """``lbm_percentile`` for some buurten at once: code → {year, n, pct} (buurten without a value left out)."""
    rows = ws.con.execute(
        """
        WITH mine AS (SELECT area_code, arg_max(value, year) AS value, max(year) AS year FROM measurements
                      WHERE indicator = 'lbm.afw' AND area_code IN (SELECT unnest(?)) AND (? IS NULL OR year <= ?)
                      GROUP BY 1)
        SELECT mine.area_code, mine.year, count(*) AS n, count(*) FILTER (WHERE m.value < mine.value) AS lower
        FROM mine JOIN measurements m ON m.indicator = 'lbm.afw' AND m.year = mine.year
        GROUP BY mine.area_code, mine.year""",
        [codes, year, year],
    ).fetchall()
    return {code: {"year": int(y), "n": int(n), "pct": 100.0 * lower / max(n - 1, 1)} for code, y, n, lower in rows}


def national_gemeenten(ws: Workspace, run_id: int, year: int, lbm_year: int | None) -> pd.DataFrame:
    """Per gemeente with a boundary: the median Leefbaarometer afw of its buurten, the corporation's dwellings
    and how many of its completely scored buurten are flagged."""
    return ws.query(
        """
        WITH lbm AS (
            SELECT a.gemeente_code AS code, median(m.value) AS lbm_afw_median, count(*) AS lbm_buurten
            FROM measurements m JOIN areas a ON a.code = m.area_code
            WHERE m.indicator = 'lbm.afw' AND m.year = ? GROUP BY 1),
        records AS (SELECT a.gemeente_code AS code, count(*) AS corp_dwellings
                    FROM corp_dwellings d JOIN areas a ON a.code = d.buurt_code GROUP BY 1),
        -- a partner copy has no records: its gemeente totals are stored (suppressed) measurements
        totals AS (SELECT area_code AS code, arg_max(value, year) AS corp_dwellings FROM measurements
                   WHERE indicator = 'corp.dwellings' AND area_code LIKE 'GM%' GROUP BY 1),
        corp AS (SELECT code, COALESCE(r.corp_dwellings, t.corp_dwellings) AS corp_dwellings
                 FROM records r FULL JOIN totals t USING (code)),
        sc AS (SELECT a.gemeente_code AS code, count(*) FILTER (WHERE s.complete) AS scored,
                      count(*) FILTER (WHERE s.attention) AS attention
               FROM scores s JOIN areas a ON a.code = s.area_code WHERE s.run_id = ? AND s.year = ? GROUP BY 1)
        SELECT g.code, g.name, lbm.lbm_afw_median, lbm.lbm_buurten, COALESCE(corp.corp_dwellings, 0) AS corp_dwellings,
               COALESCE(sc.scored, 0) AS scored, COALESCE(sc.attention, 0) AS attention,
               CASE WHEN corp.corp_dwellings > 0 AND sc.scored > 0 THEN sc.attention / sc.scored END AS attention_share
        FROM areas g LEFT JOIN lbm USING (code) LEFT JOIN corp USING (code) LEFT JOIN sc USING (code)
        WHERE g.level = 'gemeente' AND g.geometry IS NOT NULL ORDER BY g.code""",
        [lbm_year, run_id, year],
    )


def wijk_values(ws: Workspace, lbm_year: int | None) -> pd.DataFrame:
    return ws.query(
        """
        SELECT w.code, w.name, w.gemeente_code, median(m.value) AS lbm_afw_median, count(m.value) AS lbm_buurten
        FROM areas w LEFT JOIN areas b ON b.wijk_code = w.code AND b.level = 'buurt'
        LEFT JOIN measurements m ON m.area_code = b.code AND m.indicator = 'lbm.afw' AND m.year = ?
        WHERE w.level = 'wijk' AND w.geometry IS NOT NULL GROUP BY ALL ORDER BY w.code""",
        [lbm_year],
    )


def latest_values(ws: Workspace, gemeente: str, indicators: list[str], year: int, window: int = 4) -> pd.DataFrame:
    """Each buurt of a gemeente: its latest value (at most ``window`` years before ``year``) of each indicator."""
    return ws.query(
        """
        SELECT m.area_code, a.wijk_code, m.indicator, arg_max(m.value, m.year) AS value
        FROM measurements m JOIN areas a ON a.code = m.area_code
        WHERE a.gemeente_code = ? AND a.level = 'buurt' AND m.indicator IN (SELECT unnest(?)) AND m.year <= ?
          AND m.year >= ? - ?
        GROUP BY ALL""",
        [gemeente, indicators, year, year, window],
    )


# -- scores ------------------------------------------------------------------------------------------------------


def score_runs(ws: Workspace) -> pd.DataFrame:
    return ws.query("SELECT * FROM score_runs ORDER BY run_id")


def score_run(ws: Workspace, run_id: int | None = None) -> dict | None:
    """One stored run (the latest, the active one, when ``run_id`` is None) as a dict, or None."""
    row = ws.query("SELECT * FROM score_runs WHERE ? IS NULL OR run_id = ? ORDER BY run_id DESC LIMIT 1", [run_id, run_id])
    return None if row.empty else row.iloc[0].to_dict()


def run_counts(ws: Workspace) -> pd.DataFrame:
    """Per run: scored buurt-years, complete ones and flagged ones."""
    return ws.query("""SELECT run_id, count(*) AS buurt_years, count(*) FILTER (WHERE complete) AS complete,
                              count(*) FILTER (WHERE attention) AS attention FROM scores GROUP BY run_id""")


def scored_years(ws: Workspace, run_id: int, gemeente: str | None = None) -> list[int]:
    rows = ws.query(
        """SELECT DISTINCT s.year FROM scores s JOIN areas a ON a.code = s.area_code
                       WHERE s.run_id = ? AND (? IS NULL OR a.gemeente_code = ?) ORDER BY 1""",
        [run_id, gemeente, gemeente],
    )
    return rows["year"].astype(int).tolist()


def latest_year(ws: Workspace, run_id: int) -> int:
    """The latest year with complete scores (else the latest scored year)."""
    row = ws.con.execute("SELECT max(year) FROM scores WHERE run_id = ? AND complete", [run_id]).fetchone()
    if row is None or row[0] is None:
        row = ws.con.execute("SELECT max(year) FROM scores WHERE run_id = ?", [run_id]).fetchone()
    if row is None or row[0] is None:
        raise BadParameter("jaar", f"run {run_id} has no scores")
    return int(row[0])


def score_table(
    ws: Workspace,
    run_id: int,
    year: int | None,
    gemeenten: list[str] | None = None,
    attention_only: bool = False,
    complete_only: bool = False,
) -> pd.DataFrame:
    """Scores with area names for one year (or all years when ``year`` is None), weakest first."""
    where = ["s.run_id = ?", "(? IS NULL OR s.year = ?)"]
    params: list[Any] = [run_id, year, year]
    if gemeenten:
        where.append("a.gemeente_code IN (SELECT unnest(?))")
        params.append(gemeenten)
    if attention_only:
        where.append("s.attention")
    if complete_only:
        where.append("s.complete")
    return ws.query(
        f"""
        SELECT s.area_code AS code, a.name, a.wijk_code, w.name AS wijk_name, a.gemeente_code,
               g.name AS gemeente_name, s.year, s.leefbaarheid, s.organisatiekracht, s.veerkracht, s.vitality,
               s.vitality_min, s.vitality_max, s.category, s.attention, s.complete, s.model_hash
        FROM scores s JOIN areas a ON a.code = s.area_code
        LEFT JOIN areas w ON w.code = a.wijk_code LEFT JOIN areas g ON g.code = a.gemeente_code
        WHERE {" AND ".join(where)}
        ORDER BY s.vitality DESC NULLS LAST, s.vitality_min DESC, s.area_code""",
        params,
    )


def gemeente_buurten(ws: Workspace, run_id: int, code: str, year: int) -> pd.DataFrame:
    """A gemeente's buurten (with a boundary or a score) with their scores in ``year`` and their latest
    Leefbaarometer score and dimensions up to that year."""
    return ws.query(
        """
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
        [year, year, run_id, year, code],
    )


def explanation(ws: Workspace, run_id: int, code: str, year: int) -> dict:
    """A buurt's stored score, factor points with reasons and indicator rows of one run and year."""
    frames = explanations(ws, run_id, [code], year)
    score = frames["scores"]
    return {"score": None if score.empty else score.iloc[0], "factors": frames["factors"], "indicators": frames["indicators"]}


def explanations(ws: Workspace, run_id: int, codes: list[str], year: int) -> dict[str, pd.DataFrame]:
    """The stored scores, factor rows and indicator rows of some buurten in one run and year."""
    params = [run_id, codes, year]
    where = "WHERE run_id = ? AND area_code IN (SELECT unnest(?)) AND year = ?"
    return {
        "scores": ws.query(f"SELECT * FROM scores {where}", params),
        "factors": ws.query(f"SELECT * FROM score_factors {where}", params),
        "indicators": ws.query(f"SELECT * FROM score_indicators {where}", params),
    }


def score_histories(ws: Workspace, run_id: int, codes: list[str]) -> pd.DataFrame:
    return ws.query(
        """SELECT area_code, year, leefbaarheid, organisatiekracht, veerkracht, vitality, category, attention,
                              complete FROM scores WHERE run_id = ? AND area_code IN (SELECT unnest(?))
                       ORDER BY area_code, year""",
        [run_id, codes],
    )


def scores_at(ws: Workspace, run_id: int, year: int) -> pd.DataFrame:
    return ws.query(
        "SELECT area_code AS buurt_code, vitality AS vitaliteit, veerkracht, attention, category "
        "FROM scores WHERE run_id = ? AND year = ?",
        [run_id, year],
    )


def score_pairs(ws: Workspace, run_a: int, year_a: int, run_b: int, year_b: int, gemeente: str | None = None) -> pd.DataFrame:
    """Two scorings side by side per buurt (``a`` = from, ``b`` = to): of one run in two years, or of two runs."""
    return ws.query(
        """
        WITH a AS (SELECT * FROM scores WHERE run_id = ? AND year = ?),
             b AS (SELECT * FROM scores WHERE run_id = ? AND year = ?)
        SELECT ar.code, ar.name, ar.gemeente_code, b.area_code IS NOT NULL AS in_to,
               a.leefbaarheid AS l_from, b.leefbaarheid AS l_to, a.organisatiekracht AS o_from,
               b.organisatiekracht AS o_to, a.veerkracht AS v_from, b.veerkracht AS v_to,
               a.vitality AS vitality_from, b.vitality AS vitality_to, a.category AS category_from,
               b.category AS category_to, a.attention AS attention_from, b.attention AS attention_to
        FROM a FULL JOIN b ON a.area_code = b.area_code
        JOIN areas ar ON ar.code = COALESCE(a.area_code, b.area_code)
        WHERE ? IS NULL OR ar.gemeente_code = ? ORDER BY ar.code""",
        [run_a, year_a, run_b, year_b, gemeente, gemeente],
    )


def indicator_moves(ws: Workspace, run_a: int, year_a: int, run_b: int, year_b: int, gemeente: str | None = None) -> pd.DataFrame:
    """Indicator rows whose points differ between the two scorings (``a`` = from, ``b`` = to)."""
    return ws.query(
        """
        SELECT i.area_code, i.indicator, a.value AS value_from, a.value_year AS value_year_from, a.points AS points_from,
               i.value AS value_to, i.value_year AS value_year_to, i.points AS points_to,
               a.threshold_low AS low_from, a.threshold_high AS high_from, i.threshold_low AS low_to,
               i.threshold_high AS high_to
        FROM score_indicators i JOIN areas ar ON ar.code = i.area_code
        LEFT JOIN score_indicators a ON a.run_id = ? AND a.area_code = i.area_code
             AND a.indicator = i.indicator AND a.year = ?
        WHERE i.run_id = ? AND i.year = ? AND (? IS NULL OR ar.gemeente_code = ?)
          AND a.points IS DISTINCT FROM i.points""",
        [run_a, year_a, run_b, year_b, gemeente, gemeente],
    )


def run_indicators(ws: Workspace, run_id: int, year: int, complete_only: bool = False) -> pd.DataFrame:
    """A run's indicator rows of one year (of complete buurten only when asked)."""
    return ws.query(
        """
        SELECT i.area_code, i.factor, i.indicator, i.value, i.value_year, i.threshold_low, i.threshold_high,
               i.direction, i.points, COALESCE(i.reference, 'all') AS scope
        FROM score_indicators i JOIN scores s USING (run_id, area_code, year)
        WHERE i.run_id = ? AND i.year = ? AND (NOT ? OR s.complete)""",
        [run_id, year, complete_only],
    )


def factor_rows(ws: Workspace, run_id: int, year: int | None, gemeenten: list[str] | None) -> pd.DataFrame:
    return ws.query(
        """SELECT f.area_code AS code, a.name, f.year, f.factor, f.points, f.status, f.reason
                       FROM score_factors f JOIN areas a ON a.code = f.area_code
                       WHERE f.run_id = ? AND (? IS NULL OR f.year = ?)
                         AND (? IS NULL OR a.gemeente_code IN (SELECT unnest(?)))
                       ORDER BY 1, 3, 4""",
        [run_id, year, year, gemeenten, gemeenten or []],
    )


def indicator_rows(ws: Workspace, run_id: int, year: int | None, gemeenten: list[str] | None) -> pd.DataFrame:
    return ws.query(
        """SELECT f.area_code AS code, a.name, f.* EXCLUDE (run_id, area_code)
                       FROM score_indicators f JOIN areas a ON a.code = f.area_code
                       WHERE f.run_id = ? AND (? IS NULL OR f.year = ?)
                         AND (? IS NULL OR a.gemeente_code IN (SELECT unnest(?)))
                       ORDER BY code, year, factor, indicator""",
        [run_id, year, year, gemeenten, gemeenten or []],
    )


# -- corporation, imports, meta ------------------------------------------------------------------------------------


def corporation_gemeenten(ws: Workspace) -> list[str]:
    """Gemeenten where the corporation has dwellings (where the full score can exist)."""
    rows = ws.query("SELECT DISTINCT a.gemeente_code FROM corp_dwellings d JOIN areas a ON a.code = d.buurt_code ORDER BY 1")
    return rows["gemeente_code"].tolist()


def corporation_gemeente_years(ws: Workspace, run_id: int, limit: int) -> pd.DataFrame:
    """One buurt (``code``) of each gemeente and scored year where the corporation's figures are, latest year
    first: the pages its users open most (the partner copy has the figures, not the records)."""
    return ws.query(
        """WITH corp AS (SELECT DISTINCT a.gemeente_code FROM measurements m JOIN areas a ON a.code = m.area_code
                         WHERE m.source = 'corporatie')
           SELECT a.gemeente_code, s.year, min(s.area_code) AS code
           FROM scores s JOIN areas a ON a.code = s.area_code
           WHERE s.run_id = ? AND a.level = 'buurt' AND a.gemeente_code IN (SELECT gemeente_code FROM corp)
           GROUP BY 1, 2 ORDER BY s.year DESC, 1 LIMIT ?""",
        [run_id, limit],
    )


def corporation_info(ws: Workspace) -> dict[str, str]:
    return dict(ws.con.execute("SELECT key, value FROM corporation").fetchall())


def records(ws: Workspace, table: str) -> pd.DataFrame:
    """A record table (``corp_dwellings``, …) whole."""
    return ws.query(f'SELECT * FROM "{table}"')


def stock_per_buurt(ws: Workspace) -> pd.DataFrame:
    return ws.query("SELECT buurt_code, count(*) AS stock FROM corp_dwellings GROUP BY buurt_code")


def import_log(ws: Workspace) -> pd.DataFrame:
    return ws.query("SELECT import_id, imported_at, kind, path, sha256, rows, detail FROM import_log ORDER BY 1")


def imports_behind(ws: Workspace, indicators: list[str]) -> pd.DataFrame:
    """The imports whose measurements of these indicators are in the workspace (what a score run uses)."""
    return ws.query(
        """SELECT l.import_id, l.kind, l.path, l.sha256 FROM import_log l
                       WHERE l.import_id IN (SELECT DISTINCT import_id FROM measurements
                                             WHERE indicator IN (SELECT unnest(?)))
                       ORDER BY l.import_id""",
        [indicators],
    )


def meta(ws: Workspace, key: str) -> str | None:
    row = ws.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return None if row is None else row[0]


def partner_threshold(ws: Workspace) -> int | None:
    """The suppression threshold when the workspace is a partner copy (workspace/partner.py), else None."""
    value = meta(ws, "suppression_threshold")
    return None if value is None else int(value)


# -- allocation ----------------------------------------------------------------------------------------------------


def allocation_runs(ws: Workspace) -> pd.DataFrame:
    return ws.query("SELECT * FROM allocation_runs ORDER BY run_id")


def allocation_violation_counts(ws: Workspace) -> pd.DataFrame:
    return ws.query("SELECT run_id, count(*) AS n FROM allocation_violations GROUP BY run_id")


def allocation_flagged(ws: Workspace, gemeente: str | None) -> pd.DataFrame:
    return ws.query(
        """
        SELECT b.run_id, count(*) FILTER (WHERE b.attention_now) AS attention_now,
               count(*) FILTER (WHERE b.attention) AS attention_projected
        FROM allocation_buurten b JOIN areas a ON a.code = b.buurt_code
        WHERE ? IS NULL OR a.gemeente_code = ? GROUP BY b.run_id""",
        [gemeente, gemeente],
    )


def allocation_buurten(ws: Workspace, gemeente: str | None) -> pd.DataFrame:
    return ws.query(
        """
        SELECT b.*, a.name, a.gemeente_code FROM allocation_buurten b JOIN areas a ON a.code = b.buurt_code
        WHERE ? IS NULL OR a.gemeente_code = ? ORDER BY b.run_id, b.buurt_code""",
        [gemeente, gemeente],
    )


def allocation_violations(ws: Workspace) -> pd.DataFrame:
    return ws.query("SELECT * FROM allocation_violations ORDER BY run_id, rule, area")


def allocation_lettings(ws: Workspace, run_id: int) -> pd.DataFrame:
    return ws.query("SELECT * FROM allocation_lettings WHERE run_id = ? ORDER BY vacancy_id", [run_id])

"""Page models: the data behind each web page, language-neutral. The HTML renders them; the JSON twin
returns them; the CSV twin returns their main table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from wijkvitaliteit.errors import BadParameter, InputError, NotFound
from wijkvitaliteit.indicators import indicator
from wijkvitaliteit.present.explain import points_text
from wijkvitaliteit.scoring.model import FACTORS
from wijkvitaliteit.scoring.runs import Run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace

LBM_DIMENSIONS = ("fys", "onv", "soc", "vrz", "won")
MAP_LAYERS = ("categorie", *FACTORS, "lbm", *LBM_DIMENSIONS)
COMPARE_INDICATORS = (
    "lbm.afw",
    "corp.nuisance_per_100",
    "corp.vulnerable_share",
    "corp.org_assets",
    "corp.bijstand_share",
    "kwb.p_wcorpw",
)


@dataclass
class Page:
    data: dict
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows: NaN/NA → None, numpy scalars → Python."""
    if frame.empty:
        return []
    return json.loads(frame.to_json(orient="records", date_format="iso"))


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
    row = queries.gemeente_rows(ws, code)
    if row.empty:
        raise NotFound("gemeente", code, search(ws, code)["results"][:8])
    return row.iloc[0]


# -- national overview -------------------------------------------------------------------------------------


def national(ws: Workspace, run: Run, year: int | None) -> Page:
    lbm_years = queries.indicator_years(ws, "lbm.afw")
    years = sorted(set(queries.scored_years(ws, run.run_id)) | set(lbm_years))
    year = check_year(year, years)
    lbm_year = int(max([y for y in lbm_years if y <= year], default=min(lbm_years))) if len(lbm_years) else None
    gemeenten = queries.national_gemeenten(ws, run.run_id, year, lbm_year)
    data = {
        "year": year,
        "years": years,
        "leefbaarometer_year": lbm_year,
        "aggregation": "median of the buurten's Leefbaarometer afw (deviation from the national reference) "
        "in the Leefbaarometer year; attention_share = flagged / completely scored buurten",
        "gemeenten": records(gemeenten),
    }
    return Page(data, gemeenten)


# -- gemeente ----------------------------------------------------------------------------------------------


def gemeente(ws: Workspace, run: Run, code: str, year: int | None) -> Page:
    row = gemeente_row(ws, code)
    code = row["code"]
    years = queries.scored_years(ws, run.run_id, code)
    if not years:
        raise NotFound("scores voor gemeente", code)
    year = check_year(year, years)
    buurten = queries.gemeente_buurten(ws, run.run_id, code, year)
    counts = {band.category: int((buurten["category"] == band.category).sum()) for band in run.model.bands}
    counts["onvolledig"] = int((buurten["scored"] & ~buurten["complete"]).sum())
    counts["niet_gescoord"] = int((~buurten["scored"]).sum())
    attention = buurten[buurten["attention"].fillna(False).astype(bool)]
    data = {
        "code": code,
        "name": row["name"],
        "year": year,
        "years": years,
        "counts": counts,
        "attention_threshold": run.model.model.attention_threshold,
        "attention": records(
            attention[["code", "name", "wijk_name", "leefbaarheid", "organisatiekracht", "veerkracht", "vitality", "category"]]
        ),
        "buurten": records(buurten),
    }
    return Page(data, buurten)


# -- buurt -------------------------------------------------------------------------------------------------


def find_buurt(ws: Workspace, code: str) -> pd.Series:
    try:
        return queries.find_buurt(ws, code)
    except InputError:
        raise NotFound("buurt", code, search(ws, code)["results"][:8]) from None


CORP_COLUMNS = {
    name: f"corp.{name}"
    for name in (
        "dwellings",
        "lettings",
        "nuisance_reports",
        "nuisance_per_100",
        "vulnerable_share",
        "contact_6w_share",
        "org_assets",
    )
}


def buurt(ws: Workspace, run: Run, code: str, year: int | None) -> Page:
    area = find_buurt(ws, code)
    years = queries.scored_years(ws, run.run_id, area["gemeente_code"])
    year = check_year(year, years) if years else None
    return buurt_pages(ws, run, area.to_frame().T, years, year)[area["code"]]


def buurt_pages(ws: Workspace, run: Run, areas: pd.DataFrame, years: list[int], year: int | None) -> dict[str, Page]:
    """The buurt page of each of ``areas`` (rows as ``queries.buurt_rows``; one gemeente, whose scored ``years``
    are given) in ``year``: one query and one conversion per part for all of them, so a gemeente's pages cost
    little more than one."""
    codes = areas["code"].tolist()

    def rows_by_area(frame: pd.DataFrame, keep_code: bool = False) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = {}
        for row in records(frame):
            code = row["area_code"] if keep_code else row.pop("area_code")
            grouped.setdefault(code, []).append(row)
        return grouped

    scores: dict[str, list[dict]] = {}
    factors: dict[str, list[dict]] = {}
    indicators: dict[str, list[dict]] = {}
    tables: dict[str, pd.DataFrame] = {}
    compare: dict[str, list[dict]] = {}
    if year:
        detail = queries.explanations(ws, run.run_id, codes, year)
        scores = rows_by_area(detail["scores"], keep_code=True)
        factors = rows_by_area(detail["factors"].drop(columns=["run_id"]), keep_code=True)
        own = detail["indicators"].drop(columns=["run_id"])
        indicators = rows_by_area(own, keep_code=True)
        tables = {c: g.reset_index(drop=True) for c, g in own.groupby("area_code", sort=False)}
        values = queries.latest_values(ws, areas["gemeente_code"].iloc[0], list(COMPARE_INDICATORS), year)
        compare = rows_by_area(comparisons(values, areas))
    trends = rows_by_area(queries.yearly_many(ws, codes, queries.LBM_COLUMNS, "leefbaarometer", vintage=True))
    corps = rows_by_area(queries.yearly_many(ws, codes, CORP_COLUMNS, "corporatie"))
    histories = rows_by_area(queries.score_histories(ws, run.run_id, codes))
    percentiles = queries.lbm_percentiles(ws, codes, year)
    pages: dict[str, Page] = {}
    for area in areas.to_dict(orient="records"):
        code = area["code"]
        trend = trends.get(code, [])
        data = {
            "code": code,
            "name": area["name"],
            "wijk_code": area["wijk_code"],
            "wijk_name": area["wijk_name"],
            "gemeente_code": area["gemeente_code"],
            "gemeente_name": area["gemeente_name"],
            "year": year,
            "years": years,
            "score": scores[code][0] if code in scores else None,
            "factors": factors.get(code, []),
            "indicators": indicators.get(code, []),
            "leefbaarometer_trend": trend,
            "leefbaarometer_versions": sorted({r["versie"] for r in trend if r.get("versie") is not None}),
            "percentile": percentiles.get(code),
            "corporation": corps.get(code, []),
            "comparison": compare.get(code, []),
            "history": histories.get(code, []),
        }
        pages[code] = Page(data, tables.get(code, pd.DataFrame()))
    return pages


def comparisons(values: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Each buurt against the median of the buurten of its wijk and of its gemeente (``values``: the gemeente's
    latest values ≤ the year, ``queries.latest_values``): a row per buurt and indicator with a value in the gemeente."""
    if values.empty:
        return pd.DataFrame(columns=["area_code"])
    known = [i for i in COMPARE_INDICATORS if i in set(values["indicator"])]
    gemeente = values.groupby("indicator")["value"].agg(["median", "size"])
    wijk = values.groupby(["indicator", "wijk_code"])["value"].median()
    own = values.set_index(["indicator", "area_code"])["value"]
    rows = []
    for area in areas[["code", "wijk_code"]].itertuples(index=False):
        for ind in known:
            buurt = own.get((ind, area.code))
            wijk_median = wijk.get((ind, area.wijk_code))
            rows.append(
                {
                    "area_code": area.code,
                    "indicator": ind,
                    "buurt": None if buurt is None or pd.isna(buurt) else float(buurt),
                    "wijk_median": None if wijk_median is None or pd.isna(wijk_median) else float(wijk_median),
                    "gemeente_median": float(gemeente.loc[ind, "median"]),
                    "gemeente_n": int(gemeente.loc[ind, "size"]),
                    "direction": indicator(ind).direction,
                }
            )
    return pd.DataFrame(rows)


# -- changes -----------------------------------------------------------------------------------------------


def compare_scorings(
    ws: Workspace, run_a: int, year_a: int, run_b: int, year_b: int, gemeente: str | None, everything: bool
) -> tuple[pd.DataFrame, list[dict], int]:
    """Two scorings side by side — of one run in two years, or of two runs — per buurt: its points, category and
    attention in each, which factors moved and the indicator values behind every moved point. Returns the
    frame (only buurten whose category or attention changed unless ``everything``), its rows with the moved
    indicators, and how many buurten changed category."""
    frame = queries.score_pairs(ws, run_a, year_a, run_b, year_b, gemeente).drop(columns="gemeente_code")
    frame["category_changed"] = frame["category_from"].fillna("-") != frame["category_to"].fillna("-")
    frame["attention_changed"] = frame["attention_from"].fillna(False) != frame["attention_to"].fillna(False)
    reasons = []
    for _, r in frame.iterrows():
        moved = [
            f"{name}: {points_text(r[f'{k}_from'])} → {points_text(r[f'{k}_to'])}"
            for name, k in (("leefbaarheid", "l"), ("organisatiekracht", "o"), ("veerkracht", "v"))
            if points_text(r[f"{k}_from"]) != points_text(r[f"{k}_to"])
        ]
        reasons.append("; ".join(moved))
    frame["factors_changed"] = reasons
    moves = queries.indicator_moves(ws, run_a, year_a, run_b, year_b, gemeente)
    shown = frame if everything else frame[frame["category_changed"] | frame["attention_changed"]]
    by_buurt = {c: records(g.drop(columns="area_code")) for c, g in moves.groupby("area_code")}
    rows = [dict(r, indicators=by_buurt.get(r["code"], [])) for r in records(shown)]
    return shown, rows, int(frame["category_changed"].sum())


def changes(ws: Workspace, run: Run, code: str, year_from: int | None, year_to: int | None, everything: bool) -> Page:
    row = gemeente_row(ws, code)
    code = row["code"]
    years = queries.scored_years(ws, run.run_id, code)
    if len(years) < 2:
        raise NotFound("twee gescoorde jaren voor gemeente", code)
    year_to = check_year(year_to, years)
    year_from = check_year(year_from, years, default=max([y for y in years if y < year_to], default=years[0]))
    if year_from >= year_to:
        raise BadParameter("van", f"{year_from} is not before {year_to}")
    shown, rows, changed = compare_scorings(ws, run.run_id, year_from, run.run_id, year_to, code, everything)
    data = {
        "code": code,
        "name": row["name"],
        "from": year_from,
        "to": year_to,
        "years": years,
        "all": everything,
        "changed": changed,
        "buurten": rows,
    }
    return Page(data, shown)


# -- model and search --------------------------------------------------------------------------------------


def model_page(run: Run, toml_text: str) -> Page:
    rules = []
    for factor in FACTORS:
        spec = run.model.factors[factor]
        for rule in spec.indicators:
            rules.append(
                {
                    "factor": factor,
                    "combine": spec.combine,
                    "require": spec.require,
                    "indicator": rule.id,
                    "rule": rule.rule,
                    "reference": rule.reference if rule.rule == "quantile" else None,
                    "cuts": list(rule.cuts) if rule.cuts else None,
                    "thresholds": list(rule.thresholds) if rule.thresholds else None,
                    "direction": rule.resolved_direction(),
                    "max_age": rule.max_age,
                }
            )
    data = {
        "name": run.model.model.name,
        "description": run.model.model.description,
        "hash": run.model_hash,
        "aggregation": run.model.model.aggregation,
        "attention_threshold": run.model.model.attention_threshold,
        "bands": [b.model_dump() for b in run.model.bands],
        "rules": rules,
        "toml": toml_text,
    }
    return Page(data, pd.DataFrame(rules))


def search(ws: Workspace, q: str, limit: int = 30) -> dict:
    q = q.strip()
    if not q:
        return {"q": q, "results": []}
    return {"q": q, "results": records(queries.search(ws, q, limit))}


# -- score runs ---------------------------------------------------------------------------------------------


def _inputs(row: dict) -> dict:
    inputs = json.loads(row["inputs"]) if isinstance(row.get("inputs"), str) else {}
    return inputs if inputs.get("recorded") else {"recorded": False, "derive": None, "imports": []}


def runs_page(ws: Workspace, active: Run) -> Page:
    """Every stored score run: when, which model, which inputs (derive settings and source files), and what it
    found. The active run (the latest) is what every page shows."""
    stored = queries.score_runs(ws).merge(queries.run_counts(ws), on="run_id", how="left")
    rows = []
    for row in stored.to_dict(orient="records"):
        inputs = _inputs(row)
        rows.append(
            {
                "run_id": int(row["run_id"]),
                "created_at": str(row["created_at"]),
                "model_name": row["model_name"],
                "model_hash": row["model_hash"],
                "inputs_hash": None if pd.isna(row.get("inputs_hash")) else row["inputs_hash"],
                "inputs_recorded": inputs["recorded"],
                "years": json.loads(row["years"]),
                "derive": inputs["derive"],
                "imports": inputs["imports"],
                "files": ", ".join(i["file"] for i in inputs["imports"]),
                "buurt_years": int(row["buurt_years"] or 0),
                "complete": int(row["complete"] or 0),
                "attention": int(row["attention"] or 0),
                "active": int(row["run_id"]) == active.run_id,
            }
        )
    table = pd.DataFrame(rows).drop(columns=["imports", "derive"]) if rows else pd.DataFrame()
    if len(table):
        table["years"] = table["years"].map(lambda ys: ", ".join(map(str, ys)))
    return Page({"active": active.run_id, "runs": rows}, table)


def runs_compare(ws: Workspace, run_a: Run, run_b: Run, year: int | None, gemeente: str | None, everything: bool) -> Page:
    """Two runs side by side in one year: which buurten changed points, category or attention and why (the
    indicator values and limits behind every moved point), and what differs in their model and inputs."""
    common = sorted(set(run_a.years) & set(run_b.years))
    if not common:
        raise BadParameter("jaar", f"runs {run_a.run_id} and {run_b.run_id} have no scored year in common")
    year = check_year(year, common)
    code = gemeente_row(ws, gemeente)["code"] if gemeente else None
    shown, rows, changed = compare_scorings(ws, run_a.run_id, year, run_b.run_id, year, code, everything)
    a, b = _inputs(run_a.info), _inputs(run_b.info)
    files_a = {(i["kind"], i["sha256"]): i for i in a["imports"]}
    files_b = {(i["kind"], i["sha256"]): i for i in b["imports"]}
    data = {
        "a": run_a.run_id,
        "b": run_b.run_id,
        "year": year,
        "years": common,
        "gemeente": code,
        "all": everything,
        "changed": changed,
        "model_a": run_a.model.model.name,
        "model_b": run_b.model.model.name,
        "model_changed": run_a.model_hash != run_b.model_hash,
        "derive_a": a["derive"],
        "derive_b": b["derive"],
        "inputs_recorded": a["recorded"] and b["recorded"],
        "files_only_a": [files_a[k] for k in files_a.keys() - files_b.keys()],
        "files_only_b": [files_b[k] for k in files_b.keys() - files_a.keys()],
        "buurten": rows,
    }
    return Page(data, shown)

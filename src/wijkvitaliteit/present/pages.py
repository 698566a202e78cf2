"""Page models: the data behind each web page, language-neutral. The HTML renders them; the JSON twin
returns them; the CSV twin returns their main table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
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


def buurt(ws: Workspace, run: Run, code: str, year: int | None) -> Page:
    area = find_buurt(ws, code)
    code = area["code"]
    years = queries.scored_years(ws, run.run_id, area["gemeente_code"])
    year = check_year(year, years) if years else None
    detail = (
        queries.explanation(ws, run.run_id, code, year)
        if year
        else {"score": None, "factors": pd.DataFrame(), "indicators": pd.DataFrame()}
    )
    trend = queries.lbm_trend(ws, code)
    percentile = queries.lbm_percentile(ws, code, year)
    corp = queries.yearly(
        ws,
        code,
        {
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
        },
        "corporatie",
    )
    compare = comparison(ws, area, year) if year else pd.DataFrame()
    history = queries.score_history(ws, run.run_id, code)
    score = detail["score"]
    data = {
        "code": code,
        "name": area["name"],
        "wijk_code": area["wijk_code"],
        "wijk_name": area["wijk_name"],
        "gemeente_code": area["gemeente_code"],
        "gemeente_name": area["gemeente_name"],
        "year": year,
        "years": years,
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
    values = queries.latest_values(ws, area["gemeente_code"], list(COMPARE_INDICATORS), year)
    rows = []
    for ind in COMPARE_INDICATORS:
        sub = values[values["indicator"] == ind]
        if sub.empty:
            continue
        own = sub.loc[sub["area_code"] == area["code"], "value"]
        rows.append(
            {
                "indicator": ind,
                "buurt": float(own.iloc[0]) if len(own) else None,
                "wijk_median": float(sub.loc[sub["wijk_code"] == area["wijk_code"], "value"].median()),
                "gemeente_median": float(sub["value"].median()),
                "gemeente_n": int(len(sub)),
                "direction": indicator(ind).direction,
            }
        )
    frame = pd.DataFrame(rows)
    return frame.replace({np.nan: None}) if len(frame) else frame


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

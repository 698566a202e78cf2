"""The report for the prestatieafspraken: one HTML template, rendered as HTML or, with WeasyPrint, PDF.

Contents: a cover; a one-page summary (counts per category, the attention list, what changed since the
previous measurement); a static map of the gemeente's buurten by category; the diagnoses (sensitivity,
resilience, segregation) where the data carry them; one page per flagged buurt (its three factors and
their reasons, its sensitivity and resilience, its Leefbaarometer trend chart, its indicators); the
scoring model in plain words; the data sources with attribution; generation date, workspace and model hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from wijkvitaliteit.data import ATTRIBUTION
from wijkvitaliteit.errors import BadParameter, InputError, NotFound
from wijkvitaliteit.indicators import indicator
from wijkvitaliteit.present import pages
from wijkvitaliteit.present.explain import (
    factor_lines,
    format_value,
    points_text,
    rule_text,
    score_line,
    version_note,
)
from wijkvitaliteit.present.i18n import number, t
from wijkvitaliteit.reports import charts
from wijkvitaliteit.scoring.runs import Run, active_run
from wijkvitaliteit.version import __version__
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace

TEMPLATES = Path(__file__).resolve().parent / "templates"
REPORT_DRAWS = 2000  # Monte Carlo draws in the report (the CLI and web use the configured 10,000)
CHANGES_ON_SUMMARY = 8  # keeps the summary on one page; the web page /veranderingen lists them all


@dataclass(frozen=True)
class ReportScope:
    gemeente: str
    wijken: tuple[str, ...] = ()
    buurten: tuple[str, ...] = ()
    year: int | None = None


def count_text(value) -> str:
    """A count as a whole number; a hidden one (in a partner's copy) as the pages mark it: –."""
    if value is None or pd.isna(value):
        return "–"
    return str(int(value))


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    from wijkvitaliteit.present.diagnosis import count_label
    from wijkvitaliteit.present.i18n import value_label

    env.globals.update(
        t=t,
        number=number,
        indicator=indicator,
        format_value=format_value,
        pts=points_text,
        count=count_text,
        count_label=count_label,
        value_label=value_label,
    )
    return env


def report_context(ws: Workspace, run: Run, scope: ReportScope, lang: str) -> dict:
    gemeente = pages.gemeente(ws, run, scope.gemeente, scope.year).data
    year, code = gemeente["year"], gemeente["code"]
    buurten = pd.DataFrame(gemeente["buurten"])
    in_scope = buurten
    if scope.wijken:
        wanted = {w.upper() for w in scope.wijken}
        in_scope = in_scope[in_scope["wijk_code"].isin(wanted) | in_scope["wijk_name"].str.upper().isin(wanted)]
        if in_scope.empty:
            raise InputError(None, f"a wijk of {gemeente['name']} (code or name)", found=", ".join(scope.wijken))
    requested = []
    for b in scope.buurten:
        key = b.strip().lower()
        match = buurten[(buurten["code"].str.lower() == key) | (buurten["name"].str.lower() == key)]
        if len(match) != 1:
            names = ", ".join(sorted(buurten["name"].dropna())[:60])
            raise InputError(None, f"one buurt of {gemeente['name']} (code or name)", found=b, hint=f"buurten: {names}")
        requested.append(match["code"].iloc[0])
    if requested and not scope.wijken:
        in_scope = in_scope[in_scope["code"].isin(requested)]
    flagged = in_scope[in_scope["attention"].fillna(False).astype(bool)]
    detail_codes = list(dict.fromkeys([*flagged["code"], *requested]))

    counts = {band.category: int((in_scope["category"] == band.category).sum()) for band in run.model.bands}
    counts["onvolledig"] = int((in_scope["scored"] & ~in_scope["complete"]).sum())
    changes = None
    if len(gemeente["years"]) > 1 and year != gemeente["years"][0]:
        previous = max(y for y in gemeente["years"] if y < year)
        changes = pages.changes(ws, run, code, previous, year, False).data
        moved = [b for b in changes["buurten"] if b["code"] in set(in_scope["code"])]
        moved.sort(key=lambda b: (not b["attention_changed"], b["name"] or ""))  # attention changes first
        changes["buurten"], changes["more"] = moved[:CHANGES_ON_SUMMARY], max(len(moved) - CHANGES_ON_SUMMARY, 0)

    detail_pages = []
    rows = buurten.set_index("code")
    for buurt_code in detail_codes:
        info = queries.explanation(ws, run.run_id, buurt_code, year)
        if info["score"] is None:
            continue
        trend = queries.lbm_trend(ws, buurt_code)
        detail_pages.append(
            {
                "code": buurt_code,
                "name": rows.loc[buurt_code, "name"],
                "wijk_name": rows.loc[buurt_code, "wijk_name"],
                "attention": bool(info["score"]["attention"]) if pd.notna(info["score"]["attention"]) else False,
                "percentile": queries.lbm_percentile(ws, buurt_code, year),
                "score_text": score_line(info["score"], run.model, lang),
                "factors": factor_lines(info["factors"], info["indicators"], run.model, year, lang),
                "indicators": [
                    dict(r, rule_text=rule_text(r, lang) if r["status"] == "ok" else "") for _, r in info["indicators"].iterrows()
                ],
                "trend_png": charts.trend_chart(trend, lang),
                "version_note": version_note(trend, lang) if len(trend) else None,
            }
        )

    diagnosis_data = _diagnosis(ws, run, code, year, set(in_scope["code"]))
    for d in detail_pages:
        d["sensitivity"] = diagnosis_data["sensitivity"].get(d["code"])
        d["resilience"] = diagnosis_data["resilience"].get(d["code"])

    geo = queries.geometries(ws, "buurt", code)
    map_png = charts.category_map(geo, buurten, run.model, lang, labels=set(flagged["code"])) if len(geo) else None
    rules = pages.model_page(run, "").data["rules"]
    sources = queries.import_log(ws)
    sources["file"] = sources["path"].map(lambda p: Path(p).name)
    corp = queries.corporation_info(ws)
    scope_label = gemeente["name"]
    if scope.wijken:
        scope_label += " — " + ", ".join(sorted(set(in_scope["wijk_name"].dropna())))
    elif requested:
        scope_label += " — " + ", ".join(in_scope["name"].dropna())
    return {
        "lang": lang,
        "gemeente": gemeente,
        "year": year,
        "scope_label": scope_label,
        "counts": counts,
        "in_scope": in_scope.to_dict(orient="records"),
        "flagged": flagged.to_dict(orient="records"),
        "changes": changes,
        "details": detail_pages,
        "map_png": map_png,
        "model": run.model,
        "rules": rules,
        "model_hash": run.model_hash,
        "sources": sources.to_dict(orient="records"),
        "attribution": ATTRIBUTION,
        "corporation": corp,
        "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
        "workspace": str(ws.path),
        "version": __version__,
        "diagnosis": diagnosis_data,
        "allocation": _allocation(ws, code, lang),
        "partner_threshold": queries.partner_threshold(ws),
    }


ALLOCATION_ROWS = 12  # buurten in the allocation table: with the comparison, one page


def _allocation(ws: Workspace, gemeente: str, lang: str) -> dict | None:
    """The stored allocation comparison for this gemeente: policies side by side, and per buurt of the
    gemeente with vacancies the vulnerable inflow and projected vitality of each run (None without one)."""
    from wijkvitaliteit.present import allocation

    if queries.allocation_runs(ws).empty:
        return None
    page = allocation.allocation_page(ws, lang, gemeente)
    buurten = pd.DataFrame(page.data["buurten"])
    shown = [r for r in page.data["runs"] if r["method"] in ("optimiser", "practice")]
    rows = []
    if len(buurten):  # weakest vitality first, then by code
        with_vacancies = buurten[buurten["vacancies"].fillna(0) > 0].sort_values(
            ["vitality_now", "buurt_code"], ascending=[False, True], na_position="last"
        )
        for code, group in with_vacancies.groupby("buurt_code", sort=False):
            first = group.iloc[0]
            cells = {int(g.run_id): g for g in group.itertuples()}
            rows.append(
                {
                    "code": code,
                    "name": first["name"],
                    "vacancies": int(first["vacancies"]),
                    "vitality_now": first["vitality_now"],
                    "attention_now": first["attention_now"],
                    "runs": [cells.get(r["run_id"]) for r in shown],
                }
            )
    return {
        "year": page.data["year"],
        "current_year": page.data["current_year"],
        "comparison": page.table.to_dict(orient="records"),
        "shown": shown,
        "buurten": rows[:ALLOCATION_ROWS],
        "more": max(0, len(rows) - ALLOCATION_ROWS),
    }


def _diagnosis(ws: Workspace, run: Run, gemeente: str, year: int, scope: set[str]) -> dict:
    """The three diagnoses for the report, each left out (with the reason) where the data cannot carry it."""
    from wijkvitaliteit.present import diagnosis

    out: dict = {"sensitivity": {}, "resilience": {}, "segregation": None, "notes": []}
    try:
        sens = diagnosis.sensitivity_page(ws, run, year, draws=REPORT_DRAWS).table
        sens = sens[sens["area_code"].isin(scope)]
        out["sensitivity"] = {r["area_code"]: r for r in sens.to_dict(orient="records")}
        out["sensitivity_counts"] = sens["label"].value_counts().to_dict()
        out["draws"] = int(sens["draws"].iloc[0]) if len(sens) else 0
    except BadParameter as exc:
        out["notes"].append(f"sensitivity: {exc.message}")
    try:
        res = diagnosis.resilience_page(ws, run)
        table = res.table[res.table["area_code"].isin(scope)]
        out["resilience"] = {r["area_code"]: r for r in table.to_dict(orient="records")}
        out["resilience_counts"] = table["label"].value_counts().to_dict()
        out["coefficients"] = res.data["coefficients"]
    except BadParameter as exc:
        out["notes"].append(f"resilience: {exc.message}")
    for preset, (group, total) in diagnosis.SEGREGATION_PRESETS.items():
        try:
            seg = diagnosis.segregation_page(ws, group, total, gemeente).data
        except BadParameter:
            continue
        rows = [r for r in seg["indices"] if r["gemeente_code"] == gemeente]
        if rows:
            out["segregation"] = {
                "preset": preset,
                "group": group,
                "total": total,
                "row": rows[-1],
                "profile": seg["centre_profile"],
            }
            break
    return out


def render_html(context: dict) -> str:
    return _environment().get_template("report.html").render(**context)


def render_pdf(html: str, out: Path) -> Path:
    from weasyprint import HTML

    HTML(string=html, base_url=str(TEMPLATES)).write_pdf(out)
    return out


def build_report(ws: Workspace, scope: ReportScope, fmt: str, out: Path, lang: str = "nl") -> Path:
    run = active_run(ws)
    try:
        context = report_context(ws, run, scope, lang)
    except NotFound as exc:
        raise InputError(None, f"a known {exc.what}", found=exc.key) from None
    except BadParameter as exc:
        raise InputError(None, exc.message, column=exc.name) from None
    html = render_html(context)
    if fmt == "html":
        out.write_text(html, encoding="utf-8")
        return out
    return render_pdf(html, out)

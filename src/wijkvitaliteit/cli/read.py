"""`list` and `show`: the scored buurten, weakest first, and one buurt explained point by point."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer
from rich import box
from rich.table import Table

from wijkvitaliteit.cli.common import (
    DEFAULT_WORKSPACE,
    Lang,
    LangOpt,
    WorkspaceOpt,
    fictitious_banner,
    out,
)
from wijkvitaliteit.present.explain import (
    attention_text,
    category_label,
    factor_lines,
    points_text,
    score_line,
    version_note,
)
from wijkvitaliteit.present.i18n import number, t
from wijkvitaliteit.present.pages import check_year
from wijkvitaliteit.scoring.runs import Run, active_run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace


def _vitality(row: pd.Series, lang: str) -> str:
    if row["complete"]:
        return number(row["vitality"], lang)
    return f"{number(row['vitality_min'], lang)}–{number(row['vitality_max'], lang)}"


def score_table(frame: pd.DataFrame, run: Run, lang: str, title: str, with_gemeente: bool = True) -> Table:
    # In an 80-column terminal the names wrap (fold) rather than end in "…"; the point columns carry the factor's
    # first letter (L, O, V; the line under the table says which is which) so that the words get the room.
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    table.add_column(t("code", lang), no_wrap=True)
    table.add_column(t("name", lang), overflow="fold", min_width=10)
    if with_gemeente:
        table.add_column(t("gemeente", lang), overflow="fold", min_width=len(t("gemeente", lang)))
    for factor in ("leefbaarheid", "organisatiekracht", "veerkracht"):
        table.add_column(t(f"factor.{factor}", lang)[:1].upper(), justify="right", no_wrap=True)
    table.add_column(t("cli.score", lang), justify="right", no_wrap=True)
    table.add_column(t("category", lang), overflow="fold", min_width=len(t("category", lang)))
    table.add_column(t("attention", lang), overflow="fold", min_width=len(t("attention", lang)))
    for _, row in frame.iterrows():
        place = [row["gemeente_name"] or row["gemeente_code"]] if with_gemeente else []
        table.add_row(
            row["code"],
            row["name"] or "",
            *place,
            points_text(row["leefbaarheid"]),
            points_text(row["organisatiekracht"]),
            points_text(row["veerkracht"]),
            _vitality(row, lang),
            category_label(row["category"], run.model, lang),
            attention_text(row["attention"], lang),
        )
    return table


def list_buurten(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    gemeente: Annotated[list[str] | None, typer.Option(help="Gemeente code or name (repeatable).")] = None,
    attention: Annotated[bool, typer.Option("--attention", help="Only buurten flagged for attention.")] = False,
    year: Annotated[int | None, typer.Option(help="Score year (default: the latest).")] = None,
    lang: LangOpt = Lang.nl,
) -> None:
    """List scored buurten, weakest first."""
    with Workspace(workspace, read_only=True) as ws:
        run = active_run(ws)
        year = check_year(year, queries.scored_years(ws, run.run_id), default=queries.latest_year(ws, run.run_id))
        codes = queries.resolve_gemeenten(ws, gemeente) if gemeente else None
        frame = queries.score_table(ws, run.run_id, year, codes, attention_only=attention)
        fictitious_banner(ws, lang)
    title = f"{t('year', lang)} {year} · {t('model', lang)} {run.model_hash[:12]}"
    out.print(score_table(frame, run, lang, title, with_gemeente=not codes or len(codes) > 1))
    out.print(t("cli.score_caption", lang), soft_wrap=False)
    out.print(t("cli.one_buurt", lang) if len(frame) == 1 else t("cli.n_buurten", lang, n=number(len(frame), lang)))


def show(
    buurt: Annotated[str, typer.Argument(help="Buurt code (BU02680736) or name (Malvert).")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    year: Annotated[int | None, typer.Option(help="Score year (default: the latest).")] = None,
    lang: LangOpt = Lang.nl,
) -> None:
    """Explain one buurt: each factor's points and why, its Leefbaarometer trend and national percentile."""
    with Workspace(workspace, read_only=True) as ws:
        run = active_run(ws)
        area = queries.find_buurt(ws, buurt)
        year = check_year(year, queries.scored_years(ws, run.run_id), default=queries.latest_year(ws, run.run_id))
        detail = queries.explanation(ws, run.run_id, area["code"], year)
        trend = queries.lbm_trend(ws, area["code"])
        pct = queries.lbm_percentile(ws, area["code"], year)
        fictitious_banner(ws, lang)
    gemeente = area["gemeente_name"] or area["gemeente_code"]
    out.rule(t("show.title", lang, name=area["name"] or area["code"], code=area["code"], gemeente=gemeente, year=year))
    if area["wijk_name"]:
        out.print(f"{t('wijk', lang)}: {area['wijk_name']} ({area['wijk_code']})")
    if detail["score"] is None:
        out.print(t("show.no_score", lang, code=area["code"], year=year))
    else:
        out.print(score_line(detail["score"], run.model, lang), style="bold")
        for label, points, lines in factor_lines(detail["factors"], detail["indicators"], run.model, year, lang):
            out.print(f"\n[bold]{label}[/bold]: {points}")
            for line in lines:
                out.print(f"  · {line}")
    if not trend.empty:
        table = Table(title=t("show.trend", lang), title_justify="left")
        for col in ("jaar", "versie", "lbm", "afw", "fys", "onv", "soc", "vrz", "won"):
            table.add_column(col, justify="right" if col not in ("versie",) else "left")
        for _, r in trend.iterrows():
            table.add_row(
                str(r["year"]),
                str(r["versie"]).replace("Leefbaarometer ", ""),
                *[("" if pd.isna(r[c]) else number(r[c], lang, 3)) for c in ("lbm", "afw", "fys", "onv", "soc", "vrz", "won")],
            )
        out.print()
        out.print(table)
        note = version_note(trend, lang)
        if note:
            out.print(note, style="italic")
    if pct:
        out.print(t("show.percentile", lang, pct=pct["pct"], n=number(pct["n"], lang), year=pct["year"]))
    out.print(f"{t('model', lang)}: {run.model.model.name} ({run.model_hash[:12]})", style="dim")

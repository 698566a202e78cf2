"""`wijkvitaliteit analyse …`: the diagnoses (resilience, segregation, sensitivity; docs/analyses.md)."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer

from wijkvitaliteit.cli.common import (
    DEFAULT_WORKSPACE,
    Lang,
    LangOpt,
    OutOpt,
    WorkspaceOpt,
    out,
    print_table,
    progress,
    typer_app,
)
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.present.i18n import t
from wijkvitaliteit.scoring.runs import active_run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace

analyse_app = typer_app("Diagnoses: resilience, segregation, sensitivity (see docs/analyses.md).")


@analyse_app.command("resilience")
def analyse_resilience(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, output: OutOpt = None, lang: LangOpt = Lang.nl) -> None:
    """Nuisance against vulnerable inflow × corporation share (panel with buurt and year effects); per buurt
    absorbs / as expected / under pressure, and its draagkracht."""
    from wijkvitaliteit.present import diagnosis

    with Workspace(workspace, read_only=True) as ws:
        page = diagnosis.resilience_page(ws, active_run(ws))
    out.print(t("analysis.resilience_intro", lang), style="italic")
    coefficients = pd.DataFrame(page.data["coefficients"])
    print_table(
        coefficients,
        f"{page.data['n_obs']} buurt-jaren, {page.data['n_buurten']} buurten",
        ["term", "estimate", "ci_low", "ci_high", "p_value"],
        lang,
    )
    print_table(
        page.table,
        t("analysis.resilience_buurten", lang),
        ["area_code", "name", "label", "observed", "expected", "difference", "draagkracht"],
        lang,
        25,
    )
    if output:
        page.table.to_csv(output, index=False)


@analyse_app.command("segregation")
def analyse_segregation(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    preset: Annotated[str, typer.Option(help="bijstand, corporatie or kwetsbaar.")] = "bijstand",
    group: Annotated[str | None, typer.Option(help="Group count indicator (overrides preset).")] = None,
    total: Annotated[str | None, typer.Option(help="Total count indicator.")] = None,
    gemeente: Annotated[
        str | None, typer.Option(help="Also per buurt: location quotients and the centre-to-edge profile.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Year for --gemeente.")] = None,
    output: OutOpt = None,
    lang: LangOpt = Lang.nl,
) -> None:
    """Dissimilarity, isolation, exposure and entropy per gemeente and year for a pair of counts."""
    from wijkvitaliteit.present import diagnosis

    if preset not in diagnosis.SEGREGATION_PRESETS and not (group and total):
        raise InputError(None, "--preset bijstand|corporatie|kwetsbaar, or --group and --total", found=preset)
    g, tt = (group, total) if group and total else diagnosis.SEGREGATION_PRESETS[preset]
    with Workspace(workspace, read_only=True) as ws:
        code = queries.resolve_gemeenten(ws, [gemeente])[0] if gemeente else None
        page = diagnosis.segregation_page(ws, g, tt, code, year)
    out.print(
        t("analysis.segregation_intro", lang, group=diagnosis.count_label(g, lang), total=diagnosis.count_label(tt, lang)),
        style="italic",
    )
    print_table(
        page.table,
        "segregatie",
        ["gemeente_name", "year", "units", "group_share", "dissimilarity", "isolation", "exposure", "entropy"],
        lang,
    )
    if code:
        profile = pd.DataFrame(page.data["centre_profile"])
        print_table(profile, t("analysis.centre_profile", lang), ["ring", "units", "km_from", "km_to", "share"], lang)
    if output:
        page.table.to_csv(output, index=False)


@analyse_app.command("sensitivity")
def analyse_sensitivity(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    year: Annotated[int | None, typer.Option(help="Score year (default: the latest).")] = None,
    draws: Annotated[int | None, typer.Option(min=100, help="Monte Carlo draws.")] = None,
    gemeente: Annotated[str | None, typer.Option(help="Only this gemeente.")] = None,
    output: OutOpt = None,
    lang: LangOpt = Lang.nl,
) -> None:
    """Would each buurt still be flagged under a slightly different model? (Monte Carlo over the model.)"""
    from wijkvitaliteit.present import diagnosis

    with Workspace(workspace, read_only=True) as ws, progress() as p:
        p.add_task("Monte Carlo")
        code = queries.resolve_gemeenten(ws, [gemeente])[0] if gemeente else None
        page = diagnosis.sensitivity_page(ws, active_run(ws), year, draws, code)
    out.print(t("analysis.sensitivity_intro", lang, draws=page.data["draws"]), style="italic")
    print_table(
        page.table,
        f"{page.data['year']}: {page.data['counts']}",
        ["area_code", "name", "gemeente_name", "vitality", "p_flagged", "rank_p05", "rank_p95", "label"],
        lang,
    )
    if output:
        page.table.to_csv(output, index=False)

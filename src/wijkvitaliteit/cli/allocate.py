"""`wijkvitaliteit allocate …`: allocation scenarios (docs/allocation.md)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from wijkvitaliteit import pipeline
from wijkvitaliteit.cli.common import (
    DEFAULT_WORKSPACE,
    Lang,
    LangOpt,
    WorkspaceOpt,
    out,
    print_table,
    progress,
    typer_app,
)
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.present.i18n import t
from wijkvitaliteit.workspace.store import Workspace

allocate_app = typer_app(
    "Allocation scenarios: optimise lettings under a policy, compare policies, check an assignment (see docs/allocation.md).",
    invoke_without_command=True,
    no_args_is_help=False,
)


class Method(StrEnum):
    optimiser = "optimiser"
    greedy = "greedy"
    practice = "practice"


InputOpt = Annotated[Path, typer.Option("--input", "-i", help="Folder (or xlsx) with vacancies, applicants, responses.")]
TimeOpt = Annotated[float, typer.Option("--time-limit", min=0.1, help="Seconds for the optimiser's heuristic phase.")]
PolicyArg = Annotated[Path | None, typer.Option("--policy", "-p", help="Policy TOML file, or a bundled policy: basis, spreiden.")]


def _load_policies(paths: list[Path]) -> list[tuple]:
    from wijkvitaliteit.allocation.policy import load_policy

    loaded = [load_policy(p) for p in paths]
    years = {p.policy.year for p, _ in loaded}
    if len(years) > 1:
        raise InputError(None, "policies of one year to compare", found=", ".join(map(str, sorted(years))))
    return loaded


def _run_allocation(workspace: Path, input_path: Path, runs: list[tuple], time_limit: float, lang: str):
    from wijkvitaliteit.present.allocation import allocation_page

    with progress() as p:
        p.add_task("toewijzen")
        results, _ = pipeline.allocate(workspace, input_path, runs, time_limit=time_limit)
    with Workspace(workspace, read_only=True) as ws:
        page = allocation_page(ws, lang)
    print_table(
        page.table,
        t("allocation.title", lang, year=page.data["year"], current=page.data["current_year"]),
        [
            "policy_name",
            "method_id",
            "status",
            "lettings",
            "gap",
            "preference_fit",
            "mean_rank",
            "vulnerable_housed",
            "uitstroom_housed",
            "violations",
            "attention_now",
            "attention_projected",
            "seconds",
        ],
        lang,
    )
    for r in results:
        label = f"{r.policy.policy.name}/{r.method}"
        if len(r.violations):
            out.print(t("allocation.broken", lang, run=label, n=len(r.violations)))
            for v in r.violations.head(10).itertuples():
                out.print(f"  • {v.rule} {v.area or ''}: {v.detail}", markup=False)
        for line in r.explanation:
            out.print(f"  → {line}", markup=False)
        if r.method == "optimiser" and len(r.binding):
            counts = r.binding["rule"].value_counts()
            out.print(t("allocation.binding", lang, run=label) + ", ".join(f"{k} {v}×" for k, v in counts.items()))
    return results


@allocate_app.callback()
def allocate(
    ctx: typer.Context,
    policy: PolicyArg = None,
    input_path: Annotated[
        Path | None, typer.Option("--input", "-i", help="Folder (or xlsx) with vacancies, applicants, responses.")
    ] = None,
    method: Annotated[Method, typer.Option(help="optimiser, greedy or practice.")] = Method.optimiser,
    output: Annotated[Path | None, typer.Option("--out", help="Write the assignment as CSV.")] = None,
    time_limit: TimeOpt = 5.0,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = Lang.nl,
) -> None:
    """Allocate one round under a policy (--policy, --input), check it with the independent checker, project
    next year's vitality and store it as the workspace's allocation comparison. Exit 1 when the rules cannot
    all hold (the output says which rule binds where)."""
    if ctx.invoked_subcommand is not None:
        return
    if policy is None or input_path is None:
        raise InputError(None, "--policy FILE and --input DIR (or a subcommand: compare, check)", found="missing")
    runs = [(*_load_policies([policy])[0], method.value)]
    results = _run_allocation(workspace, input_path, runs, time_limit, lang)
    if output:
        results[0].assignment.to_csv(output, index=False)
        out.print(t("allocation.written", lang, path=output, n=len(results[0].assignment)))
    if results[0].status == "infeasible":
        raise typer.Exit(1)


@allocate_app.command("compare")
def allocate_compare(
    policies: Annotated[list[Path], typer.Argument(help="Policy files or bundled names.")],
    input_path: InputOpt,
    time_limit: TimeOpt = 5.0,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = Lang.nl,
) -> None:
    """Compare policies side by side: each with the optimiser, with greedy at the same rules and with today's
    practice (checked against the policy's rules); projected vitality per buurt; stored for the web page and
    report."""
    loaded = _load_policies(policies)
    from wijkvitaliteit.allocation.run import compare_runs

    _run_allocation(workspace, input_path, compare_runs(loaded), time_limit, lang)


@allocate_app.command("check")
def allocate_check(
    policy: Annotated[Path, typer.Option("--policy", "-p", help="Policy file or bundled name.")],
    input_path: InputOpt,
    assignment: Annotated[Path, typer.Option(help="CSV with applicant_id and vacancy_id.")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    lang: LangOpt = Lang.nl,
) -> None:
    """Check any assignment (e.g. last year's real one) against every hard rule of a policy. Exit 1 when a
    rule is broken."""
    from wijkvitaliteit.allocation.check import check_assignment
    from wijkvitaliteit.sources.allocation import read_allocation_inputs
    from wijkvitaliteit.sources.tabular import Column, TableFormat, apply_format, decode_text, read_csv_text

    pol, _ = _load_policies([policy])[0]
    with Workspace(workspace, read_only=True) as ws:
        ctx = pipeline.allocation_context(ws, pol.policy.year)
    inputs = read_allocation_inputs(input_path, ctx.known_buurten)
    fmt = TableFormat("assignment", "", (Column("applicant_id", "str"), Column("vacancy_id", "str")))
    table = apply_format(read_csv_text(assignment, decode_text(assignment)), assignment, fmt)
    by = pol.vulnerable_caps.by if pol.vulnerable_caps is not None else "vitaliteit"
    found = check_assignment(table, inputs, pol, ctx.buurt_info.rename(columns={by: "score"}))
    if found.empty:
        out.print(t("allocation.valid", lang, n=len(table), policy=pol.policy.name))
        return
    out.print(t("allocation.broken", lang, run=str(assignment), n=len(found)))
    for v in found.itertuples():
        out.print(f"  • {v.rule} {v.area or ''}: {v.detail}", markup=False)
    raise typer.Exit(1)

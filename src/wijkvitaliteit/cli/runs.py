"""`wijkvitaliteit runs`: the stored score runs with their inputs, and two runs compared buurt by buurt."""

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
    YearOpt,
    out,
    print_table,
    typer_app,
)
from wijkvitaliteit.present import pages
from wijkvitaliteit.present.i18n import t
from wijkvitaliteit.scoring.runs import active_run, get_run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace

runs_app = typer_app(
    "Score runs: each records its model and inputs (derive settings, source files with sha256); "
    "'runs' lists them, 'runs compare A B' shows which buurten changed points and why.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@runs_app.callback()
def runs(ctx: typer.Context, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = Lang.nl) -> None:
    """List the stored score runs (the latest is active: every page, export and report shows it)."""
    if ctx.invoked_subcommand is not None:
        return
    with Workspace(workspace, read_only=True) as ws:
        page = pages.runs_page(ws, active_run(ws))
    out.print(t("web.runs_intro", lang), style="italic")
    table = page.table.assign(
        model_hash=page.table["model_hash"].str.slice(0, 12),
        inputs_hash=page.table["inputs_hash"].fillna("—").str.slice(0, 12),
        active=page.table["active"].map({True: "●", False: ""}),
    )
    print_table(
        table,
        t("web.runs", lang),
        ["run_id", "active", "created_at", "model_name", "model_hash", "inputs_hash", "years", "complete", "attention", "files"],
        lang,
    )


@runs_app.command("compare")
def compare(
    a: Annotated[int, typer.Argument(help="Run id (from).")],
    b: Annotated[int, typer.Argument(help="Run id (to).")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    year: YearOpt = None,
    gemeente: Annotated[str | None, typer.Option(help="Only this gemeente (code or name).")] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every buurt, not only those that changed category or attention.")
    ] = False,
    output: OutOpt = None,
    lang: LangOpt = Lang.nl,
) -> None:
    """Which buurten changed points, category or attention from run A to run B, and through which indicators."""
    with Workspace(workspace, read_only=True) as ws:
        code = queries.resolve_gemeenten(ws, [gemeente])[0] if gemeente else None
        page = pages.runs_compare(ws, get_run(ws, a), get_run(ws, b), year, code, everything)
    data = page.data
    out.rule(t("web.runs_compare", lang, a=a, b=b, year=data["year"]))
    if data["model_changed"]:
        out.print(f"model: {data['model_a']} → {data['model_b']}")
    if data["derive_a"] != data["derive_b"]:
        out.print(f"derive: {data['derive_a']} → {data['derive_b']}")
    for key, sign in (("files_only_a", "−"), ("files_only_b", "+")):
        for f in data[key]:
            out.print(f"  {sign} {f['kind']} {f['file']} ({f['sha256'][:12]})", markup=False)
    frame = pd.DataFrame(data["buurten"])
    if frame.empty:
        out.print(t("runs.no_changes", lang))
        return
    print_table(
        frame,
        t("web.runs_compare_intro", lang, a=a, b=b),
        [
            "code",
            "name",
            "vitality_from",
            "vitality_to",
            "category_from",
            "category_to",
            "attention_from",
            "attention_to",
            "factors_changed",
        ],
        lang,
    )
    for row in data["buurten"][:40]:
        for move in row["indicators"]:
            out.print(
                f"  {row['code']} {move['indicator']}: {move['value_from']} ({move['points_from']} pt) → "
                f"{move['value_to']} ({move['points_to']} pt)",
                markup=False,
            )
    out.print(t("runs.changed", lang, n=data["changed"]))
    if output:
        page.table.to_csv(output, index=False)

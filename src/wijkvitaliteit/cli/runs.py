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
from wijkvitaliteit.present.explain import attention_text, category_label
from wijkvitaliteit.present.i18n import number, t
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
        years=[f"{ys[0]}–{ys[-1]} ({len(ys)})" if ys else "" for ys in (r["years"] for r in page.data["runs"])],
    )
    print_table(
        table,
        t("web.runs", lang),
        ["run_id", "active", "created_at", "model_name", "model_hash", "inputs_hash", "years", "complete", "attention", "files"],
        lang,
        labels={
            "run_id": "run",
            "active": t("web.runs_active", lang),
            "created_at": t("web.runs_created", lang),
            "model_name": t("model", lang),
            "model_hash": "hash",
            "inputs_hash": t("web.runs_inputs", lang),
            "years": t("web.runs_years", lang),
            "complete": t("runs.complete", lang),
            "attention": t("attention", lang),
            "files": t("runs.files", lang),
        },
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
        run_a, run_b = get_run(ws, a), get_run(ws, b)
        page = pages.runs_compare(ws, run_a, run_b, year, code, everything)
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
    model_a, model_b = run_a.model, run_b.model
    for side, model in (("from", model_a), ("to", model_b)):
        frame[f"category_{side}"] = frame[f"category_{side}"].map(lambda c, m=model: category_label(c, m, lang))
        frame[f"attention_{side}"] = frame[f"attention_{side}"].map(lambda v: attention_text(v, lang))
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
        labels={
            "code": t("code", lang),
            "name": t("name", lang),
            "vitality_from": f"{t('vitality', lang)} {a}",
            "vitality_to": f"{t('vitality', lang)} {b}",
            "category_from": f"{t('category', lang)} {a}",
            "category_to": f"{t('category', lang)} {b}",
            "attention_from": f"{t('attention', lang)} {a}",
            "attention_to": f"{t('attention', lang)} {b}",
            "factors_changed": t("web.why", lang),
        },
    )
    for row in data["buurten"][:40]:
        for move in row["indicators"]:
            limits = ""
            if (move["low_from"], move["high_from"]) != (move["low_to"], move["high_to"]):
                limits = (
                    f"; {t('web.limits', lang)} {number(move['low_from'], lang)}–{number(move['high_from'], lang)}"
                    f" → {number(move['low_to'], lang)}–{number(move['high_to'], lang)}"
                )
            out.print(
                f"  {row['code']} {move['indicator']}: {number(move['value_from'], lang)} ({move['points_from']} pt) → "
                f"{number(move['value_to'], lang)} ({move['points_to']} pt){limits}",
                markup=False,
            )
    out.print(t("runs.changed", lang, n=data["changed"]))
    if output:
        page.table.to_csv(output, index=False)

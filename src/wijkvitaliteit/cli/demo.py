"""`demo` and `demo-data`: the bundled real data plus the FICTITIOUS demo corporation, scored, summarised."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from wijkvitaliteit.cli.common import (
    Lang,
    LangOpt,
    WorkspaceOpt,
    fictitious_banner,
    out,
    progress,
)
from wijkvitaliteit.cli.read import score_table
from wijkvitaliteit.demo.build import OPEN_DATA_GEMEENTEN, build_demo
from wijkvitaliteit.present.i18n import number, t
from wijkvitaliteit.scoring.runs import active_run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace


def demo_data(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the files to.")],
    seed: Annotated[int, typer.Option(help="Random seed.")] = 42,
) -> None:
    """Write the FICTITIOUS demo corporation (Nijmegen and Utrecht) in the documented formats."""
    from wijkvitaliteit.demo.generator import generate

    result = generate(out_dir, seed)
    out.print(f"FICTIEF demo corporation → {result.out}: " + ", ".join(f"{k} {v}" for k, v in result.counts.items()))


def demo(
    workspace: WorkspaceOpt = Path("demo.duckdb"),
    data_dir: Annotated[
        Path | None, typer.Option(help="Where to write the demo corporation's files (default: next to the workspace).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the demo corporation.")] = 42,
    open_data: Annotated[
        bool, typer.Option("--open-data", help="Open data only (no corporation), scored with the open-data model.")
    ] = False,
    lang: LangOpt = Lang.nl,
) -> None:
    """Build a workspace from the bundled real data plus the FICTITIOUS demo corporation, score it and
    print a summary per gemeente (--open-data: the real open data alone, scored with the open-data model)."""
    data_dir = data_dir or workspace.with_name(workspace.stem + "-corporatie")
    with progress() as bar:
        task = bar.add_task("demo")
        build_demo(
            workspace,
            data_dir,
            seed,
            lambda label, i, n: bar.update(task, description=label, completed=i, total=n),
            open_data=open_data,
        )
    out.print(t("demo.done", lang, path=workspace))
    print_summary(workspace, lang, list(OPEN_DATA_GEMEENTEN) if open_data else None)


def print_summary(workspace: Path, lang: str, gemeenten: list[str] | None = None) -> None:
    with Workspace(workspace, read_only=True) as ws:
        run = active_run(ws)
        year = queries.latest_year(ws, run.run_id)
        gemeenten = gemeenten or queries.corporation_gemeenten(ws)
        frames = {g: queries.score_table(ws, run.run_id, year, [g]) for g in gemeenten}
        fictitious_banner(ws, lang)
    out.rule(t("summary.title", lang, year=year))
    bands = run.model.bands
    table = Table(title_justify="left")
    table.add_column(t("gemeente", lang))
    for band in bands:
        table.add_column(band.label_en if lang == "en" else band.label_nl, justify="right")
    table.add_column(t("incomplete", lang), justify="right")
    table.add_column(t("attention", lang), justify="right")
    for code, frame in frames.items():
        counts = frame["category"].value_counts()
        name = frame["gemeente_name"].dropna().iloc[0] if frame["gemeente_name"].notna().any() else code
        table.add_row(
            f"{name} ({code})",
            *[str(int(counts.get(b.category, 0))) for b in bands],
            str(int((~frame["complete"]).sum())),
            str(int(frame["attention"].fillna(False).sum())),
        )
    out.print(table)
    threshold = number(run.model.model.attention_threshold, lang)
    for code, frame in frames.items():
        flagged = frame[frame["attention"].fillna(False).astype(bool)]
        name = frame["gemeente_name"].dropna().iloc[0] if frame["gemeente_name"].notna().any() else code
        out.print(
            score_table(
                flagged,
                run,
                lang,
                t("summary.attention_list", lang, gemeente=name, n=len(flagged), threshold=threshold),
                with_gemeente=False,
            )
        )

"""`export` and `report`: the scores where people work (CSV, Excel, GeoPackage, Parquet) and the PDF/HTML report."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from wijkvitaliteit.cli.common import (
    DEFAULT_WORKSPACE,
    Lang,
    LangOpt,
    Role,
    RoleOpt,
    ThresholdOpt,
    WorkspaceOpt,
    as_role,
    err,
    progress,
)
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.scoring.runs import active_run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"
    gpkg = "gpkg"
    parquet = "parquet"


class ExportTable(StrEnum):
    scores = "scores"
    factors = "factors"
    indicators = "indicators"
    model = "model"
    sources = "sources"


def export(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="csv: one table; xlsx: a sheet per table; "
            "gpkg: boundaries with scores (QGIS); parquet: a file per "
            "table in a folder.",
        ),
    ] = ExportFormat.csv,
    table: Annotated[ExportTable, typer.Option(help="With csv: which table.")] = ExportTable.scores,
    year: Annotated[int | None, typer.Option(help="Only this year (gpkg: default the latest).")] = None,
    gemeente: Annotated[list[str] | None, typer.Option(help="Only these gemeenten (code or name).")] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="File (a folder for parquet); csv: default standard output.")
    ] = None,
    role: RoleOpt = Role.corporatie,
    threshold: ThresholdOpt = 5,
) -> None:
    """Export scores, factor points, indicators, the model and the sources."""
    from wijkvitaliteit.present import exports

    if format != ExportFormat.csv and output is None:
        raise InputError(None, f"--out for --format {format.value}", found="no --out")
    with as_role(workspace, role, threshold) as source, Workspace(source, read_only=True) as ws:
        run = active_run(ws)
        codes = queries.resolve_gemeenten(ws, gemeente) if gemeente else None
        tables = exports.export_tables(ws, run, year, codes)
        if format == ExportFormat.csv:
            text = exports.write_csv(tables, table.value, output)
            if text is not None:
                sys.stdout.write(text)
                return
        elif output is None:  # checked above: every other format writes a file
            return
        elif format == ExportFormat.xlsx:
            exports.write_xlsx(tables, exports.info_rows(ws, run), output)
        elif format == ExportFormat.parquet:
            exports.write_parquet(tables, output)
        else:
            exports.write_gpkg(ws, run, year or queries.latest_year(ws, run.run_id), tables, output)
    err.print(f"{format.value} → {output}")


class ReportFormat(StrEnum):
    pdf = "pdf"
    html = "html"


def report(
    gemeente: Annotated[str, typer.Option(help="Gemeente code (GM0268) or name.")],
    output: Annotated[Path, typer.Option("--out", help="File to write.")],
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    wijk: Annotated[list[str] | None, typer.Option(help="Only these wijken (code or name; repeatable).")] = None,
    buurt: Annotated[
        list[str] | None, typer.Option(help="Only these buurten, each with its own page (code or name; repeatable).")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Score year (default: the latest).")] = None,
    format: Annotated[ReportFormat, typer.Option("--format", help="pdf or html.")] = ReportFormat.pdf,
    lang: LangOpt = Lang.nl,
    role: RoleOpt = Role.corporatie,
    threshold: ThresholdOpt = 5,
) -> None:
    """The report for the prestatieafspraken: summary, map, a page per flagged buurt, model and sources."""
    from wijkvitaliteit.reports.build import ReportScope, build_report

    with as_role(workspace, role, threshold) as source, Workspace(source, read_only=True) as ws, progress() as p:
        p.add_task(f"report {gemeente}")
        code = queries.resolve_gemeenten(ws, [gemeente])[0]
        build_report(ws, ReportScope(code, tuple(wijk or ()), tuple(buurt or ()), year), format.value, output, lang.value)
    err.print(f"{format.value} → {output}")

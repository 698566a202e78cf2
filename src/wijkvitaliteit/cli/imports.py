"""`wijkvitaliteit import …`: one command per source format; each import is one transaction."""

from __future__ import annotations

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
    progress,
    typer_app,
)
from wijkvitaliteit.derive.corporation import DeriveSettings
from wijkvitaliteit.present.i18n import t

import_app = typer_app("Import a source into the workspace (one transaction: all or nothing).")


def _say_import(summary: pipeline.ImportSummary, lang: str) -> None:
    out.print(t("imported", lang, kind=summary.kind, path=summary.path, detail=summary.detail))


@import_app.command("leefbaarometer")
def import_lbm(path: Path, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = Lang.nl) -> None:
    """The Leefbaarometer buurt file (CSV, or the zip it comes in): every year and version in it."""
    with progress() as p:
        p.add_task(f"Leefbaarometer {path.name}")
        summary = pipeline.import_leefbaarometer(workspace, path)
    _say_import(summary, lang)


@import_app.command("kwb")
def import_kwb(
    path: Path,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    year: Annotated[int | None, typer.Option(help="Year, when the file and sheet name do not say.")] = None,
    sheet: Annotated[str | None, typer.Option(help="Sheet (default: the first).")] = None,
    lang: LangOpt = Lang.nl,
) -> None:
    """A CBS Kerncijfers wijken en buurten workbook (kwb-YYYY.xlsx): every numeric column, by name."""
    _say_import(pipeline.import_kwb(workspace, path, year=year, sheet=sheet), lang)


@import_app.command("geometry")
def import_geometry(
    path: Path,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    layer: Annotated[
        str | None, typer.Option(help="GeoPackage layer (default: buurten, wijken and gemeenten where present).")
    ] = None,
    crs: Annotated[
        str | None, typer.Option(help="CRS of a file that has none, e.g. EPSG:4326 (a shapefile without .prj).")
    ] = None,
    code_column: Annotated[str | None, typer.Option(help="Column with the area codes (case ignored).")] = None,
    code_template: Annotated[
        str | None, typer.Option(help="Make CBS codes of a gemeente's own codes: 'BU0599{}' ('{:04d}' pads a number).")
    ] = None,
    lang: LangOpt = Lang.nl,
) -> None:
    """Area boundaries: CBS GeoJSON/TopoJSON, the PDOK wijkenbuurten GeoPackage, or a gemeente's shapefile or
    GeoPackage (converted to EPSG:28992; water areas left out)."""
    summary = pipeline.import_geometry(
        workspace, path, layer=layer, crs=crs, code_column=code_column, code_template=code_template
    )
    _say_import(summary, lang)


@import_app.command("grid")
def import_grid(
    path: Path,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    year: Annotated[int | None, typer.Option(help="Year, when the file name has none (cbs_vk100_2022).")] = None,
    layer: Annotated[str | None, typer.Option(help="Layer of a GeoPackage with several.")] = None,
    lang: LangOpt = Lang.nl,
) -> None:
    """CBS grid statistics (vierkantstatistieken, 100 m or 500 m): aggregated to the workspace's buurten (counts
    summed, shares and averages weighted by their base, secret cells left out and counted). Needs buurt boundaries."""
    _say_import(pipeline.import_grid(workspace, path, year=year, layer=layer), lang)


@import_app.command("codes")
def import_codes(path: Path, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = Lang.nl) -> None:
    """The CBS wijk- en buurtcodes list (buurt → wijk → gemeente, with names)."""
    _say_import(pipeline.import_codes(workspace, path), lang)


GemeenteOpt = Annotated[
    str | None,
    typer.Option("--gemeente", help="Gemeente (code GM0599 or name) whose names the file gives, when it has no codes."),
]
StrictOpt = Annotated[bool, typer.Option(help="Refuse the file when a region name is ambiguous or unmatched.")]
YearOpt = Annotated[int | None, typer.Option(help="Year, when the file has no Perioden column and its name no year.")]


@import_app.command("statline")
def import_statline(
    path: Path,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    gemeente: GemeenteOpt = None,
    year: YearOpt = None,
    strict: StrictOpt = False,
    lang: LangOpt = Lang.nl,
) -> None:
    """A CBS StatLine 'CSV met statistische symbolen' of a table by wijk en buurt (Kerncijfers, Nabijheid
    voorzieningen, SES-WOA, …): every value column as an indicator, by region code or by name."""
    _say_import(pipeline.import_statline(workspace, path, gemeente=gemeente, year=year, strict=strict), lang)


@import_app.command("politie")
def import_politie(
    path: Path,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    gemeente: GemeenteOpt = None,
    year: YearOpt = None,
    strict: StrictOpt = False,
    lang: LangOpt = Lang.nl,
) -> None:
    """Police open data by wijk and buurt as StatLine exports it (Geregistreerde misdrijven 47018NED/47022NED,
    Geregistreerde overlast 47024NED): counts per category and year, and per 1,000 inhabitants where the
    workspace has kwb.a_inw."""
    _say_import(pipeline.import_statline(workspace, path, kind="politie", gemeente=gemeente, year=year, strict=strict), lang)


WindowOpt = Annotated[int, typer.Option(min=1, max=10, help="Years of lettings behind the inflow shares.")]
MinLettingsOpt = Annotated[int, typer.Option(min=1, help="Fewest lettings for a share to be computed.")]


@import_app.command("corporation")
def import_corporation(
    path: Path,
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    window: WindowOpt = 3,
    min_lettings: MinLettingsOpt = 5,
    lang: LangOpt = Lang.nl,
) -> None:
    """The corporation's records (folder or workbook, see docs/formats.md); replaces earlier records."""
    with progress() as p:
        p.add_task(f"corporatie {path}")
        summary = pipeline.import_corporation(workspace, path, DeriveSettings(window, min_lettings))
    _say_import(summary, lang)

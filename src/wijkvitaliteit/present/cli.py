"""The command line: ``wijkvitaliteit …`` (Typer + Rich). Dutch by default, ``--lang en`` for English."""

from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.derive.corporation import DeriveSettings
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.present import queries
from wijkvitaliteit.present.explain import (
    attention_text,
    category_label,
    factor_lines,
    points_text,
    score_line,
    version_note,
)
from wijkvitaliteit.present.i18n import default_lang, number, t
from wijkvitaliteit.scoring.model import load_model
from wijkvitaliteit.workspace.store import DEFAULT_PATH, ENV_VAR, Workspace

app = typer.Typer(help="wijkvitaliteit: de vitaliteitsscore (leefbaarheid × organisatiekracht × veerkracht) "
                       "voor elke buurt, uit open data en de eigen gegevens van de corporatie.",
                  no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
import_app = typer.Typer(help="Import a source into the workspace (one transaction: all or nothing).",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")

DEFAULT_WORKSPACE = Path(DEFAULT_PATH)
out = Console()
err = Console(stderr=True)

WorkspaceOpt = Annotated[Path, typer.Option("--workspace", "-w", envvar=ENV_VAR,
                                            help="Workspace file (DuckDB).", show_default=True)]


class Lang(StrEnum):
    nl = "nl"
    en = "en"


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


LangOpt = Annotated[Lang, typer.Option("--lang", envvar="WIJKVITALITEIT_LANG", help="Language: nl or en.")]


class Role(StrEnum):
    corporatie = "corporatie"
    partner = "partner"


RoleOpt = Annotated[Role, typer.Option("--role", help="partner: aggregates only, small counts suppressed "
                                                      "(docs/privacy.md).")]
ThresholdOpt = Annotated[int, typer.Option("--threshold", min=1, help="With --role partner: suppress counts "
                                                                      "below this.")]


@contextmanager
def _as_role(workspace: Path, role: Role, threshold: int):
    """The workspace to read for a role: itself, or a partner copy made in a temporary folder."""
    if role == Role.corporatie:
        yield workspace
        return
    from wijkvitaliteit.workspace.partner import make_partner_copy

    with Workspace(workspace, read_only=True):
        pass  # a clear error for a missing or foreign file before copying
    with tempfile.TemporaryDirectory(prefix="wijkvitaliteit-partner-") as tmp:
        yield make_partner_copy(workspace, Path(tmp) / "partner.duckdb", threshold)


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                    transient=True, disable=not err.is_terminal)


def _fictitious_banner(ws: Workspace, lang: str) -> None:
    corp = queries.corporation_info(ws)
    if corp.get("fictitious") == "true":
        out.print(f"[bold red]{t('fictitious', lang)}[/bold red]: {corp.get('name')}")


def _say_import(summary: pipeline.ImportSummary, lang: str) -> None:
    out.print(t("imported", lang, kind=summary.kind, path=summary.path, detail=summary.detail))


@app.command()
def init(workspace: WorkspaceOpt = DEFAULT_WORKSPACE) -> None:
    """Create an empty workspace (an existing one is opened and checked, never emptied)."""
    with Workspace(workspace, create=True) as ws:
        out.print(f"workspace {ws.path} (schema {ws.query('SELECT value FROM meta').iloc[0, 0]})")


@import_app.command("leefbaarometer")
def import_lbm(path: Path, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = Lang.nl) -> None:
    """The Leefbaarometer buurt file (CSV, or the zip it comes in): every year and version in it."""
    with _progress() as p:
        p.add_task(f"Leefbaarometer {path.name}")
        summary = pipeline.import_leefbaarometer(workspace, path)
    _say_import(summary, lang)


@import_app.command("kwb")
def import_kwb(path: Path, workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
               year: Annotated[int | None, typer.Option(help="Year, when the file and sheet name do not say.")] = None,
               sheet: Annotated[str | None, typer.Option(help="Sheet (default: the first).")] = None,
               lang: LangOpt = Lang.nl) -> None:
    """A CBS Kerncijfers wijken en buurten workbook (kwb-YYYY.xlsx): every numeric column, by name."""
    _say_import(pipeline.import_kwb(workspace, path, year=year, sheet=sheet), lang)


@import_app.command("geometry")
def import_geometry(path: Path, workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
                    layer: Annotated[str | None, typer.Option(help="GeoPackage layer (default: buurten, wijken and "
                                                                     "gemeenten where present).")] = None,
                    lang: LangOpt = Lang.nl) -> None:
    """Area boundaries: CBS GeoJSON/TopoJSON or the PDOK wijkenbuurten GeoPackage (converted to EPSG:28992)."""
    _say_import(pipeline.import_geometry(workspace, path, layer=layer), lang)


@import_app.command("codes")
def import_codes(path: Path, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = Lang.nl) -> None:
    """The CBS wijk- en buurtcodes list (buurt → wijk → gemeente, with names)."""
    _say_import(pipeline.import_codes(workspace, path), lang)


WindowOpt = Annotated[int, typer.Option(min=1, max=10, help="Years of lettings behind the inflow shares.")]
MinLettingsOpt = Annotated[int, typer.Option(min=1, help="Fewest lettings for a share to be computed.")]


@import_app.command("corporation")
def import_corporation(path: Path, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, window: WindowOpt = 3,
                       min_lettings: MinLettingsOpt = 5, lang: LangOpt = Lang.nl) -> None:
    """The corporation's records (folder or workbook, see docs/formats.md); replaces earlier records."""
    with _progress() as p:
        p.add_task(f"corporatie {path}")
        summary = pipeline.import_corporation(workspace, path, DeriveSettings(window, min_lettings))
    _say_import(summary, lang)


@app.command()
def derive(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, window: WindowOpt = 3, min_lettings: MinLettingsOpt = 5) -> None:
    """Re-derive the corporation's measurements per buurt and year from the stored records."""
    n = pipeline.derive(workspace, DeriveSettings(window, min_lettings))
    out.print(f"{n} measurements derived (window {window}, min {min_lettings} lettings)")


@app.command()
def score(workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
          model: Annotated[Path | None, typer.Option(help="Scoring model TOML (default: the shipped model).")] = None,
          year: Annotated[list[int] | None, typer.Option(help="Score year (repeatable; default: every year "
                                                              "with measurements).")] = None,
          lang: LangOpt = Lang.nl) -> None:
    """Score every buurt and store the run with the model's hash."""
    scoring_model, text = load_model(model)
    with _progress() as p:
        p.add_task("scoring")
        run_id, scores = pipeline.score_workspace(workspace, scoring_model, text, year)
    years = sorted(scores["year"].unique().tolist())
    out.print(t("scored", lang, name=scoring_model.model.name, hash=scoring_model.hash[:12], n=len(scores),
                years=", ".join(map(str, years))))


def _vitality(row: pd.Series, lang: str) -> str:
    if row["complete"]:
        return number(row["vitality"], lang)
    return f"{number(row['vitality_min'], lang)}–{number(row['vitality_max'], lang)}"


def _score_table(frame: pd.DataFrame, run: queries.Run, lang: str, title: str, with_gemeente: bool = True) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(t("code", lang), no_wrap=True)
    table.add_column(t("name", lang))
    if with_gemeente:
        table.add_column(t("gemeente", lang))
    for factor in ("leefbaarheid", "organisatiekracht", "veerkracht"):
        table.add_column(t(f"factor.{factor}", lang)[:5] + ".", justify="right")
    table.add_column(t("vitality", lang), justify="right")
    table.add_column(t("category", lang))
    table.add_column(t("attention", lang))
    for _, row in frame.iterrows():
        place = [row["gemeente_name"] or row["gemeente_code"]] if with_gemeente else []
        table.add_row(row["code"], row["name"] or "", *place,
                      points_text(row["leefbaarheid"]), points_text(row["organisatiekracht"]), points_text(row["veerkracht"]),
                      _vitality(row, lang), category_label(row["category"], run.model, lang),
                      attention_text(row["attention"], lang))
    return table


@app.command("list")
def list_buurten(workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
                 gemeente: Annotated[list[str] | None, typer.Option(help="Gemeente code or name (repeatable).")] = None,
                 attention: Annotated[bool, typer.Option("--attention", help="Only buurten flagged for attention.")]
                 = False,
                 year: Annotated[int | None, typer.Option(help="Score year (default: the latest).")] = None,
                 lang: LangOpt = Lang.nl) -> None:
    """List scored buurten, weakest first."""
    with Workspace(workspace, read_only=True) as ws:
        run = queries.active_run(ws)
        year = year or queries.latest_year(ws, run)
        codes = queries.resolve_gemeenten(ws, gemeente) if gemeente else None
        frame = queries.score_table(ws, run, year, codes, attention_only=attention)
        _fictitious_banner(ws, lang)
    out.print(_score_table(frame, run, lang, f"{t('year', lang)} {year} · {t('model', lang)} {run.model_hash[:12]}"))
    out.print(f"{len(frame)} {t('buurt', lang)}")


@app.command()
def show(buurt: Annotated[str, typer.Argument(help="Buurt code (BU02680736) or name (Malvert).")],
         workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
         year: Annotated[int | None, typer.Option(help="Score year (default: the latest).")] = None,
         lang: LangOpt = Lang.nl) -> None:
    """Explain one buurt: each factor's points and why, its Leefbaarometer trend and national percentile."""
    with Workspace(workspace, read_only=True) as ws:
        run = queries.active_run(ws)
        area = queries.find_buurt(ws, buurt)
        year = year or queries.latest_year(ws, run)
        detail = queries.explanation(ws, run, area["code"], year)
        trend = queries.lbm_trend(ws, area["code"])
        pct = queries.lbm_percentile(ws, area["code"], year)
        _fictitious_banner(ws, lang)
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
            table.add_row(str(r["year"]), str(r["versie"]).replace("Leefbaarometer ", ""),
                          *[("" if pd.isna(r[c]) else number(r[c], lang, 3)) for c in
                            ("lbm", "afw", "fys", "onv", "soc", "vrz", "won")])
        out.print()
        out.print(table)
        note = version_note(trend, lang)
        if note:
            out.print(note, style="italic")
    if pct:
        out.print(t("show.percentile", lang, pct=pct["pct"], n=number(pct["n"], lang), year=pct["year"]))
    out.print(f"{t('model', lang)}: {run.model.model.name} ({run.model_hash[:12]})", style="dim")


@app.command()
def export(workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
           format: Annotated[ExportFormat, typer.Option("--format", help="csv: one table; xlsx: a sheet per table; "
                                                        "gpkg: boundaries with scores (QGIS); parquet: a file per "
                                                        "table in a folder.")] = ExportFormat.csv,
           table: Annotated[ExportTable, typer.Option(help="With csv: which table.")] = ExportTable.scores,
           year: Annotated[int | None, typer.Option(help="Only this year (gpkg: default the latest).")] = None,
           gemeente: Annotated[list[str] | None, typer.Option(help="Only these gemeenten (code or name).")] = None,
           output: Annotated[Path | None, typer.Option("--out", help="File (a folder for parquet); csv: default "
                                                                      "standard output.")] = None,
           role: RoleOpt = Role.corporatie, threshold: ThresholdOpt = 5) -> None:
    """Export scores, factor points, indicators, the model and the sources."""
    from wijkvitaliteit.present import exports

    if format != ExportFormat.csv and output is None:
        raise InputError(None, f"--out for --format {format.value}", found="no --out")
    with _as_role(workspace, role, threshold) as source, Workspace(source, read_only=True) as ws:
        run = queries.active_run(ws)
        codes = queries.resolve_gemeenten(ws, gemeente) if gemeente else None
        tables = exports.export_tables(ws, run, year, codes)
        if format == ExportFormat.csv:
            text = exports.write_csv(tables, table.value, output)
            if text is not None:
                sys.stdout.write(text)
                return
        elif format == ExportFormat.xlsx:
            exports.write_xlsx(tables, exports.info_rows(ws, run), output)
        elif format == ExportFormat.parquet:
            exports.write_parquet(tables, output)
        else:
            exports.write_gpkg(ws, run, year or queries.latest_year(ws, run), tables, output)
    err.print(f"{format.value} → {output}")


class ReportFormat(StrEnum):
    pdf = "pdf"
    html = "html"


@app.command()
def report(gemeente: Annotated[str, typer.Option(help="Gemeente code (GM0268) or name.")],
           output: Annotated[Path, typer.Option("--out", help="File to write.")],
           workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
           wijk: Annotated[list[str] | None, typer.Option(help="Only these wijken (code or name; repeatable).")] = None,
           buurt: Annotated[list[str] | None, typer.Option(help="Only these buurten, each with its own page "
                                                                "(code or name; repeatable).")] = None,
           year: Annotated[int | None, typer.Option(help="Score year (default: the latest).")] = None,
           format: Annotated[ReportFormat, typer.Option("--format", help="pdf or html.")] = ReportFormat.pdf,
           lang: LangOpt = Lang.nl, role: RoleOpt = Role.corporatie, threshold: ThresholdOpt = 5) -> None:
    """The report for the prestatieafspraken: summary, map, a page per flagged buurt, model and sources."""
    from wijkvitaliteit.reports.build import ReportScope, build_report

    with _as_role(workspace, role, threshold) as source, Workspace(source, read_only=True) as ws, _progress() as p:
        p.add_task(f"report {gemeente}")
        code = queries.resolve_gemeenten(ws, [gemeente])[0]
        build_report(ws, ReportScope(code, tuple(wijk or ()), tuple(buurt or ()), year), format.value, output,
                     lang.value)
    err.print(f"{format.value} → {output}")


analyse_app = typer.Typer(help="Diagnoses: resilience, segregation, sensitivity (see docs/analyses.md).",
                          no_args_is_help=True)
app.add_typer(analyse_app, name="analyse")


def _pages_error(fn):
    """Run a read model; its parameter errors are user errors."""
    from wijkvitaliteit.present.pages import BadParameter

    try:
        return fn()
    except BadParameter as exc:
        raise InputError(None, exc.message, column=exc.name) from None


def _print_table(frame: pd.DataFrame, title: str, columns: list[str], lang: str, limit: int = 40) -> None:
    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col, justify="right" if pd.api.types.is_numeric_dtype(frame[col]) else "left")
    for _, row in frame.head(limit).iterrows():
        table.add_row(*["" if pd.isna(row[c]) else (number(row[c], lang, 3) if isinstance(row[c], float) else str(row[c]))
                        for c in columns])
    out.print(table)
    if len(frame) > limit:
        out.print(f"… {len(frame) - limit} more (--out FILE writes all)")


OutOpt = Annotated[Path | None, typer.Option("--out", help="Write the full table as CSV.")]


@analyse_app.command("resilience")
def analyse_resilience(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, output: OutOpt = None,
                       lang: LangOpt = Lang.nl) -> None:
    """Nuisance against vulnerable inflow × corporation share (panel with buurt and year effects); per buurt
    absorbs / as expected / under pressure, and its draagkracht."""
    from wijkvitaliteit.present import diagnosis

    with Workspace(workspace, read_only=True) as ws:
        page = _pages_error(lambda: diagnosis.resilience_page(ws, queries.active_run(ws)))
    out.print(t("analysis.resilience_intro", lang), style="italic")
    coefficients = pd.DataFrame(page.data["coefficients"])
    _print_table(coefficients, f"{page.data['n_obs']} buurt-jaren, {page.data['n_buurten']} buurten",
                 ["term", "estimate", "ci_low", "ci_high", "p_value"], lang)
    _print_table(page.table, t("analysis.resilience_buurten", lang),
                 ["area_code", "name", "label", "observed", "expected", "difference", "draagkracht"], lang, 25)
    if output:
        page.table.to_csv(output, index=False)


@analyse_app.command("segregation")
def analyse_segregation(workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
                        preset: Annotated[str, typer.Option(help="bijstand, corporatie or kwetsbaar.")] = "bijstand",
                        group: Annotated[str | None, typer.Option(help="Group count indicator (overrides preset).")]
                        = None,
                        total: Annotated[str | None, typer.Option(help="Total count indicator.")] = None,
                        gemeente: Annotated[str | None, typer.Option(help="Also per buurt: location quotients and "
                                                                          "the centre-to-edge profile.")] = None,
                        year: Annotated[int | None, typer.Option(help="Year for --gemeente.")] = None,
                        output: OutOpt = None, lang: LangOpt = Lang.nl) -> None:
    """Dissimilarity, isolation, exposure and entropy per gemeente and year for a pair of counts."""
    from wijkvitaliteit.present import diagnosis

    if preset not in diagnosis.SEGREGATION_PRESETS and not (group and total):
        raise InputError(None, "--preset bijstand|corporatie|kwetsbaar, or --group and --total", found=preset)
    g, tt = (group, total) if group and total else diagnosis.SEGREGATION_PRESETS[preset]
    with Workspace(workspace, read_only=True) as ws:
        code = queries.resolve_gemeenten(ws, [gemeente])[0] if gemeente else None
        page = _pages_error(lambda: diagnosis.segregation_page(ws, g, tt, code, year))
    out.print(t("analysis.segregation_intro", lang, group=g, total=tt), style="italic")
    _print_table(page.table, "segregatie", ["gemeente_name", "year", "units", "group_share", "dissimilarity",
                                             "isolation", "exposure", "entropy"], lang)
    if code:
        profile = pd.DataFrame(page.data["centre_profile"])
        _print_table(profile, t("analysis.centre_profile", lang), ["ring", "units", "km_from", "km_to", "share"], lang)
    if output:
        page.table.to_csv(output, index=False)


@analyse_app.command("sensitivity")
def analyse_sensitivity(workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
                        year: Annotated[int | None, typer.Option(help="Score year (default: the latest).")] = None,
                        draws: Annotated[int | None, typer.Option(min=100, help="Monte Carlo draws.")] = None,
                        gemeente: Annotated[str | None, typer.Option(help="Only this gemeente.")] = None,
                        output: OutOpt = None, lang: LangOpt = Lang.nl) -> None:
    """Would each buurt still be flagged under a slightly different model? (Monte Carlo over the model.)"""
    from wijkvitaliteit.present import diagnosis

    with Workspace(workspace, read_only=True) as ws, _progress() as p:
        p.add_task("Monte Carlo")
        code = queries.resolve_gemeenten(ws, [gemeente])[0] if gemeente else None
        page = _pages_error(lambda: diagnosis.sensitivity_page(ws, queries.active_run(ws), year, draws, code))
    out.print(t("analysis.sensitivity_intro", lang, draws=page.data["draws"]), style="italic")
    _print_table(page.table, f"{page.data['year']}: {page.data['counts']}",
                 ["area_code", "name", "gemeente_name", "vitality", "p_flagged", "rank_p05", "rank_p95", "label"],
                 lang)
    if output:
        page.table.to_csv(output, index=False)


allocate_app = typer.Typer(help="Allocation scenarios: optimise lettings under a policy, compare policies, check an "
                                "assignment (see docs/allocation.md).", invoke_without_command=True)
app.add_typer(allocate_app, name="allocate")


class Method(StrEnum):
    optimiser = "optimiser"
    greedy = "greedy"
    practice = "practice"


InputOpt = Annotated[Path, typer.Option("--input", "-i", help="Folder (or xlsx) with vacancies, applicants, responses.")]
TimeOpt = Annotated[float, typer.Option("--time-limit", min=0.1, help="Seconds for the optimiser's heuristic phase.")]
PolicyArg = Annotated[Path | None, typer.Option("--policy", "-p", help="Policy TOML file, or a bundled policy: "
                                                                        "basis, spreiden.")]


def _load_policies(paths: list[Path]) -> list[tuple]:
    from wijkvitaliteit.allocation.policy import load_policy

    loaded = [load_policy(p) for p in paths]
    years = {p.policy.year for p, _ in loaded}
    if len(years) > 1:
        raise InputError(None, "policies of one year to compare", found=", ".join(map(str, sorted(years))))
    return loaded


def _run_allocation(workspace: Path, input_path: Path, runs: list[tuple], time_limit: float, lang: str):
    from wijkvitaliteit.present.allocation import allocation_page

    with _progress() as p:
        p.add_task("toewijzen")
        results, _ = pipeline.allocate(workspace, input_path, runs, time_limit=time_limit)
    with Workspace(workspace, read_only=True) as ws:
        page = allocation_page(ws, lang)
    _print_table(page.table, t("allocation.title", lang, year=page.data["year"], current=page.data["current_year"]),
                 ["policy_name", "method_id", "status", "lettings", "gap", "preference_fit", "mean_rank",
                  "vulnerable_housed", "uitstroom_housed", "violations", "attention_now", "attention_projected",
                  "seconds"], lang)
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
def allocate(ctx: typer.Context, policy: PolicyArg = None, input_path: Annotated[Path | None, typer.Option(
                 "--input", "-i", help="Folder (or xlsx) with vacancies, applicants, responses.")] = None,
             method: Annotated[Method, typer.Option(help="optimiser, greedy or practice.")] = Method.optimiser,
             output: Annotated[Path | None, typer.Option("--out", help="Write the assignment as CSV.")] = None,
             time_limit: TimeOpt = 5.0, workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = Lang.nl) -> None:
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
def allocate_compare(policies: Annotated[list[Path], typer.Argument(help="Policy files or bundled names.")],
                     input_path: InputOpt, time_limit: TimeOpt = 5.0, workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
                     lang: LangOpt = Lang.nl) -> None:
    """Compare policies side by side: each with the optimiser, with greedy at the same rules and with today's
    practice (checked against the policy's rules); projected vitality per buurt; stored for the web page and
    report."""
    loaded = _load_policies(policies)
    from wijkvitaliteit.allocation.run import compare_runs

    _run_allocation(workspace, input_path, compare_runs(loaded), time_limit, lang)


@allocate_app.command("check")
def allocate_check(policy: Annotated[Path, typer.Option("--policy", "-p", help="Policy file or bundled name.")],
                   input_path: InputOpt,
                   assignment: Annotated[Path, typer.Option(help="CSV with applicant_id and vacancy_id.")],
                   workspace: WorkspaceOpt = DEFAULT_WORKSPACE, lang: LangOpt = Lang.nl) -> None:
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


@app.command("demo-data")
def demo_data(out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the files to.")],
              seed: Annotated[int, typer.Option(help="Random seed.")] = 42) -> None:
    """Write the FICTITIOUS demo corporation (Nijmegen and Utrecht) in the documented formats."""
    from wijkvitaliteit.demo.generator import generate

    result = generate(out_dir, seed)
    out.print(f"FICTIEF demo corporation → {result.out}: " + ", ".join(f"{k} {v}" for k, v in result.counts.items()))


def build_demo(workspace: Path, data_dir: Path, seed: int, progress: Progress | None = None) -> None:
    """Build a fresh demo workspace next to the target, then move it into place."""
    from wijkvitaliteit.allocation.run import bundled_comparison
    from wijkvitaliteit.demo.generator import ALLOCATION_DIR, generate

    model, text = load_model()
    steps = [
        ("CBS codes", lambda ws: pipeline.import_codes(ws, bundled.CODES)),
        ("Leefbaarometer (NL)", lambda ws: pipeline.import_leefbaarometer(ws, bundled.LEEFBAAROMETER)),
        *[(f"geometry {path.name}", lambda ws, p=path: pipeline.import_geometry(ws, p))
          for path in (*bundled.BUURTEN.values(), bundled.GEMEENTEN_NL, bundled.WIJKEN_NL)],
        *[(f"KWB {year}", lambda ws, p=path: pipeline.import_kwb(ws, p)) for year, path in bundled.KWB_UTRECHT.items()],
        ("demo corporation (FICTIEF)", lambda ws: generate(data_dir, seed)),
        ("corporation import", lambda ws: pipeline.import_corporation(ws, data_dir)),
        ("score", lambda ws: pipeline.score_workspace(ws, model, text)),
        ("allocation scenarios (FICTIEF)", lambda ws: pipeline.allocate(ws, data_dir / ALLOCATION_DIR, bundled_comparison())),
    ]
    workspace.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workspace.parent) as tmp:
        target = Path(tmp) / workspace.name
        task = progress.add_task("demo", total=len(steps)) if progress else None
        for label, step in steps:
            if progress:
                progress.update(task, description=label)
            step(target)
            if progress:
                progress.advance(task)
        shutil.move(target, workspace)


@app.command()
def demo(workspace: WorkspaceOpt = Path("demo.duckdb"),
         data_dir: Annotated[Path | None, typer.Option(help="Where to write the demo corporation's files "
                                                            "(default: next to the workspace).")] = None,
         seed: Annotated[int, typer.Option(help="Seed of the demo corporation.")] = 42,
         lang: LangOpt = Lang.nl) -> None:
    """Build a workspace from the bundled real data plus the FICTITIOUS demo corporation, score it and
    print a summary per gemeente."""
    data_dir = data_dir or workspace.with_name(workspace.stem + "-corporatie")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  disable=not err.is_terminal, transient=True) as progress:
        build_demo(workspace, data_dir, seed, progress)
    out.print(t("demo.done", lang, path=workspace))
    print_summary(workspace, lang)


@app.command()
def serve(workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
          tokens: Annotated[Path | None, typer.Option(help="Tokens per role (TOML; docs/privacy.md). Default "
                                                           "$WIJKVITALITEIT_TOKENS; without tokens the server is "
                                                           "open, as corporatie, on loopback only.")] = None,
          threshold: Annotated[int | None, typer.Option(min=1, help="Partner suppression threshold (default: "
                                                                    "the tokens file's, else 5).")] = None) -> None:
    """Serve the dashboard and HTTP API for a workspace (read-only while it runs)."""
    from wijkvitaliteit.web.access import load_access
    from wijkvitaliteit.web.app import serve as run_server

    access = load_access(tokens, threshold)
    mode = "tokens: corporatie, partner" if access else "open (no tokens), loopback only"
    err.print(f"wijkvitaliteit: http://{host}:{port}/  (API: http://{host}:{port}/docs; {mode}) — Ctrl+C stops")
    run_server(workspace, host, port, access)


def print_summary(workspace: Path, lang: str) -> None:
    with Workspace(workspace, read_only=True) as ws:
        run = queries.active_run(ws)
        year = queries.latest_year(ws, run)
        gemeenten = queries.corporation_gemeenten(ws)
        frames = {g: queries.score_table(ws, run, year, [g]) for g in gemeenten}
        _fictitious_banner(ws, lang)
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
        table.add_row(f"{name} ({code})", *[str(int(counts.get(b.category, 0))) for b in bands],
                      str(int((~frame["complete"]).sum())), str(int(frame["attention"].fillna(False).sum())))
    out.print(table)
    threshold = number(run.model.model.attention_threshold, lang)
    for code, frame in frames.items():
        flagged = frame[frame["attention"].fillna(False).astype(bool)]
        name = frame["gemeente_name"].dropna().iloc[0] if frame["gemeente_name"].notna().any() else code
        out.print(_score_table(flagged, run, lang, t("summary.attention_list", lang, gemeente=name, n=len(flagged),
                                                     threshold=threshold),
                               with_gemeente=False))


def main() -> None:
    try:
        app()
    except InputError as exc:
        err.print(f"{t('error', default_lang())}: {exc.one_line()}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()

"""The imperative shell: read a source (pure), then write it to the workspace in one transaction;
score the workspace and store the run. Everything here either lands whole or not at all."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from wijkvitaliteit.derive.corporation import SOURCE as CORP_SOURCE
from wijkvitaliteit.derive.corporation import DeriveSettings, derive_corporation
from wijkvitaliteit.derive.open_data import BIJSTAND, INHABITANTS, bijstand_per_1000, per_1000_inhabitants
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.indicators import catalogue
from wijkvitaliteit.privacy import pseudonyms, workspace_salt
from wijkvitaliteit.scoring.engine import score, score_years, with_wijk_fallback
from wijkvitaliteit.scoring.model import ScoringModel
from wijkvitaliteit.sources.codes import read_codes
from wijkvitaliteit.sources.corporation import read_corporation
from wijkvitaliteit.sources.geometry import read_geometry
from wijkvitaliteit.sources.grid import read_grid
from wijkvitaliteit.sources.kwb import read_kwb
from wijkvitaliteit.sources.leefbaarometer import read_leefbaarometer
from wijkvitaliteit.sources.statline import read_statline
from wijkvitaliteit.sources.tabular import check_file
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import CORP_TABLES, Workspace, staged_write


@dataclass(frozen=True)
class ImportSummary:
    kind: str
    path: Path
    areas: int
    measurements: int
    detail: str = ""


def writes(fn):
    """A pipeline step that writes the workspace runs on a staging copy that replaces it only when the
    step succeeds (workspace.store.staged_write): a failure or a kill leaves the workspace as it was."""

    @functools.wraps(fn)
    def wrapper(workspace, *args, **kwargs):
        with staged_write(workspace) as stage:
            return fn(stage, *args, **kwargs)

    return wrapper


def _existing(path: str | Path) -> Path:
    """An input to read: an existing regular file within the size limit, or (deliveries) a folder."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "an existing file", found="no such file")
    return path if path.is_dir() else check_file(path)


def _land(
    workspace: Path,
    kind: str,
    path: Path,
    areas: pd.DataFrame,
    measurements: pd.DataFrame,
    *,
    names: str,
    detail: str = "",
    derived_areas: pd.DataFrame | None = None,
) -> ImportSummary:
    with Workspace(workspace, create=True) as ws, ws.transaction() as con:
        import_id = ws.log_import(con, kind, path, len(measurements) or len(areas), detail)
        ws.upsert_areas(con, areas, names=names)
        if derived_areas is not None and len(derived_areas):
            ws.upsert_areas(con, derived_areas, names="fill", geometry="fill")
        if len(measurements):
            ws.replace_measurements(con, measurements, import_id)
        _derive_open_data(ws, con, measurements, import_id)
    return ImportSummary(kind, path, len(areas), len(measurements), detail)


def _derive_open_data(ws: Workspace, con, incoming: pd.DataFrame, import_id: int) -> None:
    """Open-data ratios the models use (open.bijstand_per_1000), recomputed for the areas an import touched."""
    if incoming.empty or not incoming["indicator"].isin([BIJSTAND, INHABITANTS]).any():
        return
    touched = incoming.loc[incoming["indicator"].isin([BIJSTAND, INHABITANTS]), "area_code"].unique().tolist()
    both = ws.query(
        "SELECT area_code, year, indicator, value FROM measurements WHERE indicator IN (?, ?) "
        "AND area_code IN (SELECT unnest(?::VARCHAR[]))",
        [BIJSTAND, INHABITANTS, touched],
    )
    derived = bijstand_per_1000(both)
    if len(derived):
        ws.replace_measurements(con, derived, import_id)


@writes
def import_leefbaarometer(workspace: Path, path: str | Path) -> ImportSummary:
    path = _existing(path)
    data = read_leefbaarometer(path)
    years = sorted(data.scores["jaar"].unique().tolist())
    detail = f"{len(data.scores)} rows, {data.scores[data.code_column].nunique()} areas at level {data.level}, years {years}"
    return _land(workspace, "leefbaarometer", path, data.areas, data.measurements, names="fill", detail=detail)


@writes
def import_kwb(workspace: Path, path: str | Path, *, year: int | None = None, sheet: str | None = None) -> ImportSummary:
    path = _existing(path)
    data = read_kwb(path, year=year, sheet=sheet)
    detail = f"year {data.year}, {data.measurements['indicator'].nunique()} indicators"
    return _land(workspace, "kwb", path, data.areas, data.measurements, names="overwrite", detail=detail)


@writes
def import_geometry(
    workspace: Path,
    path: str | Path,
    *,
    layer: str | None = None,
    crs: str | None = None,
    code_column: str | None = None,
    code_template: str | None = None,
) -> ImportSummary:
    path = _existing(path)
    data = read_geometry(path, layer=layer, crs=crs, code_column=code_column, code_template=code_template)
    detail = f"{int(data.areas['geometry'].notna().sum())} boundaries, from {data.source_crs}"
    if data.water:
        detail += f"; {data.water} water areas left out (not scored, not drawn)"
    if len(data.derived):
        detail += f"; {len(data.derived)} wijk/gemeente boundaries dissolved from its buurten"
    return _land(
        workspace, "geometry", path, data.areas, data.measurements, names="fill", detail=detail, derived_areas=data.derived
    )


@writes
def import_statline(
    workspace: Path,
    path: str | Path,
    *,
    kind: str = "statline",
    gemeente: str | None = None,
    year: int | None = None,
    strict: bool = False,
) -> ImportSummary:
    """A StatLine CSV (or police open data, ``kind`` politie): its indicators into the catalogue, its values into
    the measurements; names matched within ``gemeente``. Police counts also per 1,000 inhabitants where the
    workspace has ``kwb.a_inw`` for that area (same year, or up to two years before)."""
    path = _existing(path)
    with Workspace(workspace, create=True) as ws:
        areas = queries.areas(ws)
        data = read_statline(path, areas, kind=kind, gemeente=gemeente, year=year, strict=strict)
        measurements = data.measurements
        catalogue_rows = data.catalogue
        per_1000 = 0
        if kind == "politie":
            inhabitants = queries.measurements(ws, [INHABITANTS])
            if len(data.measurements):
                own = data.measurements[data.measurements["indicator"] == INHABITANTS]
                inhabitants = pd.concat([inhabitants[["area_code", "year", "value"]], own[["area_code", "year", "value"]]])
            derived = per_1000_inhabitants(data.measurements, inhabitants)
            per_1000 = len(derived)
            measurements = pd.concat([measurements, derived], ignore_index=True)
            extra = catalogue_rows.assign(
                id=catalogue_rows["id"] + "_per_1000",
                label_nl=catalogue_rows["label_nl"] + " per 1.000 inwoners",
                label_en=catalogue_rows["label_en"] + " per 1,000 inhabitants",
                unit="per 1000",
                direction="higher_is_worse",
            )
            catalogue_rows = pd.concat(
                [catalogue_rows.assign(direction="higher_is_worse"), extra[extra["id"].isin(set(derived["indicator"]))]],
                ignore_index=True,
            )
        if measurements.empty:
            raise InputError(path, "at least one value for an area of the workspace", found="none", hint=data.summary())
        detail = data.summary() + (f"; {per_1000} values per 1,000 inhabitants" if kind == "politie" else "")
        with ws.transaction() as con:
            import_id = ws.log_import(con, kind, path, len(measurements), detail)
            if len(data.areas):
                ws.upsert_areas(con, data.areas, names="fill")
            ws.replace_measurements(con, measurements, import_id)
            ws.declare_indicators(con, catalogue_rows, import_id)
            _derive_open_data(ws, con, measurements, import_id)
    return ImportSummary(kind, path, len(data.areas), len(measurements), detail)


@writes
def import_grid(workspace: Path, path: str | Path, *, year: int | None = None, layer: str | None = None) -> ImportSummary:
    """CBS grid statistics aggregated to the workspace's buurten (sources/grid.py): needs buurt boundaries."""
    path = _existing(path)
    with Workspace(workspace) as ws:
        data = read_grid(path, queries.geometries(ws, "buurt"), year=year, layer=layer)
        if data.measurements.empty:
            raise InputError(path, "grid cells inside the workspace's buurten", found=data.summary())
        ids = sorted(set(data.measurements["indicator"]))
        catalogue_rows = pd.DataFrame(
            {
                "id": ids,
                "label_nl": [i.split(".", 1)[1].replace("_", " ").capitalize() + " (vierkant)" for i in ids],
                "label_en": [i.split(".", 1)[1].replace("_", " ").capitalize() + " (grid)" for i in ids],
                "unit": ["aantal" if i.split(".", 1)[1].startswith("aantal_") else "" for i in ids],
                "direction": "neutral",
                "source": "cbs_vierkant",
            }
        )
        with ws.transaction() as con:
            import_id = ws.log_import(con, "grid", path, len(data.measurements), data.summary())
            ws.replace_measurements(con, data.measurements, import_id)
            ws.declare_indicators(con, catalogue_rows, import_id)
    return ImportSummary("grid", path, data.measurements["area_code"].nunique(), len(data.measurements), data.summary())


@writes
def import_codes(workspace: Path, path: str | Path) -> ImportSummary:
    path = _existing(path)
    data = read_codes(path)
    detail = f"code list {data.year or ''}".strip()
    return _land(workspace, "codes", path, data.areas, pd.DataFrame(), names="overwrite", detail=detail)


@writes
def import_corporation(workspace: Path, path: str | Path, settings: DeriveSettings | None = None) -> ImportSummary:
    """Replace the corporation's records with this delivery and derive its measurements."""
    path = _existing(path)
    settings = settings or DeriveSettings()
    with Workspace(workspace) as ws:  # records need the buurten of an existing workspace
        known = set(queries.areas(ws, "buurt")["code"])
        polygons = queries.geometries(ws, "buurt")[["code", "geometry"]]
        records = read_corporation(path, known, polygons if len(polygons) else None)
        measurements = derive_corporation(records.dwellings, records.lettings, records.nuisance, records.organisation, settings)
        counts = {name: len(frame) for name, frame in records.tables().items()}
        with ws.transaction() as con:
            import_id = ws.log_import(con, "corporation", path, sum(counts.values()), json.dumps(counts))
            ws.clear(con, *CORP_TABLES)
            salt = workspace_salt(con)
            for name, frame in records.tables().items():
                ws.insert(con, f"corp_{name}", without_addresses(frame), pseudonymise=RECORD_IDS.get(name, ()), salt=salt)
            ws.clear(con, "corporation")
            ws.set_keys(
                con,
                "corporation",
                {
                    "name": records.name,
                    "fictitious": str(records.fictitious).lower(),
                    "imported_from": str(path),
                    "derive": json.dumps(settings.__dict__),
                },
            )
            ws.delete_measurements(con, CORP_SOURCE)
            ws.replace_measurements(con, measurements, import_id)
    return ImportSummary("corporation", path, 0, len(measurements), json.dumps(counts))


RECORD_IDS = {"dwellings": ("dwelling_id",), "lettings": ("letting_id", "dwelling_id"), "nuisance": ("report_id", "dwelling_id")}


def without_addresses(frame: pd.DataFrame) -> pd.DataFrame:
    """Postcodes cut to PC4 (a PC6 is a handful of addresses). Names and addresses are not in the formats;
    extra columns never reach here; record ids are hashed as they are stored (RECORD_IDS)."""
    if "postcode" not in frame:
        return frame
    return frame.assign(postcode=frame["postcode"].astype("string").str.replace(" ", "").str.slice(0, 4))


@writes
def derive(workspace: Path, settings: DeriveSettings) -> int:
    """Re-derive the corporation measurements from the stored records (e.g. with another window); they keep
    the id of the corporation import they come from."""
    with Workspace(workspace) as ws:
        dwellings, lettings, nuisance, organisation = (queries.records(ws, t) for t in CORP_TABLES)
        measurements = derive_corporation(dwellings, lettings, nuisance, organisation, settings)
        corp_import = queries.import_log(ws).query("kind == 'corporation'")["import_id"].max()
        with ws.transaction() as con:
            ws.delete_measurements(con, CORP_SOURCE)
            ws.replace_measurements(con, measurements, None if pd.isna(corp_import) else int(corp_import))
            ws.set_keys(con, "corporation", {"derive": json.dumps(settings.__dict__)})
    return len(measurements)


def compute_scores(ws: Workspace, model: ScoringModel, years: list[int] | None = None):
    """Read what the model needs from the workspace and score it (no writes)."""
    ids = model.indicator_ids()
    measurements = queries.measurements(ws, ids, buurten_only=True, columns="area_code, year, indicator, value, vintage")
    known = set(catalogue())
    unknown = sorted(set(ids) - set(measurements["indicator"]) - known)
    if unknown:  # neither catalogued nor measured: a typo, which would leave every score incomplete
        measured = queries.indicator_ids(ws)
        close = difflib.get_close_matches(unknown[0], sorted(known | set(measured)), n=3, cutoff=0.6)
        raise InputError(
            f"model '{model.model.name}'",
            "indicator ids that are catalogued or measured in the workspace",
            column="indicators",
            found=unknown[0],
            hint=f"did you mean {', '.join(close)}?" if close else "see docs/scoring.md for the ids",
        )
    areas = queries.areas(ws, "buurt")
    buurten = areas[["code", "gemeente_code"]]
    fallback_ids = [r.id for f in model.factors.values() for r in f.indicators if r.fallback == "wijk"]
    if fallback_ids:  # a buurt without a value of its own may take its wijk's (the rule says so)
        wijk_values = queries.measurements(ws, fallback_ids, level="wijk", columns="area_code, year, indicator, value, vintage")
        measurements = with_wijk_fallback(measurements, wijk_values, areas, model)
    if years is None:
        years = score_years(measurements)
    if not years:
        raise InputError(
            ws.path,
            "measurements for the model's indicators (" + ", ".join(ids) + ")",
            found="none: import the Leefbaarometer or the corporation's records first",
        )
    return score(measurements, buurten, years, model), years


def incomplete_share(scores: pd.DataFrame) -> tuple[int, float]:
    """The latest scored year and the share of its buurten that the model leaves incomplete, among the gemeenten
    where it completes any buurt (a buurt code holds its gemeente's: BU0268…); with none complete, all buurten.
    Buurten elsewhere — the rest of the country, with open data only — are incomplete by design."""
    year = int(scores["year"].max())
    latest = scores[scores["year"] == year]
    gemeente = latest["area_code"].str.slice(2, 6)
    complete = latest["complete"].astype(bool)
    covered = gemeente.isin(set(gemeente[complete]))
    scope = latest[covered] if complete.any() else latest
    return year, float((~scope["complete"].astype(bool)).mean()) if len(scope) else 0.0


def run_inputs(ws: Workspace, model: ScoringModel) -> tuple[str, dict]:
    """What a score run rests on besides its model: the derive settings of the corporation's measurements and
    every import whose measurements the model's indicators use (id, kind, file, sha256). Returns the inputs
    and their hash; a re-derive or a new import gives another hash, and so another run."""
    imports = queries.imports_behind(ws, model.indicator_ids())
    derive_settings = queries.corporation_info(ws).get("derive")
    inputs: dict[str, Any] = {
        "recorded": True,
        "derive": json.loads(derive_settings) if derive_settings else None,
        "imports": [
            {"import_id": int(r.import_id), "kind": r.kind, "file": Path(r.path).name, "sha256": r.sha256}
            for r in imports.itertuples()
        ],
    }
    identity = {"derive": inputs["derive"], "files": sorted((i["kind"], i["sha256"]) for i in inputs["imports"])}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest(), inputs


@writes
def score_workspace(
    workspace: Path, model: ScoringModel, model_text: str, years: list[int] | None = None
) -> tuple[int, pd.DataFrame]:
    """Score and store the run. A run is identified by (model hash, inputs hash): scoring the same model on
    the same inputs again replaces that run; another model, a re-derive or a new import makes a new run."""
    with Workspace(workspace) as ws:
        result, years = compute_scores(ws, model, years)
        inputs_hash, inputs = run_inputs(ws, model)
        with ws.transaction() as con:
            run_id = ws.replace_score_run(con, model.hash, inputs_hash)
            ws.insert_row(
                con,
                "score_runs",
                run_id=run_id,
                model_hash=model.hash,
                model_name=model.model.name,
                model_toml=model_text,
                created_at=datetime.now().replace(microsecond=0),
                years=json.dumps(years),
                inputs_hash=inputs_hash,
                inputs=json.dumps(inputs),
                derive=json.dumps(inputs["derive"]),
            )
            for table, frame in (
                ("scores", result.scores),
                ("score_factors", result.factors),
                ("score_indicators", result.indicators),
            ):
                frame = frame.assign(run_id=run_id)
                if table == "scores":
                    frame = frame.assign(model_hash=model.hash)
                ws.insert(con, table, frame)
    return int(run_id), result.scores


# -- allocation scenarios -------------------------------------------------------------------------------

ALLOCATION_TABLES = ("allocation_lettings", "allocation_violations", "allocation_buurten", "allocation_runs")


@dataclass
class AllocationContext:
    """What an allocation round needs from the workspace."""

    buurt_info: pd.DataFrame  # buurt_code, gemeente_code, vitaliteit, veerkracht, stock
    score_run_id: int | None
    current_year: int | None
    known_buurten: set[str]


def allocation_context(ws: Workspace, year: int) -> AllocationContext:
    """Current vitality and veerkracht per buurt (the active run's latest scored year before ``year``) and
    the corporation's stock per buurt."""
    buurten = queries.areas(ws, "buurt")[["code", "gemeente_code"]].rename(columns={"code": "buurt_code"})
    info = buurten.merge(queries.stock_per_buurt(ws), on="buurt_code", how="left")
    run = queries.score_run(ws)
    current = None
    if run is not None:
        years = [y for y in json.loads(run["years"]) if y < year]
        current = max(years) if years else None
    if run is not None and current is not None:
        info = info.merge(queries.scores_at(ws, int(run["run_id"]), current), on="buurt_code", how="left")
    else:
        info = info.assign(vitaliteit=float("nan"), veerkracht=float("nan"), attention=pd.NA, category=None)
    return AllocationContext(info, None if run is None else int(run["run_id"]), current, set(buurten["buurt_code"]))


@writes
def allocate(workspace: Path, inputs_path: str | Path, runs: list[tuple], *, time_limit: float = 5.0):
    """Run each (policy, policy_text, method) on one round, check it, project it, and replace the stored
    comparison. Returns the results with their projections (``result.buurten`` gains projected columns)."""
    from wijkvitaliteit.allocation.instance import build_instance
    from wijkvitaliteit.allocation.project import project
    from wijkvitaliteit.allocation.run import run_policy
    from wijkvitaliteit.scoring.runs import active_run
    from wijkvitaliteit.sources.allocation import read_allocation_inputs

    with Workspace(workspace) as ws:
        year = runs[0][0].policy.year
        ctx = allocation_context(ws, year)
        inputs = read_allocation_inputs(inputs_path, ctx.known_buurten)
        records = {t.removeprefix("corp_"): queries.records(ws, t) for t in CORP_TABLES}
        run = active_run(ws) if ctx.score_run_id is not None else None
        measurements = None
        if run is not None:
            measurements = queries.measurements(ws, run.model.indicator_ids())
        derive_settings = queries.corporation_info(ws).get("derive")
        settings = DeriveSettings(**json.loads(derive_settings)) if derive_settings else DeriveSettings()
        results = []
        instances: dict[str, Any] = {}
        for policy, text, method in runs:
            by = policy.vulnerable_caps.by if policy.vulnerable_caps is not None else "vitaliteit"
            info = ctx.buurt_info.rename(columns={by: "score"})[["buurt_code", "score", "stock"]]
            if policy.hash not in instances:
                instances[policy.hash] = build_instance(inputs, policy, info)
            result = run_policy(inputs, policy, text, info, method, time_limit=time_limit, instance=instances[policy.hash])
            if run is not None and ctx.current_year is not None and len(records["dwellings"]):
                projected = project(
                    result.assignment,
                    policy.policy.year,
                    ctx.current_year,
                    records,
                    measurements,
                    ctx.buurt_info.rename(columns={"buurt_code": "code"})[["code", "gemeente_code"]],
                    run.model,
                    settings,
                )
                now = ctx.buurt_info.set_index("buurt_code")[["veerkracht", "vitaliteit", "attention", "category"]]
                now = now.rename(
                    columns={
                        "veerkracht": "veerkracht_now",
                        "vitaliteit": "vitality_now",
                        "attention": "attention_now",
                        "category": "category_now",
                    }
                )
                result.buurten = projected.merge(result.buurten, on="buurt_code", how="left").join(now, on="buurt_code")
            results.append(result)
        _store_allocations(ws, str(inputs_path), results, ctx)
    return results, ctx


def _store_allocations(ws: Workspace, inputs: str, results, ctx: AllocationContext) -> None:
    now = datetime.now().replace(microsecond=0)
    with ws.transaction() as con:
        salt = workspace_salt(con)
        ws.clear(con, *ALLOCATION_TABLES)
        for run_id, r in enumerate(results, start=1):
            p = r.policy.policy
            ws.insert_row(
                con,
                "allocation_runs",
                run_id=run_id,
                created_at=now,
                inputs=inputs,
                policy_name=p.name,
                policy_label_nl=p.label_nl,
                policy_label_en=p.label_en,
                policy_hash=r.policy.hash,
                policy_toml=r.policy_text,
                method=r.method,
                status=r.status,
                objective=r.objective,
                bound=r.bound,
                seconds=r.seconds,
                year=p.year,
                score_run_id=ctx.score_run_id,
                current_year=ctx.current_year,
                metrics=json.dumps(r.metrics),
                explanation=json.dumps(r.explanation),
                binding=r.binding.to_json(orient="records"),
            )
            frames = {
                "allocation_buurten": r.buurten,
                "allocation_violations": r.violations.astype({"found": "string", "allowed": "string"}),
                "allocation_lettings": r.assignment.assign(applicant_id=pseudonyms(r.assignment["applicant_id"], salt)),
            }
            for table, frame in frames.items():
                ws.insert(con, table, frame.assign(run_id=run_id))

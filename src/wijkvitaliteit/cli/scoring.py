"""`init`, `derive`, `score`: make a workspace, derive the corporation's measurements, score every buurt."""

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
    err,
    out,
    progress,
)
from wijkvitaliteit.cli.imports import MinLettingsOpt, WindowOpt
from wijkvitaliteit.derive.corporation import DeriveSettings
from wijkvitaliteit.present.i18n import number, t
from wijkvitaliteit.scoring.model import load_model
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace


def init(workspace: WorkspaceOpt = DEFAULT_WORKSPACE) -> None:
    """Create an empty workspace (an existing one is opened and checked, never emptied)."""
    with Workspace(workspace, create=True) as ws:
        out.print(f"workspace {ws.path} (schema {queries.meta(ws, 'schema_version')})")


def derive(workspace: WorkspaceOpt = DEFAULT_WORKSPACE, window: WindowOpt = 3, min_lettings: MinLettingsOpt = 5) -> None:
    """Re-derive the corporation's measurements per buurt and year from the stored records."""
    n = pipeline.derive(workspace, DeriveSettings(window, min_lettings))
    out.print(f"{n} measurements derived (window {window}, min {min_lettings} lettings)")


def score(
    workspace: WorkspaceOpt = DEFAULT_WORKSPACE,
    model: Annotated[
        Path | None, typer.Option(help="Scoring model TOML, or a bundled model by name: default, open-data (default: default).")
    ] = None,
    year: Annotated[
        list[int] | None, typer.Option(help="Score year (repeatable; default: every year with measurements).")
    ] = None,
    lang: LangOpt = Lang.nl,
) -> None:
    """Score every buurt and store the run with the model's hash."""
    scoring_model, text = load_model(model)
    with progress() as p:
        p.add_task("scoring")
        run_id, scores = pipeline.score_workspace(workspace, scoring_model, text, year)
    years = sorted(scores["year"].unique().tolist())
    latest, share = pipeline.incomplete_share(scores)
    if share > 0.5:
        err.print(t("score.mostly_incomplete", lang, pct=number(100 * share, lang, 0), year=latest), markup=False)
    out.print(
        t(
            "scored",
            lang,
            name=scoring_model.model.name,
            hash=scoring_model.hash[:12],
            n=len(scores),
            years=", ".join(map(str, years)),
        )
    )

"""A stored score run as the layers above see it: its id, the model that made it and the years it scored."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from wijkvitaliteit.errors import InputError, NotFound
from wijkvitaliteit.scoring.model import ScoringModel, parse_model
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace


@dataclass(frozen=True)
class Run:
    run_id: int
    model_hash: str
    model: ScoringModel
    years: list[int]
    model_toml: str = ""
    inputs_hash: str | None = None
    info: dict = field(default_factory=dict, compare=False)


def _run(row: dict) -> Run:
    return Run(
        int(row["run_id"]),
        row["model_hash"],
        parse_model(row["model_toml"], "stored model"),
        json.loads(row["years"]),
        row["model_toml"],
        row.get("inputs_hash"),
        row,
    )


def active_run(ws: Workspace) -> Run:
    """The latest run: what every page, export and report shows."""
    row = queries.score_run(ws)
    if row is None:
        raise InputError(ws.path, "scores in the workspace (run 'wijkvitaliteit score')", found="no score run")
    return _run(row)


def get_run(ws: Workspace, run_id: int) -> Run:
    row = queries.score_run(ws, run_id)
    if row is None:
        known = queries.score_runs(ws)["run_id"].tolist()
        raise NotFound("run", str(run_id), [{"code": str(r), "name": f"run {r}"} for r in known[-5:]])
    return _run(row)

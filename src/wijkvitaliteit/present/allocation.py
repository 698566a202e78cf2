"""Read model of the stored allocation comparison (CLI, web page and its twins, report)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from wijkvitaliteit.errors import BadParameter
from wijkvitaliteit.present.pages import Page, records
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace

METHOD_LABELS = {
    "optimiser": {"nl": "optimalisatie", "en": "optimiser"},
    "greedy": {"nl": "gretig met dezelfde regels", "en": "greedy, same rules"},
    "practice": {"nl": "huidige praktijk (wachttijd + loting)", "en": "today's practice (waiting time + lottery)"},
}

METRICS = (
    "preference_fit",
    "mean_rank",
    "first_choice_share",
    "urgent_housed",
    "vulnerable_housed",
    "uitstroom_housed",
    "commitment_housed",
)
COMPARISON_COLUMNS = [
    "run_id",
    "policy",
    "method",
    "status",
    "lettings",
    "objective",
    "bound",
    "gap",
    *METRICS,
    "violations",
    "attention_now",
    "attention_projected",
    "seconds",
]


def comparison(ws: Workspace, lang: str = "nl", gemeente: str | None = None) -> pd.DataFrame:
    """One row per stored run: what it achieves for applicants, which rules it breaks, what it does to the
    number of flagged buurten (all buurten with stock, or one gemeente's)."""
    stored = queries.allocation_runs(ws)
    if stored.empty:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    violations = queries.allocation_violation_counts(ws)
    flagged = queries.allocation_flagged(ws, gemeente)
    rows = []
    for r in stored.itertuples():
        m = json.loads(r.metrics)
        rows.append(
            {
                "run_id": r.run_id,
                "policy": r.policy_label_en if lang == "en" else r.policy_label_nl,
                "policy_name": r.policy_name,
                "method": METHOD_LABELS[r.method][lang],
                "method_id": r.method,
                "status": r.status,
                "lettings": m["lettings"],
                "objective": r.objective,
                "bound": r.bound,
                "gap": None if pd.isna(r.bound) or r.status == "infeasible" else max(0.0, (r.bound - r.objective) / r.bound),
                **{k: m[k] for k in METRICS},
                "seconds": r.seconds,
            }
        )
    out = pd.DataFrame(rows)
    out = out.merge(violations.rename(columns={"n": "violations"}), on="run_id", how="left")
    out = out.merge(flagged, on="run_id", how="left")
    out["violations"] = out["violations"].fillna(0).astype(int)
    return out


def allocation_page(ws: Workspace, lang: str = "nl", gemeente: str | None = None) -> Page:
    stored = queries.allocation_runs(ws)
    if stored.empty:
        raise BadParameter("toewijzing", "no allocation comparison stored (run 'wijkvitaliteit allocate compare')")
    table = comparison(ws, lang, gemeente)
    buurten = queries.allocation_buurten(ws, gemeente)
    violations = queries.allocation_violations(ws)
    first = stored.iloc[0]
    runs_data = []
    for r in stored.itertuples():
        runs_data.append(
            {
                "run_id": r.run_id,
                "policy_name": r.policy_name,
                "policy": r.policy_label_en if lang == "en" else r.policy_label_nl,
                "method": r.method,
                "method_label": METHOD_LABELS[r.method][lang],
                "status": r.status,
                "explanation": json.loads(r.explanation),
                "binding": json.loads(r.binding),
                "metrics": json.loads(r.metrics),
            }
        )
    return Page(
        {
            "year": int(first["year"]),
            "current_year": None if pd.isna(first["current_year"]) else int(first["current_year"]),
            "inputs": Path(first["inputs"]).name,  # the folder's name: no server paths in what is published
            "created_at": str(first["created_at"]),
            "gemeente": gemeente,
            "comparison": records(table),
            "runs": runs_data,
            "buurten": records(buurten),
            "violations": records(violations),
        },
        table,
    )

"""One allocation run: a policy and a method on one round of inputs → assignment, checks and metrics."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wijkvitaliteit.allocation import baselines
from wijkvitaliteit.allocation.check import check_assignment
from wijkvitaliteit.allocation.instance import SCALE, Instance, build_instance
from wijkvitaliteit.allocation.optimise import optimise
from wijkvitaliteit.allocation.policy import Policy
from wijkvitaliteit.sources.allocation import AllocationInputs

METHODS = ("optimiser", "greedy", "practice")


def compare_runs(loaded: list[tuple]) -> list[tuple]:
    """A side-by-side comparison: every (policy, text) with each method — the optimiser, greedy at the same
    rules, and today's practice (checked against the policy's rules)."""
    return [(policy, text, method) for policy, text in loaded for method in METHODS]


def bundled_comparison() -> list[tuple]:
    """The demo's comparison: the bundled policies."""
    from wijkvitaliteit.allocation.policy import BUNDLED, load_policy

    return compare_runs([load_policy(name) for name in BUNDLED])


@dataclass
class AllocationResult:
    policy: Policy
    policy_text: str
    method: str
    status: str  # optimal | feasible | infeasible (rules broken) — per the checker
    objective: float  # points
    bound: float | None  # upper bound on the objective (points), optimiser only
    seconds: float
    assignment: pd.DataFrame  # applicant_id, vacancy_id, buurt_code, rank, points, vulnerable, uitstroom
    violations: pd.DataFrame  # the checker's findings (empty: every rule holds)
    binding: pd.DataFrame  # rules without room left: rule, area, label, slack
    buurten: pd.DataFrame  # per buurt: vacancies, lettings, vulnerable, uitstroom, cap, quota_max
    metrics: dict = field(default_factory=dict)
    explanation: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        if self.bound is None or self.status == "infeasible":
            return None
        return max(0.0, (self.bound - self.objective) / max(abs(self.bound), 1e-9))


def metrics(inst: Instance, selected: np.ndarray) -> dict:
    a = inst.arc_applicant[selected]
    n = int(selected.sum())
    apps = inst.applicants
    from wijkvitaliteit.allocation.instance import waiting_years

    wait = waiting_years(apps, inst.policy.policy.year)
    return {
        "vacancies": len(inst.vacancies),
        "applicants": len(apps),
        "arcs": inst.n_arcs,
        "lettings": n,
        "filled_share": n / max(len(inst.vacancies), 1),
        "objective": float(inst.value[selected].sum()) / SCALE,
        "preference_fit": float(inst.preference[selected].sum()),
        "mean_rank": float(inst.rank[selected].mean()) if n else None,
        "first_choice_share": float((inst.rank[selected] == 1).mean()) if n else None,
        "mean_waiting_years": float(wait[a].mean()) if n else None,
        "urgent_housed": int(apps["urgent"].to_numpy(bool)[a].sum()),
        "vulnerable_housed": int(apps["vulnerable"].to_numpy(bool)[a].sum()),
        "uitstroom_housed": int(apps["uitstroom"].to_numpy(bool)[a].sum()),
        "commitment_housed": int(
            (
                apps["commitment_buurt"].astype("string").fillna("").to_numpy()[a]
                == inst.vacancies["buurt_code"].to_numpy()[inst.arc_vacancy[selected]]
            ).sum()
        ),
        "excluded_pairs": inst.excluded,
    }


def assignment_table(inst: Instance, selected: np.ndarray) -> pd.DataFrame:
    idx = np.flatnonzero(selected)
    apps = inst.applicants.iloc[inst.arc_applicant[idx]]
    vacs = inst.vacancies.iloc[inst.arc_vacancy[idx]]
    return pd.DataFrame(
        {
            "applicant_id": apps["applicant_id"].to_numpy(),
            "vacancy_id": vacs["vacancy_id"].to_numpy(),
            "buurt_code": vacs["buurt_code"].to_numpy(),
            "rank": inst.rank[idx],
            "points": inst.value[idx] / SCALE,
            "vulnerable": apps["vulnerable"].to_numpy(bool),
            "uitstroom": apps["uitstroom"].to_numpy(bool),
        }
    )


def binding_rules(inst: Instance, selected: np.ndarray) -> pd.DataFrame:
    """Rules with no room left: one more letting that counts against them would break them."""
    if inst.A.shape[0] == 0:
        return pd.DataFrame(columns=["rule", "area", "label", "slack"])
    slack = inst.b - inst.A @ selected.astype(np.int64)
    largest = inst.A.max(axis=1).toarray().ravel()
    tight = (largest > 0) & (slack < largest) & (slack >= 0)
    return inst.rows[tight].assign(slack=slack[tight]).reset_index(drop=True)


def per_buurt(inst: Instance, table: pd.DataFrame) -> pd.DataFrame:
    counts = table.groupby("buurt_code").agg(
        lettings=("vacancy_id", "size"), vulnerable=("vulnerable", "sum"), uitstroom=("uitstroom", "sum")
    )
    out = inst.buurten.set_index("buurt_code").join(counts).fillna({"lettings": 0, "vulnerable": 0, "uitstroom": 0})
    for column in ("lettings", "vulnerable", "uitstroom"):
        out[column] = out[column].astype(int)
    out["vulnerable_share_round"] = out["vulnerable"] / out["lettings"].where(out["lettings"] > 0)
    return out.reset_index()


def run_policy(
    inputs: AllocationInputs,
    policy: Policy,
    policy_text: str,
    buurt_info: pd.DataFrame,
    method: str = "optimiser",
    *,
    time_limit: float = 5.0,
    exact_arc_limit: int = 20_000,
    instance: Instance | None = None,
) -> AllocationResult:
    started = time.perf_counter()
    inst = instance or build_instance(inputs, policy, buurt_info)
    explanation: list[str] = []
    bound = None
    if method == "optimiser":
        sol = optimise(inst, time_limit=time_limit, exact_arc_limit=exact_arc_limit)
        selected, explanation = sol.selected, sol.explanation
        bound = None if sol.bound is None else sol.bound / SCALE
        status = sol.status
    elif method == "greedy":
        selected, status = baselines.greedy(inst), "feasible"
    elif method == "practice":
        selected, status = baselines.practice(inst), "feasible"
    else:
        raise ValueError(f"unknown method {method!r}")
    seconds = time.perf_counter() - started
    table = assignment_table(inst, selected)
    found = check_assignment(table, inputs, policy, buurt_info)
    if len(found):
        status = "infeasible"
    elif status == "infeasible":  # the checker finds nothing the optimiser's rows found: they disagree
        raise AssertionError("optimiser reports broken rules the independent checker does not find")
    return AllocationResult(
        policy=policy,
        policy_text=policy_text,
        method=method,
        status=status,
        objective=float(inst.value[selected].sum()) / SCALE,
        bound=bound,
        seconds=seconds,
        assignment=table,
        violations=found,
        binding=binding_rules(inst, selected),
        buurten=per_buurt(inst, table),
        metrics=metrics(inst, selected),
        explanation=explanation,
    )

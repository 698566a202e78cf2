"""The optimiser: maximise the value of all lettings subject to every hard rule of the policy.

Method (DESIGN.md §6): one applicant per vacancy and one vacancy per applicant is a min-cost flow
(OR-Tools ``SimpleMinCostFlow``); the shared rules (``A x <= b``, see :mod:`instance`) are moved into the
arc costs with Lagrange multipliers, updated by subgradient steps (Polyak). Every Lagrangian solution
gives an upper bound on the best objective; a repair step turns it into a solution that keeps every
rule (drop the cheapest lettings that break a cap, swap in uitstroom households for the quota, refill
free vacancies greedily within the rules), which gives a lower bound. It stops when the gap closes or
the time is up. Where the instance is small enough (``exact_arc_limit``), CP-SAT then closes any
remaining gap exactly, warm-started from the repaired solution.

If the rules cannot all hold, the result says which rule is broken where in the best solution found,
and which rule family, left out, would make the rest feasible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ortools.graph.python import min_cost_flow

from wijkvitaliteit.allocation.instance import Instance


@dataclass
class Solution:
    selected: np.ndarray  # bool per arc
    objective: int  # value units (points × SCALE)
    bound: int | None  # upper bound on any feasible objective (None when unknown)
    status: str  # optimal | feasible | infeasible
    method: str
    iterations: int = 0
    seconds: float = 0.0
    multipliers: np.ndarray | None = None
    explanation: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        if self.bound is None or self.status == "infeasible":
            return None
        return max(0.0, (self.bound - self.objective) / max(abs(self.bound), 1))


def _diag(values: np.ndarray):
    from scipy import sparse

    return sparse.diags(values)


def violations(inst: Instance, selected: np.ndarray) -> pd.DataFrame:
    """Rows of A broken by a selection, with found vs allowed in the rule's own terms."""
    lhs = inst.A @ selected.astype(np.int64)
    bad = np.flatnonzero(lhs > inst.b)
    out = inst.rows.iloc[bad].copy()
    out["found"] = lhs[bad]
    out["allowed"] = inst.b[bad]
    return out.reset_index(drop=True)


def max_weight_matching(inst: Instance, gain: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    """The selection of arcs with the largest total gain, at most one per applicant and per vacancy."""
    use = gain > 0 if allowed is None else (gain > 0) & allowed
    idx = np.flatnonzero(use)
    selected = np.zeros(inst.n_arcs, bool)
    if len(idx) == 0:
        return selected
    n_a, n_v = len(inst.applicants), len(inst.vacancies)
    src, sink = 0, 1 + n_a + n_v
    apps = np.unique(inst.arc_applicant[idx])
    vacs = np.unique(inst.arc_vacancy[idx])
    flow = min(len(apps), len(vacs))
    tails = np.concatenate(
        [np.zeros(len(apps), np.int64), 1 + inst.arc_applicant[idx].astype(np.int64), 1 + n_a + vacs.astype(np.int64), [src]]
    )
    heads = np.concatenate(
        [1 + apps.astype(np.int64), 1 + n_a + inst.arc_vacancy[idx].astype(np.int64), np.full(len(vacs), sink, np.int64), [sink]]
    )
    caps = np.concatenate([np.ones(len(apps) + len(idx) + len(vacs), np.int64), [flow]])
    costs = np.concatenate([np.zeros(len(apps), np.int64), -gain[idx].astype(np.int64), np.zeros(len(vacs) + 1, np.int64)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_node_supply(src, flow)
    smcf.set_node_supply(sink, -flow)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = smcf.flows(arcs[len(apps) : len(apps) + len(idx)])
    selected[idx[flows > 0]] = True
    return selected


class _Repair:
    """Make a selection keep every row of A, losing as little value as it can (greedy)."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.csc = inst.A.tocsc()
        self.csr = inst.A

    def _col(self, arc: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.csc.indptr[arc], self.csc.indptr[arc + 1]
        return self.csc.indices[start:end], self.csc.data[start:end]

    def _fits(self, lhs: np.ndarray, arc: int, removed: int | None = None) -> bool:
        rows, coefs = self._col(arc)
        new = lhs[rows] + coefs
        if removed is not None:
            r2, c2 = self._col(removed)
            change = dict(zip(r2.tolist(), c2.tolist(), strict=True))
            new = new - np.array([change.get(r, 0) for r in rows.tolist()], dtype=np.int64)
        b = self.inst.b[rows]
        # an arc may not push a row over its bound, nor make a broken row worse
        return bool(np.all((new <= b) | (coefs <= 0)))

    def __call__(self, selected: np.ndarray) -> np.ndarray:
        inst = self.inst
        x = selected.copy()
        lhs = inst.A @ x.astype(np.int64)
        taken_a = np.zeros(len(inst.applicants), np.int64) - 1
        taken_v = np.zeros(len(inst.vacancies), np.int64) - 1
        for arc in np.flatnonzero(x):
            taken_a[inst.arc_applicant[arc]] = arc
            taken_v[inst.arc_vacancy[arc]] = arc

        def drop(arc: int) -> None:
            x[arc] = False
            rows, coefs = self._col(arc)
            lhs[rows] -= coefs
            taken_a[inst.arc_applicant[arc]] = -1
            taken_v[inst.arc_vacancy[arc]] = -1

        def take(arc: int) -> None:
            x[arc] = True
            rows, coefs = self._col(arc)
            lhs[rows] += coefs
            taken_a[inst.arc_applicant[arc]] = arc
            taken_v[inst.arc_vacancy[arc]] = arc

        for _ in range(4):
            # 1. rows over their bound: drop the cheapest lettings that count against them
            for g in np.flatnonzero(lhs > inst.b)[np.argsort(-(lhs - inst.b)[lhs > inst.b])]:
                start, end = self.csr.indptr[g], self.csr.indptr[g + 1]
                arcs, coefs = self.csr.indices[start:end], self.csr.data[start:end]
                cand = arcs[(coefs > 0) & x[arcs]]
                for arc in cand[np.argsort(inst.value[cand], kind="stable")]:
                    if lhs[g] <= inst.b[g]:
                        break
                    drop(int(arc))
            # 2. rows that need more (a quota): bring in the best free households that count for them
            for g in np.flatnonzero(lhs > inst.b):
                start, end = self.csr.indptr[g], self.csr.indptr[g + 1]
                arcs, coefs = self.csr.indices[start:end], self.csr.data[start:end]
                cand = arcs[(coefs < 0) & (taken_a[inst.arc_applicant[arcs]] < 0)]
                for arc in cand[np.argsort(-inst.value[cand], kind="stable")]:
                    if lhs[g] <= inst.b[g]:
                        break
                    if taken_a[inst.arc_applicant[arc]] >= 0:
                        continue
                    occupant = int(taken_v[inst.arc_vacancy[arc]])
                    if occupant < 0:
                        if self._fits(lhs, int(arc)):
                            take(int(arc))
                    elif self._fits(lhs, int(arc), removed=occupant):
                        drop(occupant)
                        take(int(arc))
            # 3. refill free vacancies with free applicants, best first, within every row
            free = (taken_a[inst.arc_applicant] < 0) & (taken_v[inst.arc_vacancy] < 0) & ~x
            cand = np.flatnonzero(free)
            for arc in cand[np.argsort(-inst.value[cand], kind="stable")]:
                if taken_a[inst.arc_applicant[arc]] >= 0 or taken_v[inst.arc_vacancy[arc]] >= 0:
                    continue
                if self._fits(lhs, int(arc)):
                    take(int(arc))
            if np.all(lhs <= inst.b):
                break
        return x


def restrict_and_resolve(inst: Instance, gain: np.ndarray, x: np.ndarray, rounds: int = 3) -> np.ndarray:
    """Primal step: for every cap row (no negative coefficients) that ``x`` breaks, keep its best lettings up
    to the bound, forbid the row's other arcs, and solve the whole matching again — so the lettings that
    move out of a capped buurt are re-optimised everywhere, not only greedily."""
    allowed = np.ones(inst.n_arcs, bool)
    csr = inst.A
    if csr.shape[0] == 0:
        return x
    negative = np.minimum.reduceat(np.append(csr.data, 0), csr.indptr[:-1]) < 0 if csr.nnz else np.zeros(0, bool)
    negative &= np.diff(csr.indptr) > 0
    for _ in range(rounds):
        lhs = csr @ x.astype(np.int64)
        broken = np.flatnonzero((lhs > inst.b) & ~negative)
        if len(broken) == 0:
            break
        for g in broken:
            arcs = csr.indices[csr.indptr[g] : csr.indptr[g + 1]]
            chosen = arcs[x[arcs]]
            keep = chosen[np.argsort(-gain[chosen], kind="stable")][: max(int(inst.b[g]), 0)]
            allowed[arcs] = False
            allowed[keep] = True
        x = max_weight_matching(inst, gain, allowed)
    return x


def _objective(inst: Instance, x: np.ndarray) -> int:
    return int(inst.value[x].sum())


def solve_exact(
    inst: Instance, *, time_limit: float = 30.0, hint: np.ndarray | None = None, workers: int = 2
) -> tuple[str, np.ndarray | None, int | None, int | None]:
    """CP-SAT on the same arcs, values and rows. Returns (status, selection, objective, bound)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(inst.n_arcs)]
    for group in (inst.arc_applicant, inst.arc_vacancy):
        order = np.argsort(group, kind="stable")
        splits = np.flatnonzero(np.diff(group[order])) + 1
        for part in np.split(order, splits):
            if len(part) > 1:
                model.add_at_most_one(x[i] for i in part)
    csr = inst.A
    for g in range(csr.shape[0]):
        start, end = csr.indptr[g], csr.indptr[g + 1]
        model.add(
            sum(int(c) * x[int(i)] for i, c in zip(csr.indices[start:end], csr.data[start:end], strict=True)) <= int(inst.b[g])
        )
    model.maximize(sum(int(v) * x[i] for i, v in enumerate(inst.value)))
    if hint is not None:
        for i, on in enumerate(hint):
            model.add_hint(x[i], bool(on))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    name = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible"}.get(status, "unknown")
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        sel = np.array([solver.value(v) for v in x], bool)
        return name, sel, int(round(solver.objective_value)), int(np.floor(solver.best_objective_bound + 1e-6))
    return name, None, None, None


def optimise(
    inst: Instance,
    *,
    time_limit: float = 5.0,
    max_iterations: int = 50,
    tolerance: float = 1e-4,
    exact_arc_limit: int = 20_000,
    exact_time_limit: float = 30.0,
) -> Solution:
    started = time.perf_counter()
    repair = _Repair(inst)
    n_rows = inst.A.shape[0]
    # rows scaled to a largest coefficient of 1, so that one step size suits caps and shares alike
    scale = np.ones(n_rows)
    if n_rows:
        scale = 1.0 / np.maximum(abs(inst.A).max(axis=1).toarray().ravel(), 1)
    lam = np.zeros(n_rows)
    at = (inst.A.T.tocsr().astype(np.float64) @ _diag(scale)).tocsr()
    n_match = min(len(inst.applicants), len(inst.vacancies))
    best_x: np.ndarray | None = None
    best_lb = -np.inf
    least_bad: tuple[int, np.ndarray] | None = None
    ub = np.inf
    best_lam: np.ndarray | None = None
    theta = 1.0
    iterations = 0
    for iterations in range(1, max_iterations + 1):
        penalty = at @ lam
        gain_float = inst.value - penalty
        gain = np.floor(gain_float).astype(np.int64)
        x = max_weight_matching(inst, gain)
        # floor() lowers each gain by less than one unit: the bound adds one unit per possible letting
        rounding = 0 if not lam.any() else n_match
        this_ub = float(gain[x].sum() + rounding + lam @ (scale * inst.b))
        if this_ub < ub:
            ub, best_lam = this_ub, lam.copy()
        lhs = inst.A @ x.astype(np.int64)
        if np.all(lhs <= inst.b):
            candidate = x
        else:
            candidate = repair(x)
        c_lhs = inst.A @ candidate.astype(np.int64)
        over = int(np.maximum(c_lhs - inst.b, 0).sum())
        if over == 0:
            value = _objective(inst, candidate)
            if value > best_lb:
                best_lb, best_x = value, candidate
        elif least_bad is None or over < least_bad[0]:
            least_bad = (over, candidate)
        if best_x is not None and ub - best_lb <= tolerance * max(abs(ub), 1):
            break
        if n_rows == 0 or time.perf_counter() - started > 0.5 * time_limit:
            break
        sub = (lhs - inst.b) * scale
        sub[(lam <= 0) & (sub < 0)] = 0.0
        norm = float(sub @ sub)
        if norm == 0:
            break
        target = best_lb if best_x is not None else ub - 0.02 * abs(ub)
        lam = np.maximum(0.0, lam + theta * (ub - target) / norm * sub)
        if iterations % 5 == 0:
            theta /= 2
    # phase 2: from the best multipliers seen, re-solve with the broken caps' arcs forbidden, then repair
    unclosed = best_x is None or ub - best_lb > tolerance * max(abs(ub), 1)
    if unclosed and best_lam is not None and time.perf_counter() - started <= time_limit:
        gain = np.floor(inst.value - at @ best_lam).astype(np.int64)
        candidate = repair(restrict_and_resolve(inst, gain, max_weight_matching(inst, gain)))
        if np.all(inst.A @ candidate.astype(np.int64) <= inst.b) and _objective(inst, candidate) > best_lb:
            best_lb, best_x = _objective(inst, candidate), candidate
    seconds = time.perf_counter() - started
    bound = None if not np.isfinite(ub) else int(np.floor(ub))
    if best_x is not None:
        status = "optimal" if bound is not None and bound - best_lb <= 0 else "feasible"
        sol = Solution(
            best_x,
            int(best_lb),
            max(bound, int(best_lb)) if bound is not None else None,
            status,
            "min-cost flow" if n_rows == 0 or iterations == 1 and status == "optimal" else "min-cost flow + Lagrange + repair",
            iterations,
            seconds,
            lam,
        )
    else:
        x = least_bad[1] if least_bad else np.zeros(inst.n_arcs, bool)
        sol = Solution(x, _objective(inst, x), bound, "infeasible", "min-cost flow + Lagrange + repair", iterations, seconds, lam)
    if sol.status != "optimal" and inst.n_arcs <= exact_arc_limit:
        status, sel, obj, cp_bound = solve_exact(
            inst, time_limit=exact_time_limit, hint=sol.selected if sol.status == "feasible" else None
        )
        if (
            status in ("optimal", "feasible")
            and sel is not None
            and obj is not None
            and (sol.status == "infeasible" or obj >= sol.objective)
        ):
            sol = Solution(
                sel, obj, cp_bound, status, "CP-SAT (after min-cost flow)", iterations, time.perf_counter() - started, lam
            )
        elif status == "infeasible":
            sol.explanation.append("CP-SAT bewijst: geen toewijzing houdt zich aan alle regels.")
            sol.seconds = time.perf_counter() - started
    if sol.status == "infeasible":
        sol.explanation.extend(explain_infeasible(inst, sol.selected))
    return sol


def explain_infeasible(inst: Instance, selected: np.ndarray) -> list[str]:
    """Which rule is broken where in the best solution, and which rule family, left out, makes the rest hold."""
    lines = []
    for row in violations(inst, selected).itertuples():
        where = f" in {row.area}" if row.area else ""
        if row.rule == "uitstroom_quota":
            lines.append(f"uitstroom_quota{where}: {-row.found} van de {-row.allowed} uitstroomwoningen gehaald")
        else:
            lines.append(f"{row.rule}{where}: {row.label} gevraagd, toewijzing telt {row.found} tegen grens {row.allowed}")
    for rule in inst.rows["rule"].unique():
        keep = (inst.rows["rule"] != rule).to_numpy()
        sub = Instance(**{**inst.__dict__, "A": inst.A[keep], "b": inst.b[keep], "rows": inst.rows[keep]})
        x = _Repair(sub)(max_weight_matching(sub, inst.value))
        if np.all(sub.A @ x.astype(np.int64) <= sub.b):
            lines.append(f"zonder de regel '{rule}' zijn de andere regels wel haalbaar")
    return lines

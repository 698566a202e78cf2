"""Baselines to compare the optimiser with.

* ``practice`` — today's practice: vacancies are let one by one in the order advertised; each goes to
  the responding household with an urgency declaration first, then the longest registration, except a
  ``lottery_share`` of vacancies that go to a random respondent. It keeps the legal rules (passend
  toewijzen, DAEB, Wbmgp) letting by letting, but knows no caps and no quota.
* ``greedy`` — the same order and priorities, but it keeps every rule of the policy: a respondent is
  skipped when housing them would break a cap, and while the uitstroom quota is not met, uitstroom
  households go first where the buurt's spread allows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wijkvitaliteit.allocation.instance import Instance, waiting_years

LEGAL_RULES = ("passend_toewijzen", "daeb")


def _order(inst: Instance) -> np.ndarray:
    published = pd.to_datetime(inst.vacancies["published"]) if "published" in inst.vacancies else None
    if published is None or published.isna().all():
        return np.arange(len(inst.vacancies))
    return np.lexsort((np.arange(len(inst.vacancies)), published.fillna(published.max()).to_numpy()))


def sequential(inst: Instance, *, rules: tuple[str, ...] | None, quota_first: bool) -> np.ndarray:
    """Let vacancies in order to the first respondent by priority whose letting keeps ``rules`` (None: all)."""
    rng = np.random.default_rng(inst.policy.baseline.seed)
    enforced = np.ones(len(inst.rows), bool) if rules is None else inst.rows["rule"].isin(rules).to_numpy()
    csc = inst.A.tocsc()
    lhs = np.zeros(len(inst.b), np.int64)
    selected = np.zeros(inst.n_arcs, bool)
    housed = np.zeros(len(inst.applicants), bool)
    urgent = inst.applicants["urgent"].to_numpy(bool)
    wait = waiting_years(inst.applicants, inst.policy.policy.year)
    uitstroom = inst.applicants["uitstroom"].to_numpy(bool)
    quota_rows = np.flatnonzero(enforced & (inst.rows["rule"] == "uitstroom_quota").to_numpy())
    by_vacancy = np.argsort(inst.arc_vacancy, kind="stable")
    starts = np.searchsorted(inst.arc_vacancy[by_vacancy], np.arange(len(inst.vacancies) + 1))
    lottery = rng.random(len(inst.vacancies)) < inst.policy.baseline.lottery_share

    def fits(arc: int) -> bool:
        rows = csc.indices[csc.indptr[arc] : csc.indptr[arc + 1]]
        coefs = csc.data[csc.indptr[arc] : csc.indptr[arc + 1]]
        check = enforced[rows] & (coefs > 0)
        return bool(np.all(lhs[rows[check]] + coefs[check] <= inst.b[rows[check]]))

    for v in _order(inst):
        arcs = by_vacancy[starts[v] : starts[v + 1]]
        arcs = arcs[~housed[inst.arc_applicant[arcs]]]
        if len(arcs) == 0:
            continue
        who = inst.arc_applicant[arcs]
        if lottery[v]:
            order = rng.permutation(len(arcs))
        else:
            order = np.lexsort((-wait[who], ~urgent[who]))
        if quota_first and len(quota_rows) and np.any(lhs[quota_rows] > inst.b[quota_rows]):
            order = order[np.argsort(~uitstroom[who[order]], kind="stable")]
        for arc in arcs[order]:
            if fits(int(arc)):
                selected[arc] = True
                housed[inst.arc_applicant[arc]] = True
                rows = csc.indices[csc.indptr[arc] : csc.indptr[arc + 1]]
                lhs[rows] += csc.data[csc.indptr[arc] : csc.indptr[arc + 1]]
                break
    return selected


def practice(inst: Instance) -> np.ndarray:
    return sequential(inst, rules=LEGAL_RULES, quota_first=False)


def greedy(inst: Instance) -> np.ndarray:
    return sequential(inst, rules=None, quota_first=True)

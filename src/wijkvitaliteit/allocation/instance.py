"""An allocation problem as arrays: the allowed (applicant, vacancy) arcs, their value, and the policy's
shared rules as integer linear constraints ``A x <= b`` over the arcs.

Pair rules (Wbmgp art. 8) remove arcs. Rules over many lettings become rows of ``A``:

* passend toewijzen — among households with an income at or below the passend limit, at least
  ``min_share`` at a rent at or below the aftoppingsgrens: ``s·(not passend) − (1−s)·(passend) <= 0``,
  in thousandths;
* DAEB — at least ``min_share`` of all lettings under the DAEB income limit, the same way;
* vulnerable caps — per buurt, vulnerable lettings <= floor(max_share × the buurt's vacancies);
* uitstroom quota — at least ``dwellings`` lettings to uitstroom households (a ``>=`` row written as
  ``<=`` with negated signs), and per buurt at most ceil(max_factor × its stock share of the quota).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from wijkvitaliteit.allocation.policy import Policy
from wijkvitaliteit.sources.allocation import AllocationInputs

SCALE = 1000  # value points → integer units for the min-cost flow and CP-SAT


@dataclass
class Instance:
    policy: Policy
    applicants: pd.DataFrame  # one row per applicant, position = index used by arcs
    vacancies: pd.DataFrame  # one row per vacancy (with ``cap`` etc. per buurt where relevant)
    arc_applicant: np.ndarray  # int32
    arc_vacancy: np.ndarray  # int32
    rank: np.ndarray  # int32, 1 = first choice
    preference: np.ndarray  # float, (K + 1 - rank) / K in (0, 1]
    value: np.ndarray  # int64, points × SCALE
    A: sparse.csr_matrix  # rows × arcs, int64
    b: np.ndarray  # int64
    rows: pd.DataFrame  # rule, area, sense, label per row of A
    buurten: pd.DataFrame  # buurt_code, score, stock, vacancies, cap, quota_max
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def n_arcs(self) -> int:
        return len(self.value)


def income_limits(policy: Policy, applicants: pd.DataFrame) -> pd.DataFrame:
    """Per applicant: passend income limit, aftoppingsgrens and DAEB limit of the policy year (NaN when the
    rule is off). Shared by the instance and the checker: it is the rule's definition, not its enforcement."""
    year = policy.policy.year
    single = applicants["household_size"].to_numpy() == 1
    out = pd.DataFrame(index=applicants.index)
    passend = policy.active("passend_toewijzen")
    if passend is not None:
        lim = passend.limits[year]
        aow = applicants["age"].to_numpy() >= passend.aow_age
        out["passend_income"] = np.select(
            [single & ~aow, ~single & ~aow, single & aow],
            [lim.income_single, lim.income_multi, lim.income_single_aow],
            lim.income_multi_aow,
        )
        out["aftopping"] = np.where(applicants["household_size"].to_numpy() <= 2, lim.rent_small, lim.rent_large)
    daeb = policy.active("daeb")
    if daeb is not None:
        lim = daeb.limits[year]
        out["daeb_income"] = np.where(single, lim.income_single, lim.income_multi)
    return out


def buurt_caps(policy: Policy, buurten: pd.DataFrame) -> pd.DataFrame:
    """Per buurt with vacancies: vulnerable cap and uitstroom maximum (the rule's definition, see module doc).
    ``buurten`` has buurt_code, score, stock, vacancies."""
    out = buurten.copy()
    caps = policy.active("vulnerable_caps")
    if caps is not None:
        share = out["score"].map(lambda s: caps.share_for(None if pd.isna(s) else float(s)))
        out["cap_share"] = share.astype(float)
        out["cap"] = np.floor(out["cap_share"] * out["vacancies"] + 1e-9).astype(int)
    quota = policy.active("uitstroom_quota")
    if quota is not None:
        stock = out["stock"].fillna(0).clip(lower=0).astype(float)
        total = stock.sum()
        quota_n = quota_dwellings(quota, int(out["vacancies"].sum()))
        fair = quota_n * stock / total if total > 0 else pd.Series(0.0, index=out.index)
        out["quota_fair"] = fair
        out["quota_max"] = np.ceil(quota.max_factor * fair - 1e-9).astype(int)
    return out


def quota_dwellings(quota, n_vacancies: int) -> int:
    """The matchpoint quota of this round: a number of dwellings, or a share of the vacancies (rounded down)."""
    if quota.share is not None:
        return int(np.floor(quota.share * n_vacancies + 1e-9))
    return int(quota.dwellings)


def waiting_years(applicants: pd.DataFrame, year: int) -> np.ndarray:
    registered = pd.to_datetime(applicants["registration_date"])
    days = (pd.Timestamp(year=year, month=1, day=1) - registered).dt.days.to_numpy()
    return np.clip(days / 365.25, 0, None)


def build_instance(inputs: AllocationInputs, policy: Policy, buurt_info: pd.DataFrame) -> Instance:
    """``buurt_info``: buurt_code, score (by the policy's ``vulnerable_caps.by``), stock (corporation dwellings)."""
    applicants = inputs.applicants.reset_index(drop=True)
    vacancies = inputs.vacancies.reset_index(drop=True)
    a_pos = pd.Series(np.arange(len(applicants)), index=applicants["applicant_id"])
    v_pos = pd.Series(np.arange(len(vacancies)), index=vacancies["vacancy_id"])
    responses = inputs.responses
    arc_a = a_pos.loc[responses["applicant_id"]].to_numpy(np.int64)
    arc_v = v_pos.loc[responses["vacancy_id"]].to_numpy(np.int64)
    rank = responses["rank"].to_numpy(np.int64)
    excluded: dict[str, int] = {}

    keep = np.ones(len(arc_a), bool)
    wbmgp = policy.active("wbmgp")
    if wbmgp is not None and wbmgp.buurten:
        designated = vacancies["buurt_code"].isin(wbmgp.buurten).to_numpy()[arc_v]
        short = (applicants["years_in_region"].to_numpy() < wbmgp.min_years_in_region)[arc_a]
        income_ok = applicants["income_source"].isin(wbmgp.allowed_income_sources).to_numpy()[arc_a]
        barred = designated & short & ~income_ok
        excluded["wbmgp"] = int(barred.sum())
        keep &= ~barred
    arc_a, arc_v, rank = arc_a[keep], arc_v[keep], rank[keep]

    k = max(int(rank.max()) if len(rank) else 1, 1)
    preference = (k + 1 - rank) / k
    pri = policy.priorities
    wait = np.minimum(waiting_years(applicants, policy.policy.year), pri.max_waiting_years)
    urgent = applicants["urgent"].to_numpy(bool)
    commit = (
        applicants["commitment_buurt"].astype("string").fillna("").to_numpy()[arc_a]
        == vacancies["buurt_code"].astype("string").to_numpy()[arc_v]
    )
    points = (
        pri.fill
        + pri.preference * preference
        + pri.waiting_years * wait[arc_a]
        + pri.urgency * urgent[arc_a]
        + pri.commitment * commit
    )
    value = np.round(points * SCALE).astype(np.int64)

    # -- shared rules as rows of A -----------------------------------------------------------------
    per_buurt = vacancies.groupby("buurt_code").size().rename("vacancies")
    info = buurt_info.set_index("buurt_code").reindex(per_buurt.index)
    buurten = buurt_caps(
        policy,
        pd.DataFrame(
            {
                "buurt_code": per_buurt.index,
                "score": info["score"].to_numpy(),
                "stock": info["stock"].to_numpy(),
                "vacancies": per_buurt.to_numpy(),
            }
        ),
    )
    limits = income_limits(policy, applicants)
    rent = vacancies["rent"].to_numpy(float)[arc_v]
    rows: list[dict] = []
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (row, arc, coef)
    bounds: list[int] = []

    def add(rule: str, area: str, sense: str, label: str, arcs: np.ndarray, coefs: np.ndarray, bound: int) -> None:
        entries.append((np.full(len(arcs), len(rows)), arcs, coefs))
        rows.append({"rule": rule, "area": area, "sense": sense, "label": label})
        bounds.append(int(bound))

    everything = np.arange(len(arc_a))
    passend = policy.active("passend_toewijzen")
    if passend is not None:
        s = round(passend.min_share * 1000)
        low_income = (applicants["income"].to_numpy() <= limits["passend_income"].to_numpy())[arc_a]
        fits = rent <= limits["aftopping"].to_numpy()[arc_a]
        arcs = everything[low_income]
        add("passend_toewijzen", "", ">=", f"≥ {passend.min_share:.1%} passend", arcs, np.where(fits[low_income], s - 1000, s), 0)
    daeb = policy.active("daeb")
    if daeb is not None:
        s = round(daeb.min_share * 1000)
        under = (applicants["income"].to_numpy() <= limits["daeb_income"].to_numpy())[arc_a]
        add("daeb", "", ">=", f"≥ {daeb.min_share:.1%} onder de DAEB-grens", everything, np.where(under, s - 1000, s), 0)
    buurt_of_arc = pd.Index(buurten["buurt_code"]).get_indexer(vacancies["buurt_code"].to_numpy()[arc_v])

    def per_buurt_rows(rule: str, mask: np.ndarray, bound_column: str, label: str) -> None:
        arcs = everything[mask]
        order = np.argsort(buurt_of_arc[arcs], kind="stable")
        arcs = arcs[order]
        starts = np.searchsorted(buurt_of_arc[arcs], np.arange(len(buurten) + 1))
        for i, row in enumerate(buurten.itertuples()):
            part = arcs[starts[i] : starts[i + 1]]
            bound = int(getattr(row, bound_column))
            add(rule, row.buurt_code, "<=", label.format(bound), part, np.ones(len(part), np.int64), bound)

    if "cap" in buurten:
        per_buurt_rows("vulnerable_cap", applicants["vulnerable"].to_numpy(bool)[arc_a], "cap", "≤ {} kwetsbare huishoudens")
    quota = policy.active("uitstroom_quota")
    if quota is not None and quota_dwellings(quota, len(vacancies)) > 0:
        q = quota_dwellings(quota, len(vacancies))
        uit = applicants["uitstroom"].to_numpy(bool)[arc_a]
        arcs = everything[uit]
        add("uitstroom_quota", "", ">=", f"≥ {q} uitstroomwoningen", arcs, -np.ones(len(arcs), np.int64), -q)
        per_buurt_rows("uitstroom_spread", uit, "quota_max", "≤ {} uitstroomhuishoudens")
    if entries:
        r, c, v = (np.concatenate(x) for x in zip(*entries, strict=True))
    else:
        r = c = v = np.zeros(0, np.int64)
    A = sparse.csr_matrix((v.astype(np.int64), (r, c)), shape=(len(rows), len(arc_a)), dtype=np.int64)
    return Instance(
        policy=policy,
        applicants=applicants,
        vacancies=vacancies,
        arc_applicant=arc_a.astype(np.int32),
        arc_vacancy=arc_v.astype(np.int32),
        rank=rank.astype(np.int32),
        preference=preference,
        value=value,
        A=A,
        b=np.asarray(bounds, np.int64),
        rows=pd.DataFrame(rows, columns=["rule", "area", "sense", "label"]),
        buurten=buurten,
        excluded=excluded,
    )

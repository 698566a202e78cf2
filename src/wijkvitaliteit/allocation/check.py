"""The independent checker: does an assignment keep every hard rule of a policy?

It works on the assignment as a table (applicant_id, vacancy_id) — from the optimiser, a baseline or a
file — and counts with pandas from the inputs and the policy, without the optimiser's arc matrix. What
it shares with the optimiser is only the rules' definitions: the limits of the policy year
(:func:`instance.income_limits`) and the buurt caps (:func:`instance.buurt_caps`).
"""

from __future__ import annotations

import math

import pandas as pd

from wijkvitaliteit.allocation.instance import buurt_caps, income_limits, quota_dwellings
from wijkvitaliteit.allocation.policy import Policy
from wijkvitaliteit.sources.allocation import AllocationInputs

COLUMNS = ["rule", "area", "found", "allowed", "detail"]


def _share_rule(rule: str, counted: pd.Series, good: pd.Series, min_share: float, what: str) -> list[dict]:
    n, ok = int(counted.sum()), int((counted & good).sum())
    # at least min_share of n: ok / n >= min_share, compared in whole thousandths (no float rounding)
    if n and ok * 1000 < round(min_share * 1000) * n:
        return [
            {
                "rule": rule,
                "area": "",
                "found": ok / n,
                "allowed": min_share,
                "detail": f"{ok} van {n} {what} ({ok / n:.1%}); minimaal {min_share:.1%} vereist",
            }
        ]
    return []


def check_assignment(
    assignment: pd.DataFrame, inputs: AllocationInputs, policy: Policy, buurt_info: pd.DataFrame
) -> pd.DataFrame:
    """Every broken rule as a row (rule, area, found, allowed, detail); empty when the assignment is valid.
    ``buurt_info``: buurt_code, score, stock — as for the optimiser."""
    found: list[dict] = []
    a = assignment[["applicant_id", "vacancy_id"]].astype("string")
    applicants = inputs.applicants.set_index("applicant_id")
    vacancies = inputs.vacancies.set_index("vacancy_id")
    for column, known, rule in (
        ("applicant_id", applicants.index, "unknown_applicant"),
        ("vacancy_id", vacancies.index, "unknown_vacancy"),
    ):
        for value in a.loc[~a[column].isin(known), column].unique():
            found.append(
                {"rule": rule, "area": "", "found": value, "allowed": None, "detail": f"{column} {value} staat niet in de invoer"}
            )
    a = a[a["applicant_id"].isin(applicants.index) & a["vacancy_id"].isin(vacancies.index)]
    for column, rule in (("applicant_id", "one_per_applicant"), ("vacancy_id", "one_per_vacancy")):
        counts = a[column].value_counts()
        for value, n in counts[counts > 1].items():
            found.append(
                {"rule": rule, "area": "", "found": int(n), "allowed": 1, "detail": f"{column} {value} komt {n} keer voor"}
            )
    responded = (
        a.merge(inputs.responses[["applicant_id", "vacancy_id"]].astype("string"), how="left", indicator=True)["_merge"]
        .eq("both")
        .to_numpy()
    )
    for row in a[~responded].itertuples():
        found.append(
            {
                "rule": "responded",
                "area": "",
                "found": row.vacancy_id,
                "allowed": None,
                "detail": f"{row.applicant_id} reageerde niet op {row.vacancy_id}",
            }
        )

    lets = a.join(applicants, on="applicant_id").join(vacancies[["buurt_code", "rent"]], on="vacancy_id")
    limits = income_limits(policy, lets.reset_index(drop=True)).set_index(lets.index)

    wbmgp = policy.active("wbmgp")
    if wbmgp is not None:
        barred = (
            lets["buurt_code"].isin(wbmgp.buurten)
            & (lets["years_in_region"] < wbmgp.min_years_in_region)
            & ~lets["income_source"].isin(wbmgp.allowed_income_sources)
        )
        for row in lets[barred].itertuples():
            found.append(
                {
                    "rule": "wbmgp",
                    "area": row.buurt_code,
                    "found": row.years_in_region,
                    "allowed": wbmgp.min_years_in_region,
                    "detail": f"{row.applicant_id}: {row.years_in_region} jaar in de regio, inkomen uit "
                    f"{row.income_source}, in aangewezen buurt {row.buurt_code}",
                }
            )
    passend = policy.active("passend_toewijzen")
    if passend is not None:
        found += _share_rule(
            "passend_toewijzen",
            lets["income"] <= limits["passend_income"],
            lets["rent"] <= limits["aftopping"],
            passend.min_share,
            "huishoudens met een passend-inkomen op of onder de aftoppingsgrens",
        )
    daeb = policy.active("daeb")
    if daeb is not None:
        found += _share_rule(
            "daeb",
            pd.Series(True, index=lets.index),
            lets["income"] <= limits["daeb_income"],
            daeb.min_share,
            "verhuringen onder de DAEB-inkomensgrens",
        )

    per_buurt = inputs.vacancies.groupby("buurt_code").size().rename("vacancies")
    info = buurt_info.set_index("buurt_code").reindex(per_buurt.index)
    caps = buurt_caps(
        policy,
        pd.DataFrame(
            {
                "buurt_code": per_buurt.index,
                "score": info["score"].to_numpy(),
                "stock": info["stock"].to_numpy(),
                "vacancies": per_buurt.to_numpy(),
            }
        ),
    ).set_index("buurt_code")
    vulnerable = lets[lets["vulnerable"]].groupby("buurt_code").size()
    uitstroom = lets[lets["uitstroom"]].groupby("buurt_code").size()
    if "cap" in caps:
        for code, n in vulnerable.items():
            cap = int(caps.loc[code, "cap"])
            if n > cap:
                found.append(
                    {
                        "rule": "vulnerable_cap",
                        "area": code,
                        "found": int(n),
                        "allowed": cap,
                        "detail": f"{n} kwetsbare huishoudens in {code}; plafond {cap} "
                        f"({caps.loc[code, 'cap_share']:.0%} van {caps.loc[code, 'vacancies']})",
                    }
                )
    quota = policy.active("uitstroom_quota")
    if quota is not None:
        need = quota_dwellings(quota, len(inputs.vacancies))
        got = int(uitstroom.sum())
        if got < need:
            found.append(
                {
                    "rule": "uitstroom_quota",
                    "area": "",
                    "found": got,
                    "allowed": need,
                    "detail": f"{got} uitstroomhuishoudens gehuisvest; quotum {need}",
                }
            )
        for code, n in uitstroom.items():
            most = int(caps.loc[code, "quota_max"])
            if n > most:
                found.append(
                    {
                        "rule": "uitstroom_spread",
                        "area": code,
                        "found": int(n),
                        "allowed": most,
                        "detail": f"{n} uitstroomhuishoudens in {code}; spreiding naar bezit staat "
                        f"{most} toe (aandeel {caps.loc[code, 'quota_fair']:.1f} × "
                        f"{quota.max_factor:g}, naar boven)",
                    }
                )
    out = pd.DataFrame(found, columns=COLUMNS)
    out["found"] = out["found"].map(lambda v: v if not isinstance(v, float) or not math.isnan(v) else None)
    return out

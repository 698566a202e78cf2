"""A seeded, FICTITIOUS allocation round: vacancies from a corporation's stock, applicants and responses.

Written in the documented formats (docs/formats.md: vacancies, applicants, responses). Assumptions:

* vacancies: a random sample of the dwellings (default 7 % of the stock, the yearly turnover the demo
  corporation's lettings have), rooms by dwelling type, the dwelling's rent;
* applicants: household size 1–5 (45/25/13/10/7 %), income log-normal around the limits (so that the
  passend and DAEB rules bite), 20 % fewer than 6 years in the region, waiting time exponential
  (mean 5 years), 4 % urgent, 6 % leaving an institution (GGZ/MO/BW), 4 % statushouder, 3 % with a
  commitment to a buurt they respond to;
* responses: 1–20 per applicant (mean ``responses_mean``), drawn with a popularity per buurt and cheaper
  dwellings more popular; rank = order drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOMS = {
    "eengezins": (4, 5),
    "portiek": (2, 4),
    "galerij": (2, 3),
    "maisonnette": (3, 5),
    "flat": (1, 4),
    "seniorenwoning": (2, 3),
    "overig": (1, 4),
}


@dataclass(frozen=True)
class AllocationRound:
    out: Path
    counts: dict[str, int]


def generate_allocation(
    out: str | Path,
    dwellings: pd.DataFrame,
    *,
    seed: int = 42,
    n_vacancies: int | None = None,
    n_applicants: int | None = None,
    responses_mean: float = 10.0,
) -> AllocationRound:
    """``dwellings``: dwelling_id, buurt_code, dwelling_type, rent (the corporation's stock)."""
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    n_vacancies = n_vacancies or max(1, round(0.07 * len(dwellings)))
    n_applicants = n_applicants or 6 * n_vacancies

    pick = rng.choice(len(dwellings), size=min(n_vacancies, len(dwellings)), replace=False)
    stock = dwellings.iloc[np.sort(pick)].reset_index(drop=True)
    lo = stock["dwelling_type"].map(lambda t: ROOMS.get(t, (1, 4))[0]).to_numpy()
    hi = stock["dwelling_type"].map(lambda t: ROOMS.get(t, (1, 4))[1]).to_numpy()
    rent = stock["rent"].astype(float).fillna(640.0).to_numpy()
    vacancies = pd.DataFrame(
        {
            "vacancy_id": [f"ADV{i:06d}" for i in range(1, len(stock) + 1)],
            "dwelling_id": stock["dwelling_id"].to_numpy(),
            "buurt_code": stock["buurt_code"].to_numpy(),
            "rent": np.round(rent, 2),
            "rooms": rng.integers(lo, hi + 1),
            "dwelling_type": stock["dwelling_type"].to_numpy(),
            "published": (
                pd.Timestamp("2025-01-02") + pd.to_timedelta(np.sort(rng.integers(0, 360, len(stock))), unit="D")
            ).strftime("%Y-%m-%d"),
        }
    )

    n = n_applicants
    size = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.45, 0.25, 0.13, 0.10, 0.07])
    kind = np.where(
        size == 1,
        "alleenstaand",
        np.where(
            size == 2,
            rng.choice(["paar", "eenoudergezin"], size=n, p=[0.7, 0.3]),
            rng.choice(["gezin", "eenoudergezin"], size=n, p=[0.75, 0.25]),
        ),
    )
    age = np.clip(np.round(rng.gamma(6.0, 7.0, n) + 18), 18, 95).astype(int)
    source = rng.choice(["werk", "uitkering", "pensioen", "studiefinanciering", "geen"], size=n, p=[0.55, 0.25, 0.12, 0.05, 0.03])
    source = np.where(age >= 67, "pensioen", source)
    income = np.round(np.exp(rng.normal(np.log(26000 + 5000 * (size > 1)), 0.45, n)), -1)
    wait = rng.exponential(5.0, n).clip(0, 25)
    registered = pd.Timestamp("2025-01-01") - pd.to_timedelta(np.round(wait * 365.25), unit="D")
    years_region = np.where(rng.random(n) < 0.2, rng.integers(0, 6, n), rng.integers(6, 60, n))
    uit = rng.random(n) < 0.06
    uit_kind = rng.choice(["uitstroom_ggz", "uitstroom_mo", "uitstroom_bw"], size=n, p=[0.4, 0.35, 0.25])
    status = ~uit & (rng.random(n) < 0.04)
    applicants = pd.DataFrame(
        {
            "applicant_id": [f"WZ{i:07d}" for i in range(1, n + 1)],
            "household_size": size,
            "household_type": kind,
            "age": age,
            "income": income,
            "income_source": source,
            "registration_date": registered.strftime("%Y-%m-%d"),
            "years_in_region": years_region,
            "urgent": np.where(rng.random(n) < 0.04 + 0.3 * uit, "ja", "nee"),
            **{
                flag: np.where(uit & (uit_kind == flag), "ja", "nee")
                for flag in ("uitstroom_ggz", "uitstroom_mo", "uitstroom_bw")
            },
            "statushouder": np.where(status, "ja", "nee"),
        }
    )

    # responses: popularity by buurt and by rent
    buurt_codes, buurt_idx = np.unique(vacancies["buurt_code"].to_numpy(), return_inverse=True)
    popularity = rng.lognormal(0.0, 0.6, len(buurt_codes))[buurt_idx] * np.exp(-(rent - 600.0) / 250.0)
    p = popularity / popularity.sum()
    k = np.clip(rng.poisson(responses_mean, n), 1, 20)
    who = np.repeat(np.arange(n), k)
    what = rng.choice(len(vacancies), size=len(who), p=p)
    responses = pd.DataFrame({"a": who, "v": what}).drop_duplicates(keep="first")
    responses["rank"] = responses.groupby("a").cumcount() + 1
    chosen_buurt = vacancies["buurt_code"].to_numpy()[responses["v"].to_numpy()]
    first = responses.assign(buurt=chosen_buurt).drop_duplicates("a")
    commit = rng.random(len(first)) < 0.03
    applicants["commitment_buurt"] = ""
    applicants["commitment_kind"] = ""
    rows = first["a"].to_numpy()[commit]
    applicants.loc[rows, "commitment_buurt"] = first["buurt"].to_numpy()[commit]
    applicants.loc[rows, "commitment_kind"] = rng.choice(["pleinmaker", "motivatie"], size=len(rows))
    responses = pd.DataFrame(
        {
            "applicant_id": applicants["applicant_id"].to_numpy()[responses["a"].to_numpy()],
            "vacancy_id": vacancies["vacancy_id"].to_numpy()[responses["v"].to_numpy()],
            "buurt_code": "",
            "rank": responses["rank"].to_numpy(),
        }
    )
    applicants = applicants[applicants["applicant_id"].isin(set(responses["applicant_id"]))]
    tables = {"vacancies": vacancies, "applicants": applicants, "responses": responses}
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False)
    (out / "README.txt").write_text(
        "FICTIEF — een verzonnen toewijzingsronde (seeded). FICTITIOUS allocation round; formats in docs/formats.md.\n",
        encoding="utf-8",
    )
    return AllocationRound(out, {name: len(frame) for name, frame in tables.items()})

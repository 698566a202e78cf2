"""Allocation inputs: vacancies, applicants and their responses (documented in docs/formats.md).

Like the corporation's records they come as CSV or xlsx files in one folder (``vacancies.csv``,
``applicants.csv``, ``responses.csv``) or as one workbook with those sheets. A response names a
vacancy, or a buurt: a buurt stands for every vacancy in it, with the same rank.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wijkvitaliteit.errors import InputError
from wijkvitaliteit.sources.corporation import DWELLING_TYPES, HOUSEHOLD_TYPES, first_row, read_tables
from wijkvitaliteit.sources.tabular import Column, TableFormat

INCOME_SOURCES = ("werk", "pensioen", "studiefinanciering", "uitkering", "geen", "overig")
COMMITMENT_KINDS = ("pleinmaker", "motivatie")
UITSTROOM_FLAGS = ("uitstroom_ggz", "uitstroom_mo", "uitstroom_bw")

VACANCIES = TableFormat(
    name="vacancies",
    description="Vrijkomende woningen: one row per vacancy offered in the allocation round.",
    key=("vacancy_id",),
    columns=(
        Column("vacancy_id", "str", description="Id of the advertised vacancy."),
        Column("dwelling_id", "str", required=False, description="The dwelling (VHE-nummer), if known."),
        Column("buurt_code", "buurt_code", description="CBS buurt code of the dwelling."),
        Column("rent", "float", minimum=0, maximum=10000, unit="EUR/month", description="Kale huur per month."),
        Column("rooms", "int", minimum=1, maximum=20, description="Number of rooms."),
        Column("dwelling_type", "choice", choices=DWELLING_TYPES, description="Type of dwelling."),
        Column(
            "published",
            "date",
            required=False,
            description="Date advertised; today's-practice baseline lets vacancies in this order (else file order).",
        ),
    ),
)

APPLICANTS = TableFormat(
    name="applicants",
    description="Woningzoekenden: one row per household that responded in the round.",
    key=("applicant_id",),
    columns=(
        Column("applicant_id", "str", description="Registration number (pseudonymised is fine)."),
        Column("household_size", "int", minimum=1, maximum=20, description="Persons in the household."),
        Column("household_type", "choice", choices=HOUSEHOLD_TYPES, description="Household type."),
        Column("age", "int", minimum=16, maximum=120, description="Age of the main applicant (AOW limits)."),
        Column(
            "income",
            "float",
            minimum=0,
            maximum=10_000_000,
            unit="EUR/year",
            description="Household income as used for the income tests (verzamelinkomen).",
        ),
        Column(
            "income_source",
            "choice",
            choices=INCOME_SOURCES,
            description="Main source of income (Wbmgp art. 8 accepts werk, pensioen, studiefinanciering).",
        ),
        Column("registration_date", "date", past=True, minimum=1950, description="Date of registration as woningzoekende."),
        Column(
            "years_in_region",
            "int",
            minimum=0,
            maximum=120,
            description="Years living in the region without interruption (Wbmgp art. 8).",
        ),
        Column("urgent", "bool", description="Has an urgency declaration."),
        Column("uitstroom_ggz", "bool", description="Leaves mental-health care (GGZ)."),
        Column("uitstroom_mo", "bool", description="Leaves maatschappelijke opvang."),
        Column("uitstroom_bw", "bool", description="Leaves beschermd wonen."),
        Column("statushouder", "bool", description="Is a statushouder."),
        Column(
            "commitment_buurt",
            "buurt_code",
            required=False,
            description="Buurt the household commits to (e.g. a Pleinmaker contract or a motivation letter).",
        ),
        Column(
            "commitment_kind",
            "choice",
            required=False,
            choices=COMMITMENT_KINDS,
            description="Kind of commitment; required when commitment_buurt is given.",
        ),
    ),
)

RESPONSES = TableFormat(
    name="responses",
    description="Reacties: one row per response of an applicant to a vacancy (or to every vacancy in a buurt).",
    columns=(
        Column("applicant_id", "str", description="An applicant_id of applicants."),
        Column("vacancy_id", "str", required=False, description="A vacancy_id of vacancies."),
        Column(
            "buurt_code",
            "buurt_code",
            required=False,
            description="Instead of vacancy_id: every vacancy in this buurt, with this rank.",
        ),
        Column("rank", "int", minimum=1, maximum=1000, description="1 = most wanted."),
    ),
)

FORMATS = {f.name: f for f in (VACANCIES, APPLICANTS, RESPONSES)}


@dataclass(frozen=True)
class AllocationInputs:
    vacancies: pd.DataFrame
    applicants: pd.DataFrame
    responses: pd.DataFrame  # applicant_id, vacancy_id, rank — buurt responses expanded
    files: dict[str, Path]


def read_allocation_inputs(path: str | Path, known_buurten: set[str] | None = None) -> AllocationInputs:
    """Read and validate the three tables; a reference to an unknown applicant, vacancy or buurt is refused."""
    path = Path(path)
    tables, shown = read_tables(path, FORMATS, "vacancies, applicants and responses")
    vacancies, applicants, responses = tables["vacancies"], tables["applicants"], tables["responses"]
    if known_buurten is not None:
        unknown = ~vacancies["buurt_code"].isin(known_buurten)
        if unknown.any():
            i = first_row(unknown)
            raise InputError(
                shown["vacancies"],
                "a buurt known in the workspace",
                row=i + 2,
                column="buurt_code",
                found=vacancies["buurt_code"].iloc[i],
            )
    lonely = applicants["commitment_buurt"].notna() & applicants["commitment_kind"].isna()
    if lonely.any():
        i = first_row(lonely)
        raise InputError(
            shown["applicants"],
            "a commitment_kind (pleinmaker or motivatie) with commitment_buurt",
            row=i + 2,
            column="commitment_kind",
            found="an empty cell",
        )
    for flag in UITSTROOM_FLAGS + ("statushouder", "urgent"):
        applicants[flag] = applicants[flag].astype(bool)
    applicants["uitstroom"] = applicants[list(UITSTROOM_FLAGS)].any(axis=1)
    applicants["vulnerable"] = applicants["uitstroom"] | applicants["statushouder"]

    file = shown["responses"]
    both = responses["vacancy_id"].notna() == responses["buurt_code"].notna()
    if both.any():
        i = first_row(both)
        raise InputError(
            file,
            "either a vacancy_id or a buurt_code",
            row=i + 2,
            column="vacancy_id",
            found="both" if responses["vacancy_id"].iloc[i] is not pd.NA else "neither",
        )
    for column, known, what in (
        ("applicant_id", applicants["applicant_id"], "an applicant_id of applicants"),
        ("vacancy_id", vacancies["vacancy_id"], "a vacancy_id of vacancies"),
        ("buurt_code", vacancies["buurt_code"], "a buurt with a vacancy in vacancies"),
    ):
        bad = responses[column].notna() & ~responses[column].isin(set(known))
        if bad.any():
            i = first_row(bad)
            raise InputError(file, what, row=i + 2, column=column, found=responses[column].iloc[i])
    responses = responses.assign(row=responses.index + 2)
    by_buurt = responses[responses["buurt_code"].notna()].merge(
        vacancies[["vacancy_id", "buurt_code"]], on="buurt_code", suffixes=("_gone", "")
    )
    direct = responses[responses["vacancy_id"].notna()]
    expanded = pd.concat(
        [direct[["applicant_id", "vacancy_id", "rank", "row"]], by_buurt[["applicant_id", "vacancy_id", "rank", "row"]]],
        ignore_index=True,
    )
    expanded = expanded.sort_values("row", kind="stable").reset_index(drop=True)
    # the same applicant reaching the same vacancy twice (directly and through its buurt) is an error
    duplicated = expanded.duplicated(["applicant_id", "vacancy_id"], keep="first")
    if duplicated.any():
        j = first_row(duplicated)
        raise InputError(
            file,
            "each applicant and vacancy once (directly or through its buurt)",
            row=int(expanded["row"].iloc[j]),
            column="vacancy_id",
            found=expanded["vacancy_id"].iloc[j],
        )
    expanded["rank"] = expanded["rank"].astype("int64")
    return AllocationInputs(
        vacancies=vacancies, applicants=applicants, responses=expanded[["applicant_id", "vacancy_id", "rank"]], files=shown
    )

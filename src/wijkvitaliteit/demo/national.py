"""A FICTITIOUS national corporation sector for the scale benchmark, in the documented formats.

At ``scale = 1``: about 2.3 M dwellings spread over every buurt of the national Leefbaarometer (the sector's
size; the spread per buurt is log-normal — we have no national stock per buurt, so this is an assumption),
300,000 lettings a year for 2022–2024 and 1 M nuisance reports over those years, and an organisation
register row per buurt and year. ``scale`` multiplies every count (the buurten stay all buurten).
Written with pyarrow's CSV writer; everything is generated vectorised from one seed.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from wijkvitaliteit import data
from wijkvitaliteit.sources.corporation import DWELLING_TYPES, NUISANCE_CATEGORIES

DWELLINGS = 2_300_000
LETTINGS_PER_YEAR = 300_000
NUISANCE_REPORTS = 1_000_000
YEARS = (2022, 2023, 2024)


def national_buurten() -> np.ndarray:
    with zipfile.ZipFile(data.LEEFBAAROMETER) as archive:
        frame = pd.read_csv(archive.open("Livability.csv"), usecols=["bu_code"], dtype=str)
    return np.sort(frame["bu_code"].unique())


def _ids(prefix: str, n: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), 8))


def _dates(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    day = rng.integers(0, 365, len(years))
    return (pd.to_datetime(years.astype(str), format="%Y") + pd.to_timedelta(day, unit="D")).strftime("%Y-%m-%d")


def _write(frame: dict, path: Path) -> None:
    pacsv.write_csv(pa.table(frame), path)


def generate_national(out: str | Path, scale: float = 1.0, seed: int = 7) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    buurten = national_buurten()
    n_d = int(DWELLINGS * scale)
    weights = rng.lognormal(0.0, 1.0, len(buurten))
    per_buurt = rng.multinomial(n_d, weights / weights.sum())
    buurt_of = np.repeat(buurten, per_buurt)
    types = np.array(DWELLING_TYPES[:-1])
    dwelling_ids = _ids("NVHE", n_d)
    _write(
        {
            "dwelling_id": dwelling_ids,
            "complex": np.char.add("C", (np.arange(n_d) // 60).astype(str)),
            "buurt_code": buurt_of,
            "dwelling_type": types[rng.integers(0, len(types), n_d)],
            "build_year": rng.integers(1920, 2024, n_d),
            "energy_label": np.array(list("abcdefg"))[rng.integers(0, 7, n_d)],
            "rent": np.round(rng.normal(640, 110, n_d).clip(300, 1100), 2),
        },
        out / "dwellings.csv",
    )

    n_l = int(LETTINGS_PER_YEAR * scale) * len(YEARS)
    years = np.repeat(np.array(YEARS), n_l // len(YEARS))
    vulnerable = rng.random(len(years)) < 0.2
    kind = rng.integers(0, 4, len(years))
    flags = {
        name: np.where(vulnerable & (kind == i), "ja", "nee")
        for i, name in enumerate(("uitstroom_ggz", "uitstroom_mo", "uitstroom_bw", "statushouder"))
    }
    _write(
        {
            "letting_id": _ids("NHC", len(years)),
            "dwelling_id": dwelling_ids[rng.integers(0, n_d, len(years))],
            "start_date": _dates(rng, years),
            "income_class": np.array(["bijstand", "huurtoeslag", "midden", "hoog"])[
                rng.choice(4, len(years), p=[0.4, 0.35, 0.2, 0.05])
            ],
            **flags,
            "urgent": np.where(rng.random(len(years)) < 0.05, "ja", "nee"),
            "contacted_within_6_weeks": np.where(rng.random(len(years)) < 0.6, "ja", "nee"),
        },
        out / "lettings.csv",
    )

    n_r = int(NUISANCE_REPORTS * scale)
    r_years = np.array(YEARS)[rng.integers(0, len(YEARS), n_r)]
    on_dwelling = rng.random(n_r) < 0.7
    picked = rng.integers(0, n_d, n_r)
    _write(
        {
            "report_id": _ids("NOM", n_r),
            "report_date": _dates(rng, r_years),
            "dwelling_id": np.where(on_dwelling, dwelling_ids[picked], ""),
            "buurt_code": np.where(on_dwelling, "", buurt_of[picked]),
            "category": np.array(NUISANCE_CATEGORIES)[rng.integers(0, len(NUISANCE_CATEGORIES), n_r)],
            "severity": rng.integers(1, 4, n_r),
            "status": np.array(["open", "in behandeling", "afgehandeld"])[rng.integers(0, 3, n_r)],
        },
        out / "nuisance.csv",
    )

    with_stock = buurten[per_buurt > 0]
    org_b = np.tile(with_stock, len(YEARS))
    org_y = np.repeat(np.array(YEARS), len(with_stock))
    yes_no = np.array(["nee", "ja"])
    _write(
        {
            "buurt_code": org_b,
            "year": org_y,
            "wijkraad": yes_no[rng.integers(0, 2, len(org_b))],
            "wijkregisseur": yes_no[rng.integers(0, 2, len(org_b))],
            "buurtbeheerder": yes_no[rng.integers(0, 2, len(org_b))],
            "bewonerscommissies": rng.poisson(1.0, len(org_b)),
            "clubs": rng.poisson(2.0, len(org_b)),
            "buurtfonds_aanvragen": rng.poisson(1.0, len(org_b)),
        },
        out / "organisation.csv",
    )
    (out / "corporatie.toml").write_text('name = "Nationale sector (fictief, benchmark)"\nfictitious = true\n', encoding="utf-8")
    return {
        "buurten": int((per_buurt > 0).sum()),
        "dwellings": n_d,
        "lettings": len(years),
        "nuisance": n_r,
        "organisation": len(org_b),
    }

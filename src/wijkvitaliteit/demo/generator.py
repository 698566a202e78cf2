"""A seeded, fictitious corporation in Nijmegen and Utrecht, written in the documented formats.

Everything it writes is FICTITIOUS. The relationships planted in it are written to ``truth.json``
so that the analyses can be checked against a known truth:

* stock: Utrecht — dwellings per buurt = real CBS KWB 2023 ``p_wcorpw`` × ``a_woning``; Nijmegen —
  no KWB is bundled, so we *assume* dwellings = land area × 1,500 per km² (150 to 2,500 per buurt)
  and a corporation share of 0.35, 0.55 in the post-war wijken Dukenburg (07) and Lindenholt (08),
  0.75 in Malvert (BU02680736), where 80 % of the stock is maisonnettes;
* lettings: 7 % of the stock per year (Poisson); the vulnerable share per buurt-year rises with the
  corporation share and with a weak Leefbaarometer score, plus a drift and noise; about half of the
  new tenants have an income at bijstand level;
* nuisance: reports per 100 dwellings in buurt b and year t follow
  ``rate = b0 + b_v·V + b_c·C + b_vc·V·C + a_b + g_t`` with V the vulnerable share of the lettings of
  the last three years (as ``corp.vulnerable_share`` derives it) and C the corporation share; counts
  are Poisson(rate × dwellings / 100);
* an allocation round for 2025 in ``toewijzing/`` (see :mod:`wijkvitaliteit.demo.allocation`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wijkvitaliteit import data
from wijkvitaliteit.demo.allocation import generate_allocation
from wijkvitaliteit.sources.corporation import NUISANCE_CATEGORIES
from wijkvitaliteit.sources.geometry import read_geometry
from wijkvitaliteit.sources.kwb import read_kwb

ALLOCATION_DIR = "toewijzing"  # the round's vacancies, applicants and responses (docs/formats.md)
CORPORATION_NAME = "Woonstichting De Voorbeeldhaven (fictief)"
MALVERT = "BU02680736"
LETTING_YEARS = range(2017, 2025)
RECORD_YEARS = range(2019, 2025)
WINDOW = 3
TRUE_COEFFICIENTS = {"b0": 2.0, "b_v": 3.0, "b_c": 4.0, "b_vc": 12.0}
YEAR_EFFECTS = {2019: 0.0, 2020: 0.3, 2021: 0.5, 2022: 0.2, 2023: 0.4, 2024: 0.6}
BUURT_EFFECT_SD = 0.8
FICTITIOUS_NOTE = (
    "FICTIEF — deze corporatie en al haar gegevens zijn verzonnen (seeded demo). "
    "FICTITIOUS — this corporation and all its records are generated."
)


@dataclass(frozen=True)
class DemoCorporation:
    out: Path
    counts: dict[str, int]


def _buurten() -> pd.DataFrame:
    """Buurt, gemeente, dwellings and corporation share for both gemeenten (see module docstring)."""
    kwb = read_kwb(data.KWB_UTRECHT[2023]).measurements
    wide = kwb[kwb["area_code"].str.startswith("BU")].pivot(index="area_code", columns="indicator", values="value")
    utrecht = pd.DataFrame(
        {"code": wide.index, "gemeente": "GM0344", "share": wide["kwb.p_wcorpw"] / 100, "stock_total": wide["kwb.a_woning"]}
    )
    utrecht["dwellings"] = np.round(utrecht["share"] * utrecht["stock_total"]).fillna(0).astype(int)

    geo = read_geometry(data.BUURTEN["GM0268"]).areas
    geo = geo[geo["level"] == "buurt"]
    import shapely

    area_km2 = shapely.area(shapely.from_wkb(geo["geometry"].map(bytes).to_numpy())) / 1e6
    nijmegen = pd.DataFrame({"code": geo["code"].to_numpy(), "gemeente": "GM0268"})
    nijmegen["stock_total"] = np.clip(np.round(area_km2 * 1500), 150, 2500)
    wijk = nijmegen["code"].str.slice(6, 8)
    nijmegen["share"] = np.where(wijk.isin(["07", "08"]), 0.55, 0.35)
    nijmegen.loc[nijmegen["code"] == MALVERT, "share"] = 0.75
    nijmegen["dwellings"] = np.round(nijmegen["share"] * nijmegen["stock_total"]).astype(int)
    frame = pd.concat([utrecht, nijmegen], ignore_index=True)
    return frame[frame["dwellings"] > 0].reset_index(drop=True)


def _lbm_2020(codes: pd.Series) -> pd.Series:
    from wijkvitaliteit.sources.leefbaarometer import read_leefbaarometer

    scores = read_leefbaarometer(data.LEEFBAAROMETER).scores
    latest = scores[scores["jaar"] == 2020].set_index("bu_code")["afw"]
    return codes.map(latest).astype(float)


def _points_in(polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    import shapely

    minx, miny, maxx, maxy = polygon.bounds
    found: list[np.ndarray] = []
    total = 0
    while total < n:
        xy = np.round(np.column_stack([rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)]))
        inside = shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])
        found.append(xy[inside])
        total += int(inside.sum())
    return np.vstack(found)[:n]


def generate(out: str | Path, seed: int = 42) -> DemoCorporation:
    rng = np.random.default_rng(seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    buurten = _buurten()
    afw = _lbm_2020(buurten["code"]).fillna(0.0)
    n_b = len(buurten)

    # -- dwellings ---------------------------------------------------------------------------------
    types = np.array(["eengezins", "portiek", "galerij", "maisonnette", "flat", "seniorenwoning"])
    base_p = np.array([0.30, 0.25, 0.20, 0.05, 0.12, 0.08])
    malvert_p = np.array([0.06, 0.04, 0.05, 0.80, 0.03, 0.02])
    rows = []
    next_id = 1
    import shapely

    geo = read_geometry(data.BUURTEN["GM0268"]).areas.set_index("code")["geometry"]
    for b in buurten.itertuples():
        n = int(b.dwellings)
        ids = [f"VHE{i:06d}" for i in range(next_id, next_id + n)]
        next_id += n
        p = malvert_p if b.code == MALVERT else base_p
        kind = rng.choice(types, size=n, p=p)
        build = np.where(kind == "maisonnette", rng.integers(1968, 1980, n), rng.integers(1920, 2023, n))
        frame = pd.DataFrame(
            {
                "dwelling_id": ids,
                "complex": [f"CPX-{b.code[2:]}-{k}" for k in rng.integers(1, max(2, n // 80 + 2), n)],
                "buurt_code": b.code,
                "x": np.nan,
                "y": np.nan,
                "dwelling_type": kind,
                "build_year": build,
                "energy_label": rng.choice(list("abcdefg"), size=n, p=[0.25, 0.3, 0.2, 0.1, 0.07, 0.05, 0.03]),
                "rent": np.round(np.clip(rng.normal(640, 110, n), 380, 900), 2),
            }
        )
        if b.gemeente == "GM0268":
            # Nijmegen's dwellings come with RD coordinates instead of a buurt code: the import places them.
            xy = _points_in(shapely.from_wkb(bytes(geo[b.code])), n, rng)
            frame["x"], frame["y"] = xy[:, 0], xy[:, 1]
            frame["buurt_code"] = ""
        rows.append(frame)
    dwellings = pd.concat(rows, ignore_index=True)
    dwelling_ids = dwellings["dwelling_id"].to_numpy(dtype=object)
    buurt_of_dwelling = np.repeat(buurten["code"].to_numpy(), buurten["dwellings"].to_numpy())

    # -- vulnerable share per buurt-year (the planted pressure) ----------------------------------------
    years = np.array(list(LETTING_YEARS))
    share_b = buurten["share"].to_numpy(float)
    v0 = np.clip(0.06 + 0.30 * share_b - 0.6 * np.minimum(afw.to_numpy(float), 0) + rng.normal(0, 0.04, n_b), 0.02, 0.55)
    v0[buurten["code"].eq(MALVERT).to_numpy()] = 0.38
    drift = rng.normal(0, 0.012, n_b)
    p_vuln = np.clip(v0[:, None] + drift[:, None] * (years - 2021)[None, :] + rng.normal(0, 0.03, (n_b, len(years))), 0.0, 0.8)

    # -- lettings ----------------------------------------------------------------------------------------
    lettings = []
    counts = rng.poisson(0.07 * buurten["dwellings"].to_numpy()[:, None], (n_b, len(years)))
    first_dwelling = np.concatenate([[0], np.cumsum(buurten["dwellings"].to_numpy())[:-1]])
    let_id = 1
    for i, b in enumerate(buurten.itertuples()):
        for j, year in enumerate(years):
            n = int(counts[i, j])
            if n == 0:
                continue
            vulnerable = rng.random(n) < p_vuln[i, j]
            kind = rng.choice(["uitstroom_ggz", "uitstroom_mo", "uitstroom_bw", "statushouder"], size=n, p=[0.3, 0.15, 0.15, 0.4])
            bijstand = rng.random(n) < np.where(vulnerable, 0.75, 0.45)
            other = rng.choice(["huurtoeslag", "midden", "hoog"], size=n, p=[0.65, 0.3, 0.05])
            start = pd.to_datetime(f"{year}-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
            recorded = year >= 2022
            contact_p = 0.9 if b.code == MALVERT else 0.55
            contacted = np.where(rng.random(n) < contact_p, "ja", "nee") if recorded else np.full(n, "")
            frame = pd.DataFrame(
                {
                    "letting_id": [f"HC{k:07d}" for k in range(let_id, let_id + n)],
                    "dwelling_id": dwelling_ids[first_dwelling[i] + rng.integers(0, b.dwellings, n)],
                    "start_date": start.strftime("%Y-%m-%d"),
                    "household_type": rng.choice(
                        ["alleenstaand", "paar", "gezin", "eenoudergezin", "overig"], size=n, p=[0.45, 0.15, 0.2, 0.15, 0.05]
                    ),
                    "age_band": rng.choice(["<23", "23-29", "30-44", "45-64", "65+"], size=n, p=[0.1, 0.25, 0.3, 0.2, 0.15]),
                    "income_class": np.where(bijstand, "bijstand", other),
                    **{
                        flag: np.where(vulnerable & (kind == flag), "ja", "nee")
                        for flag in ["uitstroom_ggz", "uitstroom_mo", "uitstroom_bw", "statushouder"]
                    },
                    "urgent": np.where(vulnerable & (rng.random(n) < 0.5), "ja", "nee"),
                    "contacted_within_6_weeks": contacted,
                }
            )
            let_id += n
            lettings.append(frame)
    lettings = pd.concat(lettings, ignore_index=True)

    # the realised vulnerable share over the window, exactly as derive computes it
    let_year = pd.to_datetime(lettings["start_date"]).dt.year
    vuln_flag = (lettings[["uitstroom_ggz", "uitstroom_mo", "uitstroom_bw", "statushouder"]] == "ja").any(axis=1)
    code_of_dwelling = pd.Series(buurt_of_dwelling, index=dwellings["dwelling_id"])
    per = (
        pd.DataFrame({"b": lettings["dwelling_id"].map(code_of_dwelling), "y": let_year, "v": vuln_flag})
        .groupby(["b", "y"])
        .agg(n=("v", "size"), v=("v", "sum"))
    )
    per = per.reindex(pd.MultiIndex.from_product([buurten["code"], years], names=["b", "y"]), fill_value=0)
    rolled = per.groupby(level="b", group_keys=False).apply(lambda g: g.rolling(WINDOW, min_periods=WINDOW).sum())
    share = (rolled["v"] / rolled["n"]).where(rolled["n"] > 0)

    # -- nuisance ------------------------------------------------------------------------------------------
    c = TRUE_COEFFICIENTS
    alpha = pd.Series(rng.normal(0, BUURT_EFFECT_SD, n_b), index=buurten["code"])
    alpha[MALVERT] = 1.5
    reports = []
    rep_id = 1
    truth_rows = []
    for b in buurten.itertuples():
        for year in RECORD_YEARS:
            v = share.get((b.code, year), np.nan)
            v = 0.0 if np.isnan(v) else float(v)
            rate = c["b0"] + c["b_v"] * v + c["b_c"] * b.share + c["b_vc"] * v * b.share + alpha[b.code] + YEAR_EFFECTS[year]
            rate = max(rate, 0.1)
            n = int(rng.poisson(rate * b.dwellings / 100))
            truth_rows.append(
                {
                    "buurt_code": b.code,
                    "year": year,
                    "vulnerable_share": v,
                    "corp_share": b.share,
                    "expected_per_100": rate,
                    "reports": n,
                }
            )
            if n == 0:
                continue
            on_dwelling = rng.random(n) < 0.7
            pick = dwelling_ids[first_dwelling[buurten.index[buurten["code"] == b.code][0]] + rng.integers(0, b.dwellings, n)]
            date = pd.to_datetime(f"{year}-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
            reports.append(
                pd.DataFrame(
                    {
                        "report_id": [f"OM{k:07d}" for k in range(rep_id, rep_id + n)],
                        "report_date": date.strftime("%Y-%m-%d"),
                        "dwelling_id": np.where(on_dwelling, pick, ""),
                        "buurt_code": np.where(on_dwelling, "", b.code),
                        "category": rng.choice(list(NUISANCE_CATEGORIES), size=n, p=[0.35, 0.2, 0.1, 0.1, 0.08, 0.05, 0.12]),
                        "severity": rng.choice([1, 2, 3], size=n, p=[0.55, 0.35, 0.1]),
                        "status": np.where(
                            year < 2024,
                            "afgehandeld",
                            rng.choice(["open", "in behandeling", "afgehandeld"], size=n, p=[0.2, 0.3, 0.5]),
                        ),
                    }
                )
            )
            rep_id += n
    nuisance = pd.concat(reports, ignore_index=True)
    # Nijmegen dwellings are placed by coordinates; a report on a dwelling there carries no buurt code either.

    # -- organisation register ------------------------------------------------------------------------
    wijken = buurten["code"].str.slice(0, 8).unique()
    regisseur = dict(zip(wijken, rng.random(len(wijken)) < 0.5, strict=True))
    org_rows = []
    base = {
        "wijkraad": rng.random(n_b) < 0.65,
        "buurtbeheerder": rng.random(n_b) < np.where(buurten["share"] > 0.4, 0.7, 0.25),
        "bewonerscommissies": rng.poisson(np.maximum(buurten["dwellings"] / 250, 0.2)),
        "clubs": rng.poisson(1.0 + 3.0 * (1 - buurten["share"])),
        "buurtfonds_aanvragen": rng.poisson(1.2, n_b),
    }
    for year in RECORD_YEARS:
        flip = rng.random(n_b) < 0.1
        base["wijkraad"] = np.where(flip, ~base["wijkraad"], base["wijkraad"])
        org_rows.append(
            pd.DataFrame(
                {
                    "buurt_code": buurten["code"],
                    "year": year,
                    "wijkraad": np.where(base["wijkraad"], "ja", "nee"),
                    "wijkregisseur": np.where(buurten["code"].str.slice(0, 8).map(regisseur), "ja", "nee"),
                    "buurtbeheerder": np.where(base["buurtbeheerder"], "ja", "nee"),
                    "bewonerscommissies": np.maximum(base["bewonerscommissies"] + rng.integers(-1, 2, n_b), 0),
                    "clubs": np.maximum(base["clubs"] + rng.integers(-1, 2, n_b), 0),
                    "buurtfonds_aanvragen": rng.poisson(1.2, n_b),
                }
            )
        )
    organisation = pd.concat(org_rows, ignore_index=True)
    malvert_rows = organisation["buurt_code"] == MALVERT
    organisation.loc[malvert_rows, ["wijkraad", "buurtbeheerder"]] = ["nee", "ja"]
    organisation.loc[malvert_rows, ["clubs", "bewonerscommissies"]] = [0, 1]

    # -- write -----------------------------------------------------------------------------------------
    dwellings["x"] = dwellings["x"].map(lambda v: "" if np.isnan(v) else str(int(v)))
    dwellings["y"] = dwellings["y"].map(lambda v: "" if np.isnan(v) else str(int(v)))
    tables = {"dwellings": dwellings, "lettings": lettings, "nuisance": nuisance, "organisation": organisation}
    for name, frame in tables.items():
        frame.to_csv(out / f"{name}.csv", index=False)
    (out / "corporatie.toml").write_text(
        f'name = "{CORPORATION_NAME}"\nfictitious = true\nnote = "{FICTITIOUS_NOTE}"\nseed = {seed}\n', encoding="utf-8"
    )
    stock = pd.DataFrame(
        {
            "dwelling_id": dwellings["dwelling_id"],
            "buurt_code": buurt_of_dwelling,
            "dwelling_type": dwellings["dwelling_type"],
            "rent": dwellings["rent"],
        }
    )
    round_ = generate_allocation(out / ALLOCATION_DIR, stock, seed=seed)
    truth = {
        "note": FICTITIOUS_NOTE,
        "seed": seed,
        "model": "reports ~ Poisson(rate * dwellings / 100); rate = b0 + b_v*V + b_c*C + b_vc*V*C + a_b + g_t "
        "(floored at 0.1); V = vulnerable share of the lettings of the last 3 years; C = corporation share",
        "coefficients": TRUE_COEFFICIENTS,
        "year_effects": {str(k): v for k, v in YEAR_EFFECTS.items()},
        "buurt_effect_sd": BUURT_EFFECT_SD,
        "window_years": WINDOW,
        "buurten": buurten.assign(afw_2020=afw.to_numpy(), v0=v0, drift=drift, buurt_effect=alpha.to_numpy()).to_dict(
            orient="records"
        ),
        "buurt_years": truth_rows,
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=1, default=float), encoding="utf-8")
    (out / "README.txt").write_text(
        FICTITIOUS_NOTE + "\n\nFiles follow docs/formats.md; truth.json holds the planted relationships.\n", encoding="utf-8"
    )
    written = {name: len(frame) for name, frame in tables.items()}
    written.update(round_.counts)
    return DemoCorporation(out, written)

"""The partner differencing audit: fetch every number a partner can, then try to recover a hidden small count.

The audit plays the partner. It builds the partner copy of a workspace, serves it as the partner app and fetches
what a partner can fetch: the national page, every gemeente's and buurt's JSON twin, the kwetsbaar segregation
twin of every gemeente and year, the allocation comparison of every gemeente and every gemeente's Excel export.
Every number in them that stands for a count of households or records, or for a share or rate of one, becomes a
fact. It then writes down what a partner can know about how the numbers hang together (the docs say it):

* a lettings window is the sum of its years (``corp.lettings_window`` = the last ``window`` years of lettings);
* a share times its base is a count (vulnerable and bijstand households in the window, contacted households of a
  year, nuisance reports = rate × dwellings / 100), in the buurt pages and in the allocation's projected window;
* a total is the sum of its parts (a gemeente's dwellings over its buurten; a run's lettings, vulnerable and
  uitstroom households over its buurten); the stock of a buurt is the same in every year;
* a broken rule has found > allowed; a cap and a maximum are computed from the vacancies.

The equations are solved per connected group of unknowns (linear algebra: an unknown is determined when it lies
in the row space of the system). A *leak* is a hidden count from 1 to threshold − 1 whose true value (read from the
corporation's workspace) is recovered exactly, or published directly. The partner copy must give zero.
"""

from __future__ import annotations

import asyncio
import io
import json
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wijkvitaliteit.privacy import DEFAULT_THRESHOLD
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.partner import make_partner_copy
from wijkvitaliteit.workspace.store import Workspace

COUNT_INDICATORS = {"corp.dwellings": "D", "corp.lettings": "L", "corp.lettings_window": "W", "corp.nuisance_reports": "R"}
# share or rate indicator → (numerator kind, base kind, factor): numerator = factor × share × base
SHARE_INDICATORS = {
    "corp.vulnerable_share": ("V", "W", 1.0),
    "corp.bijstand_share": ("Bj", "W", 1.0),
    "corp.contact_6w_share": ("C", "L", 1.0),
    "corp.nuisance_per_100": ("R", "D", 0.01),
}
ALLOCATION_FIELDS = (("vac", "vacancies"), ("alet", "lettings"), ("avul", "vulnerable"), ("auit", "uitstroom"))
YEARLY_FIELDS = {
    "dwellings": "corp.dwellings",
    "lettings": "corp.lettings",
    "nuisance_reports": "corp.nuisance_reports",
    "nuisance_per_100": "corp.nuisance_per_100",
    "vulnerable_share": "corp.vulnerable_share",
    "contact_6w_share": "corp.contact_6w_share",
}


@dataclass(frozen=True)
class Leak:
    quantity: tuple  # e.g. ("L", "BU03440532", 2020)
    value: float
    how: str

    def line(self) -> str:
        return f"{'/'.join(map(str, self.quantity))} = {self.value:g} ({self.how})"


@dataclass
class AuditResult:
    threshold: int
    fetched: int = 0  # pages and downloads fetched
    facts: int = 0  # numbers taken as facts
    equations: int = 0
    hidden_small: int = 0  # true counts 1 … threshold−1 that the partner copy hides
    leaks: list[Leak] = field(default_factory=list)


# -- fetching ----------------------------------------------------------------------------------------------------


def _get(app, path: str) -> tuple[int, bytes]:
    """One GET against an ASGI app in this process (no network, no client library)."""
    target, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": target,
        "raw_path": target.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"audit")],
        "client": ("127.0.0.1", 1),
        "server": ("audit", 80),
    }
    status, chunks = [0], []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            status[0] = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        asyncio.run(app(scope, receive, send))
    else:  # called from inside an event loop (a notebook, a test with a browser): run it in a thread of its own
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, app(scope, receive, send)).result()
    return status[0], b"".join(chunks)


class Facts:
    """Published numbers: quantity → value (a quantity published twice must say the same)."""

    def __init__(self) -> None:
        self.values: dict[tuple, float] = {}
        self.shares: dict[tuple, float] = {}  # (share indicator, area, year) → value

    def add(self, key: tuple, value) -> None:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return
        self.values[key] = float(value)

    def indicator(self, indicator: str, area: str, year, value) -> None:
        if value is None or pd.isna(value) or year is None or pd.isna(year):
            return
        if indicator in COUNT_INDICATORS:
            self.add((COUNT_INDICATORS[indicator], area, int(year)), value)
        elif indicator in SHARE_INDICATORS:
            self.shares[(indicator, area, int(year))] = float(value)


def _collect(app, gemeenten: list[str], result: AuditResult) -> tuple[Facts, dict]:
    facts = Facts()
    allocation: dict[str, Any] = {"runs": {}, "buurten": [], "violations": [], "year": None}

    def fetch(path: str):
        status, body = _get(app, path)
        result.fetched += 1
        return json.loads(body) if status == 200 and path.split("?")[0].endswith(".json") else (body if status == 200 else None)

    national = fetch("/nederland.json")
    for g in national["gemeenten"] if national else []:
        facts.add(("GD", g["code"]), g.get("corp_dwellings") if g.get("corp_dwellings") else None)
    for gemeente in gemeenten:
        page = fetch(f"/gemeente/{gemeente}.json")
        if page is None:
            continue
        for buurt in page["buurten"]:
            data = fetch(f"/buurt/{buurt['code']}.json")
            if data is None:
                continue
            for row in data.get("corporation", []):
                for name, ind in YEARLY_FIELDS.items():
                    facts.indicator(ind, data["code"], row["year"], row.get(name))
            for row in data.get("indicators", []):
                facts.indicator(row["indicator"], data["code"], row.get("value_year"), row.get("value"))
        for year in page["years"]:
            seg = fetch(f"/analyse/segregatie.json?groep=kwetsbaar&gemeente={gemeente}&jaar={year}")
            for row in (seg or {}).get("buurten", []):
                facts.add(("V", row["area_code"], int(row["year"])), row.get("group"))
                facts.add(("W", row["area_code"], int(row["year"])), row.get("total"))
        body = fetch(f"/gemeente/{gemeente}/download.xlsx")
        if body:
            sheets = pd.read_excel(io.BytesIO(body), sheet_name=["indicators"])
            for row in sheets["indicators"].itertuples():
                facts.indicator(row.indicator, row.code, row.value_year, row.value)
        alloc = fetch(f"/toewijzing.json?gemeente={gemeente}")
        if alloc:
            allocation["year"] = alloc["year"]
            for row in alloc["comparison"]:
                allocation["runs"][row["run_id"]] = row
                for kind, metric in (("alet", "lettings"), ("avul", "vulnerable_housed"), ("auit", "uitstroom_housed")):
                    facts.add((f"T{kind}", row["run_id"]), row.get(metric))
            seen = {(r["run_id"], r["buurt_code"]) for r in allocation["buurten"]}
            for row in alloc["buurten"]:
                if (row["run_id"], row["buurt_code"]) not in seen:
                    allocation["buurten"].append(row)
                    for kind, column in ALLOCATION_FIELDS:
                        facts.add((kind, row["run_id"], row["buurt_code"]), row.get(column))
            allocation["violations"] = alloc["violations"]
    result.facts = len(facts.values) + len(facts.shares)
    return facts, allocation


# -- the truth ---------------------------------------------------------------------------------------------------


def _truth(ws: Workspace, window: int) -> dict[tuple, float]:
    """Every quantity's true value, from the corporation's workspace."""
    truth: dict[tuple, float] = {}
    m = queries.measurements(ws, list(COUNT_INDICATORS), columns="area_code, year, indicator, value")
    for row in m.itertuples():
        truth[(COUNT_INDICATORS[row.indicator], row.area_code, int(row.year))] = float(row.value)
    lettings = queries.records(ws, "corp_lettings")
    if len(lettings):
        frame = lettings.assign(
            year=pd.to_datetime(lettings["start_date"]).dt.year,
            V=lettings["vulnerable"].astype(bool),
            Bj=lettings["income_class"].eq("bijstand"),
            C=lettings["contacted_within_6_weeks"].fillna(False).astype(bool),
        )
        per_year = frame.groupby(["buurt_code", "year"])[["V", "Bj", "C"]].sum()
        for (area, year), row in per_year.iterrows():
            truth[("C", area, int(year))] = float(row["C"])
        years = range(int(frame["year"].min()), int(frame["year"].max()) + 1)
        for area, group in per_year.groupby(level=0):
            by_year = group.droplevel(0)
            for year in years:
                span = [y for y in range(year - window + 1, year + 1) if y in by_year.index]
                truth[("V", area, year)] = float(by_year.loc[span, "V"].sum())
                truth[("Bj", area, year)] = float(by_year.loc[span, "Bj"].sum())
    for row in queries.allocation_buurten(ws, None).itertuples():
        for kind, column in ALLOCATION_FIELDS:
            value = getattr(row, column)
            if value is not None and not pd.isna(value):
                truth[(kind, int(row.run_id), row.buurt_code)] = float(value)
    return truth


# -- the attacks -------------------------------------------------------------------------------------------------


def _equations(facts: Facts, allocation: dict, truth: dict, window: int, gemeente_of: dict) -> list[dict]:
    """Linear equations Σ coef × quantity = constant that a partner can write down."""
    eqs: list[dict] = []
    areas = {k[1] for k in truth if k[0] in ("L", "D", "W")}
    letting_years = sorted({k[2] for k in truth if k[0] == "L"})
    if letting_years:
        first = letting_years[0]
        for area in areas:
            for year in range(first + window - 1, letting_years[-1] + 1):
                eq: dict[tuple, float] = {("W", area, year): 1.0}
                for back in range(window):
                    eq[("L", area, year - back)] = -1.0
                eqs.append(eq)
    for (indicator, area, year), share in facts.shares.items():
        num, base, factor = SHARE_INDICATORS[indicator]
        eqs.append({(num, area, year): 1.0, (base, area, year): -factor * share})
    stock_years: dict[str, list[int]] = defaultdict(list)
    for _kind, area, year in (k for k in truth if k[0] == "D"):
        stock_years[area].append(year)
    for area, years in stock_years.items():
        years.sort()
        for year in years[1:]:
            eqs.append({("D", area, year): 1.0, ("D", area, years[0]): -1.0})
    by_gemeente: dict[str, list[str]] = defaultdict(list)
    for area in stock_years:
        by_gemeente[gemeente_of.get(area, "")].append(area)
    for (kind, *rest), _ in list(facts.values.items()):
        if kind == "GD":
            g = rest[0]
            members = by_gemeente.get(g, [])
            if members:
                total: dict[tuple, float] = {("GD", g): 1.0}
                for area in members:
                    total[("D", area, stock_years[area][-1])] = -1.0
                eqs.append(total)
    # the allocation: run totals, the round's share, the projected window share
    policy_year: int | None = allocation.get("year")
    by_run: dict[int, list[dict]] = defaultdict(list)
    for row in allocation["buurten"]:
        by_run[row["run_id"]].append(row)
        run, area = row["run_id"], row["buurt_code"]
        if row.get("vulnerable_share_round") is not None:
            eqs.append({("avul", run, area): 1.0, ("alet", run, area): -row["vulnerable_share_round"]})
        if row.get("vulnerable_share_window") is not None and policy_year is not None:
            share = row["vulnerable_share_window"]
            eq = {("PV", run, area): 1.0, ("alet", run, area): -share}
            for back in range(1, window):
                eq[("L", area, policy_year - back)] = -share
            eqs.append(eq)
    for run, rows in by_run.items():
        for kind in ("alet", "avul", "auit"):
            if (f"T{kind}", run) in facts.values:
                eq = {(f"T{kind}", run): 1.0}
                for row in rows:
                    eq[(kind, run, row["buurt_code"])] = -1.0
                eqs.append(eq)
    return eqs


def _solve(eqs: list[dict], facts: dict[tuple, float]) -> dict[tuple, float]:
    """The unknowns the equations determine (with their values), group by connected group."""
    unknown_eqs = []
    for eq in eqs:
        constant = -sum(c * facts[q] for q, c in eq.items() if q in facts)
        rest = {q: c for q, c in eq.items() if q not in facts}
        if rest:
            unknown_eqs.append((rest, constant))
    parent: dict[tuple, tuple] = {}

    def find(q):
        while parent.setdefault(q, q) != q:
            parent[q] = parent[parent[q]]
            q = parent[q]
        return q

    for rest, _ in unknown_eqs:
        qs = list(rest)
        for q in qs[1:]:
            parent[find(q)] = find(qs[0])
    groups: dict[tuple, list] = defaultdict(list)
    for rest, constant in unknown_eqs:
        groups[find(next(iter(rest)))].append((rest, constant))
    determined: dict[tuple, float] = {}
    for rows in groups.values():
        names = sorted({q for rest, _ in rows for q in rest}, key=str)
        index = {q: i for i, q in enumerate(names)}
        a = np.zeros((len(rows), len(names)))
        b = np.zeros(len(rows))
        for i, (rest, constant) in enumerate(rows):
            for q, c in rest.items():
                a[i, index[q]] = c
            b[i] = constant
        x, *_ = np.linalg.lstsq(a, b, rcond=None)
        _, s, vt = np.linalg.svd(a, full_matrices=True)
        rank = int((s > 1e-9 * max(1.0, s.max() if len(s) else 1.0)).sum())
        null = vt[rank:]
        free = np.abs(null).max(axis=0) if len(null) else np.zeros(len(names))
        for q, i in index.items():
            if free[i] < 1e-7:
                determined[q] = float(x[i])
    return determined


SMALL_KINDS = ("L", "W", "D", "R", "V", "Bj", "C", "vac", "alet", "avul", "auit", "PV")


def audit_partner(workspace: Path, threshold: int = DEFAULT_THRESHOLD) -> AuditResult:
    """Build the partner copy of ``workspace``, fetch what a partner can, and try to recover hidden small counts."""
    from wijkvitaliteit.web.app import create_app

    result = AuditResult(threshold)
    with Workspace(workspace, read_only=True) as ws:
        derive = json.loads(queries.corporation_info(ws).get("derive") or "{}")
        window = int(derive.get("window", 3))
        truth = _truth(ws, window)
        gemeenten = queries.corporation_gemeenten(ws)
        gemeente_of = queries.areas(ws, "buurt").set_index("code")["gemeente_code"].to_dict()
        alloc_full = queries.allocation_buurten(ws, None)
        lettings_full = {k: v for k, v in truth.items() if k[0] == "L"}
    with tempfile.TemporaryDirectory(prefix="wijkvitaliteit-audit-") as tmp:
        partner = make_partner_copy(Path(workspace), Path(tmp) / "partner.duckdb", threshold)
        app = create_app(partner, role="partner")
        try:
            facts, allocation = _collect(app, gemeenten, result)
        finally:
            app.state.close()
    year = allocation.get("year")
    for row in alloc_full.itertuples():  # the projected vulnerable count of each run and buurt
        share = row.vulnerable_share_window
        if share is None or pd.isna(share) or year is None:
            continue
        base = (row.lettings or 0) + sum(lettings_full.get(("L", row.buurt_code, year - k), 0) for k in range(1, window))
        truth[("PV", int(row.run_id), row.buurt_code)] = float(round(share * base))
    eqs = _equations(facts, allocation, truth, window, gemeente_of)
    result.equations = len(eqs)
    small = {q for q, v in truth.items() if q[0] in SMALL_KINDS and 1 <= v < threshold}
    result.hidden_small = len(small - set(facts.values))
    for q in sorted(small & set(facts.values), key=str):
        if abs(facts.values[q] - truth[q]) < 1e-6:
            result.leaks.append(Leak(q, truth[q], "published"))
    for q, value in sorted(_solve(eqs, facts.values).items(), key=lambda kv: str(kv[0])):
        if q in small and abs(value - truth[q]) < 1e-6:
            result.leaks.append(Leak(q, truth[q], "recovered from the published totals, windows and shares"))
    for v in allocation["violations"]:
        if v.get("found") is None and v.get("allowed") not in (None, ""):
            allowed = float(v["allowed"])
            if threshold - 1 - allowed <= 1:  # found > allowed and found < threshold: one value left
                result.leaks.append(Leak(("found", v["run_id"], v["rule"], v.get("area")), allowed + 1, "allowed + 1"))
    for row in allocation["buurten"]:
        if row.get("vacancies") is None and (row.get("cap") is not None or row.get("quota_max") is not None):
            result.leaks.append(
                Leak(("vac", row["run_id"], row["buurt_code"]), float("nan"), "a cap or maximum computed from hidden vacancies")
            )
    return result

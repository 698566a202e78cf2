"""Benchmarks (``make bench``): writes JSON with seconds, throughput, peak memory and ratios against a
baseline measured in the same process (so numbers compare across machines). No assertions here."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import tempfile
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.scoring.model import load_model
from wijkvitaliteit.workspace.store import Workspace

LBM_YEARS = [2002, 2008, 2012, 2014, 2016, 2018, 2020]


def _timed(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_lbm_import(tmp: Path) -> dict:
    counter = iter(range(1000))

    def run():
        return pipeline.import_leefbaarometer(tmp / f"import-{next(counter)}.duckdb", bundled.LEEFBAAROMETER)

    seconds, summary = _timed(run)

    def baseline():
        with zipfile.ZipFile(bundled.LEEFBAAROMETER) as archive, archive.open("Livability.csv") as handle:
            return pd.read_csv(handle, na_values=["NA"])

    base_seconds, frame = _timed(baseline)
    rows = len(frame)
    return {
        "seconds": round(seconds, 4),
        "rows": rows,
        "rows_per_second": round(rows / seconds),
        "measurements": summary.measurements,
        "baseline": "pandas.read_csv of the same zip member (parse only)",
        "baseline_seconds": round(base_seconds, 4),
        "ratio_to_baseline": round(seconds / base_seconds, 2),
        "aim_seconds": 3.0,
    }


def bench_xlsx(tmp: Path, rows: int = 20_000, columns: int = 117) -> dict:
    """A KWB-shaped workbook (``rows`` buurten × ``columns`` number columns, XlsxWriter) read by ``read_kwb``
    into measurements, against python-calamine parsing the same sheet into Python rows (the reader's floor);
    peak memory in a subprocess each, since a parse's peak is per process."""
    import random
    import subprocess
    import sys

    import xlsxwriter

    path = tmp / "kwb-2023.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("kwb-2023")
    sheet.write_row(0, 0, ["gwb_code_10", "regio", "gm_naam", "recs", *[f"a_x{i}" for i in range(columns)]])
    rng = random.Random(12)
    for r in range(1, rows + 1):
        sheet.write_row(r, 0, [f"BU{r:08d}", f"Buurt {r}", "G", "Buurt", *[rng.randint(0, 1000) for _ in range(columns)]])
    book.close()
    script = {
        "reader": "from wijkvitaliteit.sources.kwb import read_kwb; n = len(read_kwb(p).measurements)",
        "baseline": "import python_calamine as c; n = len(c.CalamineWorkbook.from_path(p).get_sheet_by_index(0).to_python())",
    }
    out = {}
    for name, code in script.items():
        program = (
            "import resource, sys, time; p = sys.argv[1]; t = time.perf_counter(); "
            + code
            + "; print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, n)"
        )
        runs = [
            subprocess.run([sys.executable, "-c", program, str(path)], capture_output=True, text=True, check=True)
            for _ in range(3)
        ]
        seconds = statistics.median(float(r.stdout.split()[0]) for r in runs)
        out[name] = {
            "seconds": round(seconds, 3),
            "peak_mb": round(max(float(r.stdout.split()[1]) for r in runs)),
            "n": int(runs[0].stdout.split()[2]),
        }
    return {
        "cells": rows * (columns + 4),
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "seconds": out["reader"]["seconds"],
        "peak_mb": out["reader"]["peak_mb"],
        "measurements": out["reader"]["n"],
        "baseline": "python-calamine parsing the same sheet into Python rows (subprocess)",
        "baseline_seconds": out["baseline"]["seconds"],
        "baseline_peak_mb": out["baseline"]["peak_mb"],
        "ratio_to_baseline": round(out["reader"]["seconds"] / out["baseline"]["seconds"], 2),
    }


def bench_scoring(tmp: Path) -> dict:
    ws_path = tmp / "score.duckdb"
    pipeline.import_codes(ws_path, bundled.CODES)
    pipeline.import_leefbaarometer(ws_path, bundled.LEEFBAAROMETER)
    model, text = load_model()
    with Workspace(ws_path) as ws:
        seconds, (result, _years) = _timed(lambda: pipeline.compute_scores(ws, model, LBM_YEARS))
        measurements = ws.query("SELECT area_code, year, value FROM measurements WHERE indicator = 'lbm.afw'")

    def baseline():
        return measurements.groupby("year")["value"].rank(pct=True)

    base_seconds, _ = _timed(baseline)
    store_seconds, _ = _timed(lambda: pipeline.score_workspace(ws_path, model, text, LBM_YEARS), repeat=1)
    buurten = int(result.scores["area_code"].nunique())
    return {
        "seconds": round(seconds, 4),
        "buurt_years": len(result.scores),
        "buurten": buurten,
        "years": LBM_YEARS,
        "score_and_store_seconds": round(store_seconds, 4),
        "baseline": "one pandas groupby-rank of lbm.afw per year (the least work a quantile rule needs)",
        "baseline_seconds": round(base_seconds, 4),
        "ratio_to_baseline": round(seconds / base_seconds, 1),
        "aim_seconds": 1.0,
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.3f %.3f %.3f %d %d\\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.status + summary.errors.timeout))
end
"""


def _latencies(base: str, paths: list[str], clients: int, seconds: int, tmp: Path) -> dict:
    """p50/p95/p99 of each path under ``clients`` concurrent keep-alive clients on loopback, measured by wrk
    (a C load generator in its own process, so the Python server has the CPU it would have in use)."""
    import subprocess
    import urllib.request

    script = tmp / "percentiles.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    out = {}
    for path in paths:
        urllib.request.urlopen(base + path).read()  # warm the page cache
        run = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "-s", str(script), base + path],
            capture_output=True,
            text=True,
            check=True,
        )
        fields = next(line for line in run.stdout.splitlines() if line.startswith("RESULT")).split()[1:]
        p50, p95, p99, requests, errors = (float(f) for f in fields)
        out[path] = {
            "p50_ms": p50,
            "p95_ms": p95,
            "p99_ms": p99,
            "requests": int(requests),
            "requests_per_second": round(requests / seconds),
            "errors": int(errors),
        }
    return out


def _demo(tmp: Path) -> Path:
    """The demo workspace, built once per bench run."""
    from wijkvitaliteit.demo.build import build_demo

    ws = tmp / "demo.duckdb"
    if not ws.exists():
        build_demo(ws, tmp / "demo-corporatie", seed=42)
    return ws


def bench_report(tmp: Path) -> dict:
    """The PDF report of Utrecht (111 buurten) and of Nijmegen (44), each timed end to end (median of 3)."""
    import subprocess

    from wijkvitaliteit.reports.build import ReportScope, build_report

    ws_path = _demo(tmp)
    out: dict = {"aim_seconds_100_buurten": 10.0}
    with Workspace(ws_path, read_only=True) as ws:
        for code in ("GM0344", "GM0268"):
            target = tmp / f"report-{code}.pdf"
            seconds, _ = _timed(lambda c=code, t=target: build_report(ws, ReportScope(c), "pdf", t))
            buurten = ws.query(
                "SELECT count(*) FROM areas WHERE level = 'buurt' AND gemeente_code = ? AND geometry IS NOT NULL", [code]
            ).iloc[0, 0]
            info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
            pages = next((int(x.split()[-1]) for x in info.splitlines() if x.startswith("Pages:")), None)
            out[code] = {"seconds": round(seconds, 3), "buurten": int(buurten), "pages": pages, "bytes": target.stat().st_size}
        html_seconds, _ = _timed(lambda: build_report(ws, ReportScope("GM0344"), "html", tmp / "r.html"))
    out["baseline"] = "the same Utrecht report as HTML (no PDF layout)"
    out["GM0344"]["ratio_to_html"] = round(out["GM0344"]["seconds"] / html_seconds, 2)
    return out


@contextmanager
def _serving(ws: Path, *args: str):
    """``wijkvitaliteit serve`` on a free loopback port in a subprocess; yields its base URL."""
    import subprocess
    import sys
    import urllib.request

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "wijkvitaliteit", "serve", "--workspace", str(ws), "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _fixed_rate(base: str, paths: list[str], rate: int, seconds: int, tmp: Path) -> dict:
    """``rate`` requests per second in total for ``seconds``, spread evenly over ``paths``, by hey (Debian's Go
    load generator: each path gets workers with a per-worker rate limit, all paths at once). Every request's
    time is read from hey's CSV output and merged, so the percentiles are over all requests."""
    import csv as csv_module
    import subprocess

    per_path = rate / len(paths)
    workers = max(1, round(per_path / 5))
    runs = []
    for i, path in enumerate(paths):
        out = tmp / f"hey-{i}.csv"
        runs.append(
            (
                path,
                out,
                subprocess.Popen(
                    ["hey", "-z", f"{seconds}s", "-c", str(workers), "-q", f"{per_path / workers:.3f}", "-o", "csv", base + path],
                    stdout=open(out, "w"),
                    stderr=subprocess.DEVNULL,
                ),
            )
        )  # noqa: SIM115
    latencies, statuses, per = [], {}, {}
    for path, out, process in runs:
        process.wait(timeout=seconds + 120)
        with open(out, newline="") as f:
            rows = list(csv_module.DictReader(f))
        per[path] = len(rows)
        for row in rows:
            latencies.append(float(row["response-time"]) * 1000)
            statuses[row["status-code"]] = statuses.get(row["status-code"], 0) + 1
    ms = sorted(latencies)

    def pct(q: float) -> float:
        return round(ms[min(len(ms) - 1, int(q * len(ms)))], 2)

    errors = sum(n for code, n in statuses.items() if not code.startswith(("2", "3")))
    return {
        "requests": len(ms),
        "target_per_second": rate,
        "achieved_per_second": round(len(ms) / seconds, 1),
        "seconds": seconds,
        "errors": errors,
        "status_codes": statuses,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(ms[-1], 2),
        "requests_per_path": per,
    }


LOAD_PATHS = [
    "/nederland.json",
    "/gemeente/GM0268.json",
    "/gemeente/GM0344.csv",
    "/gemeente/GM0268",
    "/buurt/BU02680736.json",
    "/buurt/BU03440831",
    "/toewijzing.json?gemeente=GM0268",
    "/zoek.json?q=malvert",
]


def bench_load(tmp: Path) -> dict:
    """200 requests per second for 60 s on loopback against a served demo workspace: JSON and CSV twins and
    HTML pages of the nation, both gemeenten, two buurten, the allocation comparison and search, 25/s each."""
    ws = _demo(tmp)
    with _serving(ws) as base:
        result = _fixed_rate(base, LOAD_PATHS, rate=200, seconds=60, tmp=tmp)
    result["load"] = "hey, per path 5 workers at 5 requests/s each (25/s per path, 8 paths), loopback"
    result["aim"] = "200 requests/s for 60 s, 0 errors"
    return result


NATIONAL_STEP = """
import json, sys, time
from pathlib import Path
from wijkvitaliteit import data, pipeline
from wijkvitaliteit.scoring.model import load_model
folder, ws = Path(sys.argv[1]), Path(sys.argv[2])
seconds = {}
start = time.perf_counter(); pipeline.import_leefbaarometer(ws, data.LEEFBAAROMETER)
seconds["leefbaarometer_import"] = time.perf_counter() - start
start = time.perf_counter(); pipeline.import_corporation(ws, folder)
seconds["corporation_import_and_derive"] = time.perf_counter() - start
model, text = load_model()
start = time.perf_counter(); pipeline.score_workspace(ws, model, text)
seconds["score"] = time.perf_counter() - start
print(json.dumps({"seconds": {k: round(v, 2) for k, v in seconds.items()},
                  "total_seconds": round(sum(seconds.values()), 2),
                  # VmHWM: this process's own peak (ru_maxrss would carry the parent's peak across exec)
                  "peak_memory_mb": round(int(next(line.split()[1] for line in open("/proc/self/status")
                                                   if line.startswith("VmHWM"))) / 1024, 1),
                  "workspace_mb": round(ws.stat().st_size / 1e6, 1)}))
"""


def bench_national(tmp: Path) -> dict:
    """A national synthetic corporation sector (2.3 M dwellings, 300 k lettings a year for 3 years, 1 M nuisance
    reports at 100 %) with the national Leefbaarometer: import + derive + score at 10 %, 30 % and 100 %, each
    in a fresh process so that its peak memory is its own."""
    import subprocess
    import sys

    from wijkvitaliteit.demo.national import generate_national

    out = {}
    for scale in (0.1, 0.3, 1.0):
        folder = tmp / f"national-{scale}"
        start = time.perf_counter()
        counts = generate_national(folder, scale)
        generated = time.perf_counter() - start
        ws = tmp / f"national-{scale}.duckdb"
        run = subprocess.run(
            [sys.executable, "-c", NATIONAL_STEP, str(folder), str(ws)], capture_output=True, text=True, check=True
        )
        result = json.loads(run.stdout.strip().splitlines()[-1])
        out[f"{int(scale * 100)}%"] = {"records": counts, "generate_seconds": round(generated, 2), **result}
        shutil.rmtree(folder, ignore_errors=True)
        ws.unlink(missing_ok=True)
    base, full = out["10%"]["total_seconds"], out["100%"]["total_seconds"]
    out["growth_10_to_100_percent"] = round(full / base, 2)
    out["aim"] = "100 % in < 15 s and < 3 GB"
    return out


RANDOM_PATHS_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(%d)
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%.3f %%.3f %%.3f %%d %%d\\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
"""


def bench_uncached_load(tmp: Path) -> dict:
    """Uncached pages under load (issue 12): a freshly started server, 50 concurrent keep-alive clients (wrk in
    its own process) each asking a random buurt page JSON of a random scored year — every buurt of Nijmegen and
    Utrecht × every scored year, none asked before. Baseline: /health under the same load."""
    import subprocess

    ws = _demo(tmp)
    with Workspace(ws, read_only=True) as w:
        rows = w.query("""SELECT a.code, s.year FROM areas a JOIN (SELECT DISTINCT a2.gemeente_code, s.year
                          FROM scores s JOIN areas a2 ON a2.code = s.area_code) s USING (gemeente_code)
                          WHERE a.level = 'buurt' AND a.gemeente_code IN ('GM0268', 'GM0344')""")
    paths = tmp / "uncached-paths.txt"
    paths.write_text("\n".join(f"/buurt/{r.code}.json?jaar={r.year}" for r in rows.itertuples()) + "\n", encoding="utf-8")
    script = tmp / "random-paths.lua"
    script.write_text(RANDOM_PATHS_SCRIPT % (paths, 42), encoding="utf-8")
    seconds = 20

    def load(base: str) -> dict:
        run = subprocess.run(
            ["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", "-s", str(script), base],
            capture_output=True,
            text=True,
            check=True,
        )
        fields = next(line for line in run.stdout.splitlines() if line.startswith("RESULT")).split()[1:]
        p50, p95, p99, requests, errors = (float(f) for f in fields)
        return {
            "requests": int(requests),
            "requests_per_second": round(requests / seconds),
            "p50_ms": p50,
            "p95_ms": p95,
            "p99_ms": p99,
            "errors": int(errors),
        }

    def ready(base: str) -> float:
        """Seconds until /health says the pages serve builds ahead are ready."""
        import urllib.request

        start = time.perf_counter()
        while not json.loads(urllib.request.urlopen(f"{base}/health", timeout=5).read())["pages_ready"]:
            time.sleep(0.1)
        return time.perf_counter() - start

    with _serving(ws) as base:  # load from the moment the server answers, while it builds the pages ahead
        at_start = load(base)
    with _serving(ws) as base:  # load once it says its pages are ready
        warm_seconds = ready(base)
        after_warm = load(base)
        baseline = _latencies(base, ["/health"], clients=50, seconds=10, tmp=tmp)["/health"]
    return {
        "distinct_pages": len(rows),
        "from_start": at_start,
        "warm_up_seconds": round(warm_seconds, 1),
        "after_warm_up": after_warm,
        "p95_ms": after_warm["p95_ms"],
        "aim_p95_ms": 200,
        "baseline_health_p95_ms": baseline["p95_ms"],
        "p95_ratio_to_baseline": round(after_warm["p95_ms"] / baseline["p95_ms"], 2),
        "load": f"wrk, 2 threads, 50 concurrent keep-alive connections, {seconds} s, random buurt × year, loopback",
    }


def bench_web(tmp: Path) -> dict:
    """Serve a demo workspace in a subprocess; load its JSON endpoints; time the first drawn map."""
    import gzip
    import urllib.request

    ws = _demo(tmp)
    with _serving(ws) as base:
        cold = _cold_requests(base, ws)
        paths = ["/health", "/nederland.json", "/gemeente/GM0268.json", "/buurt/BU02680736.json"]
        latency = _latencies(base, paths, clients=50, seconds=10, tmp=tmp)
        html = urllib.request.urlopen(f"{base}/gemeente/GM0268").read()
        national = urllib.request.urlopen(f"{base}/nederland").read()
        wijken = urllib.request.urlopen(f"{base}/nederland/wijken.svg").read()
        first_map = _first_map(base)
    baseline = latency["/health"]["p95_ms"]
    return {
        "latency_50_clients": latency,
        "load": "wrk, 2 threads, 50 concurrent keep-alive connections, 10 s per path, loopback",
        "baseline": "/health (a constant JSON) under the same load",
        "p95_ratio_to_baseline": {p: round(v["p95_ms"] / baseline, 2) for p, v in latency.items() if p != "/health"},
        "aim_p95_ms": 50,
        "cold_first_request": cold,
        "first_drawn_map_seconds": first_map,
        "aim_first_map_seconds": 1.5,
        "payload_bytes": {
            "gemeente_page_GM0268_html_with_svg_map": len(html),
            "gemeente_page_gzip": len(gzip.compress(html)),
            "nederland_page_html": len(national),
            "nederland_page_gzip": len(gzip.compress(national)),
            "nederland_wijken_svg": len(wijken),
            "nederland_wijken_svg_gzip": len(gzip.compress(wijken)),
        },
    }


def _cold_requests(base: str, ws: Path) -> dict:
    """The first (uncached) request of every scored buurt's JSON, one after another: what a user waits for
    before the server's cache helps."""
    import urllib.request

    with Workspace(ws, read_only=True) as w:
        codes = w.query("SELECT DISTINCT area_code FROM scores WHERE complete ORDER BY 1")["area_code"].tolist()
    times = []
    for code in codes:
        start = time.perf_counter()
        urllib.request.urlopen(f"{base}/buurt/{code}.json").read()
        times.append(time.perf_counter() - start)
    arr = sorted(times)
    return {
        "buurt_json_requests": len(arr),
        "p50_ms": round(1000 * arr[len(arr) // 2], 2),
        "p95_ms": round(1000 * arr[int(len(arr) * 0.95)], 2),
    }


def _first_map(base: str) -> dict:
    """Seconds from navigation start until the map's polygons are in the DOM, headless chromium, median of 5."""
    from playwright.sync_api import sync_playwright

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ]
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
        for name, path in (("gemeente_GM0268", "/gemeente/GM0268"), ("nederland", "/nederland")):
            times = []
            for _ in range(5):
                context = browser.new_context()
                page = context.new_page()
                start = time.perf_counter()
                page.goto(base + path, wait_until="commit")
                page.wait_for_selector("svg.map path.area")
                times.append(time.perf_counter() - start)
                context.close()
            out[name] = round(statistics.median(times), 3)
        browser.close()
    return out


def bench_segregation() -> dict:
    """All ~350 gemeenten × 20 years (generated counts): the vectorised batch against a PySAL loop."""
    import numpy as np
    from segregation.singlegroup import Dissim, Entropy, Interaction, Isolation

    from wijkvitaliteit.analysis.segregation import indices

    rng = np.random.default_rng(11)
    frames = []
    for g in range(350):
        n = int(rng.integers(5, 120))
        base = rng.integers(50, 4000, n)
        for year in range(2005, 2025):
            total = np.maximum(base + rng.integers(-20, 20, n), 0)
            frames.append(
                pd.DataFrame({"gemeente": g, "year": year, "total": total, "group": rng.binomial(total, rng.uniform(0.01, 0.3))})
            )
    units = pd.concat(frames, ignore_index=True)
    batch_seconds, batch = _timed(lambda: indices(units, ["gemeente", "year"]))
    start = time.perf_counter()
    reference = []
    for (g, y), sub in units.groupby(["gemeente", "year"]):
        sub = sub.reset_index(drop=True)
        reference.append(
            (
                g,
                y,
                Dissim(sub, "group", "total").statistic,
                Isolation(sub, "group", "total").statistic,
                Interaction(sub, "group", "total").statistic,
                Entropy(sub, "group", "total").statistic,
            )
        )
    loop_seconds = time.perf_counter() - start
    ref = pd.DataFrame(reference, columns=["gemeente", "year", "dissimilarity", "isolation", "exposure", "entropy"])
    merged = batch.merge(ref, on=["gemeente", "year"], suffixes=("", "_pysal"))
    diff = max(
        float((merged[c] - merged[f"{c}_pysal"]).abs().max()) for c in ("dissimilarity", "isolation", "exposure", "entropy")
    )
    return {
        "gemeente_years": len(batch),
        "units": len(units),
        "batch_seconds": round(batch_seconds, 4),
        "pysal_loop_seconds": round(loop_seconds, 2),
        "speedup": round(loop_seconds / batch_seconds, 1),
        "max_abs_difference": diff,
        "aim_speedup": 100,
    }


def bench_sensitivity(tmp: Path) -> dict:
    """10,000 draws × all NL buurten: the real Leefbaarometer 2020 plus generated corporation indicators."""
    import numpy as np

    from wijkvitaliteit.analysis import sensitivity
    from wijkvitaliteit.sources.leefbaarometer import read_leefbaarometer

    model, _ = load_model()
    scores = read_leefbaarometer(bundled.LEEFBAAROMETER).scores
    lbm = scores[(scores["jaar"] == 2020) & scores["afw"].notna()]
    codes = lbm["bu_code"].to_numpy()
    rng = np.random.default_rng(5)
    gemeente = "GM" + pd.Series(codes).str.slice(2, 6)
    generated = {
        "corp.org_assets": rng.integers(0, 7, len(codes)).astype(float),
        "corp.nuisance_per_100": rng.gamma(2.0, 3.0, len(codes)),
        "corp.vulnerable_share": rng.beta(2, 8, len(codes)),
    }
    rows = [
        pd.DataFrame(
            {
                "area_code": codes,
                "factor": "leefbaarheid",
                "indicator": "lbm.afw",
                "value": lbm["afw"].to_numpy(),
                "value_year": 2020,
                "scope": "all",
            }
        )
    ]
    for ind, values in generated.items():
        factor = "organisatiekracht" if ind == "corp.org_assets" else "veerkracht"
        scope = gemeente if ind == "corp.nuisance_per_100" else "all"
        rows.append(
            pd.DataFrame(
                {"area_code": codes, "factor": factor, "indicator": ind, "value": values, "value_year": 2024, "scope": scope}
            )
        )
    inputs = pd.concat(rows, ignore_index=True)
    references = {"lbm.afw": pd.DataFrame({"value_year": 2020, "scope": "all", "value": lbm["afw"].to_numpy()})}
    for ind in generated:
        sub = inputs[inputs["indicator"] == ind]
        references[ind] = pd.concat([sub.assign(scope="all"), sub.assign(scope=gemeente.to_numpy())])[
            ["value_year", "scope", "value"]
        ]
    settings = sensitivity.SensitivitySettings.load()
    seconds, result = _timed(lambda: sensitivity.run(inputs, references, model, settings), repeat=1)
    return {
        "draws": settings.draws,
        "buurten": len(codes),
        "seconds": round(seconds, 3),
        "labels": result["label"].value_counts().to_dict(),
        "aim_seconds": 5.0,
    }


def bench_allocation(tmp: Path) -> dict:
    """5,000 vacancies × 50,000 applicants (about 0.9 M responses) of the demo corporation's stock under the
    'spreiden' policy (caps, quota, legal rules): optimiser time and gap, against greedy baselines at the
    same rules; and on 20 small rounds the heuristic alone against exact CP-SAT."""
    import numpy as np

    from wijkvitaliteit.allocation import baselines
    from wijkvitaliteit.allocation.instance import SCALE, build_instance
    from wijkvitaliteit.allocation.optimise import _Repair, max_weight_matching, optimise, solve_exact
    from wijkvitaliteit.allocation.policy import load_policy
    from wijkvitaliteit.demo.allocation import generate_allocation
    from wijkvitaliteit.sources.allocation import read_allocation_inputs

    ws_path = _demo(tmp)
    policy, _ = load_policy("spreiden")
    with Workspace(ws_path, read_only=True) as ws:
        stock = ws.query(
            "SELECT dwelling_id, buurt_code, dwelling_type, rent FROM corp_dwellings "
            "ORDER BY buurt_code, build_year, rent, dwelling_id"
        )
        ctx = pipeline.allocation_context(ws, policy.policy.year)
    info = ctx.buurt_info.rename(columns={"vitaliteit": "score"})[["buurt_code", "score", "stock"]]
    generate_allocation(tmp / "round", stock, seed=7, n_vacancies=5000, n_applicants=50000, responses_mean=20)
    read_seconds, inputs = _timed(lambda: read_allocation_inputs(tmp / "round", ctx.known_buurten), repeat=1)
    build_seconds, inst = _timed(lambda: build_instance(inputs, policy, info), repeat=1)
    baseline_seconds, _ = _timed(lambda: max_weight_matching(inst, inst.value), repeat=1)
    seconds, sol = _timed(lambda: optimise(inst, time_limit=5.0, exact_arc_limit=0), repeat=1)
    long_seconds, long = _timed(lambda: optimise(inst, time_limit=60.0, max_iterations=500, exact_arc_limit=0), repeat=1)
    best_bound = min(sol.bound, long.bound)
    greedy_seconds, greedy = _timed(lambda: baselines.greedy(inst), repeat=1)
    value_greedy_seconds, value_greedy = _timed(lambda: _Repair(inst)(np.zeros(inst.n_arcs, bool)), repeat=1)
    fit = {
        name: float(inst.preference[x].sum())
        for name, x in (("optimiser", sol.selected), ("greedy", greedy), ("value_greedy", value_greedy))
    }
    ok = {
        name: bool(np.all(inst.A @ x.astype(np.int64) <= inst.b))
        for name, x in (("optimiser", sol.selected), ("greedy", greedy), ("value_greedy", value_greedy))
    }

    small, infeasible = [], 0
    small_policy_stock = stock[stock["buurt_code"].isin(sorted(stock["buurt_code"].unique())[:6])]
    for seed in range(20):
        generate_allocation(
            tmp / f"small{seed}", small_policy_stock, seed=seed, n_vacancies=40, n_applicants=150, responses_mean=4
        )
        small_inputs = read_allocation_inputs(tmp / f"small{seed}")
        codes = sorted(small_inputs.vacancies["buurt_code"].unique())
        small_info = pd.DataFrame({"buurt_code": codes, "score": [12, 9, 4, 2, 1, 6][: len(codes)], "stock": 100})
        small_inst = build_instance(small_inputs, policy, small_info)
        status, _, exact, _ = solve_exact(small_inst)
        if status != "optimal":  # a round where the policy's quota cannot be met: nothing to compare
            infeasible += 1
            continue
        heuristic = optimise(small_inst, exact_arc_limit=0)
        small.append((heuristic.objective == exact, (exact - heuristic.objective) / exact))
    return {
        "vacancies": len(inst.vacancies),
        "applicants": len(inst.applicants),
        "arcs": inst.n_arcs,
        "rows": int(inst.A.shape[0]),
        "read_seconds": round(read_seconds, 2),
        "build_seconds": round(build_seconds, 2),
        "optimiser_seconds": round(seconds, 2),
        "aim_seconds": 5.0,
        "optimiser_iterations": sol.iterations,
        "optimiser_status": sol.status,
        "objective_points": sol.objective / SCALE,
        "gap_to_own_bound": round(sol.gap, 5),
        "gap_to_best_lagrangian_bound": round((best_bound - sol.objective) / best_bound, 5),
        "long_run_seconds": round(long_seconds, 1),
        "long_run_gap": round(long.gap, 5),
        "uncapped_min_cost_flow_seconds": round(baseline_seconds, 2),
        "ratio_to_one_min_cost_flow": round(seconds / baseline_seconds, 1),
        "greedy_seconds": round(greedy_seconds, 2),
        "value_greedy_seconds": round(value_greedy_seconds, 2),
        "preference_fit": {k: round(v, 1) for k, v in fit.items()},
        "preference_fit_gain_vs_greedy": round(fit["optimiser"] / fit["greedy"] - 1, 4),
        "preference_fit_gain_vs_value_greedy": round(fit["optimiser"] / fit["value_greedy"] - 1, 4),
        "aim_gain_vs_greedy": 0.20,
        "objective_points_by_method": {
            "optimiser": sol.objective / SCALE,
            "greedy": float(inst.value[greedy].sum()) / SCALE,
            "value_greedy": float(inst.value[value_greedy].sum()) / SCALE,
        },
        "all_rules_hold": ok,
        "small_rounds": {
            "rounds": len(small),
            "infeasible_rounds_skipped": infeasible,
            "heuristic_exact": int(sum(e for e, _ in small)),
            "mean_gap_to_cp_sat": round(float(np.mean([g for _, g in small])), 6),
            "max_gap_to_cp_sat": round(float(np.max([g for _, g in small])), 6),
        },
    }


# --only name → (key in results.json, function of the temporary folder), in the order they run
PARTS = {
    "import": ("leefbaarometer_import", bench_lbm_import),
    "xlsx": ("kwb_xlsx_20k_rows", bench_xlsx),
    "scoring": ("scoring_nl_7_years", bench_scoring),
    "web": ("web", bench_web),
    "report": ("report", bench_report),
    "segregation": ("segregation", lambda tmp: bench_segregation()),
    "sensitivity": ("sensitivity", bench_sensitivity),
    "allocation": ("allocation", bench_allocation),
    "load": ("load_200_rps", bench_load),
    "uncached": ("uncached_pages_50_clients", bench_uncached_load),
    "national": ("national_sector", bench_national),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results.json"))
    parser.add_argument("--only", choices=list(PARTS), action="append", help="Run only these parts (repeatable; default: all).")
    args = parser.parse_args()
    chosen = set(args.only or PARTS)
    results: dict = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
            "pandas": pd.__version__,
            "platform": platform.platform(),
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        for part, (key, run) in PARTS.items():
            if part in chosen:
                results[key] = run(Path(tmp))
    results["peak_memory_mb"] = round(_peak_mb(), 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

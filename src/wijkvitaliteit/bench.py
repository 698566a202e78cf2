"""Benchmarks (``make bench``): writes JSON with seconds, throughput, peak memory and ratios against a
baseline measured in the same process (so numbers compare across machines). No assertions here."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import tempfile
import time
import zipfile
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
    return {"seconds": round(seconds, 4), "rows": rows, "rows_per_second": round(rows / seconds),
            "measurements": summary.measurements, "baseline": "pandas.read_csv of the same zip member (parse only)",
            "baseline_seconds": round(base_seconds, 4), "ratio_to_baseline": round(seconds / base_seconds, 2),
            "aim_seconds": 3.0}


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
    return {"seconds": round(seconds, 4), "buurt_years": len(result.scores), "buurten": buurten,
            "years": LBM_YEARS, "score_and_store_seconds": round(store_seconds, 4),
            "baseline": "one pandas groupby-rank of lbm.afw per year (the least work a quantile rule needs)",
            "baseline_seconds": round(base_seconds, 4), "ratio_to_baseline": round(seconds / base_seconds, 1),
            "aim_seconds": 1.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/results.json"))
    args = parser.parse_args()
    results: dict = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__,
                    "pandas": pd.__version__, "platform": platform.platform()},
    }
    with tempfile.TemporaryDirectory() as tmp:
        results["leefbaarometer_import"] = bench_lbm_import(Path(tmp))
        results["scoring_nl_7_years"] = bench_scoring(Path(tmp))
    results["peak_memory_mb"] = round(_peak_mb(), 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

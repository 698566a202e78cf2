"""Bound every input (issue 12, item 9): zip and xlsx bombs, devices and oversized files are refused with one line,
in memory proportional to the file, not to what it claims to expand to. Each import runs in a subprocess that
reports its own peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_cli
from wijkvitaliteit import data as bundled

CHILD = """
import resource, sys
from wijkvitaliteit import pipeline
from wijkvitaliteit.errors import InputError
kind, path, ws = sys.argv[1:4]
try:
    {"leefbaarometer": pipeline.import_leefbaarometer, "kwb": pipeline.import_kwb}[kind](ws, path)
    print("ACCEPTED")
except InputError as exc:
    print("REFUSED", exc.one_line())
print("MAXRSS_MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _import_in_child(kind: str, path: Path, tmp_path: Path, env: dict | None = None) -> tuple[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, kind, str(path), str(tmp_path / "w.duckdb")],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and lines, done.stderr[-2000:]
    peak = int(next(line for line in lines if line.startswith("MAXRSS_MB")).split()[1])
    verdict = next(line for line in lines if line.startswith(("REFUSED", "ACCEPTED")))
    return verdict, peak


def _baseline_peak(tmp_path: Path) -> int:
    """The same child refusing a tiny bad file: what importing the package costs."""
    bad = tmp_path / "tiny.csv"
    bad.write_text("x\n1\n", encoding="utf-8")
    return _import_in_child("leefbaarometer", bad, tmp_path)[1]


@pytest.mark.slow
def test_a_zip_bomb_is_refused_before_it_expands(tmp_path):
    bomb = tmp_path / "Livability.csv.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("Livability.csv", "w", force_zip64=True) as member:
            member.write(b"bu_code,versie,jaar,bu_naam,lbm,afw\n")
            block = b" " * (1 << 20)
            for _ in range(1024):  # 1 GB of spaces: about 1 MB compressed
                member.write(block)
    assert bomb.stat().st_size < 5 << 20
    verdict, peak = _import_in_child("leefbaarometer", bomb, tmp_path)
    assert verdict.startswith("REFUSED") and "times their compressed size" in verdict and "zip bomb" in verdict
    assert peak < _baseline_peak(tmp_path) + 100, peak  # nothing of the gigabyte was held


@pytest.mark.slow
def test_an_xlsx_padded_with_whitespace_is_refused(tmp_path):
    source = bundled.KWB_UTRECHT[2023]
    bomb = tmp_path / "kwb-2023.xlsx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                head, _, tail = data.partition(b"<sheetData>")
                with dst.open(info.filename, "w", force_zip64=True) as member:
                    member.write(head + b"<sheetData>")
                    for _ in range(512):  # 512 MB of whitespace inside the sheet
                        member.write(b" " * (1 << 20))
                    member.write(tail)
            else:
                dst.writestr(info, data)
    verdict, peak = _import_in_child("kwb", bomb, tmp_path)
    assert verdict.startswith("REFUSED") and "compressed size" in verdict
    assert peak < _baseline_peak(tmp_path) + 100, peak


def test_a_device_or_a_link_to_one_is_not_read(tmp_path):
    link = tmp_path / "Livability.csv"
    link.symlink_to("/dev/zero")
    result = run_cli("import", "leefbaarometer", str(link), "-w", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2 and "a regular file" in result.stderr
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = run_cli("import", "codes", str(fifo), "-w", str(tmp_path / "w.duckdb"))
    assert result.returncode == 2 and "a regular file" in result.stderr


@pytest.mark.parametrize(
    ("setting", "fragment"),
    [("WIJKVITALITEIT_MAX_FILE_MB", "at most 1 MB"), ("WIJKVITALITEIT_MAX_EXPANDED_MB", "expands to at most 1 MB")],
)
def test_the_size_limits_are_settings(tmp_path, setting, fragment):
    lbm = str(bundled.LEEFBAAROMETER)
    result = run_cli("import", "leefbaarometer", lbm, "-w", str(tmp_path / "w.duckdb"), env={setting: "1"})
    assert result.returncode == 2 and fragment in result.stderr and setting in result.stderr


def test_genuine_compressed_files_are_far_from_the_ratio_limit():
    """The bundled Leefbaarometer zip (3.2 times) and KWB workbooks (at most 7.3 times) against the limit of 100."""
    for path in (bundled.LEEFBAAROMETER, *bundled.KWB_UTRECHT.values()):
        with zipfile.ZipFile(path) as archive:
            worst = max(i.file_size / max(i.compress_size, 1) for i in archive.infolist())
        assert worst < 20, (path, worst)

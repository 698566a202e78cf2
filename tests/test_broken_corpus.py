"""The broken-input corpus (tests/fixtures/broken/, written by scripts/make_broken_corpus.py): every file gives
one clear line naming what is wrong (file, row, column where it has them) and leaves the workspace unchanged."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.allocation.policy import load_policy
from wijkvitaliteit.allocation.run import compare_runs
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.scoring.model import load_model
from wijkvitaliteit.workspace.store import Workspace

pytestmark = pytest.mark.slow  # 98 files, each imported into a fresh workspace

CORPUS = Path(__file__).resolve().parent / "fixtures" / "broken"
CASES = tomllib.loads((CORPUS / "MANIFEST.toml").read_text(encoding="utf-8"))["case"]


def test_the_corpus_is_large_and_covers_every_format():
    assert len(CASES) >= 50
    assert {c["kind"] for c in CASES} == {
        "leefbaarometer",
        "kwb",
        "geometry",
        "codes",
        "corporation",
        "allocation",
        "policy",
        "model",
        "politie",
        "statline",
    }
    for c in CASES:
        assert (CORPUS / c["file"]).exists(), c["file"]


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """Codes, Nijmegen's Leefbaarometer slice and boundaries, a tiny valid corporation, scored."""
    ws = tmp_path_factory.mktemp("corpus") / "base.duckdb"
    pipeline.import_codes(ws, bundled.CODES)
    pipeline.import_leefbaarometer(ws, CORPUS / "_valid" / "lbm_nijmegen.csv")
    pipeline.import_geometry(ws, bundled.BUURTEN["GM0268"])
    pipeline.import_corporation(ws, CORPUS / "_valid" / "corporation")
    model, text = load_model()
    pipeline.score_workspace(ws, model, text)
    return ws


def _delivery(tmp_path: Path, folder: str, table: str, broken: Path) -> Path:
    target = tmp_path / folder
    shutil.copytree(CORPUS / "_valid" / folder, target)
    for old in target.glob(f"{table}.*"):
        old.unlink()
    shutil.copy(broken, target / f"{table}{broken.suffix}")
    return target


def _run(kind: str, ws: Path, path: Path) -> None:
    if kind == "leefbaarometer":
        pipeline.import_leefbaarometer(ws, path)
    elif kind == "kwb":
        pipeline.import_kwb(ws, path, year=2023)
    elif kind == "geometry":
        pipeline.import_geometry(ws, path)
    elif kind == "codes":
        pipeline.import_codes(ws, path)
    elif kind == "corporation":
        pipeline.import_corporation(ws, path)
    elif kind == "allocation":
        pipeline.allocate(ws, path, compare_runs([load_policy("spreiden")])[:1])
    elif kind == "policy":
        pipeline.allocate(ws, CORPUS / "_valid" / "round", compare_runs([load_policy(path)])[:1])
    elif kind == "politie":
        pipeline.import_statline(ws, path, kind="politie", gemeente="GM0268")
    elif kind == "statline":
        pipeline.import_statline(ws, path)
    elif kind == "model":
        model, text = load_model(path)
        pipeline.score_workspace(ws, model, text)


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_broken_file_gives_one_clear_line_and_changes_nothing(base, tmp_path, case):
    ws = tmp_path / "ws.duckdb"
    shutil.copy(base, ws)
    with Workspace(ws, read_only=True) as w:
        before = w.snapshot()
    broken = CORPUS / case["file"]
    if case["kind"] in ("corporation", "allocation"):
        broken = _delivery(tmp_path, "corporation" if case["kind"] == "corporation" else "round", case["table"], broken)
    with pytest.raises(InputError) as exc:
        _run(case["kind"], ws, broken)
    message = exc.value.one_line()
    assert "\n" not in message and len(message) < 400, message
    for fragment in case["expect"]:
        assert fragment in message, (fragment, message)
    with Workspace(ws, read_only=True) as w:
        after = w.snapshot()
    assert before.keys() == after.keys()
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)

"""The wijk fallback (issue 13, item 6): with ``fallback = "wijk"`` a buurt without a Leefbaarometer score of its own
takes its wijk's, says so in its explanation, and does not enter the buurten's reference distribution. Planted
truth: Malvert (BU02680736) is removed from the buurt file; its wijk Dukenburg (WK026807) is in the wijk file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.scoring.model import default_model_text, parse_model
from wijkvitaliteit.workspace.store import Workspace

WIJK_FILE = Path(__file__).parent / "fixtures" / "leefbaarometer-wijk-nijmegen.csv"
MALVERT, DUKENBURG = "BU02680736", "WK026807"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fallback")
    with zipfile.ZipFile(bundled.LEEFBAAROMETER) as z, z.open("Livability.csv") as h:
        lbm = pd.read_csv(h, dtype=str, keep_default_na=False)
    lbm = lbm[lbm["bu_code"].str.startswith("BU0268") & (lbm["bu_code"] != MALVERT)]
    buurt_file = folder / "lbm-nijmegen-zonder-malvert.csv"
    lbm.to_csv(buurt_file, index=False)
    path = folder / "ws.duckdb"
    pipeline.import_codes(path, bundled.CODES)
    pipeline.import_leefbaarometer(path, buurt_file)
    pipeline.import_leefbaarometer(path, WIJK_FILE)
    return path


def _score(path: Path, fallback: bool) -> pd.DataFrame:
    text = default_model_text()
    if fallback:
        text = text.replace(
            "max_age = 4                      # years a measurement may be older than the score year",
            'max_age = 4\nfallback = "wijk"',
            1,
        )
        assert 'fallback = "wijk"' in text
    model = parse_model(text)
    run_id, _ = pipeline.score_workspace(path, model, text, [2020])
    with Workspace(path, read_only=True) as ws:
        return ws.query("SELECT * FROM score_indicators WHERE run_id = ? AND indicator = 'lbm.afw' AND year = 2020", [run_id])


def test_without_the_fallback_the_buurt_has_no_leefbaarheid(workspace):
    rows = _score(workspace, fallback=False)
    malvert = rows[rows["area_code"] == MALVERT]
    assert malvert.empty or malvert["value"].isna().all()


def test_with_the_fallback_the_buurt_takes_its_wijk_value_and_says_so(workspace):
    rows = _score(workspace, fallback=True).set_index("area_code")
    wijk = pd.read_csv(WIJK_FILE, index_col=0).set_index(["wk_code", "jaar"])["afw"]
    assert rows.loc[MALVERT, "value"] == pytest.approx(wijk[(DUKENBURG, 2020)])
    assert rows.loc[MALVERT, "vintage"].endswith(f"wijk {DUKENBURG}")
    with zipfile.ZipFile(bundled.LEEFBAAROMETER) as z, z.open("Livability.csv") as h:
        lbm = pd.read_csv(h, na_values=["NA"])
    has_own = set(lbm.loc[lbm["afw"].notna(), "bu_code"]) - {MALVERT}
    stood_in = rows[rows["vintage"].fillna("").str.contains("wijk")]
    assert MALVERT in stood_in.index and not (set(stood_in.index) & has_own)  # a buurt with own values keeps them
    own = rows.drop(index=stood_in.index)
    # the reference is the buurten's own values: as many as Nijmegen's buurten with a 2020 score, not one more
    in_2020 = rows[rows["value_year"] == 2020]
    assert len(in_2020) > 30 and (in_2020["reference_n"] == (own["value_year"] == 2020).sum()).all()

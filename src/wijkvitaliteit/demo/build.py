"""Build the demo workspace: the bundled real data, the FICTITIOUS demo corporation, scored, with an allocation
comparison. Used by ``wijkvitaliteit demo``, the benchmarks and the tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from wijkvitaliteit import data as bundled
from wijkvitaliteit import pipeline
from wijkvitaliteit.allocation.run import bundled_comparison
from wijkvitaliteit.demo.generator import ALLOCATION_DIR, generate
from wijkvitaliteit.scoring.model import load_model

OPEN_DATA_GEMEENTEN = ("GM0344", "GM0268")  # Utrecht (Leefbaarometer, KWB) and Nijmegen (Leefbaarometer only)


def open_data_steps() -> list[tuple[str, Callable[[Path], object]]]:
    """The bundled real open data only, scored with the open-data model (no corporation records)."""
    model, text = load_model("open-data")
    return [*_open_steps(), ("score (open data)", lambda ws: pipeline.score_workspace(ws, model, text))]


def _open_steps() -> list[tuple[str, Callable[[Path], object]]]:
    return [
        ("CBS codes", lambda ws: pipeline.import_codes(ws, bundled.CODES)),
        ("Leefbaarometer (NL)", lambda ws: pipeline.import_leefbaarometer(ws, bundled.LEEFBAAROMETER)),
        *[
            (f"geometry {path.name}", lambda ws, p=path: pipeline.import_geometry(ws, p))
            for path in (*bundled.BUURTEN.values(), bundled.GEMEENTEN_NL, bundled.WIJKEN_NL)
        ],
        *[(f"KWB {year}", lambda ws, p=path: pipeline.import_kwb(ws, p)) for year, path in bundled.KWB_UTRECHT.items()],
    ]


def demo_steps(data_dir: Path, seed: int = 42) -> list[tuple[str, Callable[[Path], object]]]:
    """The steps, each a (label, step(workspace path)) pair, in order."""
    model, text = load_model()
    return [
        ("CBS codes", lambda ws: pipeline.import_codes(ws, bundled.CODES)),
        ("Leefbaarometer (NL)", lambda ws: pipeline.import_leefbaarometer(ws, bundled.LEEFBAAROMETER)),
        *[
            (f"geometry {path.name}", lambda ws, p=path: pipeline.import_geometry(ws, p))
            for path in (*bundled.BUURTEN.values(), bundled.GEMEENTEN_NL, bundled.WIJKEN_NL)
        ],
        *[(f"KWB {year}", lambda ws, p=path: pipeline.import_kwb(ws, p)) for year, path in bundled.KWB_UTRECHT.items()],
        ("demo corporation (FICTIEF)", lambda ws: generate(data_dir, seed)),
        ("corporation import", lambda ws: pipeline.import_corporation(ws, data_dir)),
        ("score", lambda ws: pipeline.score_workspace(ws, model, text)),
        ("allocation scenarios (FICTIEF)", lambda ws: pipeline.allocate(ws, data_dir / ALLOCATION_DIR, bundled_comparison())),
    ]


def build_demo(
    workspace: Path,
    data_dir: Path,
    seed: int = 42,
    on_step: Callable[[str, int, int], None] | None = None,
    open_data: bool = False,
) -> Path:
    """Build a fresh demo workspace next to the target, then move it into place. ``on_step(label, i, n)`` is
    called before each step (progress). ``open_data``: the bundled open data alone, scored with the open-data
    model, as a gemeente or tenants' organisation without a corporation's records would."""
    steps = open_data_steps() if open_data else demo_steps(data_dir, seed)
    workspace.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workspace.parent) as tmp:
        target = Path(tmp) / workspace.name
        for i, (label, step) in enumerate(steps):
            if on_step:
                on_step(label, i, len(steps))
            step(target)
        shutil.move(target, workspace)
    return workspace

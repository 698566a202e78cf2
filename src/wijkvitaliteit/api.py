"""The Python API for analysts (Jupyter): a workspace as DataFrames.

    import wijkvitaliteit as wv
    ws = wv.open("demo.duckdb")
    ws.scores(year=2024, gemeente="GM0268")        # DataFrame: a row per buurt-year
    ws.buurten(year=2024, gemeente="Nijmegen")     # GeoDataFrame (EPSG:28992) with scores and factor points
    ws.explain("BU02680736")                        # the points and why, as text and tables
    ws.measurements(indicator="lbm.afw")           # the long measurement table
    run = ws.score(model="my-model.toml")           # a new run (written through a staged copy, like the CLI)
    ws.runs(); ws.compare_runs(1, run.run_id)

Every read opens the workspace read-only for the call and closes it, so the file can be imported into or scored
by the CLI meanwhile; results are plain pandas/geopandas objects. User errors raise the ``errors`` family
(``InputError``, ``NotFound``, ``BadParameter``) with their one-line message. Documented in docs/python.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from wijkvitaliteit import pipeline
from wijkvitaliteit.present import pages
from wijkvitaliteit.present.explain import factor_lines, score_line
from wijkvitaliteit.scoring.model import load_model
from wijkvitaliteit.scoring.runs import Run, active_run, get_run
from wijkvitaliteit.workspace import queries
from wijkvitaliteit.workspace.store import Workspace


@dataclass(frozen=True)
class Explanation:
    """One buurt's score explained: ``text`` reads as the CLI's ``show``; the tables hold the same facts."""

    code: str
    name: str | None
    year: int
    score: pd.Series | None
    factors: pd.DataFrame
    indicators: pd.DataFrame
    text: str

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:  # Jupyter shows the text
        return self.text.replace("\n", "  \n")


class WorkspaceAPI:
    """A workspace file, read (and scored) from Python."""

    def __init__(self, path: str | Path, lang: str = "nl") -> None:
        self.path = Path(path)
        self.lang = lang
        with self._read():  # a missing or foreign file fails now, with one line; an older one is migrated
            pass

    def __repr__(self) -> str:
        return f"wijkvitaliteit.open({str(self.path)!r})"

    @contextmanager
    def _read(self) -> Iterator[Workspace]:
        with Workspace(self.path, read_only=True) as ws:
            yield ws

    def _gemeenten(self, ws: Workspace, gemeente: str | list[str] | None) -> list[str] | None:
        if gemeente is None:
            return None
        return queries.resolve_gemeenten(ws, [gemeente] if isinstance(gemeente, str) else list(gemeente))

    def _run(self, ws: Workspace, run: int | None) -> Run:
        return active_run(ws) if run is None else get_run(ws, run)

    # -- reads -------------------------------------------------------------------------------------------------
    def scores(
        self,
        year: int | None = None,
        gemeente: str | list[str] | None = None,
        *,
        run: int | None = None,
        attention_only: bool = False,
    ) -> pd.DataFrame:
        """Scores per buurt and year (one year, some gemeenten by code or name), weakest first: the three factor
        points, the vitality (or its bounds when incomplete), category and attention flag."""
        with self._read() as ws:
            r = self._run(ws, run)
            return queries.score_table(ws, r.run_id, year, self._gemeenten(ws, gemeente), attention_only=attention_only)

    def buurten(
        self, year: int | None = None, gemeente: str | list[str] | None = None, *, run: int | None = None
    ) -> gpd.GeoDataFrame:
        """Buurt boundaries (EPSG:28992) with the scores and factor points of one year (default: the latest)."""
        with self._read() as ws:
            r = self._run(ws, run)
            year = year or queries.latest_year(ws, r.run_id)
            codes = self._gemeenten(ws, gemeente)
            scores = queries.score_table(ws, r.run_id, year, codes).drop(columns=["name", "wijk_code", "gemeente_code"])
            shapes = pd.concat([queries.geometries(ws, "buurt", g) for g in codes]) if codes else queries.geometries(ws, "buurt")
        frame = shapes.merge(scores, on="code", how="inner")
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=queries.CRS)

    def explain(self, buurt: str, year: int | None = None, *, run: int | None = None) -> Explanation:
        """Why a buurt (code or name) has its points: every indicator value, its year and the limits."""
        with self._read() as ws:
            r = self._run(ws, run)
            area = queries.find_buurt(ws, buurt)
            year = year or queries.latest_year(ws, r.run_id)
            detail = queries.explanation(ws, r.run_id, area["code"], year)
        lines = [f"{area['name'] or area['code']} ({area['code']}), {area['gemeente_name'] or ''} {year}"]
        if detail["score"] is not None:
            lines.append(score_line(detail["score"], r.model, self.lang))
            for label, points, reasons in factor_lines(detail["factors"], detail["indicators"], r.model, year, self.lang):
                lines.append(f"{label}: {points}")
                lines.extend(f"  · {reason}" for reason in reasons)
        return Explanation(
            area["code"], area["name"], year, detail["score"], detail["factors"], detail["indicators"], "\n".join(lines)
        )

    def measurements(
        self, indicator: str | list[str] | None = None, *, area: str | None = None, year: int | None = None
    ) -> pd.DataFrame:
        """The long measurement table (area_code, year, indicator, value, vintage, source), filtered."""
        with self._read() as ws:
            frame = queries.measurements(ws, [indicator] if isinstance(indicator, str) else indicator)
        if area is not None:
            frame = frame[frame["area_code"] == area]
        if year is not None:
            frame = frame[frame["year"] == year]
        return frame.sort_values(["indicator", "area_code", "year"], ignore_index=True)

    def areas(self, level: str | None = None) -> pd.DataFrame:
        with self._read() as ws:
            return queries.areas(ws, level)

    def runs(self) -> pd.DataFrame:
        """The stored score runs with their model and inputs; the latest is active."""
        with self._read() as ws:
            return pages.runs_page(ws, active_run(ws)).table

    def compare_runs(
        self, a: int, b: int, year: int | None = None, gemeente: str | None = None, everything: bool = False
    ) -> pd.DataFrame:
        """Buurten whose points, category or attention differ between two runs (every buurt with ``everything``)."""
        with self._read() as ws:
            code = self._gemeenten(ws, gemeente)
            return pages.runs_compare(ws, get_run(ws, a), get_run(ws, b), year, code[0] if code else None, everything).table

    # -- writes ------------------------------------------------------------------------------------------------
    def score(self, model: str | Path | None = None, years: list[int] | None = None) -> Run:
        """Score every buurt with a model (a TOML file; default the shipped model) and store the run; returns it.
        Written through a staged copy, like the CLI: a running server shows it on its next request."""
        scoring_model, text = load_model(model)  # a missing file is its InputError
        run_id, _ = pipeline.score_workspace(self.path, scoring_model, text, years)
        with self._read() as ws:
            return get_run(ws, run_id)


def open(path: str | Path, lang: str = "nl") -> WorkspaceAPI:  # noqa: A001 — wv.open(...) reads as intended
    """Open a workspace file for reading and scoring from Python."""
    return WorkspaceAPI(path, lang)

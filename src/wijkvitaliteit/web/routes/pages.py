"""The map → gemeente → buurt pages, changes, the model, search and the score runs: one declaration each."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import Query
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict

from wijkvitaliteit.present import pages
from wijkvitaliteit.present.explain import factor_lines, score_line, version_note
from wijkvitaliteit.scoring.runs import get_run
from wijkvitaliteit.web import render, views
from wijkvitaliteit.web.declare import REQUIRED, PageSpec, Site
from wijkvitaliteit.web.routes import GemeenteQ, RunQ, SearchQ, Year
from wijkvitaliteit.workspace import queries


class Open(BaseModel):
    """JSON responses carry more fields than listed; the listed ones are guaranteed."""

    model_config = ConfigDict(extra="allow")


class NationalJSON(Open):
    year: int
    years: list[int]
    leefbaarometer_year: int | None
    aggregation: str
    gemeenten: list[dict[str, Any]]


class GemeenteJSON(Open):
    code: str
    name: str | None
    year: int
    years: list[int]
    counts: dict[str, int]
    attention: list[dict[str, Any]]
    buurten: list[dict[str, Any]]


class BuurtJSON(Open):
    code: str
    name: str | None
    gemeente_code: str | None
    year: int | None
    score: dict[str, Any] | None
    factors: list[dict[str, Any]]
    indicators: list[dict[str, Any]]
    leefbaarometer_trend: list[dict[str, Any]]
    percentile: dict[str, Any] | None


class ChangesJSON(Open):
    code: str
    name: str | None
    buurten: list[dict[str, Any]]


class ModelJSON(Open):
    name: str
    hash: str
    aggregation: str
    attention_threshold: float
    bands: list[dict[str, Any]]
    rules: list[dict[str, Any]]


class SearchJSON(Open):
    q: str
    results: list[dict[str, Any]]


class RunsJSON(Open):
    active: int
    runs: list[dict[str, Any]]


NationalLayer = Annotated[str, Query(pattern="^(lbm|vitaliteit)$", description="Map layer.")]
GemeenteLayer = Annotated[str, Query(pattern="^(" + "|".join(pages.MAP_LAYERS) + ")$", description="Map layer.")]


def _national_view(gen, page, lang, *, request, jaar, laag):
    svg, legend = views.national_svg(gen, page.data["year"], laag, "gemeente", lang)
    return {"svg": svg, "legend": legend, "layer": laag}


def _gemeente_view(gen, page, lang, *, request, code, jaar, kaart):
    svg, legend, note = views.gemeente_svg(gen, page.data["code"], page.data["year"], kaart, lang)
    return {"svg": svg, "legend": legend, "note": note, "layer": kaart, "layers": pages.MAP_LAYERS}


def _buurt_view(gen, page, lang, *, request, code, jaar):
    """The rendered parts of a buurt page (explanation, charts, location map): the same for every visit."""

    def build() -> dict:
        data = page.data
        explanation, score_text = [], None
        if data["score"] is not None:  # the page model already holds the stored explanation
            explanation = factor_lines(
                pd.DataFrame(data["factors"]), pd.DataFrame(data["indicators"]), gen.run.model, data["year"], lang
            )
            score_text = score_line(pd.Series(data["score"]), gen.run.model, lang)
        trend = pd.DataFrame(data["leefbaarometer_trend"])
        mini = None
        if data["year"] is not None and len(views.geometry(gen, "buurt", data["gemeente_code"])):
            mini, _, _ = views.gemeente_svg(gen, data["gemeente_code"], data["year"], "categorie", lang, highlight=data["code"])
        return {
            "explanation": explanation,
            "score_text": score_text,
            "version_note": version_note(trend, lang) if len(trend) else None,
            "trend_json": render.trend_figure(data["leefbaarometer_trend"], lang),
            "corp_json": render.corporation_figure(data["corporation"], lang),
            "mini": mini,
        }

    return gen.cached("buurt_parts", 512, (page.data["code"], page.data["year"], lang), build)


def _buurt(gen, code: str, jaar: int | None):
    """A buurt page from the pages of its gemeente and year, built together once (web/state.py caches them): an
    uncached buurt of an already visited gemeente-year costs a lookup. Names and unknown codes take the single path
    (with suggestions)."""
    ws, run = gen.ws(), gen.run
    index = gen.cached(
        "buurt_gemeente", 1, None, lambda: queries.areas(ws, "buurt").set_index("code")["gemeente_code"].dropna().to_dict()
    )
    key = code.strip().upper()
    gemeente = index.get(key)
    if gemeente is None:
        return pages.buurt(ws, run, code, jaar)
    years = gen.cached("scored_years", 512, gemeente, lambda: queries.scored_years(ws, run.run_id, gemeente))
    year = pages.check_year(jaar, years) if years else None
    batch = gen.cached(
        "buurt_batch",
        BATCHES,
        (gemeente, year),
        lambda: pages.buurt_pages(ws, run, queries.gemeente_buurt_rows(ws, gemeente), years, year),
    )
    return batch[key]


BATCHES = 64  # gemeente-year batches of buurt pages kept per generation


def _buurt_warm(gen) -> list[dict]:
    """The buurt pages ``serve`` builds before anyone asks: every scored year of the gemeenten where the
    corporation's figures are, newest first, one buurt per gemeente-year (its siblings are built with it), no
    more batches than the cache keeps."""
    rows = queries.corporation_gemeente_years(gen.ws(), gen.run.run_id, BATCHES)
    return [{"code": r.code, "jaar": int(r.year)} for r in rows.itertuples()]


def _buurt_siblings(gen, params: dict) -> list[tuple[dict, pages.Page]]:
    """The other buurt pages built with this one (its gemeente in that year), keyed as the JSON twin asks them."""
    index = gen.peek("buurt_gemeente", None) or {}
    gemeente = index.get(params["code"].strip().upper())
    years = gen.peek("scored_years", gemeente) if gemeente else None
    if not years:
        return []
    year = params["jaar"] if params["jaar"] is not None else years[-1]
    batch = gen.peek("buurt_batch", (gemeente, year)) or {}
    out = [({"code": code, "jaar": year}, page) for code, page in batch.items()]
    if year == years[-1]:  # the default year: also as asked without one
        out += [({"code": code, "jaar": None}, page) for code, page in batch.items()]
    return out


def _search_view(gen, page, lang, *, request, q):
    exact = [
        r
        for r in page.data["results"]
        if r["code"].upper() == q.strip().upper() or (r["name"] or "").lower() == q.strip().lower()
    ]
    if len(exact) == 1:
        kind = "buurt" if exact[0]["level"] == "buurt" else "gemeente"
        return RedirectResponse(f"/{kind}/{exact[0]['code']}", 303)
    return {}


def _search(gen, q):
    result = pages.search(gen.ws(), q)
    return pages.Page(result, pd.DataFrame(result["results"]))


def _runs_compare(gen, a, b, jaar, gemeente, alle):
    ws = gen.ws()
    return pages.runs_compare(ws, get_run(ws, a), get_run(ws, b), jaar, gemeente, alle)


def register(site: Site) -> None:
    add = site.add
    add(
        PageSpec(
            "/nederland",
            lambda gen, jaar: views.page(gen, pages.national, jaar),
            "national.html",
            params={"jaar": (Year, None)},
            html_params={"laag": (NationalLayer, "lbm")},
            view=_national_view,
            response_model=NationalJSON,
            csv_name=lambda p: "nederland",
            summary="All gemeenten: median Leefbaarometer of their buurten and, where the corporation has "
            "stock, the share of buurten flagged for attention.",
        )
    )
    add(
        PageSpec(
            "/gemeente/{code}",
            lambda gen, code, jaar: views.page(gen, pages.gemeente, code.upper(), jaar),
            "gemeente.html",
            params={"jaar": (Year, None)},
            html_params={"kaart": (GemeenteLayer, "categorie")},
            view=_gemeente_view,
            response_model=GemeenteJSON,
            csv_name=lambda p: p["code"].upper(),
            summary="A gemeente's buurten with their points, score, category and attention flag; counts per category.",
        )
    )
    add(
        PageSpec(
            "/buurt/{code}",
            _buurt,
            "buurt.html",
            params={"jaar": (Year, None)},
            view=_buurt_view,
            response_model=BuurtJSON,
            siblings=_buurt_siblings,
            warm=_buurt_warm,
            cache=2048,
            csv_name=lambda p: p["code"],
            summary="One buurt: its three factors with the indicator values and thresholds behind every point, "
            "its Leefbaarometer trend, national percentile, the corporation's figures and a comparison.",
        )
    )
    add(
        PageSpec(
            "/veranderingen/{code}",
            lambda gen, code, van, tot, alle: pages.changes(gen.ws(), gen.run, code.upper(), van, tot, alle),
            "changes.html",
            params={"van": (Year, None), "tot": (Year, None), "alle": (bool, False)},
            response_model=ChangesJSON,
            csv_name=lambda p: f"veranderingen-{p['code'].upper()}",
            summary="Two years side by side: which buurten changed category or attention, and which points moved why.",
        )
    )
    add(
        PageSpec(
            "/model",
            lambda gen: pages.model_page(gen.run, gen.run.model_toml),
            "model.html",
            response_model=ModelJSON,
            summary="The active scoring model: bands, rules and its hash.",
        )
    )
    add(
        PageSpec(
            "/zoek",
            lambda gen, q: _search(gen, q),
            "search.html",
            params={"q": (SearchQ, "")},
            view=_search_view,
            response_model=SearchJSON,
            cache=512,
            summary="Find buurten and gemeenten by name or code.",
        )
    )
    add(
        PageSpec(
            "/runs",
            lambda gen: pages.runs_page(gen.ws(), gen.run),
            "runs.html",
            response_model=RunsJSON,
            summary="Every stored score run: model, inputs (derive settings, source files with sha256) and "
            "what it found; the latest is active.",
        )
    )
    add(
        PageSpec(
            "/runs/vergelijk",
            _runs_compare,
            "runs_compare.html",
            params={
                "a": (RunQ, REQUIRED),
                "b": (RunQ, REQUIRED),
                "jaar": (Year, None),
                "gemeente": (GemeenteQ, None),
                "alle": (bool, False),
            },
            csv_name=lambda p: f"runs-{p['a']}-{p['b']}",
            summary="Two runs side by side in one year: which buurten changed points, category or attention and "
            "why, and what differs in their model and inputs.",
        )
    )

"""The stored allocation comparison (``wijkvitaliteit allocate compare``) and its record-level lettings."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
from fastapi import Query

from wijkvitaliteit.present import allocation as allocation_model
from wijkvitaliteit.present.i18n import t
from wijkvitaliteit.present.pages import Page, records
from wijkvitaliteit.web import render, views
from wijkvitaliteit.web.declare import PageSpec, Site
from wijkvitaliteit.web.routes import GemeenteQ
from wijkvitaliteit.workspace import queries

LangQ = Annotated[str, Query(pattern="^(nl|en)$", description="Language of the labels.")]


def _gemeente(gen, gemeente: str | None) -> str | None:
    return gemeente or next(iter(queries.corporation_gemeenten(gen.ws())), None)


def _model(gen, gemeente, lang):
    return allocation_model.allocation_page(gen.ws(), lang, _gemeente(gen, gemeente))


def _view(gen, page, lang, *, request, gemeente):
    code = _gemeente(gen, gemeente)
    buurten = pd.DataFrame(page.data["buurten"])
    maps = []
    if code and len(buurten):
        geo = views.geometry(gen, "buurt", code)
        now = buurten.drop_duplicates("buurt_code").assign(
            category=lambda f: f["category_now"],
            vitality=lambda f: f["vitality_now"],
            vitality_min=lambda f: f["vitality_now"],
            vitality_max=lambda f: f["vitality_now"],
        )
        maps.append((t("allocation.map_now", lang, year=page.data["current_year"]), now))
        for r in page.data["runs"]:
            if r["method"] in ("optimiser", "practice"):
                rows = buurten[buurten["run_id"] == r["run_id"]]
                maps.append((f"{r['policy']} — {allocation_model.METHOD_LABELS[r['method']][lang]}", rows))
        maps = [
            (
                title,
                render.gemeente_map(
                    geo,
                    frame.rename(columns={"buurt_code": "code"}).assign(
                        scored=frame["vitality"].notna() | frame["vitality_min"].notna()
                    ),
                    "categorie",
                    gen.run.model,
                    None,
                    lang,
                ),
            )
            for title, frame in maps
        ]
    return {
        "title": t("web.allocation", lang),
        "data": page.data,
        "table": records(page.table),
        "maps": maps,
        "gemeente": code,
        "gemeenten": queries.corporation_gemeenten(gen.ws()),
    }


def _lettings(gen, run):
    frame = queries.allocation_lettings(gen.ws(), run)
    return Page({"run": run, "lettings": records(frame)}, frame)


def register(site: Site) -> None:
    site.add(
        PageSpec(
            "/toewijzing",
            _model,
            "allocation.html",
            params={"gemeente": (GemeenteQ, None)},
            view=_view,
            by_lang=True,
            tags=("allocation",),
            cache=16,
            csv_name=lambda p: "toewijzing",
            summary="The stored allocation comparison: per policy and method what it achieves for "
            "applicants, which rules it breaks or has no room left in, and per buurt the inflow and "
            "the projected vitality.",
        )
    )
    site.add(
        PageSpec(
            "/toewijzing/verhuringen",
            _lettings,
            None,
            params={"run": (Annotated[int, Query(ge=1, description="Run id of the comparison.")], 1)},
            roles=frozenset({"corporatie"}),
            tags=("allocation",),
            cache=4,
            csv_name=lambda p: f"verhuringen-{p['run']}",
            summary="The planned lettings of one stored run (record level, pseudonymised applicant ids): role corporatie only.",
        )
    )

"""The web dashboard and HTTP API (FastAPI + Jinja2), reading one workspace.

Every page has a JSON twin (``….json``, described by OpenAPI at ``/docs``) and a CSV twin (``….csv``)
of its main table. Everything is served from this process: maps are inline SVG drawn from the
workspace, charts use the plotly.js that ships with the plotly package. Dutch by default; ``?lang=en``
switches and a cookie keeps the choice.
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import duckdb
import numpy as np
import pandas as pd
from fastapi import FastAPI, Query, Request
from fastapi import Path as Path_
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from wijkvitaliteit import __version__
from wijkvitaliteit.data import ATTRIBUTION
from wijkvitaliteit.errors import InputError
from wijkvitaliteit.indicators import indicator
from wijkvitaliteit.present import allocation as allocation_model
from wijkvitaliteit.present import diagnosis, pages, queries
from wijkvitaliteit.present.explain import factor_lines, format_value, points_text, score_line, version_note
from wijkvitaliteit.present.i18n import LANGS, number, t
from wijkvitaliteit.present.pages import records
from wijkvitaliteit.web import render
from wijkvitaliteit.workspace.store import Workspace

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "wv_lang"


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


class ErrorJSON(BaseModel):
    detail: str
    suggestions: list[dict[str, Any]] = []


ERRORS = {404: {"model": ErrorJSON}, 422: {"model": ErrorJSON}}
Preset = Annotated[str, Query(pattern="^(bijstand|corporatie|kwetsbaar)$", description="Pair of counts.")]
Gemeente = Annotated[str | None, Query(pattern="^GM[0-9]{4}$", description="Also per buurt in this gemeente.")]
SearchQ = Annotated[str, Query(max_length=100, description="Name or code of a buurt or gemeente.")]
LangQ = Annotated[str, Query(pattern="^(nl|en)$", description="Language of the labels.")]
Year = Annotated[int | None, Query(ge=1990, le=2100, description="Score year (default: the latest).")]


def create_app(workspace: Path, role: str = "corporatie") -> FastAPI:
    """The dashboard and API over one workspace. ``role`` partner: the workspace is a partner copy
    (workspace/partner.py) and record-level endpoints answer 403."""
    path = Path(workspace)
    with Workspace(path, read_only=True) as check:  # fail early, with a clear error, on a bad workspace
        queries.active_run(check)
    connection = duckdb.connect(str(path), read_only=True)
    local = threading.local()

    def ws() -> Workspace:
        if not hasattr(local, "ws"):
            local.ws = Workspace.view(path, connection.cursor())
        return local.ws

    run = queries.active_run(ws())
    model_toml = ws().query("SELECT model_toml FROM score_runs WHERE run_id = ?", [run.run_id]).iloc[0, 0]
    corporation = queries.corporation_info(ws())

    app = FastAPIOffline(title="wijkvitaliteit", version=__version__, redoc_url=None,
                         swagger_ui_parameters={"validatorUrl": None},
                         description="Vitaliteitsscore per buurt. Every page has a JSON twin (documented here) and a CSV "
                              "twin of its main table. " + ATTRIBUTION)
    app.add_middleware(GZipMiddleware, minimum_size=2000)

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js():
        """The plotly.js bundled with the plotly package, served from here: no CDN."""
        return Response(_plotly_js(), media_type="application/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(lang_url=_lang_url, format_value=format_value, pts=points_text, t=t, number=number,
                                 indicator=indicator,
                                 attribution=ATTRIBUTION, run=run,
                                 corporation=corporation, layer_label=render.layer_label, version=__version__,
                                 role=role, threshold=queries.partner_threshold(ws()))

    # -- helpers ---------------------------------------------------------------------------------------
    def lang_of(request: Request) -> str:
        lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "nl"
        return lang if lang in LANGS else "nl"

    def html(request: Request, template: str, code: int = 200, **context) -> HTMLResponse:
        lang = lang_of(request)
        response = templates.TemplateResponse(request, template, {"lang": lang, "status": code, **context},
                                              status_code=code)
        if request.query_params.get("lang") in LANGS:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
        return response

    def csv(frame: pd.DataFrame, name: str) -> Response:
        return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'inline; filename="{name}.csv"'})

    def is_twin(request: Request) -> bool:
        """A machine answer (JSON/CSV twin or a download): its errors are JSON, as the OpenAPI schema says."""
        path = request.url.path
        return path.endswith((".json", ".csv")) or "/download." in path

    @app.exception_handler(pages.NotFound)
    def not_found(request: Request, exc: pages.NotFound):
        if is_twin(request):
            return JSONResponse({"detail": f"unknown {exc.what}: {exc.key}", "suggestions": exc.suggestions}, 404)
        return html(request, "error.html", 404, title=t("web.not_found", lang_of(request)),
                    message=f"{exc.what} '{exc.key}'", suggestions=exc.suggestions)

    @app.exception_handler(pages.BadParameter)
    def bad_parameter(request: Request, exc: pages.BadParameter):
        if is_twin(request):
            return JSONResponse({"detail": f"{exc.name}: {exc.message}"}, 422)
        return html(request, "error.html", 422, title=t("web.bad_parameter", lang_of(request)),
                    message=f"{exc.name}: {exc.message}", suggestions=[])

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        text = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors) or "invalid request"
        if is_twin(request) or request.url.path.startswith("/docs"):
            return JSONResponse({"detail": text}, 422)
        return html(request, "error.html", 422, title=t("web.bad_parameter", lang_of(request)),
                    message=text, suggestions=[])

    @app.exception_handler(404)
    def unknown_path(request: Request, exc):
        if is_twin(request):
            return JSONResponse({"detail": "not found"}, 404)
        return html(request, "error.html", 404, title=t("web.not_found", lang_of(request)),
                    message=request.url.path, suggestions=[])

    # -- cached page models (the workspace is read-only while serving) ---------------------------------
    national_page = lru_cache(maxsize=64)(lambda year: pages.national(ws(), run, year))
    gemeente_page = lru_cache(maxsize=256)(lambda code, year: pages.gemeente(ws(), run, code, year))
    buurt_page = lru_cache(maxsize=2048)(lambda code, year: pages.buurt(ws(), run, code, year))
    changes_page = lru_cache(maxsize=256)(lambda code, a, b, everything: pages.changes(ws(), run, code, a, b, everything))

    encoded_cache: dict[tuple, bytes] = {}

    def encode(kind: str, *key) -> bytes:
        page = {"nederland": national_page, "gemeente": gemeente_page, "buurt": buurt_page,
                "veranderingen": changes_page}[kind](*key)
        body = json.dumps(page.data, ensure_ascii=False, default=str, allow_nan=False).encode("utf-8")
        if len(encoded_cache) < 20_000:
            encoded_cache[(kind, *key)] = body
        return body

    async def json_response(kind: str, *key) -> Response:
        """A page model's JSON, encoded once (the workspace does not change while serving). A cached body
        is answered on the event loop; a new one is computed in the thread pool."""
        body = encoded_cache.get((kind, *key))
        if body is None:
            body = await run_in_threadpool(encode, kind, *key)
        return Response(body, media_type="application/json")

    @lru_cache(maxsize=8)
    def geometry(level: str, gemeente: str | None = None) -> pd.DataFrame:
        return pages.geometries(ws(), level, gemeente)

    @lru_cache(maxsize=64)
    def reference(layer: str, lbm_year: int) -> np.ndarray:
        ind = "lbm.score" if layer == "lbm" else f"lbm.{layer}"
        values = ws().query("SELECT value FROM measurements WHERE indicator = ? AND year = ?", [ind, lbm_year])
        return values["value"].to_numpy(float)

    @lru_cache(maxsize=256)
    def gemeente_svg(code: str, year: int, layer: str, lang: str):
        page = gemeente_page(code, year)
        buurten = pd.DataFrame(page.data["buurten"])
        ref = None
        if layer not in ("categorie", "leefbaarheid", "organisatiekracht", "veerkracht"):
            years = buurten["lbm_year"].dropna()
            ref = reference(layer, int(years.max())) if len(years) else None
        return render.gemeente_map(geometry("buurt", code), buurten, layer, run.model, ref, lang)

    @lru_cache(maxsize=32)
    def national_svg(year: int, layer: str, level: str, lang: str):
        data = national_page(year).data
        values = (pd.DataFrame(data["gemeenten"]) if level == "gemeente"
                  else pages.wijk_values(ws(), data["leefbaarometer_year"]))
        if level == "wijk" and layer == "vitaliteit":
            gemeenten = pd.DataFrame(data["gemeenten"]).set_index("code")["attention_share"]
            values = values.assign(attention_share=values["gemeente_code"].map(gemeenten))
        return render.national_map(geometry(level), values, layer, lang, level)

    # -- pages ------------------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def home(request: Request):
        return RedirectResponse("/nederland" + (f"?{request.url.query}" if request.url.query else ""), 307)

    @app.get("/nederland.json", response_model=NationalJSON, responses=ERRORS, tags=["pages"])
    async def national_json(jaar: Year = None):
        """All gemeenten: median Leefbaarometer of their buurten and, where the corporation has stock, the
        share of buurten flagged for attention."""
        return await json_response("nederland", jaar)

    @app.get("/nederland.csv", responses=ERRORS, tags=["csv"], response_class=Response)
    def national_csv(jaar: Year = None):
        return csv(national_page(jaar).table, "nederland")

    @app.get("/nederland", include_in_schema=False, response_class=HTMLResponse)
    def national_html(request: Request, jaar: Year = None,
                      laag: Annotated[str, Query(pattern="^(lbm|vitaliteit)$")] = "lbm"):
        page = national_page(jaar)
        lang = lang_of(request)
        svg, legend = national_svg(page.data["year"], laag, "gemeente", lang)
        return html(request, "national.html", page=page.data, svg=svg, legend=legend, layer=laag)

    @app.get("/nederland/wijken.svg", include_in_schema=False)
    def national_wijken(request: Request, jaar: Year = None,
                        laag: Annotated[str, Query(pattern="^(lbm|vitaliteit)$")] = "lbm"):
        page = national_page(jaar)
        svg, _ = national_svg(page.data["year"], laag, "wijk", lang_of(request))
        return Response(svg, media_type="image/svg+xml")

    @app.get("/gemeente/{code}.json", response_model=GemeenteJSON, responses=ERRORS, tags=["pages"])
    async def gemeente_json(code: str, jaar: Year = None):
        """A gemeente's buurten with their points, score, category and attention flag; counts per category."""
        return await json_response("gemeente", code.upper(), jaar)

    @app.get("/gemeente/{code}.csv", responses=ERRORS, tags=["csv"], response_class=Response)
    def gemeente_csv(code: str, jaar: Year = None):
        return csv(gemeente_page(code.upper(), jaar).table, code.upper())

    @app.get("/gemeente/{code}", include_in_schema=False, response_class=HTMLResponse)
    def gemeente_html(request: Request, code: str, jaar: Year = None,
                      kaart: Annotated[str, Query(pattern="^(" + "|".join(pages.MAP_LAYERS) + ")$")] = "categorie"):
        page = gemeente_page(code.upper(), jaar)
        lang = lang_of(request)
        svg, legend, note = gemeente_svg(page.data["code"], page.data["year"], kaart, lang)
        return html(request, "gemeente.html", page=page.data, svg=svg, legend=legend, note=note, layer=kaart,
                    layers=pages.MAP_LAYERS)

    @lru_cache(maxsize=32)
    def download(code: str, year: int | None, kind: str, lang: str) -> bytes:
        """A report or export of one gemeente, built once per (gemeente, year, kind, language)."""
        import tempfile

        from wijkvitaliteit.present import exports
        from wijkvitaliteit.reports.build import ReportScope, build_report

        page = gemeente_page(code, year)  # raises NotFound / BadParameter for the error pages
        with tempfile.TemporaryDirectory() as tmp, _as_bad_parameter():
            out = Path(tmp) / f"out.{kind}"
            if kind in ("pdf", "html"):
                build_report(ws(), ReportScope(page.data["code"], year=page.data["year"]), kind, out, lang)
            else:
                tables = exports.export_tables(ws(), run, page.data["year"], [page.data["code"]])
                if kind == "xlsx":
                    exports.write_xlsx(tables, exports.info_rows(ws(), run), out)
                else:
                    exports.write_gpkg(ws(), run, page.data["year"], tables, out)
            return out.read_bytes()

    media = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "gpkg": "application/geopackage+sqlite3"}

    @app.get("/gemeente/{code}/download.{kind}", tags=["downloads"], response_class=Response, responses=ERRORS)
    def gemeente_download(request: Request, code: str,
                          kind: Annotated[str, Path_(pattern="^(pdf|html|xlsx|gpkg)$")], jaar: Year = None):
        """The gemeente's report (pdf, html) or its export (xlsx with a sheet per table; gpkg with buurten,
        wijken and gemeenten layers in EPSG:28992)."""
        body = download(code.upper(), jaar, kind, lang_of(request))
        name = f"wijkvitaliteit-{code.upper()}{'-' + str(jaar) if jaar else ''}.{kind}"
        disposition = "inline" if kind in ("pdf", "html") else "attachment"
        return Response(body, media_type=media[kind], headers={"Content-Disposition": f'{disposition}; filename="{name}"'})

    @app.get("/buurt/{code}.json", response_model=BuurtJSON, responses=ERRORS, tags=["pages"])
    async def buurt_json(code: str, jaar: Year = None):
        """One buurt: its three factors with the indicator values and thresholds behind every point, its
        Leefbaarometer trend, national percentile, the corporation's figures and a comparison."""
        return await json_response("buurt", code, jaar)

    @app.get("/buurt/{code}.csv", responses=ERRORS, tags=["csv"], response_class=Response)
    def buurt_csv(code: str, jaar: Year = None):
        return csv(buurt_page(code, jaar).table, code)

    @app.get("/buurt/{code}", include_in_schema=False, response_class=HTMLResponse)
    def buurt_html(request: Request, code: str, jaar: Year = None):
        page = buurt_page(code, jaar)
        return html(request, "buurt.html", page=page.data, **buurt_parts(code, jaar, lang_of(request)))

    @lru_cache(maxsize=512)
    def buurt_parts(code: str, jaar: int | None, lang: str) -> dict:
        """The rendered parts of a buurt page (explanation, charts, location map): the same for every visit."""
        data = buurt_page(code, jaar).data
        explanation, score_text = [], None
        if data["score"] is not None:  # the page model already holds the stored explanation
            explanation = factor_lines(pd.DataFrame(data["factors"]), pd.DataFrame(data["indicators"]), run.model,
                                       data["year"], lang)
            score_text = score_line(pd.Series(data["score"]), run.model, lang)
        trend = pd.DataFrame(data["leefbaarometer_trend"])
        note = version_note(trend, lang) if len(trend) else None
        mini = None
        if data["year"] is not None and len(geometry("buurt", data["gemeente_code"])):
            mini_page = gemeente_page(data["gemeente_code"], data["year"])
            mini, _, _ = render.gemeente_map(geometry("buurt", data["gemeente_code"]),
                                             pd.DataFrame(mini_page.data["buurten"]), "categorie", run.model, None,
                                             lang, highlight=data["code"])
        return {"explanation": explanation, "score_text": score_text, "version_note": note,
                "trend_json": render.trend_figure(data["leefbaarometer_trend"], lang),
                "corp_json": render.corporation_figure(data["corporation"], lang), "mini": mini}

    @app.get("/veranderingen/{code}.json", response_model=ChangesJSON, responses=ERRORS, tags=["pages"])
    async def changes_json(code: str, van: Year = None, tot: Year = None, alle: bool = False):
        """Two years side by side: which buurten changed category or attention, and which points moved why."""
        return await json_response("veranderingen", code.upper(), van, tot, alle)

    @app.get("/veranderingen/{code}.csv", responses=ERRORS, tags=["csv"], response_class=Response)
    def changes_csv(code: str, van: Year = None, tot: Year = None, alle: bool = False):
        return csv(changes_page(code.upper(), van, tot, alle).table, f"veranderingen-{code.upper()}")

    @app.get("/veranderingen/{code}", include_in_schema=False, response_class=HTMLResponse)
    def changes_html(request: Request, code: str, van: Year = None, tot: Year = None, alle: bool = False):
        page = changes_page(code.upper(), van, tot, alle)
        return html(request, "changes.html", page=page.data)

    @app.get("/model.json", response_model=ModelJSON, tags=["pages"])
    def model_json():
        """The active scoring model: bands, rules and its hash."""
        return pages.model_page(run, model_toml).data

    @app.get("/model.csv", tags=["csv"], response_class=Response)
    def model_csv():
        return csv(pages.model_page(run, model_toml).table, "model")

    @app.get("/model", include_in_schema=False, response_class=HTMLResponse)
    def model_html(request: Request):
        return html(request, "model.html", page=pages.model_page(run, model_toml).data)

    @app.get("/zoek.json", response_model=SearchJSON, tags=["pages"])
    def search_json(q: SearchQ = ""):
        """Find buurten and gemeenten by name or code."""
        return pages.search(ws(), q)

    @app.get("/zoek.csv", tags=["csv"], response_class=Response)
    def search_csv(q: SearchQ = ""):
        return csv(pd.DataFrame(pages.search(ws(), q)["results"]), "zoek")

    @app.get("/zoek", include_in_schema=False, response_class=HTMLResponse)
    def search_html(request: Request, q: SearchQ = ""):
        result = pages.search(ws(), q)
        exact = [r for r in result["results"] if r["code"].upper() == q.strip().upper()
                 or (r["name"] or "").lower() == q.strip().lower()]
        if len(exact) == 1:
            kind = "buurt" if exact[0]["level"] == "buurt" else "gemeente"
            return RedirectResponse(f"/{kind}/{exact[0]['code']}", 303)
        return html(request, "search.html", page=result)

    # -- diagnoses --------------------------------------------------------------------------------------
    resilience_page = lru_cache(maxsize=1)(lambda: diagnosis.resilience_page(ws(), run))
    segregation_page = lru_cache(maxsize=64)(lambda g, tt, gm, y: diagnosis.segregation_page(ws(), g, tt, gm, y))
    sensitivity_page = lru_cache(maxsize=16)(lambda y: diagnosis.sensitivity_page(ws(), run, y))

    def analysis_html(request: Request, title_key: str, intro: str, tables: list[tuple[str, list[dict], list[str]]],
                      base: str, query: str = "", form: str = "") -> HTMLResponse:
        lang = lang_of(request)
        rendered = [{"title": title, "rows": rows, "columns": cols,
                     "numeric": {c for c in cols if rows and isinstance(rows[0].get(c), int | float)}}
                    for title, rows, cols in tables]
        return html(request, "analysis.html", title=t(title_key, lang), intro=intro, tables=rendered, base=base,
                    query=query, form=form)

    @app.get("/analyse/veerkracht.json", tags=["analyses"], responses=ERRORS)
    def resilience_json():
        """Panel model of nuisance on vulnerable inflow × corporation share; per buurt its label and draagkracht."""
        return resilience_page().data

    @app.get("/analyse/veerkracht.csv", tags=["csv"], response_class=Response, responses=ERRORS)
    def resilience_csv():
        return csv(resilience_page().table, "veerkracht")

    @app.get("/analyse/veerkracht", include_in_schema=False, response_class=HTMLResponse)
    def resilience_html(request: Request):
        data = resilience_page().data
        lang = lang_of(request)
        return analysis_html(request, "web.analysis_resilience", t("analysis.resilience_intro", lang),
                             [(f"{data['n_obs']} buurt-jaren, {data['n_buurten']} buurten", data["coefficients"],
                               ["term", "estimate", "ci_low", "ci_high", "p_value"]),
                              (t("analysis.resilience_buurten", lang), data["buurten"],
                               ["name", "gemeente_code", "label", "observed", "expected", "difference",
                                "difference_low", "difference_high", "draagkracht"])], "/analyse/veerkracht")

    @app.get("/analyse/segregatie.json", tags=["analyses"], responses=ERRORS)
    def segregation_json(groep: Preset = "bijstand", gemeente: Gemeente = None, jaar: Year = None):
        """Dissimilarity, isolation, exposure and entropy per gemeente and year; with a gemeente also location
        quotients per buurt and the centre-to-edge profile."""
        return segregation_page(*diagnosis.SEGREGATION_PRESETS[groep], gemeente, jaar).data

    @app.get("/analyse/segregatie.csv", tags=["csv"], response_class=Response, responses=ERRORS)
    def segregation_csv(groep: Preset = "bijstand", gemeente: Gemeente = None, jaar: Year = None):
        return csv(segregation_page(*diagnosis.SEGREGATION_PRESETS[groep], gemeente, jaar).table, "segregatie")

    @app.get("/analyse/segregatie", include_in_schema=False, response_class=HTMLResponse)
    def segregation_html(request: Request, groep: Preset = "bijstand", gemeente: Gemeente = None, jaar: Year = None):
        group, total = diagnosis.SEGREGATION_PRESETS[groep]
        data = segregation_page(group, total, gemeente, jaar).data
        lang = lang_of(request)
        tables = [("", data["indices"], ["gemeente_name", "year", "units", "group_share", "dissimilarity", "isolation",
                                         "exposure", "entropy"])]
        if gemeente:
            tables += [(t("analysis.centre_profile", lang), data["centre_profile"],
                        ["ring", "units", "km_from", "km_to", "share"]),
                       ("location quotients", data["buurten"], ["name", "group", "total", "location_quotient",
                                                                "km_from_centre"])]
        options = "".join(f'<option value="{p}"{" selected" if p == groep else ""}>{p}</option>'
                          for p in diagnosis.SEGREGATION_PRESETS)
        form = (f'<label for="groep">groep</label><select id="groep" name="groep">{options}</select>'
                f'<label for="gemeente">gemeente</label><input id="gemeente" name="gemeente" value="{gemeente or ""}" '
                'pattern="GM[0-9]{4}" placeholder="GM0344">')
        return analysis_html(request, "web.analysis_segregation",
                             t("analysis.segregation_intro", lang, group=group, total=total), tables,
                             "/analyse/segregatie", f"?groep={groep}" + (f"&gemeente={gemeente}" if gemeente else ""),
                             form)

    @app.get("/analyse/gevoeligheid.json", tags=["analyses"], responses=ERRORS)
    def sensitivity_json(jaar: Year = None):
        """Monte Carlo over the scoring model: per buurt the share of draws that flag it, its rank interval and
        label (stable flagged, borderline, stable not flagged)."""
        return sensitivity_page(jaar).data

    @app.get("/analyse/gevoeligheid.csv", tags=["csv"], response_class=Response, responses=ERRORS)
    def sensitivity_csv(jaar: Year = None):
        return csv(sensitivity_page(jaar).table, "gevoeligheid")

    @app.get("/analyse/gevoeligheid", include_in_schema=False, response_class=HTMLResponse)
    def sensitivity_html(request: Request, jaar: Year = None):
        data = sensitivity_page(jaar).data
        lang = lang_of(request)
        return analysis_html(request, "web.analysis_sensitivity", t("analysis.sensitivity_intro", lang,
                                                                     draws=data["draws"]),
                             [(f"{data['year']}: {data['counts']}", data["buurten"],
                               ["name", "gemeente_name", "vitality", "p_flagged", "rank_p05", "rank_p95", "label"])],
                             "/analyse/gevoeligheid", f"?jaar={data['year']}")

    # -- allocation scenarios ------------------------------------------------------------------------------
    @lru_cache(maxsize=16)
    def allocation_page(lang: str, gemeente: str | None):
        return allocation_model.allocation_page(ws(), lang, gemeente)

    @app.get("/toewijzing.json", tags=["allocation"], responses=ERRORS)
    def allocation_json(gemeente: Gemeente = None, lang: LangQ = "nl"):
        """The stored allocation comparison: per policy and method what it achieves for applicants, which
        rules it breaks or has no room left in, and per buurt the inflow and the projected vitality."""
        return Response(allocation_bytes(lang, gemeente), media_type="application/json")

    @lru_cache(maxsize=16)
    def allocation_bytes(lang: str, gemeente: str | None) -> bytes:
        return json.dumps(allocation_page(lang, gemeente).data, separators=(",", ":")).encode()

    @app.get("/toewijzing.csv", tags=["csv"], response_class=Response, responses=ERRORS)
    def allocation_csv(gemeente: Gemeente = None):
        return csv(allocation_page("nl", gemeente).table, "toewijzing")

    @app.get("/toewijzing/verhuringen.csv", tags=["csv"], response_class=Response,
             responses={403: {"model": ErrorJSON}})
    def allocation_lettings_csv(run: Annotated[int, Query(ge=1, description="Run id of the comparison.")] = 1):
        """The planned lettings of one stored run (record level, pseudonymised applicant ids): role corporatie
        only."""
        if role != "corporatie":
            return JSONResponse({"detail": "record-level data: role corporatie only"}, 403)
        frame = ws().query("SELECT * FROM allocation_lettings WHERE run_id = ? ORDER BY vacancy_id", [run])
        return csv(frame, f"verhuringen-{run}")

    @app.get("/toewijzing", include_in_schema=False, response_class=HTMLResponse)
    def allocation_html(request: Request, gemeente: Gemeente = None):
        lang = lang_of(request)
        gemeenten = queries.corporation_gemeenten(ws())
        code = gemeente or (gemeenten or [None])[0]
        page = allocation_page(lang, code)
        buurten = pd.DataFrame(page.data["buurten"])
        maps = []
        if code and len(buurten):
            geo = geometry("buurt", code)
            now = buurten.drop_duplicates("buurt_code").assign(
                category=lambda f: f["category_now"], vitality=lambda f: f["vitality_now"],
                vitality_min=lambda f: f["vitality_now"], vitality_max=lambda f: f["vitality_now"])
            maps.append((t("allocation.map_now", lang, year=page.data["current_year"]), now))
            for r in page.data["runs"]:
                if r["method"] in ("optimiser", "practice"):
                    rows = buurten[buurten["run_id"] == r["run_id"]]
                    method = allocation_model.METHOD_LABELS[r["method"]][lang]
                    maps.append((f"{r['policy']} — {method}", rows))
            maps = [(title, render.gemeente_map(geo, frame.rename(columns={"buurt_code": "code"}).assign(
                scored=frame["vitality"].notna() | frame["vitality_min"].notna()), "categorie", run.model, None,
                lang)) for title, frame in maps]
        return html(request, "allocation.html", title=t("web.allocation", lang), data=page.data,
                    table=records(page.table), maps=maps, gemeente=code, gemeenten=gemeenten,
                    base="/toewijzing", query=f"?gemeente={code}" if code else "")

    @app.get("/health", include_in_schema=False)
    async def health():
        return {"status": "ok", "workspace": str(path), "model_hash": run.model_hash}

    app.state.close = connection.close
    return app


@contextmanager
def _as_bad_parameter():
    """A user error while building a download (e.g. no boundaries to export) is a 422, not a 500."""
    try:
        yield
    except InputError as exc:
        raise pages.BadParameter(exc.column or "download", exc.one_line()) from None


def _lang_url(request: Request, lang: str) -> str:
    """The current page (path and query, no host) in another language."""
    from urllib.parse import urlencode

    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(params)}"


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def serve(workspace: Path, host: str, port: int, access=None) -> None:
    import uvicorn

    from wijkvitaliteit.web.access import build_server_app

    if access is None and host not in ("127.0.0.1", "localhost", "::1"):
        raise InputError(None, "tokens for both roles (--tokens FILE, see docs/privacy.md) to serve beyond loopback",
                         found=f"--host {host} without tokens")
    app = build_server_app(workspace, access)  # a bad workspace raises InputError before the server starts
    uvicorn.run(app, host=host, port=port, log_level="warning")

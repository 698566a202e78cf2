"""Downloads and assets: a gemeente's report and exports, the national wijk layer, plotly.js, health."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Path as PathParam
from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from wijkvitaliteit.errors import BadParameter, InputError
from wijkvitaliteit.present import exports, pages
from wijkvitaliteit.reports.build import ReportScope, build_report
from wijkvitaliteit.web import views
from wijkvitaliteit.web.declare import ERROR_RESPONSES, Site
from wijkvitaliteit.web.routes import Year
from wijkvitaliteit.web.routes.pages import NationalLayer

MEDIA = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}


def _build(gen, code: str, year: int | None, kind: str, lang: str) -> bytes:
    """A report or export of one gemeente, built once per (gemeente, year, kind, language) and generation."""
    page = views.page(gen, pages.gemeente, code, year)  # raises NotFound / BadParameter for the error pages
    ws, run = gen.ws(), gen.run
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"out.{kind}"
        try:
            if kind in ("pdf", "html"):
                build_report(ws, ReportScope(page.data["code"], year=page.data["year"]), kind, out, lang)
            else:
                tables = exports.export_tables(ws, run, page.data["year"], [page.data["code"]])
                if kind == "xlsx":
                    exports.write_xlsx(tables, exports.info_rows(ws, run), out)
                else:
                    exports.write_gpkg(ws, run, page.data["year"], tables, out)
        except InputError as exc:  # e.g. no boundaries to export: the user's request, a 422
            raise BadParameter(exc.column or "download", exc.one_line()) from None
        return out.read_bytes()


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def register(site: Site) -> None:
    router = site.router

    @router.get("/", include_in_schema=False)
    def home(request: Request):
        return RedirectResponse("/nederland" + (f"?{request.url.query}" if request.url.query else ""), 307)

    @router.get("/gemeente/{code}/download.{kind}", tags=["downloads"], response_class=Response, responses=ERROR_RESPONSES)
    def gemeente_download(
        request: Request, code: str, kind: Annotated[str, PathParam(pattern="^(pdf|html|xlsx|gpkg)$")], jaar: Year = None
    ):
        """The gemeente's report (pdf, html) or its export (xlsx with a sheet per table; gpkg with buurten,
        wijken and gemeenten layers in EPSG:28992)."""
        gen, lang = site.generation(), site.lang_of(request)
        key = (code.upper(), jaar, kind, lang)
        body = gen.cached("download", 32, key, lambda: _build(gen, *key))
        name = f"wijkvitaliteit-{code.upper()}{'-' + str(jaar) if jaar else ''}.{kind}"
        disposition = "inline" if kind in ("pdf", "html") else "attachment"
        return Response(body, media_type=MEDIA[kind], headers={"Content-Disposition": f'{disposition}; filename="{name}"'})

    @router.get("/nederland/wijken.svg", include_in_schema=False)
    def national_wijken(request: Request, jaar: Year = None, laag: NationalLayer = "lbm"):
        gen = site.generation()
        page = views.page(gen, pages.national, jaar)
        svg, _ = views.national_svg(gen, page.data["year"], laag, "wijk", site.lang_of(request))
        return Response(svg, media_type="image/svg+xml")

    @router.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js():
        """The plotly.js bundled with the plotly package, served from here: no CDN."""
        return Response(_plotly_js(), media_type="application/javascript", headers={"Cache-Control": "public, max-age=86400"})

    @router.get("/health", include_in_schema=False)
    async def health():
        gen = site.generation()
        # pages_ready: the pages serve builds ahead (web/declare.py, warm) are built; a load balancer can wait for it
        return {"status": "ok", "model_hash": gen.run.model_hash, "pages_ready": gen.warmed()}

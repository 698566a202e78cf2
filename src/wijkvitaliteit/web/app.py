"""The web dashboard and HTTP API (FastAPI + Jinja2), reading one workspace.

Every page has a JSON twin (``….json``, described by OpenAPI at ``/docs``) and a CSV twin (``….csv``)
of its main table: each is one declaration (web/declare.py) in a module of web/routes/. Everything is served
from this process: maps are inline SVG drawn from the workspace, charts use the plotly.js that ships with the
plotly package. Dutch by default; ``?lang=en`` switches and a cookie keeps the choice. The server follows the
workspace: after an import or a score it serves the new state (web/state.py).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from wijkvitaliteit.data import ATTRIBUTION
from wijkvitaliteit.errors import NotFound, UserError
from wijkvitaliteit.indicators import indicator
from wijkvitaliteit.present.explain import format_value, points_text
from wijkvitaliteit.present.i18n import LANGS, number, t
from wijkvitaliteit.version import __version__
from wijkvitaliteit.web import render
from wijkvitaliteit.web.declare import Site
from wijkvitaliteit.web.routes import allocation, analyses, downloads, pages
from wijkvitaliteit.web.state import Generation, ServedWorkspace

HERE = Path(__file__).resolve().parent
LANG_COOKIE = "wv_lang"
log = logging.getLogger("wijkvitaliteit.web")


def create_app(workspace: Path | ServedWorkspace, role: str = "corporatie", warm: bool = False) -> FastAPI:
    """The dashboard and API over one workspace (followed across swaps). ``role`` partner: the served file is a
    partner copy (workspace/partner.py) and record-level endpoints answer 403. ``warm``: build the pages the
    declarations name (a corporation's buurt pages) in the background whenever a generation opens (``serve``)."""
    served = workspace if isinstance(workspace, ServedWorkspace) else ServedWorkspace(Path(workspace))
    app = FastAPIOffline(
        title="wijkvitaliteit",
        version=__version__,
        redoc_url=None,
        swagger_ui_parameters={"validatorUrl": None},
        description="Vitaliteitsscore per buurt. Every page has a JSON twin (documented here) and a "
        "CSV twin of its main table. " + ATTRIBUTION,
    )
    app.add_middleware(GZipMiddleware, minimum_size=2000)
    app.add_middleware(SecurityHeaders)
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(
        lang_url=_lang_url,
        format_value=format_value,
        pts=points_text,
        t=t,
        number=number,
        indicator=indicator,
        attribution=ATTRIBUTION,
        layer_label=render.layer_label,
        version=__version__,
        role=role,
    )

    def render_html(request: Request, template: str, gen: Generation | None = None, code: int = 200, **context) -> HTMLResponse:
        lang = lang_of(request)
        gen = gen or served.current()
        response = templates.TemplateResponse(
            request,
            template,
            {"lang": lang, "status": code, "run": gen.run, "corporation": gen.corporation, "threshold": gen.threshold, **context},
            status_code=code,
        )
        if request.query_params.get("lang") in LANGS:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
        return response

    site = Site(served.current, lang_of, render_html, role)
    for module in (pages, analyses, allocation, downloads):
        module.register(site)
    app.include_router(site.router)
    if warm:
        served.warm_with(site.warm)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")  # after /static/plotly.min.js
    _error_pages(app, render_html)
    app.state.served = served
    app.state.close = served.close
    return app


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSP_DOCS = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")  # the offline Swagger UI page
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin")]


class SecurityHeaders:
    """ASGI middleware: every answer says what the browser may do with it (no inline script, no framing, no
    sniffing, no referrer beyond this site)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = (CSP_DOCS if scope["path"].startswith("/docs") else CSP).encode()

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [*message.get("headers", []), *SECURITY_HEADERS, (b"content-security-policy", csp)],
                }
            await send(message)

        return await self.app(scope, receive, with_headers)


def lang_of(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "nl"
    return lang if lang in LANGS else "nl"


def _is_twin(request: Request) -> bool:
    """A machine answer (JSON/CSV twin or a download): its errors are JSON, as the OpenAPI schema says."""
    path = request.url.path
    return path.endswith((".json", ".csv")) or "/download." in path or path.startswith("/docs")


def _error_pages(app: FastAPI, render_html) -> None:
    """The error family mapped once: NotFound → 404, BadParameter/InputError → 422, anything else → a styled
    500 whose id is also in the server log. HTML for pages, JSON for twins and downloads."""

    def answer(request: Request, status: int, message: str, suggestions: list | None = None, error_id: str | None = None):
        if _is_twin(request):
            body = {"detail": message, "suggestions": suggestions or []}
            if error_id:
                body["error_id"] = error_id
            return JSONResponse(body, status)
        lang = lang_of(request)
        title = t({404: "web.not_found", 422: "web.bad_parameter"}.get(status, "web.server_error"), lang)
        try:
            return render_html(
                request, "error.html", code=status, title=title, message=message, suggestions=suggestions or [], error_id=error_id
            )
        except Exception:  # the workspace itself cannot be read: still a page, not a traceback
            log.exception("error page failed")
            return HTMLResponse(f"<!doctype html><title>{status}</title><h1>{title} ({status})</h1><p>{message}</p>", status)

    @app.exception_handler(NotFound)
    def not_found(request: Request, exc: NotFound):
        return answer(
            request,
            404,
            f"{exc.what} '{exc.key}'" if not _is_twin(request) else f"unknown {exc.what}: {exc.key}",
            exc.suggestions,
        )

    @app.exception_handler(UserError)  # BadParameter, InputError: the request cannot be answered as asked
    def user_error(request: Request, exc: UserError):
        return answer(request, 422, exc.one_line())

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        text = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:])}: {e['msg']}" for e in errors) or "invalid request"
        return answer(request, 422, text)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException):
        if exc.status_code == 404:
            return answer(request, 404, request.url.path if not _is_twin(request) else "not found")
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    def server_error(request: Request, exc: Exception):
        error_id = uuid.uuid4().hex[:12]
        log.error("error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc)
        return answer(request, 500, t("web.server_error_note", lang_of(request), id=error_id), error_id=error_id)


def _lang_url(request: Request, lang: str) -> str:
    """The current page (path and query, no host) in another language."""
    from urllib.parse import urlencode

    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "token")] + [("lang", lang)]
    return f"{request.url.path}?{urlencode(params)}"

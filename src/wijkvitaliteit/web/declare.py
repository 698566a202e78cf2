"""A page is declared once: :class:`PageSpec` gives the HTML page, its ``.json`` and ``.csv`` twins, caching,
role handling and (through the app's handlers) error mapping.

A declaration names the path, the page-model function (``model(gen, **params) -> Page``, language-neutral,
cached per workspace generation), the template and the parameters. ``view`` adds what only the HTML page needs
(maps, rendered explanations) or answers with its own response (a redirect). Twins carry ``Page.data`` (JSON)
and ``Page.table`` (CSV). Adding a page: write the page model in ``present/``, the template, and one
``PageSpec`` in a module of ``web/routes/`` (CONTRIBUTING.md).
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from wijkvitaliteit.present.pages import Page
from wijkvitaliteit.web.state import Generation

ROLES = frozenset({"corporatie", "partner"})
log = logging.getLogger("wijkvitaliteit.web")
REQUIRED = inspect.Parameter.empty  # the default of a parameter without one


@dataclass(frozen=True)
class PageSpec:
    path: str  # "/gemeente/{code}"; the twins are path + ".json" / ".csv"
    model: Callable[..., Page]  # model(gen, **params) -> Page
    template: str | None = None  # None: twins only
    params: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (annotation, default)
    html_params: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # only the HTML page takes these
    view: Callable[..., dict | Response] | None = None  # view(gen, page, lang, request=…, **params)
    summary: str = ""  # the JSON twin's description in the OpenAPI docs
    response_model: Any = None
    tags: tuple[str, ...] = ("pages",)
    csv_name: Callable[[dict], str] | None = None
    cache: int = 256  # page models kept per workspace generation
    by_lang: bool = False  # the page model itself depends on the language
    # siblings(gen, params) -> [(params, Page)]: pages built together with this one (a gemeente's buurten in a year),
    # whose JSON twins are encoded at once so that their first request is answered from the cache
    siblings: Callable[..., list[tuple[dict, Page]]] | None = None
    # warm(gen) -> [params]: pages to build in the background when ``serve`` opens a generation, first asked first
    warm: Callable[[Generation], list[dict]] | None = None
    roles: frozenset[str] = ROLES

    @property
    def name(self) -> str:
        return self.path

    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


def _signature(spec: PageSpec, html: bool) -> inspect.Signature:
    params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for name in spec.path_params():
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[str, PathParam()]))
    extra = {**spec.params, **(spec.html_params if html else {})}
    for name, (annotation, default) in extra.items():
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default))
    return inspect.Signature(params)


class Site:
    """Registers declarations on a router; the app supplies the generation, the language and the HTML renderer."""

    def __init__(
        self,
        generation: Callable[[], Generation],
        lang_of: Callable[[Request], str],
        render: Callable[..., HTMLResponse],
        role: str,
    ) -> None:
        self.generation, self.lang_of, self.render, self.role = generation, lang_of, render, role
        self.router = APIRouter()
        self.specs: list[PageSpec] = []

    def warm(self, gen: Generation) -> int:
        """Build the JSON twins each declaration asks to warm, until the generation closes; the number built.
        A page that fails here is left to its request, which answers the user as always."""
        built = 0
        for spec in self.specs:
            if spec.warm is None or self.role not in spec.roles:
                continue
            for params in spec.warm(gen):
                if gen.stopping.is_set():
                    return built
                try:
                    self.json_body(spec, gen, params, "nl")
                    built += 1
                except Exception:  # noqa: BLE001 — warming is an optimisation; the request path reports errors
                    log.debug("warming %s %s failed", spec.path, params, exc_info=True)
        return built

    # -- building blocks -----------------------------------------------------------------------------------
    def page(self, spec: PageSpec, gen: Generation, params: dict, lang: str) -> Page:
        key = tuple(sorted(params.items())) + ((("lang", lang),) if spec.by_lang else ())
        kwargs = {**params, "lang": lang} if spec.by_lang else params
        return gen.cached(spec.name, spec.cache, key, lambda: spec.model(gen, **kwargs))

    def json_body(self, spec: PageSpec, gen: Generation, params: dict, lang: str) -> bytes:
        key = tuple(sorted(params.items())) + ((("lang", lang),) if spec.by_lang else ())

        def encode(data: dict) -> bytes:
            return json.dumps(data, ensure_ascii=False, default=str, allow_nan=False).encode("utf-8")

        size = max(spec.cache * 4, 64)
        body = gen.cached(spec.name + ".json", size, key, lambda: encode(self.page(spec, gen, params, lang).data))
        if spec.siblings is not None and not spec.by_lang:
            for other, page in spec.siblings(gen, params):
                other_key = tuple(sorted(other.items()))
                if gen.peek(spec.name + ".json", other_key) is None:
                    gen.cached(spec.name + ".json", size, other_key, functools.partial(encode, page.data))
        return body

    def forbidden(self, spec: PageSpec) -> Response | None:
        if self.role in spec.roles:
            return None
        return JSONResponse({"detail": f"role {self.role} may not see this (role {', '.join(sorted(spec.roles))} only)"}, 403)

    # -- registration ----------------------------------------------------------------------------------------
    def add(self, spec: PageSpec) -> PageSpec:
        self.specs.append(spec)
        names = [*spec.path_params(), *spec.params]
        responses: dict[int | str, dict[str, Any]] = {403: {"description": "not for this role"}} if spec.roles != ROLES else {}

        async def as_json(request: Request, **kwargs):
            if (denied := self.forbidden(spec)) is not None:
                return denied
            gen, lang = self.generation(), self.lang_of(request)
            params = {k: kwargs[k] for k in names}
            key = tuple(sorted(params.items())) + ((("lang", lang),) if spec.by_lang else ())
            body = gen.peek(spec.name + ".json", key)  # a cached answer straight from the event loop
            if body is None:
                body = await run_in_threadpool(self.json_body, spec, gen, params, lang)
            return Response(body, media_type="application/json")

        def as_csv(request: Request, **kwargs):
            if (denied := self.forbidden(spec)) is not None:
                return denied
            params = {k: kwargs[k] for k in names}
            page = self.page(spec, self.generation(), params, self.lang_of(request))
            name = spec.csv_name(params) if spec.csv_name else spec.path.strip("/").replace("/", "-").split("{")[0]
            return csv_response(page.table, name.strip("-") or "data")

        def as_html(request: Request, **kwargs):
            if (denied := self.forbidden(spec)) is not None:
                return denied
            gen, lang = self.generation(), self.lang_of(request)
            params = {k: kwargs[k] for k in names}
            page = self.page(spec, gen, params, lang)
            extra: dict[str, Any] = {}
            if spec.view is not None:
                html_params = {k: kwargs[k] for k in spec.html_params}
                viewed = spec.view(gen, page, lang, request=request, **params, **html_params)
                if isinstance(viewed, Response):
                    return viewed
                extra = viewed
            twin_params = {k: v for k, v in request.query_params.items() if k in spec.params and v != ""}
            return self.render(
                request,
                spec.template,
                gen,
                page=page.data,
                twin_base=request.url.path,
                twin_query=f"?{urlencode(twin_params)}" if twin_params else "",
                **extra,
            )

        endpoints: list[tuple[Callable[..., Any], str, bool]] = [
            (as_json, ".json", False),
            (as_csv, ".csv", False),
            (as_html, "", True),
        ]
        for endpoint, suffix, html in endpoints:
            if html and spec.template is None:
                continue
            setattr(endpoint, "__signature__", _signature(spec, html))  # noqa: B010 — FastAPI reads the parameters here
            endpoint.__name__ = f"{spec.path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}{suffix}"
            errors: dict[int | str, dict[str, Any]] = {**ERROR_RESPONSES, **responses}
            kinds: dict[str, dict[str, Any]] = {
                ".json": {
                    "response_model": spec.response_model,
                    "tags": list(spec.tags),
                    "description": spec.summary,
                    "responses": errors,
                },
                ".csv": {"tags": ["csv"], "response_class": Response, "responses": errors},
                "": {"include_in_schema": False, "response_class": HTMLResponse},
            }
            kind = kinds[suffix]
            self.router.add_api_route(spec.path + suffix, endpoint, methods=["GET"], **kind)
        return spec


def csv_response(frame: pd.DataFrame, name: str) -> Response:
    return Response(
        frame.to_csv(index=False),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'inline; filename="{name}.csv"'},
    )


class ErrorJSON(BaseModel):
    detail: str
    suggestions: list[dict[str, Any]] = []
    error_id: str | None = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {404: {"model": ErrorJSON}, 422: {"model": ErrorJSON}}

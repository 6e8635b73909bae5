"""The app factory: routes under ``/api/v1``, errors as JSON, local docs, gzip, web pages."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from corridor.api.analysis_routes import router as analysis_router
from corridor.api.fastpath import CacheHits
from corridor.api.forecast_routes import router as forecast_router
from corridor.api.linkage_routes import router as linkage_router
from corridor.api.network_routes import router as network_router
from corridor.api.policy_routes import router as policy_router
from corridor.api.respond import GZIP_MIN, ResponseCache, StoreVersion
from corridor.api.routes import NotFoundError, router
from corridor.config import resolve_db_path
from corridor.errors import CorridorError, StoreError

API_PREFIX = "/api/v1"
log = logging.getLogger("corridor.api")


def create_app(db_path: str | os.PathLike[str] | None = None, *, cache_size: int = 512) -> FastAPI:
    """The API (and the dashboard pages when ``corridor.web`` is installed) on one store.

    The store is opened read-only for every request, so an ingest may replace
    the file while the server runs; ``cache_size`` responses are kept per store
    version (0 turns the cache off).
    """
    from corridor import __version__

    app = FastAPI(
        title="corridor API",
        version=__version__,
        description="Aligned migration statistics of the Americas corridor. Every table "
        "endpoint answers JSON, or CSV with `?format=csv` or `Accept: text/csv`.",
        docs_url=None,  # served below from local files: /docs must work offline
        redoc_url=None,
        openapi_url=f"{API_PREFIX}/openapi.json",
    )
    path = resolve_db_path(db_path)
    app.state.db_path = path
    app.state.version = StoreVersion(path)
    app.state.cache = ResponseCache(cache_size)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN)
    # added last, so outermost: a cache hit skips the gzip middleware (it is pre-gzipped)
    app.add_middleware(
        CacheHits, prefix=API_PREFIX, cache=app.state.cache, version=app.state.version
    )
    _add_error_handlers(app)
    app.include_router(router, prefix=API_PREFIX)
    app.include_router(analysis_router, prefix=API_PREFIX)
    app.include_router(forecast_router, prefix=API_PREFIX)
    app.include_router(linkage_router, prefix=API_PREFIX)
    app.include_router(network_router, prefix=API_PREFIX)
    app.include_router(policy_router, prefix=API_PREFIX)
    _add_docs(app)
    _openapi_without_422(app)
    _add_web(app)
    _add_cases(app)
    return app


def _openapi_without_422(app: FastAPI) -> None:
    """FastAPI documents a 422 on every route with parameters, but a request that fails
    validation is answered 400 with ``{"error": ...}`` (see the handlers below)."""
    from fastapi.openapi.utils import get_openapi

    def schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version,
                               description=app.description, routes=app.routes)  # fmt: skip
            for path in spec.get("paths", {}).values():
                for operation in path.values():
                    responses = operation.get("responses", {})
                    if responses.pop("422", None) is not None:
                        responses.setdefault("400", {
                            "description": "A parameter failed validation: "
                            '{"error": "<what and why>"}'})  # fmt: skip
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = schema  # type: ignore[method-assign]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CorridorError)
    async def corridor_error(request: Request, exc: CorridorError) -> JSONResponse:
        if isinstance(exc, NotFoundError):
            return _error(404, str(exc))
        # a missing or unreadable store is the server's problem, not the request's
        return _error(503 if isinstance(exc, StoreError) else 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
            for e in exc.errors()
        ]
        return _error(400, "; ".join(problems))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return _error(500, f"internal error ({type(exc).__name__}); see the server log")


def _add_docs(app: FastAPI) -> None:
    try:
        import swagger_ui_bundle  # type: ignore[import-untyped]
    except ImportError:
        log.warning("/docs disabled: pip install 'corridor[web]' for the Swagger UI files")
        return
    app.mount("/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
              name="docs-assets")  # fmt: skip
    openapi_url = app.openapi_url or ""

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title="corridor API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon-32x32.png",
            # the validator badge would fetch from validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None},
        )


def _add_cases(app: FastAPI) -> None:
    """The Safe Mobility Offices API and pages, when the ``cases`` extra is installed."""
    importlib.import_module("corridor.cases.mount").mount(app, API_PREFIX)


def _add_web(app: FastAPI) -> None:
    """The dashboard pages and their static files, when ``corridor.web`` provides them."""
    try:
        pages = importlib.import_module("corridor.web.pages")
    except ModuleNotFoundError as exc:
        if exc.name not in ("corridor.web", "corridor.web.pages"):
            raise
        return
    app.include_router(pages.router)
    app.include_router(importlib.import_module("corridor.web.network_pages").router)
    static = Path(str(pages.__file__)).resolve().parent / "static"
    if static.is_dir():
        app.mount("/static", StaticFiles(directory=static), name="static")

"""The HTTP face of policykg: JSON API, SPARQL 1.1 endpoint and web interface.

`create_app(kg)` builds a FastAPI app over the `PolicyKG` wiring: the JSON operations call it,
the pages and the SPARQL endpoint read its `Store` (`app.state.store`), pinned per request to the
store generation current when it arrived (`api/live.py`: a rebuilt store is picked up live).
Every error is a 4xx (or a 503 for limits and parts that are unavailable) with a JSON body
`{"error": …}` (an HTML page for the web interface); nothing answers 500.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from policykg import __version__
from policykg.errors import PolicyKGError

log = logging.getLogger("policykg.api")
HERE = Path(__file__).resolve().parent


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api", "/sparql", "/openapi", "/static")):
        return False
    return "text/html" in (request.headers.get("accept") or "")


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None
           ) -> JSONResponse | HTMLResponse:
    message = " ".join(str(message).split()) or "error"
    if _wants_html(request):
        from policykg.api.web import SECURITY_HEADERS, error_page

        return HTMLResponse(error_page(request, status, message), status_code=status,
                            headers={**SECURITY_HEADERS, **(headers or {})})
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
    return "bad request: " + "; ".join(parts)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(PolicyKGError)
    async def policykg_error(request: Request, exc: PolicyKGError):
        retry = getattr(exc, "retry_after", None)  # a busy endpoint says when to come back
        return _error(request, getattr(exc, "http_status", 503), str(exc),
                      {"Retry-After": str(retry)} if retry else None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return _error(request, 400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        status = exc.status_code if exc.status_code < 500 else 503
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if status == 404 and detail == "Not Found":
            detail = f"nothing at {request.url.path}: see /docs for the API, / for the web interface"
        elif status == 405:
            detail = f"method {request.method} is not allowed on {request.url.path}"
        return _error(request, status, detail)

    @app.exception_handler(ImportError)
    async def missing_part(request: Request, exc: ImportError):
        log.warning("unavailable part: %s", exc)
        return _error(request, 503, f"this part of policykg is not available in this installation ({exc})")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return _error(request, 503, f"internal error ({exc.__class__.__name__}); the server log has details")


def _openapi(app: FastAPI):
    """The OpenAPI description, exact: bad input is a 400 `ErrorResponse`, never FastAPI's 422."""

    def build():
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for operations in schema.get("paths", {}).values():
            for op in operations.values():
                responses = op.get("responses", {})
                if responses.pop("422", None) is not None:
                    responses.setdefault("400", {
                        "description": "bad input",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
                    })
        components = schema.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        app.openapi_schema = schema
        return schema

    return build


def _install_docs(app: FastAPI) -> None:
    """`/docs`: Swagger UI from the `swagger-ui-bundle-v2` package (works offline)."""
    from fastapi.openapi.docs import get_swagger_ui_html

    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # not installed: FastAPI's default page (loads Swagger UI from a CDN)
        swagger_ui_path = None
    if swagger_ui_path:
        app.mount("/static/swagger-ui", StaticFiles(directory=swagger_ui_path), name="swagger-ui")
        assets = {"swagger_js_url": "/static/swagger-ui/swagger-ui-bundle.js",
                  "swagger_css_url": "/static/swagger-ui/swagger-ui.css",
                  "swagger_favicon_url": "/static/swagger-ui/favicon-32x32.png"}
    else:
        assets = {}

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="policykg API", **assets)


def create_app(kg) -> FastAPI:
    """The ASGI app over a `PolicyKG` (the store must be built)."""
    from policykg.api import linked, pages, routes, sparql, web

    from policykg.api import live as live_data

    def make_endpoint(kg_):
        return sparql.SparqlEndpoint(kg_.store, kg_.settings)

    live = None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        live.start()  # start the query workers; watch the store for a new build
        yield
        await live.stop()

    app = FastAPI(
        docs_url=None,  # served below from the vendored Swagger UI: no CDN
        redoc_url=None,
        title="policykg",
        version=__version__,
        description="Questions, search, documents, consistency checks and a read-only SPARQL 1.1 endpoint "
                    "over Chinese policy documents. Errors are `{\"error\": …}` with a 4xx status.",
        lifespan=lifespan,
    )
    # app.state.kg / .store / .sparql: the generation of the store each request was pinned to
    live = live_data.install(app, kg, make_endpoint)
    _install_errors(app)
    app.include_router(sparql.router)  # first: the busiest path is matched before the others
    app.include_router(routes.router)
    app.include_router(web.router)
    app.include_router(linked.router)
    app.include_router(pages.router)
    _install_docs(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.openapi = _openapi(app)  # type: ignore[method-assign]
    from policykg.api import http

    origins = kg.settings["cors_origins"]
    http.install(app, [] if origins.strip().lower() == "none" else http.parse_origins(origins))
    return app


__all__ = ["create_app"]

"""HTTP basics every response gets, as the outermost ASGI layer of the app.

- `X-Content-Type-Options: nosniff` on every response (errors, static files and pages too);
- `OPTIONS` on every route: 204 with `Allow`; `HEAD` wherever `GET` is allowed (the GET answer
  without its body); a 405 always carries `Allow`;
- CORS on `/sparql` and `/api/…` for the origins of the `cors_origins` setting (`*` by default:
  the data are public and no request carries credentials): preflights (`OPTIONS` with
  `Access-Control-Request-Method`) are answered here; answers carry `Access-Control-Allow-Origin`
  and expose the endpoint's own headers, so YASGUI and other web clients can query.
"""
from __future__ import annotations

import json
import re
from typing import Any, Awaitable, Callable

from starlette.routing import Mount, compile_path

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

CORS_PATHS = ("/sparql", "/api/", "/id/", "/context.jsonld", "/.well-known/void", "/ontology")
EXPOSED = "X-PolicyKG-Truncated, X-PolicyKG-Rows, X-PolicyKG-Seconds, X-PolicyKG-Run, Retry-After, Content-Length"
SAFE_REQUEST_HEADERS = {"accept", "accept-language", "content-language", "content-type", "cache-control",
                        "x-requested-with", "pragma"}
ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def parse_origins(value: str) -> list[str]:
    """The `cors_origins` setting: `*`, origins separated by spaces or commas, or empty (CORS off)."""
    return [o.strip().rstrip("/") for o in value.replace(",", " ").split() if o.strip()]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return value.decode("latin-1")
    return None


class HttpBasics:
    """ASGI middleware: nosniff, OPTIONS/HEAD with `Allow`, CORS (see the module docstring)."""

    def __init__(self, app, router, origins: list[str]) -> None:
        self.app = app
        self.router = router
        self.origins = origins
        self._table: list[tuple[re.Pattern, set[str]]] | None = None  # built at the first request

    # -- which methods a path allows ---------------------------------------------------
    def allowed(self, scope: Scope) -> list[str]:
        if self._table is None:
            self._table = list(_route_table(self.router.routes))
        path = scope.get("path", "")
        methods: set[str] = set()
        for regex, route_methods in self._table:
            if regex.match(path):
                methods |= route_methods
        if not methods:
            return []
        if "GET" in methods:
            methods.add("HEAD")
        methods.add("OPTIONS")
        return [m for m in ORDER if m in methods] + sorted(methods - set(ORDER))

    def _cors_origin(self, scope: Scope) -> str | None:
        """The value of Access-Control-Allow-Origin for this request, or None (no CORS)."""
        origin = _header(scope, b"origin")
        path = scope.get("path", "")
        if not origin or not self.origins or not (path == "/sparql" or path.startswith(CORS_PATHS)):
            return None
        if "*" in self.origins:
            return "*"
        return origin if origin.rstrip("/") in self.origins else None

    # -- the ASGI call ----------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        allow = self.allowed(scope) if method in ("OPTIONS", "HEAD") else None
        cors_origin = self._cors_origin(scope)
        if method == "OPTIONS" and allow:
            await self._options(scope, send, allow, cors_origin)
            return
        head = method == "HEAD" and "GET" in (allow or ())
        if head:
            scope = {**scope, "method": "GET"}

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])]
                names = {k.lower() for k, _ in headers}
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                if message["status"] == 405 and b"allow" not in names:
                    allowed = allow if allow is not None else self.allowed(scope)
                    if allowed:
                        headers.append((b"allow", ", ".join(allowed).encode()))
                if cors_origin:
                    headers += _cors_headers(cors_origin)
                message = {**message, "headers": headers}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_wrapper)

    async def _options(self, scope: Scope, send: Send, allow: list[str], cors_origin: str | None) -> None:
        wanted = _header(scope, b"access-control-request-method")
        headers = [(b"allow", ", ".join(allow).encode()), (b"x-content-type-options", b"nosniff")]
        status, body = 204, b""
        if wanted is not None and _header(scope, b"origin") is not None and _in_cors_paths(scope):
            if cors_origin is None:
                status, body = 403, _json_error(f"origin {_header(scope, b'origin')} may not call "
                                                f"{scope['path']} from a browser (see the cors_origins setting)")
            elif wanted.upper() not in allow:
                status, body = 405, _json_error(f"method {wanted} is not allowed on {scope['path']}")
            else:
                requested = _header(scope, b"access-control-request-headers") or ""
                asked = [h.strip() for h in requested.split(",") if h.strip()]
                headers += _cors_headers(cors_origin)
                headers += [(b"access-control-allow-methods", ", ".join(allow).encode()),
                            (b"access-control-max-age", b"600")]
                if asked:
                    headers.append((b"access-control-allow-headers", ", ".join(asked).encode()))
        if body:
            headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _route_table(routes, prefix: str = ""):
    """(path regex, methods) for every route, included routers and mounts walked through."""
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI >= 0.16x keeps included routers whole
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _route_table(inner.routes, prefix + (getattr(context, "prefix", "") or ""))
        elif isinstance(route, Mount):
            yield re.compile("^" + re.escape(prefix + route.path.rstrip("/")) + "(/.*)?$"), {"GET", "HEAD"}
        elif getattr(route, "methods", None) and getattr(route, "path", None) is not None:
            regex, _, _ = compile_path(prefix + route.path)
            yield regex, set(route.methods)


def _in_cors_paths(scope: Scope) -> bool:
    path = scope.get("path", "")
    return path == "/sparql" or path.startswith(CORS_PATHS)


def _cors_headers(origin: str) -> list[tuple[bytes, bytes]]:
    headers = [(b"access-control-allow-origin", origin.encode("latin-1")),
               (b"access-control-expose-headers", EXPOSED.encode())]
    if origin != "*":
        headers.append((b"vary", b"Origin"))
    return headers


def _json_error(message: str) -> bytes:
    return json.dumps({"error": message}, ensure_ascii=False).encode("utf-8")


def install(app, origins: list[str]) -> None:
    """Make `HttpBasics` the outermost layer of a FastAPI/Starlette app (outside its error handlers)."""
    build = app.build_middleware_stack

    def build_with_basics():
        return HttpBasics(build(), app.router, origins)

    app.build_middleware_stack = build_with_basics


__all__ = ["HttpBasics", "install", "parse_origins", "CORS_PATHS"]

"""The read-only SPARQL 1.1 Protocol endpoint (`GET`/`POST /sparql`), served as Fuseki serves it.

- query operation: `GET ?query=`, `POST` form (`application/x-www-form-urlencoded`, `query=`),
  `POST application/sparql-query`; `default-graph-uri` / `named-graph-uri` name the dataset;
- results by the Accept header, or the `format` (alias `output`) parameter: SELECT/ASK as
  SPARQL JSON, XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD, RDF/XML, TriG;
- refused with a 4xx and `{"error": …}`: the update operation (`update=`,
  `application/sparql-update`: 403), update text sent as a query, `SERVICE` and malformed
  queries (400, with the parser's message), two queries at once (400), other media types (415),
  formats the client does not accept (406);
- each new query runs in a worker process with a time limit (`sparql_timeout`, 503 when passed);
  one that already ran on this store version within `sparql_fast_ms` runs again in the server
  and a row cap (`sparql_max_rows`: the result is cut, and the response carries
  `X-PolicyKG-Truncated: true`); `X-PolicyKG-Run` says where it ran (`worker` or `server`).
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from policykg.api.admission import Admission, Busy, wait_for_disconnect
from policykg.errors import InputError
from policykg.kg import formats
from policykg.kg.formats import parse_accept
from policykg.kg import guard
from policykg.kg.query import QueryRequest, QueryResult
from policykg.kg.workers import Ticket

router = APIRouter(tags=["sparql"])
log = logging.getLogger("policykg.api")

MAX_BODY = 1_000_000  # bytes of a POSTed query
INLINE = 0.002  # seconds: a known-fast query this quick runs on the event loop when nothing else is under way
FAST_THREADS = max(2, os.cpu_count() or 2)  # threads for known-fast queries


def refuse(status: int, message: str) -> InputError:
    """An InputError with its own HTTP status (403, 405, 413, 415 …)."""
    err = InputError(message)
    err.http_status = status
    return err


class SparqlEndpoint:
    """Runs protocol requests on the store, with the endpoint's time limit and row cap."""

    def __init__(self, store, settings) -> None:
        self.store = store
        try:
            self.timeout = settings.get_float("sparql_timeout")
            self.max_rows = settings.get_int("sparql_max_rows")
            workers = settings.get_int("sparql_workers")
            waiting = settings.get_int("sparql_queue")
            fast = settings.get_float("sparql_fast_ms")
        except ValueError:
            raise InputError("POLICYKG_SPARQL_TIMEOUT must be seconds, POLICYKG_SPARQL_FAST_MS milliseconds; "
                             "POLICYKG_SPARQL_MAX_ROWS, POLICYKG_SPARQL_WORKERS and POLICYKG_SPARQL_QUEUE "
                             "whole numbers") from None
        if not self.timeout > 0 or self.max_rows < 1 or workers < 1 or waiting < 0 or not fast >= 0:
            raise InputError("sparql_timeout must be > 0 seconds, sparql_max_rows and sparql_workers at least 1, "
                             "sparql_queue and sparql_fast_ms at least 0")
        # queries wait here, on the event loop, never in the threads that serve pages and /api
        self.admission = Admission(slots=workers, queue=waiting, max_wait=max(self.timeout, 30.0),
                                   retry_after=self.timeout)
        self.most_fast = FAST_THREADS + waiting  # known-fast queries in the server at once; more get Busy
        self.in_flight = 0  # queries under way (counted on the event loop)
        self.fast_in_flight = 0  # of which known-fast ones in the server's threads
        self._threads: ThreadPoolExecutor | None = None  # for known-fast queries, made at first use
        self._closed = False

    async def submit(self, request: Request, req: QueryRequest) -> QueryResult:
        """Run `req` in a SPARQL slot (Busy: 503 + Retry-After); stopped if the client disconnects.

        A query known to run fast on this store version runs in the server: on the event loop when
        nothing else is under way and it takes well under a millisecond (a thread hop would cost
        more), else in a thread of its own pool (pyoxigraph releases the GIL)."""
        guard.check(req.query)  # refusals and limits before the query takes a slot
        req.max_rows = self.max_rows
        took = self.store.known_cost(req, self.timeout)
        if took is not None:
            if self.in_flight == 0 and took <= INLINE:
                return self.run(req)
            if self.fast_in_flight >= self.most_fast:
                raise Busy(f"the SPARQL endpoint is busy ({self.in_flight} queries under way): try again in "
                           f"{self.admission.retry_after} s", self.admission.retry_after)
            self.in_flight += 1
            self.fast_in_flight += 1
            try:
                return await asyncio.get_running_loop().run_in_executor(self.threads, self.run, req)
            finally:
                self.in_flight -= 1
                self.fast_in_flight -= 1
        ticket = Ticket()
        self.in_flight += 1
        try:
            return await self.admission.run(self.run, req, ticket, disconnected=wait_for_disconnect(request.receive),
                                            cancel=ticket.cancel)
        finally:
            self.in_flight -= 1

    @property
    def threads(self) -> ThreadPoolExecutor:
        if self._threads is None:
            self._threads = ThreadPoolExecutor(max_workers=FAST_THREADS, thread_name_prefix="policykg-sparql-fast")
        return self._threads

    def run(self, req: QueryRequest, ticket: Ticket | None = None) -> QueryResult:
        return self.store.query(req.query, req.fmt, req.accept, max_rows=self.max_rows, timeout=self.timeout,
                                default_graphs=req.default_graphs, named_graphs=req.named_graphs,
                                base_iri=req.base_iri, ticket=ticket)

    def warm_up(self) -> None:
        try:
            if not self._closed:
                self.store.warm_up(self.timeout)
        except Exception as exc:  # logged: the first query starts the workers again and reports the error
            if not self._closed:
                log.warning("SPARQL workers did not start: %s", exc)

    def close(self) -> None:
        self._closed = True
        self.admission.close()
        threads, self._threads = self._threads, None
        if threads is not None:
            threads.shutdown(wait=False, cancel_futures=True)
        self.store.close()


def _dataset(items: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    return ([v for k, v in items if k == "default-graph-uri"], [v for k, v in items if k == "named-graph-uri"])


def _format(items: list[tuple[str, str]]) -> str | None:
    values = [v for k, v in items if k in ("format", "output") and v.strip()]
    return values[-1] if values else None


def _one_query(items: list[tuple[str, str]]) -> str:
    if any(k == "update" for k, _ in items):
        raise refuse(403, "SPARQL Update is refused: this endpoint is read-only (send a query with query=)")
    queries = [v for k, v in items if k == "query"]
    if len(queries) > 1:
        raise InputError(f"{len(queries)} queries in one request: send exactly one query parameter")
    if not queries or not queries[0].strip():
        raise InputError("missing query: send a SPARQL query as the query parameter "
                         "(GET ?query=…, or POST form query=…, or POST application/sparql-query)")
    return queries[0]


async def _read_body(request: Request) -> bytes:
    """The request body, refused with 413 once it passes MAX_BODY bytes (before reading it all)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise refuse(413, f"the request body is {int(declared):,} bytes; at most {MAX_BODY:,} are accepted")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise refuse(413, f"the request body is over {MAX_BODY:,} bytes; at most {MAX_BODY:,} are accepted")
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_request(request: Request) -> QueryRequest:
    """A protocol request → QueryRequest, or an InputError with the right 4xx."""
    url_items = list(request.query_params.multi_items())
    accept = parse_accept(request.headers.get("accept"))
    if request.method == "GET":
        items = url_items
        query = _one_query(items)
    else:
        ctype = request.headers.get("content-type", "")
        media, _, params = ctype.partition(";")
        media = media.strip().lower()
        charset = ""
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset":
                charset = value.strip().strip('"').lower()
        if media == "application/sparql-update":
            raise refuse(403, "SPARQL Update is refused: this endpoint is read-only")
        if media not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            got = f"Content-Type {media!r}" if media else "no Content-Type"
            raise refuse(415, f"{got}: POST a query as application/x-www-form-urlencoded (query=…) "
                              "or as application/sparql-query")
        if charset and charset not in ("utf-8", "utf8", "us-ascii", "ascii"):
            raise refuse(415, f"charset {charset!r} is not supported: send the query in UTF-8")
        body = await _read_body(request)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("the request body is not UTF-8: send the query in UTF-8") from None
        if media == "application/x-www-form-urlencoded":
            try:
                form = parse_qsl(text, keep_blank_values=True, errors="strict")
            except (UnicodeDecodeError, ValueError):
                raise InputError("the form body is not valid UTF-8 percent-encoding") from None
            items = url_items + form
            query = _one_query(items)
        else:
            items = url_items
            if any(k in ("query", "update") for k, _ in url_items):
                _one_query(url_items + [("query", text)])  # raises: update, or two queries
            query = text
            if not query.strip():
                raise InputError("empty query: the body of an application/sparql-query POST is the query")
    if "\x00" in query:
        raise InputError("the query contains a NUL character")
    default_graphs, named_graphs = _dataset(items)
    return QueryRequest(query=query, accept=accept, fmt=_format(items), default_graphs=default_graphs,
                        named_graphs=named_graphs, base_iri=str(request.url.replace(query="", fragment="")))


def _response(result: QueryResult) -> Response:
    headers = {"Vary": "Accept", "X-PolicyKG-Rows": str(result.rows),
               "X-PolicyKG-Seconds": f"{result.seconds:.3f}",
               "X-PolicyKG-Run": "worker" if result.ran_in == "worker" else "server"}
    if result.truncated:
        headers["X-PolicyKG-Truncated"] = "true"
    return Response(result.body, media_type=result.media_type, headers=headers)


async def run_query(request: Request, req: QueryRequest) -> QueryResult:
    endpoint: SparqlEndpoint = request.app.state.sparql
    return await endpoint.submit(request, req)


_RESULTS = {
    "description": "query results; the format follows the Accept header or the `format` parameter",
    "content": {media: {"schema": {"type": "string"}} for media in formats.media_types()},
}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _RESULTS,
    303: {"description": "GET without a query from a browser (Accept: text/html): to the SPARQL console"},
    400: {"description": "malformed query, SERVICE, update text, two queries, bad format", **_ERROR},
    403: {"description": "SPARQL Update refused (read-only endpoint)", **_ERROR},
    406: {"description": "no result format fits the Accept header", **_ERROR},
    413: {"description": "query too long", **_ERROR},
    415: {"description": "unsupported Content-Type or charset", **_ERROR},
    503: {"description": "the query ran past sparql_timeout, or the endpoint is busy", **_ERROR},
}
_COMMON = [
    {"name": "format", "in": "query", "required": False,
     "schema": {"type": "string", "enum": formats.names()},
     "description": "result format when the Accept header is not used: json (srj), xml (srx), csv, tsv "
                    "(SELECT/ASK); ttl, nt, nq, jsonld, rdfxml (xml), trig, n3 (CONSTRUCT/DESCRIBE)"},
    {"name": "default-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True},
    {"name": "named-graph-uri", "in": "query", "required": False,
     "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": True},
]
GET_OPENAPI = {"parameters": [
    {"name": "query", "in": "query", "required": True, "schema": {"type": "string", "minLength": 1},
     "description": "a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE)"}, *_COMMON]}
POST_OPENAPI = {
    "parameters": _COMMON,
    "requestBody": {"required": True, "content": {
        "application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["query"], "properties": {
                "query": {"type": "string", "minLength": 1}, "format": {"type": "string"}}}},
        "application/sparql-query": {"schema": {"type": "string", "minLength": 1}},
    }},
}


@router.get("/sparql", summary="SPARQL 1.1 query (GET)", response_class=Response, responses=RESPONSES,
            openapi_extra=GET_OPENAPI)
async def sparql_get(request: Request) -> Response:
    """Run a read-only SPARQL query given as `?query=`; a browser without a query gets the console."""
    if "query" not in request.query_params and "update" not in request.query_params:
        if "text/html" in (request.headers.get("accept") or ""):
            return RedirectResponse("/query", status_code=303)
        from policykg.api.linked import service_description

        described = service_description(request)  # an RDF Accept and no query: the service description
        if described is not None:
            return described
    req = await parse_request(request)
    return _response(await run_query(request, req))


@router.post("/sparql", summary="SPARQL 1.1 query (POST form or application/sparql-query)",
             response_class=Response, responses=RESPONSES, openapi_extra=POST_OPENAPI)
async def sparql_post(request: Request) -> Response:
    """Run a read-only SPARQL query POSTed as a form (`query=`) or as `application/sparql-query`."""
    req = await parse_request(request)
    return _response(await run_query(request, req))


__all__ = ["router", "SparqlEndpoint", "parse_request", "run_query", "refuse"]

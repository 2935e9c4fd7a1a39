"""SPARQL queries for the endpoint, run in worker processes that can be stopped.

pyoxigraph has no query timeout, so the endpoint never runs a query in the server process:
each worker process opens the store folder read-only and answers one query at a time over a
pipe. A query that runs longer than `sparql_timeout` seconds gets its worker killed (a fresh
one starts on the next query) and the client a 503. Results are cut at `sparql_max_rows`
rows (SELECT) or triples (CONSTRUCT/DESCRIBE); a cut result says so in its response headers.
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policykg.errors import InputError, PolicyKGError
from policykg.kg.guard import EngineCrash, engine_crash, inspect
from policykg.kg.lifeline import spawn
from policykg.kg.store import GRAPH_FORMATS, RESULT_FORMATS, check_query, syntax_error

log = logging.getLogger("policykg.api")


class QueryTimeout(PolicyKGError):
    """A query that ran past the endpoint's time limit (HTTP 503)."""

    http_status = 503


class QueryCancelled(PolicyKGError):
    """A query stopped because its client went away."""

    http_status = 503


class Ticket:
    """A handle on one query's run: `cancel()` kills the worker process running it."""

    def __init__(self) -> None:
        self.worker: _Worker | None = None
        self.cancelled = False
        self._lock = threading.Lock()

    def attach(self, worker: "_Worker | None") -> None:
        with self._lock:
            self.worker = worker

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            worker = self.worker
        process = worker.process if worker is not None else None
        if process is not None and process.poll() is None:
            process.kill()  # its socket closes: the waiting thread sees EOF and stops


class NotAcceptable(InputError):
    """No result format fits the Accept header (HTTP 406)."""

    http_status = 406


@dataclass
class QueryRequest:
    """One SPARQL query as the protocol layer parsed it."""

    query: str
    accept: list[str] = field(default_factory=list)  # media types, best first ("*/*" allowed)
    fmt: str | None = None  # the `format` parameter: a short name or a media type
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    max_rows: int = 10000


@dataclass
class QueryResult:
    body: bytes
    media_type: str
    kind: str  # "select", "ask" or "graph"
    rows: int = 0
    truncated: bool = False
    seconds: float = 0.0


# -- content negotiation -------------------------------------------------------------------
# media type → format name, for results of each kind (first entry of a kind is its default)
TABULAR_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "ttl", "application/x-turtle": "ttl",
    "application/n-triples": "nt", "text/plain": "nt",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/rdf+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "application/trig": "trig", "application/n-quads": "nq",
}
# `format` parameter names (Fuseki's and the CLI's), per kind
TABULAR_NAMES = {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"}
GRAPH_NAMES = {
    "ttl": "ttl", "turtle": "ttl", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld", "xml": "xml", "rdfxml": "xml",
    "rdf": "xml", "trig": "trig", "nq": "nq", "nquads": "nq",
}


def parse_accept(header: str | None) -> list[str]:
    """The media types of an Accept header, best first (q=0 dropped, ties in written order)."""
    if not header or not header.strip():
        return ["*/*"]
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, position, media))
    return [media for _, _, media in sorted(ranked)]


def choose_format(kind: str, fmt: str | None, accept: list[str]) -> str:
    """The format name for a result of `kind` from the `format` parameter, else the Accept list."""
    tabular = kind in ("select", "ask")
    types, names = (TABULAR_TYPES, TABULAR_NAMES) if tabular else (GRAPH_TYPES, GRAPH_NAMES)
    what = "a SELECT/ASK result" if tabular else "a CONSTRUCT/DESCRIBE result"
    if fmt:
        key = fmt.strip().lower()
        if key in names:
            return names[key]
        if key.split(";")[0].strip() in types:
            return types[key.split(";")[0].strip()]
        choices = ", ".join(sorted(set(names)))
        raise InputError(f"format {fmt!r} does not fit {what}: use one of {choices}")
    default = "json" if tabular else "ttl"
    for media in accept or ["*/*"]:
        if media in types:
            return types[media]
        if media == "*/*":
            return default
        major = media.split("/")[0]
        if media.endswith("/*"):
            for candidate, name in types.items():
                if candidate.startswith(major + "/"):
                    return name
    offered = ", ".join(dict.fromkeys(types))
    raise NotAcceptable(f"no result format fits the Accept header for {what}: accepted are {offered}")


# -- running one query (inside a worker) ---------------------------------------------------
def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _term_json(term.subject),
                                            "predicate": _term_json(term.predicate),
                                            "object": _term_json(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _graphs(iris: list[str]) -> list[ox.NamedNode]:
    try:
        return [ox.NamedNode(iri) for iri in iris]
    except ValueError as exc:
        raise InputError(f"bad graph IRI in default-graph-uri/named-graph-uri: {exc}") from None


def execute(store: ox.Store, req: QueryRequest) -> QueryResult:
    """Run one read-only query on `store` and serialise it as negotiated (row cap applied)."""
    started = time.perf_counter()
    check_query(req.query)
    options: dict[str, Any] = {}
    if req.default_graphs:
        options["default_graph"] = _graphs(req.default_graphs)
    if req.named_graphs:
        options["named_graphs"] = _graphs(req.named_graphs)
    try:
        result = store.query(req.query, **options)
    except SyntaxError as exc:
        raise syntax_error(req.query, exc) from None
    return serialize(result, req, started)


def serialize(result: Any, req: QueryRequest, started: float) -> QueryResult:
    """A pyoxigraph query result → the negotiated format, cut at `req.max_rows`."""
    if isinstance(result, ox.QueryBoolean):
        fmt = choose_format("ask", req.fmt, req.accept)
        media, rfmt, _ = RESULT_FORMATS[fmt]
        return QueryResult(result.serialize(format=rfmt), media, "ask", 1, False, time.perf_counter() - started)
    if isinstance(result, ox.QuerySolutions):
        fmt = choose_format("select", req.fmt, req.accept)
        names = [v.value for v in result.variables]
        rows = list(itertools.islice(result, req.max_rows + 1))
        truncated = len(rows) > req.max_rows
        rows = rows[: req.max_rows]
        doc = {"head": {"vars": names}, "results": {"bindings": [
            {n: _term_json(row[n]) for n in names if row[n] is not None} for row in rows]}}
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        media, rfmt, _ = RESULT_FORMATS[fmt]
        if fmt != "json":
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=rfmt)
        return QueryResult(body, media, "select", len(rows), truncated, time.perf_counter() - started)
    fmt = choose_format("graph", req.fmt, req.accept)
    triples = list(itertools.islice(result, req.max_rows + 1))
    truncated = len(triples) > req.max_rows
    triples = triples[: req.max_rows]
    media, gfmt = GRAPH_FORMATS[fmt]
    if gfmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        data: list[Any] = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    else:
        data = triples
    body = ox.serialize(data, format=gfmt, prefixes=PREFIXES if gfmt in _PREFIXED else None)
    return QueryResult(body or b"", media, "graph", len(triples), truncated, time.perf_counter() - started)


def _prefixes() -> dict[str, str]:
    from policykg.ontology import ONTOLOGY_IRI, RESOURCE_IRI

    return {"pol": ONTOLOGY_IRI, "id": RESOURCE_IRI, "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dcterms": "http://purl.org/dc/terms/",
            "xsd": "http://www.w3.org/2001/XMLSchema#", "skos": "http://www.w3.org/2004/02/skos/core#"}


PREFIXES = _prefixes()
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG)


def _worker_main(conn, graph_dir: str) -> None:
    """A worker process: open the store read-only, answer queries until the pipe closes."""
    from policykg.kg.lifeline import die_with_parent

    die_with_parent()  # never outlive the server, even one killed with SIGKILL
    try:
        os.nice(WORKER_NICE)  # the pages and the API stay responsive while queries burn CPU
    except OSError:
        pass
    try:
        store = ox.Store.read_only(graph_dir)
    except OSError as exc:
        conn.send(("error", 503, f"cannot open the graph store {graph_dir}: {exc}"))
        return
    conn.send(("ready", None, None))
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", execute(store, req), None))
        except PolicyKGError as exc:
            conn.send(("error", exc.http_status, str(exc)))
        except Exception as exc:  # an evaluation error inside the engine: the query's fault
            conn.send(("error", 400, f"the query failed: {' '.join(str(exc).split()) or exc.__class__.__name__}"))


# -- the pool of workers (in the server process) -------------------------------------------
class _Worker:
    """One worker process (`python -m policykg.api.worker FD DIR`) and the parent's end of its socket.

    A plain subprocess rather than multiprocessing: nothing of the server's `__main__` is
    re-imported, and killing it on a timeout is safe.
    """

    def __init__(self, graph_dir: Path) -> None:
        self.graph_dir = graph_dir
        self.process: subprocess.Popen | None = None
        self.conn: Connection | None = None
        self.stderr = None  # a temporary file: the engine's last words when it crashes

    def last_words(self) -> str:
        """The tail of the worker's standard error (a Rust panic message, for example)."""
        if self.stderr is None:
            return ""
        try:
            self.stderr.seek(0, 2)
            size = self.stderr.tell()
            self.stderr.seek(max(0, size - 8192))
            return self.stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def ensure_started(self, timeout: float) -> None:
        if self.process is not None and self.process.poll() is None and self.conn is not None:
            return
        self.stop()
        ours, theirs = socket.socketpair()
        self.stderr = tempfile.TemporaryFile()
        try:
            self.process = spawn(
                [sys.executable, "-m", "policykg.api.worker", str(theirs.fileno()), str(self.graph_dir)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stderr=self.stderr, close_fds=True,
                env={**os.environ, "RUST_BACKTRACE": "0"})
        finally:
            theirs.close()
        conn = self.conn = Connection(ours.detach())
        try:
            if not conn.poll(max(timeout, 30.0)):
                self.stop()
                raise PolicyKGError("the SPARQL worker did not start in time; try again")
            status, code, message = conn.recv()
        except (EOFError, OSError):  # it died, or the pool was closed meanwhile
            self.stop()
            raise PolicyKGError("the SPARQL worker could not start (see the server log)") from None
        if status != "ready":
            self.stop()
            raise PolicyKGError(message)

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                pass
            self.process = None
        if self.stderr is not None:
            tail = self.last_words().strip()
            if tail:
                log.warning("SPARQL worker said: %s", " | ".join(tail.splitlines()[-4:])[-1000:])
            self.stderr.close()
            self.stderr = None

    def died_of(self) -> int | None:
        """The worker's exit status once it has died (negative: the signal), else None."""
        if self.process is None:
            return None
        try:
            return self.process.wait(2)
        except subprocess.TimeoutExpired:
            return None


WORKER_NICE = 5  # workers run at a lower CPU priority than the server
SLOT_WAIT = 30.0  # seconds a query waits for a free worker before a 503
CRASH_MEMORY = 1000  # queries remembered as crashing the engine
ENGINE_SIGNALS = (-6, -11, -7, -4)  # SIGABRT (a Rust panic), SIGSEGV (stack overflow), SIGBUS, SIGILL


def query_key(sparql: str) -> str:
    """A query's text without differences of white space (the key of the crash memory)."""
    return " ".join(sparql.split())


class QueryPool:
    """A few worker processes; `run` gives each query one of them, with a time limit."""

    def __init__(self, graph_dir: Path, *, size: int = 2, timeout: float = 10.0, max_rows: int = 10000) -> None:
        self.graph_dir = Path(graph_dir)
        self.timeout = timeout
        self.max_rows = max_rows
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers = [_Worker(self.graph_dir) for _ in range(max(1, size))]
        for worker in self._workers:
            self._idle.put(worker)
        self._closed = threading.Event()
        self.crashed: dict[str, str] = {}  # query key → the EngineCrash message (insertion order = age)
        self._crash_lock = threading.Lock()

    def remember_crash(self, req: QueryRequest, message: str) -> None:
        with self._crash_lock:
            self.crashed[query_key(req.query)] = message
            while len(self.crashed) > CRASH_MEMORY:
                self.crashed.pop(next(iter(self.crashed)))

    def run(self, req: QueryRequest, ticket: Ticket | None = None) -> QueryResult:
        req.max_rows = min(req.max_rows, self.max_rows) if req.max_rows else self.max_rows
        known = self.crashed.get(query_key(req.query))
        if known is not None:  # it killed a worker before: it would again
            raise EngineCrash(known + " (refused at once: this query crashed the engine before)")
        wait = max(self.timeout, SLOT_WAIT)  # a slot may be held by a worker that is (re)starting
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise QueryTimeout(f"the SPARQL endpoint is busy: no query slot came free within {wait:g} s; "
                               "try again") from None
        ticket = ticket or Ticket()
        try:
            return self._run_on(worker, req, ticket)
        except (QueryTimeout, EngineCrash, QueryCancelled):
            # its worker was killed or died: start a fresh one now, off the request, then free the slot
            threading.Thread(target=self._restart, args=(worker,), daemon=True).start()
            worker = None
            raise
        finally:
            ticket.attach(None)  # a late cancel must not kill the next query on this worker
            if worker is not None:
                self._idle.put(worker)

    def _restart(self, worker: _Worker) -> None:
        try:
            if not self._closed.is_set():
                worker.ensure_started(self.timeout)
        except PolicyKGError as exc:
            if not self._closed.is_set():
                log.warning("SPARQL worker restart failed: %s", exc)
        finally:
            if self._closed.is_set():
                worker.stop()  # the pool closed while it restarted: leave no process behind
            self._idle.put(worker)

    def _run_on(self, worker: _Worker, req: QueryRequest, ticket: Ticket) -> QueryResult:
        for attempt in (1, 2):
            if ticket.cancelled:
                raise QueryCancelled("the client went away; the query was not run")
            worker.ensure_started(self.timeout)
            ticket.attach(worker)
            try:
                worker.conn.send(req)
                if not worker.conn.poll(self.timeout):
                    worker.stop()
                    raise QueryTimeout(
                        f"the query was stopped after {self.timeout:g} s (the endpoint's sparql_timeout): "
                        "narrow it down, add a LIMIT, or run it on your own copy with `policykg sparql`")
                status, payload, message = worker.conn.recv()
            except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
                if ticket.cancelled:
                    worker.stop()
                    raise QueryCancelled("the client went away; its query was stopped") from None
                status = worker.died_of()
                if status in ENGINE_SIGNALS:  # the engine crashed on this query: it would again
                    crash = engine_crash(status, worker.last_words(), inspect(req.query).order_by)
                    log.warning("SPARQL engine crashed (exit %s) on a query; refusing it from now on", status)
                    self.remember_crash(req, str(crash))
                    worker.stop()
                    raise crash from None
                worker.stop()  # the worker died (out of memory, killed): restart it once
                if attempt == 2:
                    raise PolicyKGError("the SPARQL worker stopped while running the query; try again") from None
                continue
            if status == "ok":
                return payload
            err = InputError(message) if payload < 500 else PolicyKGError(message)
            err.http_status = payload
            raise err
        raise PolicyKGError("unreachable")

    def warm_up(self) -> None:
        """Start the workers now (the first query then answers fast)."""
        taken = []
        try:
            for _ in self._workers:
                if self.closed:
                    break
                worker = self._idle.get()
                taken.append(worker)
                worker.ensure_started(self.timeout)
        finally:
            for worker in taken:
                if self.closed:
                    worker.stop()
                self._idle.put(worker)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        self._closed.set()
        for worker in self._workers:
            worker.stop()


def main(argv: list[str] | None = None) -> None:
    """`python -m policykg.api.worker FD GRAPH_DIR`: serve queries on the inherited socket FD."""
    args = sys.argv[1:] if argv is None else argv
    _worker_main(Connection(int(args[0])), args[1])


if __name__ == "__main__":
    # run from the importable module, so what is pickled names policykg.api.worker, not __main__
    from policykg.api.worker import main as _main

    _main()

"""One SPARQL path: check a query, run it, serialise its result (the CLI and `/sparql` alike).

`serialize` turns a pyoxigraph result (from any backend) into a `QueryResult` in the format
the registry (`kg.formats`) picks; the CLI and the endpoint send its body unchanged, so the
same query and format give the same bytes on both.
"""
from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from policykg.errors import InputError
from policykg.kg import formats
from policykg.kg.formats import RDF, RESULTS


@dataclass
class QueryRequest:
    """One read-only SPARQL query and how its result is wanted."""

    query: str
    fmt: str | None = None  # a short name, extension or media type
    accept: list[str] = field(default_factory=lambda: ["*/*"])  # media types, best first
    max_rows: int | None = None  # cut SELECT rows / CONSTRUCT triples here (None: no cut)
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint's URL)


@dataclass
class QueryResult:
    """A serialised query result: what the CLI prints and the endpoint sends."""

    body: bytes
    media_type: str
    kind: str  # "select", "ask" or "graph"
    format: str  # the registry's short name
    rows: int = 0
    truncated: bool = False
    seconds: float = 0.0
    ran_in: str = "process"  # "process": the caller's; "worker": a query worker process


_STRINGS = re.compile(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_IRIS = re.compile(r"<[^<>\s]*>")
_COMMENTS = re.compile(r"#[^\n]*")
_UPDATE = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _code(sparql: str) -> str:
    """The query without string literals, IRIs and comments (what keywords can hide in)."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)
    text = _STRINGS.sub('""', text)
    text = _IRIS.sub("<>", text)
    return _COMMENTS.sub("", text)


def check_query(sparql: str) -> str:
    """Refuse what a read-only store must not run (InputError); return the query.

    Decided on the query's tokens by `kg.guard`: updates, LOAD and SERVICE, and the size and
    nesting limits the engine cannot survive."""
    from policykg.kg.guard import check

    if "\x00" in (sparql or ""):
        raise InputError("the query contains a NUL character")
    check(sparql)
    return sparql


def syntax_error(sparql: str, exc: Exception) -> InputError:
    """The InputError for a query the engine could not parse: an update, or malformed."""
    if _UPDATE.search(_code(sparql)):
        try:
            from rdflib.plugins.sparql.parser import parseUpdate

            parseUpdate(sparql)
            return InputError("SPARQL updates (INSERT, DELETE, LOAD, CLEAR, …) are not allowed: the store is read-only")
        except Exception:  # not an update either: report the engine's message below
            pass
    return InputError(f"malformed SPARQL query: {' '.join(str(exc).split())}")


def graphs(iris: list[str]) -> list[ox.NamedNode]:
    try:
        return [ox.NamedNode(iri) for iri in iris]
    except ValueError as exc:
        raise InputError(f"bad graph IRI in default-graph-uri/named-graph-uri: {exc}") from None


def run_on(store: ox.Store, req: QueryRequest):
    """Run `req` on a pyoxigraph store; the raw pyoxigraph result."""
    check_query(req.query)
    options: dict[str, Any] = {}
    if req.default_graphs:
        options["default_graph"] = graphs(req.default_graphs)
    if req.named_graphs:
        options["named_graphs"] = graphs(req.named_graphs)
    if req.base_iri:
        options["base_iri"] = req.base_iri
    try:
        return store.query(req.query, **options)
    except SyntaxError as exc:
        raise syntax_error(req.query, exc) from None


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


def _prefixes() -> dict[str, str]:
    from policykg.ontology import NAMESPACES

    return dict(NAMESPACES)


PREFIXES = _prefixes()
_PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3, ox.RdfFormat.RDF_XML)


def serialize(result: Any, req: QueryRequest, started: float | None = None) -> QueryResult:
    """A pyoxigraph query result → the negotiated format, cut at `req.max_rows` (if set)."""
    started = time.perf_counter() if started is None else started
    cap = req.max_rows
    if isinstance(result, ox.QueryBoolean):
        fmt = formats.negotiate(RESULTS, req.fmt, req.accept)
        return QueryResult(result.serialize(format=fmt.ox), fmt.media_type, "ask", fmt.name, 1, False,
                           time.perf_counter() - started)
    if isinstance(result, ox.QuerySolutions):
        fmt = formats.negotiate(RESULTS, req.fmt, req.accept)
        if cap is not None and _bounded(req.query, cap):  # the engine's own writer: no row can be cut
            body = result.serialize(format=ox.QueryResultsFormat.JSON)
            rows = sum(1 for _ in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
            if fmt.name != "json":
                body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt.ox)
            return QueryResult(body, fmt.media_type, "select", fmt.name, rows, False, time.perf_counter() - started)
        names = [v.value for v in result.variables]
        rows = list(result if cap is None else itertools.islice(result, cap + 1))
        truncated = cap is not None and len(rows) > cap
        rows = rows[:cap] if cap is not None else rows
        doc = {"head": {"vars": names}, "results": {"bindings": [
            {n: _term_json(row[n]) for n in names if row[n] is not None} for row in rows]}}
        body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")  # as the engine writes it
        if fmt.name != "json":
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON).serialize(format=fmt.ox)
        return QueryResult(body, fmt.media_type, "select", fmt.name, len(rows), truncated,
                           time.perf_counter() - started)
    fmt = formats.negotiate(RDF, req.fmt, req.accept)
    triples = list(result if cap is None else itertools.islice(result, cap + 1))
    truncated = cap is not None and len(triples) > cap
    triples = triples[:cap] if cap is not None else triples
    body = dump(triples, fmt)
    return QueryResult(body, fmt.media_type, "graph", fmt.name, len(triples), truncated,
                       time.perf_counter() - started)


def _bounded(sparql: str, cap: int) -> bool:
    """Whether a SELECT's own top-level LIMIT keeps it within `cap` rows."""
    if "limit" not in sparql.lower():
        return False
    from policykg.kg.guard import inspect

    limit = inspect(sparql).limit
    return limit is not None and limit <= cap


def dump(triples: list, fmt: formats.Format) -> bytes:
    """Triples (or quads) in an RDF format, with the usual prefixes where the format has them."""
    if fmt.quads:
        data: list[Any] = [t if isinstance(t, ox.Quad) else ox.Quad(t.subject, t.predicate, t.object,
                                                                     ox.DefaultGraph()) for t in triples]
    else:
        data = [ox.Triple(t.subject, t.predicate, t.object) if isinstance(t, ox.Quad) else t for t in triples]
    body = ox.serialize(data, format=fmt.ox, prefixes=_used(data) if fmt.ox in _PREFIXED else None) or b""
    if fmt.ox == ox.RdfFormat.JSON_LD:
        body = compact_jsonld(body)
    return body


def _used(data: list) -> dict[str, str]:
    """The prefixes whose namespace the triples use (so the output declares only those)."""
    seen: set[str] = set()
    for t in data:
        for term in (t.predicate, t.object, t.subject):
            if isinstance(term, ox.NamedNode):
                seen.add(term.value)
            elif isinstance(term, ox.Literal):
                seen.add(term.datatype.value)
    return {p: ns for p, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in seen)}


def _curie(iri: str) -> str:
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def _compact(node):
    if isinstance(node, list):
        return [_compact(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "@type":
            value = [_curie(v) for v in value] if isinstance(value, list) else _curie(value)
        elif key in ("@id", "@value", "@language"):
            pass
        else:
            value = _compact(value)
        out[key if key.startswith("@") else _curie(key)] = value
    return out


def compact_jsonld(body: bytes) -> bytes:
    """pyoxigraph's expanded JSON-LD → the same graph under policykg's @context (`/context.jsonld`):
    properties, classes and datatypes as pol:…, eli:…, xsd:… (resource IRIs stay whole)."""
    from policykg.ontology import jsonld_context

    nodes = json.loads(body or b"[]")
    doc = {**jsonld_context(), "@graph": _compact(nodes if isinstance(nodes, list) else [nodes])}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")

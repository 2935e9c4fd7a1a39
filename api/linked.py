"""Linked data: every IRI the graph mints resolves, and the endpoint describes itself.

- `GET /id/…`: the resource `https://w3id.org/policykg/id/…` — an HTML page for a browser, else
  its description (SPARQL DESCRIBE: the triples it is the subject of) as Turtle, N-Triples,
  JSON-LD, RDF/XML … by the Accept header (or `format=`); 404 `{"error"}` for an IRI the graph
  does not hold; `Vary: Accept`. So the w3id IRIs resolve once redirected to a server.
- `GET /sparql` with an RDF Accept header and no query: the SPARQL 1.1 Service Description.
- `GET /.well-known/void`: the VoID description of the dataset.
- `GET /context.jsonld`: the JSON-LD @context every JSON-LD result is compacted with.
- `GET /ontology`: the ontology (Turtle, or any RDF format by Accept).
"""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, unquote

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from policykg.errors import InputError, NotFound
from policykg.kg import formats
from policykg.kg.formats import RDF, RESULTS, NotAcceptable, parse_accept
from policykg.kg.query import QueryRequest, dump
from policykg.ontology import NAMESPACES, ONTOLOGY_FILE, RESOURCE_IRI, jsonld_context

router = APIRouter(include_in_schema=False)

HTML = ("text/html", "application/xhtml+xml")
_IRI_CHARS = re.compile(r"[^\s<>\"{}|\\^`]+")
SD = NAMESPACES["sd"]
VOID = NAMESPACES["void"]
RDF_TYPE = ox.NamedNode(NAMESPACES["rdf"] + "type")
# W3C's IRIs for the formats of the registry (https://www.w3.org/ns/formats/)
W3C_FORMATS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
               "tsv": "SPARQL_Results_TSV", "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD",
               "rdfxml": "RDF_XML", "trig": "TriG", "nq": "N-Quads", "n3": "N3"}


def choose(request: Request) -> formats.Format | None:
    """The RDF format the client asked for (`format=` or Accept), None for HTML; NotAcceptable if none fits."""
    fmt = request.query_params.get("format")
    if fmt:
        return None if fmt.strip().lower() == "html" else formats.by_name(RDF, fmt)
    for media in parse_accept(request.headers.get("accept")):
        if media in HTML:
            return None
        if media == "*/*":
            return formats.negotiate(RDF, None, ["text/turtle"])
        try:
            return formats.negotiate(RDF, None, [media])
        except NotAcceptable:
            continue
    raise NotAcceptable("no format fits the Accept header: ask for text/html, text/turtle, application/n-triples, "
                        "application/ld+json, application/rdf+xml, application/trig or application/n-quads")


def _send(body: bytes, fmt: formats.Format, **headers: str) -> Response:
    return Response(body, media_type=fmt.media_type, headers={"Vary": "Accept", **headers})


# -- /id/… ---------------------------------------------------------------------------------
def _candidates(raw: str) -> list[str]:
    """The IRIs a request path may name: as sent, decoded, and re-encoded as policykg mints them."""
    decoded = unquote(raw)
    out = [raw, decoded, quote(decoded, safe="/-_.~")]
    return [RESOURCE_IRI + r for r in dict.fromkeys(out) if r and _IRI_CHARS.fullmatch(r)]


def resolve(store, raw: str) -> str:
    """The IRI of the graph that `/id/{raw}` names (NotFound when the graph holds none)."""
    for iri in _candidates(raw):
        rows = store.select(f"SELECT ?p WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }} LIMIT 1")
        if rows:
            return iri
    raise NotFound(f"no resource <{RESOURCE_IRI}{raw}> in the graph")


def page_for(iri: str) -> str:
    """The richer web page of a resource (document, clause, entity), or ''."""
    if not iri.startswith(RESOURCE_IRI):
        return ""
    rest = iri[len(RESOURCE_IRI):]
    m = re.fullmatch(r"([A-Za-z0-9][\w.-]*)/clause/(\d+)", rest)
    if m:
        return f"/documents/{quote(m.group(1))}/clauses/{m.group(2)}"
    if re.fullmatch(r"[A-Za-z0-9][\w.-]*", rest) and rest != "concept":
        return f"/documents/{quote(rest)}"
    if rest.startswith("concept/") and rest.count("/") >= 2:
        return "/entity?iri=" + quote(iri, safe="")
    return ""


def href(iri: str) -> str:
    """Where a link to `iri` goes on our pages: /id/… for our resources, the IRI itself elsewhere."""
    if iri.startswith(RESOURCE_IRI):
        return "/id/" + iri[len(RESOURCE_IRI):]
    return iri if iri.startswith(("http://", "https://")) else ""


def _term(t: dict[str, Any] | None) -> dict[str, str]:
    from policykg.api.web import curie

    if t is None:
        return {"text": "", "href": "", "kind": ""}
    value = str(t.get("value", ""))
    if t.get("type") == "uri":
        return {"text": curie(value), "href": href(value), "kind": "uri", "iri": value}
    suffix = f" @{t['xml:lang']}" if t.get("xml:lang") else ""
    if t.get("datatype"):
        suffix = " ^^" + curie(t["datatype"])
    return {"text": value, "suffix": suffix, "href": "", "kind": t.get("type", "literal")}


async def _rows(request: Request, sparql: str) -> list[dict[str, Any]]:
    result = await request.app.state.sparql.submit(request, QueryRequest(sparql, fmt="json"))
    return json.loads(result.body)["results"]["bindings"]


@router.get("/id/{rest:path}")
async def resource(request: Request, rest: str) -> Response:
    """A resource of the graph: HTML for a browser, its description as RDF by content negotiation."""
    store = request.app.state.store
    raw = request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0]
    raw = raw[len("/id/"):] if raw.startswith("/id/") else rest
    fmt = choose(request)
    iri = await run_in_threadpool(resolve, store, raw)
    if fmt is not None:
        result = await request.app.state.sparql.submit(request, QueryRequest(f"DESCRIBE <{iri}>", fmt=fmt.name))
        headers = {"X-PolicyKG-Truncated": "true"} if result.truncated else {}
        return _send(result.body, fmt, **headers)
    from policykg.api.web import render

    out = await _rows(request, f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} ORDER BY ?p ?o LIMIT 500")
    inbound = await _rows(request, f"SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }} ORDER BY ?p ?s LIMIT 200")
    label = next((b["o"]["value"] for b in out if b["p"]["value"].endswith(("#label", "#prefLabel"))
                  and b["o"].get("xml:lang", "").startswith("zh")), None)
    label = label or next((b["o"]["value"] for b in out if b["p"]["value"].endswith("#label")), iri)
    types = [_term(b["o"]) for b in out if b["p"]["value"] == RDF_TYPE.value]
    rows = [(_term(b["p"]), _term(b["o"])) for b in out if b["p"]["value"] != RDF_TYPE.value]
    back = [(_term(b["s"]), _term(b["p"])) for b in inbound]
    response = render(request, "resource.html", title=f"{label} · policykg", iri=iri, label=label, types=types,
                      rows=rows, inbound=back, page=page_for(iri), data_path="/id/" + raw,
                      data_formats=[("Turtle", "ttl"), ("JSON-LD", "jsonld"), ("N-Triples", "nt"),
                                    ("RDF/XML", "rdfxml")])
    response.headers["Vary"] = "Accept"
    return response


# -- the service description and VoID ------------------------------------------------------
def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=_n(NAMESPACES["xsd"] + "integer"))


def _endpoint_url(request: Request) -> str:
    return str(request.url.replace(path="/sparql", query="", fragment=""))


def service_triples(request: Request) -> list[ox.Triple]:
    url = _endpoint_url(request)
    svc, dataset, graph = _n(url), _n(url + "#dataset"), _n(url + "#default-graph")
    triples = [
        ox.Triple(svc, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(svc, _n(SD + "endpoint"), svc),
        ox.Triple(svc, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        # Oxigraph keeps empty named graphs apart from absent ones
        ox.Triple(svc, _n(SD + "feature"), _n(SD + "EmptyGraphs")),
        ox.Triple(svc, _n(NAMESPACES["dcterms"] + "title"), ox.Literal("policykg read-only SPARQL 1.1 endpoint")),
        ox.Triple(svc, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), graph),
        ox.Triple(graph, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(graph, _n(VOID + "triples"), _int(len(request.app.state.store))),
        ox.Triple(dataset, _n(NAMESPACES["rdfs"] + "seeAlso"),
                  _n(str(request.url.replace(path="/.well-known/void", query="", fragment="")))),
    ]
    for kind in (RESULTS, RDF):
        for name in formats.FORMATS[kind]:
            triples.append(ox.Triple(svc, _n(SD + "resultFormat"), _n("http://www.w3.org/ns/formats/" + W3C_FORMATS[name])))
    return triples


def service_description(request: Request) -> Response | None:
    """The service description for a GET /sparql without a query whose Accept names an RDF format."""
    fmt = request.query_params.get("format")
    if fmt:
        chosen = formats.find(RDF, fmt)
    else:
        chosen = None
        for media in parse_accept(request.headers.get("accept")):
            if media == "*/*" or media.endswith("/*"):
                return None
            chosen = formats.find(RDF, media)
            if chosen is not None or formats.find(RESULTS, media) is not None:
                break
    if chosen is None:
        return None
    return _send(dump(service_triples(request), chosen), chosen)


def void_triples(request: Request) -> list[ox.Triple]:
    store = request.app.state.store
    url = str(request.url.replace(query="", fragment=""))
    ds = _n(url + "#dataset")
    triples = [
        ox.Triple(ds, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(ds, _n(NAMESPACES["dcterms"] + "title"),
                  ox.Literal("policykg: Chinese policy documents, their clauses, entities and benefits")),
        ox.Triple(ds, _n(VOID + "triples"), _int(len(store))),
        ox.Triple(ds, _n(VOID + "sparqlEndpoint"), _n(_endpoint_url(request))),
        ox.Triple(ds, _n(VOID + "uriSpace"), ox.Literal(RESOURCE_IRI)),
        ox.Triple(ds, _n(VOID + "uriLookupEndpoint"), ox.Literal(str(request.url.replace(path="/id/", query="")))),
        ox.Triple(ds, _n(VOID + "rootResource"), _n(RESOURCE_IRI + "concept/talent")),
    ]
    for prefix in ("pol", "eli", "skos", "dcterms", "prov", "org", "schema", "rdfs"):
        triples.append(ox.Triple(ds, _n(VOID + "vocabulary"), _n(NAMESPACES[prefix])))
    examples = store.select("PREFIX pol: <%s> SELECT ?x WHERE { { ?x a pol:Document } UNION { ?x a pol:Clause } "
                            "UNION { ?x a pol:Benefit } } LIMIT 3" % NAMESPACES["pol"])
    for row in examples:
        triples.append(ox.Triple(ds, _n(VOID + "exampleResource"), _n(str(row["x"]))))
    return triples


@router.get("/.well-known/void")
async def void(request: Request) -> Response:
    fmt = choose(request) or formats.by_name(RDF, "ttl")
    return _send(dump(await run_in_threadpool(void_triples, request), fmt), fmt)


@router.get("/context.jsonld")
def context() -> JSONResponse:
    return JSONResponse(jsonld_context(), media_type="application/ld+json")


@router.get("/ontology")
async def ontology(request: Request) -> Response:
    fmt = choose(request) or formats.by_name(RDF, "ttl")
    if fmt.name == "ttl":
        return _send(ONTOLOGY_FILE.read_bytes(), fmt)
    quads = ox.parse(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
    return _send(dump(list(quads), fmt), fmt)


__all__ = ["router", "service_description", "resolve", "page_for"]

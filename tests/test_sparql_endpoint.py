"""The SPARQL 1.1 Protocol endpoint `/sparql`: operations, content negotiation, refusals, limits,
and real clients (SPARQLWrapper, rdflib's SPARQLStore) against a live `policykg serve`.

The protocol cases are modelled on the W3C SPARQL 1.1 protocol tests (query via GET, URL-encoded
POST and direct POST; content types per query form; protocol-specified datasets; bad methods,
multiple queries, wrong or missing media types, non-UTF-8 input, syntax errors, updates).
"""
from __future__ import annotations

import csv
import io
import json
import time
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from policykg.api import create_app
from policykg.app import PolicyKG
from policykg.errors import InputError
from policykg.kg.formats import RDF, RESULTS, NotAcceptable, negotiate, parse_accept
from policykg.ontology import ONTOLOGY_IRI, clause_iri

from conftest import live_server

POL = f"PREFIX pol: <{ONTOLOGY_IRI}>\n"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CLAUSES = POL + "SELECT ?c ?n WHERE { ?c a pol:Clause ; pol:number ?n } ORDER BY ?c"
ASK_DRAFT = POL + 'ASK { ?d a pol:Document ; <http://purl.org/dc/terms/identifier> "jiading-draft" }'
CONSTRUCT = POL + "CONSTRUCT { ?c pol:number ?n } WHERE { ?c a pol:Clause ; pol:number ?n }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def client(kg):
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        yield c


def _error(r, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"} and body["error"]
    return body["error"]


# -- negotiation (pure functions) ----------------------------------------------------------
def test_accept_header_is_ranked_by_q():
    assert parse_accept("text/csv;q=0.5, application/sparql-results+json") == ["application/sparql-results+json", "text/csv"]
    assert parse_accept("") == ["*/*"]
    assert parse_accept("text/csv;q=0") == []


def test_format_choice_by_kind():
    assert negotiate(RESULTS, None, ["*/*"]).name == "json"
    assert negotiate(RDF, None, ["*/*"]).name == "ttl"
    assert negotiate(RESULTS, None, ["application/json"]).name == "json"
    assert negotiate(RDF, None, ["application/json"]).name == "jsonld"
    assert negotiate(RDF, None, ["text/*"]).name == "ttl"
    assert negotiate(RESULTS, None, ["text/*"]).name == "csv"
    assert negotiate(RESULTS, "xml", []).name == "xml"
    assert negotiate(RESULTS, "srj", []).name == negotiate(RESULTS, "application/json").name == "json"
    assert negotiate(RESULTS, "srx", []).name == "xml"
    assert negotiate(RDF, "xml", []).name == negotiate(RDF, "rdf").name == "rdfxml"
    assert negotiate(RDF, "application/n-triples", []).name == "nt"
    assert negotiate(RDF, "turtle").media_type == "text/turtle; charset=utf-8"
    with pytest.raises(NotAcceptable):
        negotiate(RESULTS, None, ["image/png"])
    with pytest.raises(InputError):
        negotiate(RESULTS, "ttl", ["*/*"])
    with pytest.raises(InputError):
        negotiate(RDF, "csv")


# -- query operation ----------------------------------------------------------------------
def test_get_select_json(client, kg):
    r = client.get("/sparql", params={"query": COUNT})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert n == len(kg.store) > 100


def test_post_form_and_direct_give_the_same_rows(client):
    a = client.post("/sparql", data={"query": CLAUSES}).json()
    b = client.post("/sparql", content=CLAUSES.encode(), headers={"content-type": "application/sparql-query"}).json()
    c = client.get("/sparql", params={"query": CLAUSES}).json()
    assert a == b == c
    iris = {row["c"]["value"] for row in a["results"]["bindings"]}
    assert str(clause_iri("jiading-draft", 9)) in iris


@pytest.mark.parametrize("accept,media", [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
])
def test_select_formats_by_accept(client, accept, media):
    r = client.get("/sparql", params={"query": CLAUSES}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    if media == "text/csv":
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["c", "n"] and len(rows) > 40
    if media.endswith("xml"):
        assert "<sparql" in r.text and "jiading-draft/clause/9" in r.text


def test_ask_formats(client):
    assert client.get("/sparql", params={"query": ASK_DRAFT}).json() == {"head": {}, "boolean": True}
    r = client.post("/sparql", data={"query": ASK_DRAFT}, headers={"accept": "application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("application/sparql-results+xml") and "<boolean>true</boolean>" in r.text


@pytest.mark.parametrize("accept,media,marker", [
    ("text/turtle", "text/turtle", "@prefix pol:"),
    ("application/n-triples", "application/n-triples", "/clause/9> <"),
    ("application/ld+json", "application/ld+json", "@id"),
])
def test_construct_formats_by_accept(client, accept, media, marker):
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media), r.text[:200]
    assert marker in r.text
    if media == "application/ld+json":
        json.loads(r.text)


def test_describe_and_format_parameter(client):
    iri = clause_iri("jiading-draft", 9)
    r = client.get("/sparql", params={"query": f"DESCRIBE <{iri}>", "format": "nt"})
    assert r.headers["content-type"].startswith("application/n-triples") and f"<{iri}>" in r.text
    r = client.get("/sparql", params={"query": CLAUSES, "format": "csv"}, headers={"accept": "application/xml"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/sparql", params={"query": CLAUSES, "output": "tsv"})
    assert r.headers["content-type"].startswith("text/tab-separated-values")


def test_browser_accept_gets_xml_and_no_query_gets_the_console(client):
    html_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/sparql", params={"query": ASK_DRAFT}, headers={"accept": html_accept})
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    r = client.get("/sparql", headers={"accept": html_accept}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/query"


def test_protocol_dataset(client):
    q = "ASK { ?s ?p ?o }"
    assert client.get("/sparql", params={"query": q}).json()["boolean"] is True
    r = client.get("/sparql", params={"query": q, "default-graph-uri": "http://example.org/no-such-graph"})
    assert r.status_code == 200 and r.json()["boolean"] is False
    r = client.post("/sparql?named-graph-uri=http%3A%2F%2Fexample.org%2Fg", content="ASK { GRAPH ?g { ?s ?p ?o } }",
                    headers={"content-type": "application/sparql-query"})
    assert r.status_code == 200 and r.json()["boolean"] is False


# -- refusals ------------------------------------------------------------------------------
@pytest.mark.parametrize("request_kw", [
    {"method": "GET", "params": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "POST", "data": {"update": "CLEAR ALL"}},
    {"method": "POST", "content": b"DROP ALL", "headers": {"content-type": "application/sparql-update"}},
])
def test_update_operation_is_refused(client, kg, request_kw):
    before = len(kg.store)
    msg = _error(client.request(url="/sparql", **request_kw), 403)
    assert "read-only" in msg
    assert len(kg.store) == before


@pytest.mark.parametrize("text", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR DEFAULT",
])
def test_update_text_as_query_is_refused(client, kg, text):
    before = len(kg.store)
    msg = _error(client.get("/sparql", params={"query": text}), 400)
    assert "not allowed" in msg or "read-only" in msg
    assert len(kg.store) == before


def test_service_is_refused_before_running(client):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert "SERVICE" in _error(client.get("/sparql", params={"query": q}), 400)
    q2 = "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert "SERVICE" in _error(client.post("/sparql", data={"query": q2}), 400)


def test_malformed_query_gets_the_parser_message(client):
    msg = _error(client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?p }"}), 400)
    assert msg.startswith("malformed SPARQL query") and "1:" in msg


def test_protocol_errors(client):
    _error(client.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D"), 400)  # two queries
    _error(client.post("/sparql", content=b"ASK {}", headers={"content-type": "text/plain"}), 415)
    _error(client.post("/sparql", content=b"query=ASK%20%7B%7D", headers={"content-type": ""}), 415)
    _error(client.post("/sparql", content="ASK {}".encode("utf-16"),
                       headers={"content-type": "application/sparql-query; charset=UTF-16"}), 415)
    _error(client.post("/sparql", content=b"ASK { ?s ?p \"\xe9\" }",
                       headers={"content-type": "application/sparql-query"}), 400)  # not UTF-8
    _error(client.put("/sparql", content=b"ASK {}"), 405)
    _error(client.delete("/sparql"), 405)
    _error(client.get("/sparql"), 400)
    _error(client.get("/sparql", params={"query": "  "}), 400)
    _error(client.get("/sparql", params={"query": CLAUSES}, headers={"accept": "image/png"}), 406)
    _error(client.get("/sparql", params={"query": CLAUSES, "format": "ttl"}), 400)


# -- limits --------------------------------------------------------------------------------
def test_row_cap_cuts_and_says_so(store_dir):
    kg = PolicyKG(store=str(store_dir), sparql_max_rows="7")
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        r = c.get("/sparql", params={"query": CLAUSES})
        assert r.headers["x-policykg-truncated"] == "true" and len(r.json()["results"]["bindings"]) == 7
        r = c.get("/sparql", params={"query": CONSTRUCT, "format": "nt"})
        assert r.headers["x-policykg-truncated"] == "true" and len(r.text.strip().splitlines()) == 7
        r = c.get("/sparql", params={"query": CLAUSES + " LIMIT 3"})
        assert "x-policykg-truncated" not in r.headers and len(r.json()["results"]["bindings"]) == 3


def test_timeout_stops_the_query_and_the_endpoint_recovers(store_dir):
    kg = PolicyKG(store=str(store_dir), sparql_timeout="1.5")
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        c.get("/sparql", params={"query": ASK_DRAFT})  # start the workers
        started = time.perf_counter()
        msg = _error(c.get("/sparql", params={"query": SLOW}), 503)
        assert "stopped after 1.5 s" in msg and time.perf_counter() - started < 10
        assert c.get("/sparql", params={"query": ASK_DRAFT}).json()["boolean"] is True


# -- real clients against a live server ----------------------------------------------------
@pytest.fixture(scope="module")
def live_url(store_dir):
    with live_server(store_dir) as url:
        yield url


def test_sparqlwrapper_select_ask_construct(live_url):
    from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(live_url + "/sparql")
    sw.setQuery(CLAUSES)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert any(r["c"]["value"] == str(clause_iri("jiading-draft", 9)) for r in rows)
    sw.setMethod(POST)
    sw.setQuery(ASK_DRAFT)
    assert sw.query().convert()["boolean"] is True
    sw.setQuery(CONSTRUCT)
    sw.setReturnFormat(TURTLE)
    assert b"pol:number" in sw.query().convert() or b"#number>" in sw.query().convert()


def test_sparqlwrapper_update_is_refused(live_url):
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
    from urllib.error import HTTPError

    sw = SPARQLWrapper(live_url + "/sparql")
    sw.setMethod(POST)
    sw.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises((SPARQLWrapperException, HTTPError)):
        sw.query()


def test_rdflib_sparqlstore(live_url):
    from rdflib import Graph, Literal, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(live_url + "/sparql", returnFormat="json")
    graph = Graph(store=store)
    rows = list(graph.query(POL + 'SELECT ?t WHERE { ?c pol:number 9 ; pol:title ?t ; pol:document ?d . '
                                  '?d <http://purl.org/dc/terms/identifier> "jiading-draft" }'))
    assert rows and isinstance(rows[0][0], Literal) and str(rows[0][0])
    iri = URIRef(str(clause_iri("jiading-draft", 9)))
    assert (iri, None, None) in graph


def test_live_url_encoding_of_chinese(live_url):
    q = POL + 'SELECT ?c WHERE { ?c pol:title ?t FILTER(CONTAINS(STR(?t), "高技能")) }'
    r = httpx.get(f"{live_url}/sparql?query={quote(q)}", headers={"accept": "text/csv"})
    assert r.status_code == 200 and "clause" in r.text


# -- the same endpoint over a remote store (Virtuoso) ---------------------------------------
@pytest.mark.virtuoso
@pytest.mark.slow
def test_endpoint_over_a_remote_store(tmp_path_factory):
    from conftest import DATA, require_service
    from virtuoso import Virtuoso, available

    require_service("Virtuoso", available())
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso-endpoint")).start()
    try:
        kg = PolicyKG(store=server.store, index_dir=str(tmp_path_factory.mktemp("remote-endpoint") / "idx"),
                      sparql_max_rows="3")
        kg.build([DATA / "webpage"])
        with TestClient(create_app(kg), raise_server_exceptions=False) as c:
            r = c.get("/sparql", params={"query": CLAUSES}, headers={"accept": "text/csv"})
            assert r.status_code == 200 and r.headers["x-policykg-truncated"] == "true"
            assert len(r.text.strip().splitlines()) == 1 + 3
            assert c.get("/sparql", params={"query": POL + "ASK { ?c a pol:Clause }"}).json()["boolean"] is True
            r = c.get("/sparql", params={"query": CONSTRUCT, "format": "nt"})
            assert r.status_code == 200 and "/clause/" in r.text
            _error(c.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}), 400)
            _error(c.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}), 400)
            _error(c.get("/sparql", params={"query": ASK_DRAFT, "default-graph-uri": "urn:x"}), 400)
            d = c.get("/api/documents/qinghe-notice/clauses/2").json()
            assert d["benefits"] and any(b["max_amount"] for b in d["benefits"])
    finally:
        server.stop()


# -- protocol-specified datasets, modelled on the W3C protocol tests (own data) -------------
EX = "http://example.org/protocol/"


@pytest.fixture(scope="module")
def dataset_client(tmp_path_factory):
    """An endpoint over a store folder holding three named graphs (and nothing in the default graph)."""
    from rdflib import RDF as RDF_NS
    from rdflib import Dataset, URIRef

    from policykg.kg.store import Store

    folder = tmp_path_factory.mktemp("dataset") / "kg"
    data = Dataset()
    for i in (1, 2, 3):
        data.graph(URIRef(f"{EX}data{i}")).add((URIRef(f"{EX}data{i}.rdf"), RDF_NS.type, URIRef(f"{EX}Doc")))
    with Store.create(str(folder)) as draft:
        draft.write_documents([])
        draft.write_graph(data)
        draft.commit({"policykg": "test", "documents": {}})
    with TestClient(create_app(PolicyKG(store=str(folder))), raise_server_exceptions=False) as c:
        yield c


def _ask(r) -> bool:
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def test_dataset_default_graphs(dataset_client):
    q = f"ASK {{ <{EX}data1.rdf> a ?type . <{EX}data2.rdf> a ?type . }}"
    params = [("default-graph-uri", f"{EX}data1"), ("default-graph-uri", f"{EX}data2")]
    assert _ask(dataset_client.get("/sparql", params=[("query", q), *params])) is True
    assert _ask(dataset_client.post("/sparql", params=params, content=q,
                                    headers={"content-type": "application/sparql-query"})) is True
    assert _ask(dataset_client.get("/sparql", params={"query": q})) is False  # the store's default graph is empty


def test_dataset_named_graphs(dataset_client):
    q = (f"ASK {{ GRAPH ?g1 {{ <{EX}data1.rdf> a ?type }} GRAPH ?g2 {{ <{EX}data2.rdf> a ?type }} }}")
    params = [("named-graph-uri", f"{EX}data1"), ("named-graph-uri", f"{EX}data2")]
    assert _ask(dataset_client.get("/sparql", params=[("query", q), *params])) is True
    assert _ask(dataset_client.post("/sparql", params=params, content=q,
                                    headers={"content-type": "application/sparql-query"})) is True
    only3 = [("named-graph-uri", f"{EX}data3")]
    assert _ask(dataset_client.get("/sparql", params=[("query", q), *only3])) is False


def test_dataset_full_and_form_post(dataset_client):
    q = (f"ASK {{ <{EX}data3.rdf> a ?type GRAPH ?g1 {{ <{EX}data1.rdf> a ?type }} "
         f"GRAPH ?g2 {{ <{EX}data2.rdf> a ?type }} }}")
    form = {"query": q, "default-graph-uri": f"{EX}data3", "named-graph-uri": [f"{EX}data1", f"{EX}data2"]}
    assert _ask(dataset_client.post("/sparql", data=form)) is True


def test_protocol_dataset_overrides_from(dataset_client):
    q = f"ASK FROM <{EX}data3> {{ <{EX}data1.rdf> a ?type }}"
    assert _ask(dataset_client.get("/sparql", params={"query": q})) is False
    assert _ask(dataset_client.get("/sparql", params={"query": q, "default-graph-uri": f"{EX}data1"})) is True

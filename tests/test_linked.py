"""Linked data on the real store: /id/… dereferencing, the service description, VoID, the JSON-LD
context, readable Turtle and relative IRIs resolved against the endpoint."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from policykg.api import create_app
from policykg.ontology import NAMESPACES, ONTOLOGY_IRI, RESOURCE_IRI, clause_iri

POL = Namespace(ONTOLOGY_IRI)
SD = Namespace(NAMESPACES["sd"])
VOID = Namespace(NAMESPACES["void"])
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(kg):
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        yield c


def _path(iri: str) -> str:
    assert iri.startswith(RESOURCE_IRI)
    return "/id/" + iri[len(RESOURCE_IRI):]


def _graph(r, fmt: str) -> Graph:
    assert r.status_code == 200, r.text
    return Graph().parse(data=r.content, format=fmt)


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                         ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                                         ("*/*", "turtle")])
def test_clause_iri_dereferences_by_accept(client, accept, fmt):
    iri = clause_iri("jiading-draft", 9)
    r = client.get(_path(str(iri)), headers={"accept": accept})
    assert r.headers["vary"] == "Accept"
    g = _graph(r, fmt)
    assert (iri, POL.number, Literal(9)) in g
    assert (iri, RDF.type, POL.Clause) in g
    assert all(s == iri for s in g.subjects())  # the description of this resource only


KINDS = ["Document", "Clause", "Section", "Benefit", "Mention", "TalentCategory", "Agency", "Industry"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_minted_iri_resolves(client, kg, kind):
    rows = kg.store.select(f"SELECT ?x WHERE {{ ?x a <{ONTOLOGY_IRI}{kind}> "
                           f"FILTER(STRSTARTS(STR(?x), \"{RESOURCE_IRI}\")) }} LIMIT 3")
    assert rows, kind
    for row in rows:
        r = client.get(_path(str(row["x"])), headers={"accept": "application/n-triples"})
        g = _graph(r, "nt")
        assert (URIRef(str(row["x"])), RDF.type, POL[kind]) in g


def test_minted_concept_with_percent_encoding_resolves(client, kg):
    rows = kg.store.select(f"SELECT ?x WHERE {{ ?x a <http://www.w3.org/2004/02/skos/core#Concept> "
                           f"FILTER(CONTAINS(STR(?x), \"/x-%\")) }} LIMIT 1")
    if not rows:
        pytest.skip("no minted concept in this build")
    r = client.get(_path(str(rows[0]["x"])), headers={"accept": "text/turtle"})
    assert len(_graph(r, "turtle")) > 0


def test_browser_gets_a_page_with_links(client):
    r = client.get("/id/jiading-draft/clause/9", headers={"accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["vary"] == "Accept"
    assert 'href="/documents/jiading-draft/clauses/9"' in r.text  # the clause page
    assert 'href="/id/jiading-draft"' in r.text  # its document, as a resource
    assert "?format=ttl" in r.text and "?format=jsonld" in r.text
    r = client.get("/id/jiading-draft/clause/9", params={"format": "ttl"}, headers={"accept": BROWSER})
    assert r.headers["content-type"].startswith("text/turtle")


def test_unknown_iri_is_404_and_unacceptable_is_406(client):
    r = client.get("/id/no-such-doc/clause/1", headers={"accept": "text/turtle"})
    assert r.status_code == 404 and set(r.json()) == {"error"}
    r = client.get("/id/jiading-draft", headers={"accept": "image/png"})
    assert r.status_code == 406 and set(r.json()) == {"error"}


def test_service_description(client):
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    g = _graph(r, "turtle")
    svc = URIRef("http://testserver/sparql")
    assert (svc, RDF.type, SD.Service) in g
    assert (svc, SD.endpoint, svc) in g
    assert (svc, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (svc, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON")) in g
    assert (svc, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/Turtle")) in g
    assert g.value(svc, SD.feature) is not None
    dataset = g.value(svc, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g and g.value(dataset, SD.defaultGraph) is not None
    assert client.get("/sparql").status_code == 400  # no query and no RDF Accept: still the protocol error
    assert len(_graph(client.get("/sparql", headers={"accept": "application/ld+json"}), "json-ld")) == len(g)


def test_void(client, kg):
    g = _graph(client.get("/.well-known/void", headers={"accept": "text/turtle"}), "turtle")
    ds = g.value(predicate=RDF.type, object=VOID.Dataset)
    assert ds is not None
    assert int(g.value(ds, VOID.triples)) == len(kg.store)
    assert g.value(ds, VOID.sparqlEndpoint) == URIRef("http://testserver/sparql")
    assert str(g.value(ds, VOID.uriSpace)) == RESOURCE_IRI
    assert URIRef(ONTOLOGY_IRI) in set(g.objects(ds, VOID.vocabulary))
    examples = list(g.objects(ds, VOID.exampleResource))
    assert examples and all(client.get(_path(str(e)), headers={"accept": "text/turtle"}).status_code == 200
                            for e in examples)


CONSTRUCT = (f"PREFIX pol: <{ONTOLOGY_IRI}> CONSTRUCT {{ ?c pol:number ?n ; a pol:Clause }} "
             "WHERE { ?c a pol:Clause ; pol:number ?n } LIMIT 40")


def test_jsonld_uses_the_published_context(client):
    context = client.get("/context.jsonld").json()
    assert context["@context"]["pol"] == ONTOLOGY_IRI and context["@context"]["eli"]
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": "application/ld+json"})
    doc = r.json()
    assert doc["@context"] == context["@context"]
    assert any("pol:number" in node for node in doc["@graph"])
    nt = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": "application/n-triples"})
    assert isomorphic(Graph().parse(data=r.text, format="json-ld"), Graph().parse(data=nt.text, format="nt"))


def test_turtle_is_readable(client):
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"accept": "text/turtle"})
    assert "@prefix pol:" in r.text and "pol:number" in r.text
    assert "\\/" not in r.text  # no escaped local names such as id:jiading-draft\/clause\/9
    assert "@prefix sd:" not in r.text  # only the prefixes the output uses


def test_relative_iris_resolve_against_the_endpoint(client):
    # the W3C SPARQL 1.1 protocol tests CONSTRUCT relative IRIs: resolved against the request's IRI
    r = client.post("/sparql", content=b"CONSTRUCT { <s> <p> <o> } WHERE {}",
                    headers={"content-type": "application/sparql-query", "accept": "application/n-triples"})
    assert r.status_code == 200, r.text
    assert r.text.strip() == "<http://testserver/s> <http://testserver/p> <http://testserver/o> ."
    r = client.get("/sparql", params={"query": "BASE <http://example.org/x/> CONSTRUCT { <s> <p> 1 } WHERE {}"},
                   headers={"accept": "application/n-triples"})
    assert "<http://example.org/x/s>" in r.text


def test_ontology_is_served(client):
    g = _graph(client.get("/ontology", headers={"accept": "application/n-triples"}), "nt")
    assert (URIRef(ONTOLOGY_IRI + "Clause"), None, None) in g
    assert json.loads(client.get("/ontology", headers={"accept": "application/ld+json"}).text)["@graph"]


# -- instance data in standard terms -------------------------------------------------------
STD = """PREFIX pol: <https://w3id.org/policykg/ontology#> PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX org: <http://www.w3.org/ns/org#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <http://schema.org/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def test_documents_in_eli_terms(kg):
    rows = kg.store.select(STD + """SELECT ?id ?number ?type ?org ?name WHERE {
        ?d a pol:Document ; dcterms:identifier ?id ; eli:passed_by ?org .
        ?org a org:Organization ; rdfs:label ?name .
        OPTIONAL { ?d eli:number ?number } OPTIONAL { ?d eli:type_document/skos:notation ?type } }""")
    got = {r["id"]: r for r in rows}
    assert got["national-2022"]["number"] == "中办发〔2022〕58号"
    assert got["national-2022"]["type"] == "意见"
    assert got["jiading-draft"]["type"] == "实施意见"  # （草案） set aside
    names = {r["name"] for r in rows if r["id"] == "national-2022"}
    assert {"中共中央办公厅", "国务院办公厅"} <= names


def test_parts_provenance_and_money_in_standard_terms(kg):
    assert not kg.store.select(STD + """SELECT ?c WHERE { ?c a pol:Clause
        FILTER NOT EXISTS { ?c a eli:LegalResourceSubdivision ; eli:is_part_of/a pol:Document } } LIMIT 1""")
    assert not kg.store.select(STD + """SELECT ?x WHERE { ?x pol:extractedFrom ?c
        FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?c } } LIMIT 1""")
    rows = kg.store.select(STD + """SELECT ?b ?max ?v ?cur WHERE { ?b pol:maxAmount ?max ;
        schema:amount ?m . ?m a schema:MonetaryAmount ; schema:maxValue ?v ; schema:currency ?cur }""")
    assert rows and all(r["max"] == r["v"] and r["cur"] == "CNY" for r in rows)
    assert any(r["v"] == 100000 for r in rows)  # 嘉定工匠终身成就奖: 最高10万元


def test_shapes_catch_a_broken_standard_triple(kg):
    import pyshacl

    from policykg.ontology import SHAPES_FILE

    graph = Graph().parse(data=kg.export("nt"), format="nt")
    schema = Namespace("http://schema.org/")
    amount = next(graph.subjects(RDF.type, schema.MonetaryAmount))
    graph.remove((amount, schema.currency, None))
    conforms, _, text = pyshacl.validate(graph, shacl_graph=Graph().parse(SHAPES_FILE), inference="none")
    assert not conforms and "currency" in text


def test_every_example_query_returns_rows(kg):
    from policykg.ontology import HERE

    # version-chain.rq needs several versions of one text: tests/test_versions.py runs it on such a corpus
    queries = sorted(p for p in (HERE / "queries").glob("*.rq") if p.name != "version-chain.rq")
    assert len(queries) >= 3
    for path in queries:
        rows = kg.store.select(path.read_text(encoding="utf-8"))
        assert rows, f"{path.name} returns no row on the example corpus"


# -- index pages and their data ------------------------------------------------------------
def test_benefit_table_filters_and_downloads(client):
    import csv
    import io

    everything = client.get("/benefits.json").json()
    assert len(everything) > 5 and {"who", "what", "amount", "max_amount", "from_whom", "document", "clause"} <= set(everything[0])
    rows = client.get("/benefits.json", params={"who": "嘉定工匠", "min": "50000"}).json()
    assert [(r["max_amount"], r["document"], r["clause"]) for r in rows] == [(100000, "jiading-draft", 10)]
    r = client.get("/benefits.csv", params={"type": "money"})
    assert r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert table and all(row["type"] == "money" for row in table)
    page = client.get("/benefits", params={"document": "jiading-draft"}, headers={"accept": "text/html"})
    assert page.status_code == 200 and 'href="/benefits.csv?document=jiading-draft"' in page.text
    assert client.get("/benefits.xml").status_code == 400
    assert set(client.get("/benefits.json", params={"min": "lots"}).json()) == {"error"}


def test_entity_index_documents_list_and_text(client):
    honors = client.get("/entities.json", params={"kind": "Honor"}).json()
    assert honors and all(e["kind"] == "Honor" for e in honors)
    assert any(e["label"] == "嘉定工匠" for e in honors)
    docs = client.get("/documents.csv").text.splitlines()
    assert docs[0].startswith("id,title") and any("中办发〔2022〕58号" in line for line in docs)
    page = client.get("/documents", headers={"accept": "text/html"}).text
    assert "2022-10-07" in page and "中办发〔2022〕58号" in page and 'href="/documents.json"' in page
    text = client.get("/documents/national-2022/text", headers={"accept": "text/html"}).text
    assert text.count('<p id="c') == 19
    assert client.get("/documents/nope/text").status_code == 404

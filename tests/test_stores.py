"""One query suite over every store: embedded Oxigraph, in memory, and Virtuoso (remote SPARQL).

The Virtuoso store is a real `policykg build --store sparql+http://…` of the same corpus into a
throwaway Virtuoso server (tests/virtuoso.py). Queries avoid comparing plain non-ASCII literals
directly (Virtuoso types them as xsd:string, virtuoso#1361): they compare STR() or CONTAINS.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import rdflib
from conftest import DATA, require_service

from policykg.errors import InputError
from policykg.kg.store import Store
from policykg.settings import Settings

PREFIXES = """PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
ID = "https://w3id.org/policykg/id/"

# who receives what, how much, administered by whom, under which clause
WHO_WHAT = PREFIXES + """
SELECT ?doc ?n ?who ?what ?amount ?max ?period ?agency WHERE {
  ?clause pol:provides ?b ; pol:number ?n ; pol:document ?d .
  ?d <http://purl.org/dc/terms/identifier> ?doc .
  ?b rdfs:label ?what . FILTER(lang(?what) = "zh")
  OPTIONAL { ?b pol:beneficiary ?w . ?w skos:prefLabel ?who . FILTER(lang(?who) = "zh") }
  OPTIONAL { ?b pol:amount ?amount }
  OPTIONAL { ?b pol:maxAmount ?max }
  OPTIONAL { ?b pol:period ?period }
  OPTIONAL { ?b pol:administeredBy ?a . ?a skos:prefLabel ?agency . FILTER(lang(?agency) = "zh") }
}"""


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    from virtuoso import Virtuoso, available

    require_service("Virtuoso", available())
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def remote_kg(virtuoso_server, tmp_path_factory, corpus_dirs):
    """A real build of the test corpus into Virtuoso (documents and indexes in a local folder)."""
    from policykg.app import PolicyKG

    kg = PolicyKG(store=virtuoso_server.store, index_dir=str(tmp_path_factory.mktemp("remote") / "idx"))
    kg.build(corpus_dirs + [DATA / "articles", DATA / "webpage"])
    return kg


@pytest.fixture(scope="session")
def memory_store(kg, tmp_path_factory):
    """A `memory:` store holding the same documents and graph (built through the StoreDraft API)."""
    settings = Settings.from_env(store="memory:", index_dir=str(tmp_path_factory.mktemp("memory") / "kg"))
    graph = rdflib.Graph()
    graph.parse(data=kg.export("nt"), format="nt")
    with Store.create("memory:", settings) as draft:
        draft.write_documents(kg.documents())
        draft.write_graph(graph)
        draft.commit({"policykg": "test", "documents": {d.id: len(d.clauses) for d in kg.documents()}})
    return Store.open("memory:", settings)


@pytest.fixture(params=["oxigraph", "memory", pytest.param("virtuoso", marks=[pytest.mark.virtuoso, pytest.mark.slow])])
def store(request, kg):
    if request.param == "oxigraph":
        return kg.store
    if request.param == "memory":
        return request.getfixturevalue("memory_store")
    return request.getfixturevalue("remote_kg").store


def rows(store, query: str) -> list[dict]:
    return store.select(query)


def benefits(store) -> list[dict]:
    return rows(store, WHO_WHAT)


def find(rows_: list[dict], **want) -> list[dict]:
    out = []
    for r in rows_:
        if all((str(r.get(k)) == str(v) if not isinstance(v, (int, Decimal)) else r.get(k) == v)
               for k, v in want.items()):
            out.append(r)
    return out


def test_same_triples_everywhere(store, kg):
    assert len(store) == kg.info["triples"] > 3000


def test_draft_honours_get_award_and_studio(store):
    got = benefits(store)
    for honor in ("嘉定工匠", "技能标兵", "技术能手"):
        assert find(got, doc="jiading-draft", n=10, who=honor, max=10000), honor
        assert any("创新工作室" in r["what"] for r in find(got, doc="jiading-draft", n=10, who=honor)), honor
    lifetime = find(got, doc="jiading-draft", n=10, who="嘉定工匠终身成就奖")
    assert [r["max"] for r in lifetime] == [100000]


def test_draft_tiers_and_agencies(store):
    tiers = rows(store, PREFIXES + f"""
        SELECT DISTINCT ?label WHERE {{ <{ID}jiading-draft/clause/9> pol:mentions ?t .
          ?t a pol:TalentCategory ; skos:prefLabel ?label ; skos:notation ?tier . FILTER(lang(?label) = "zh") }}""")
    labels = {r["label"] for r in tiers}
    assert {"A类顶尖人才", "B类杰出人才", "C类领军人才", "D类精英人才", "E类新星人才"} <= labels
    c_tier = find(benefits(store), doc="jiading-draft", n=9, who="C类领军人才")
    assert any("资助补贴" in r["what"] for r in c_tier)
    agencies = rows(store, PREFIXES + f"""
        SELECT DISTINCT ?label WHERE {{ <{ID}jiading-draft/clause/14> pol:mentions ?a .
          ?a a pol:Agency ; skos:prefLabel ?label . FILTER(lang(?label) = "zh") }}""")
    assert {"组织部门", "人力资源社会保障部门"} <= {r["label"] for r in agencies}


def test_articles_amounts_per_person_per_year(store):
    got = benefits(store)
    one = find(got, doc="linhai-measures", n=4, who="一类人才")
    assert [(r["amount"], r["period"], r["what"]) for r in one] == [(50000, "每人每年", "生活补贴")]
    assert [r["amount"] for r in find(got, doc="linhai-measures", n=4, who="二类人才")] == [30000]
    three = find(got, doc="linhai-measures", n=4, who="三类人才")
    assert [(r["amount"], r["period"], r["what"]) for r in three] == [(20000, "一次性", "安家补贴")]
    award = find(got, doc="linhai-measures", n=6, who="临海示范工匠")
    assert [(r["max"], r["what"], r["agency"]) for r in award] == [(50000, "奖励", "市财政局")]


def test_webpage_tiers_and_monthly_rent(store):
    got = benefits(store)
    for tier, value in (("A类人才", 1000000), ("B类人才", 500000), ("C类人才", 200000)):
        hits = find(got, doc="qinghe-notice", n=2, who=tier, max=value)
        assert hits and all(r["what"] == "安家补贴" for r in hits), tier
    rent = find(got, doc="qinghe-notice", n=3, who="C类人才")
    assert {(r["amount"], r["period"], r["what"]) for r in rent} == {(3000, "每月", "租房补贴")}


def test_amounts_are_decimals(store):
    got = rows(store, PREFIXES + """
        SELECT (COUNT(?v) AS ?n) WHERE { ?b a pol:Benefit . { ?b pol:amount ?v } UNION { ?b pol:maxAmount ?v }
          FILTER(isNumeric(?v) && ?v > 0) }""")
    assert got[0]["n"] >= 10
    value = rows(store, PREFIXES + """SELECT ?v WHERE { ?b pol:maxAmount ?v . FILTER(?v = 1000000) }""")
    assert value and Decimal(value[0]["v"]) == Decimal(1000000)


def test_provenance_sentence_is_in_the_clause(store):
    got = rows(store, PREFIXES + """
        SELECT ?x ?sentence ?text WHERE { { ?x a pol:Benefit } UNION { ?x a pol:Mention }
          ?x pol:extractedFrom ?c ; pol:sentence ?sentence . ?c pol:text ?text }""")
    assert len(got) > 100
    assert all(r["sentence"] and r["sentence"] in r["text"] for r in got)


def test_every_resource_is_an_iri_with_a_chinese_label(store):
    assert rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }")[0]["n"] == 0
    unlabelled = rows(store, PREFIXES + f"""
        SELECT DISTINCT ?s WHERE {{ ?s a ?type .
          FILTER(STRSTARTS(STR(?s), "{ID}"))
          FILTER NOT EXISTS {{ ?s rdfs:label ?l . FILTER(lang(?l) = "zh") }} }}""")
    assert unlabelled == []


@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "trig"])
def test_export_round_trips(store, fmt):
    body = store.export(fmt)
    graph = rdflib.Dataset() if fmt == "trig" else rdflib.Graph()
    graph.parse(data=body.decode("utf-8"), format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld",
                                                   "trig": "trig"}[fmt])
    count = sum(1 for _ in graph.quads()) if fmt == "trig" else len(graph)
    assert count == len(store)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_formats(store, fmt):
    out = store.query(PREFIXES + "SELECT ?c ?n WHERE { ?c pol:number ?n } ORDER BY ?n LIMIT 3", fmt)
    assert out.kind == "select" and out.body
    ask = store.query("ASK { ?s ?p ?o }", fmt)
    assert ask.kind == "ask" and b"true" in ask.body.lower()


def test_construct(store):
    out = store.query(PREFIXES + f"CONSTRUCT {{ ?b ?p ?o }} WHERE {{ <{ID}linhai-measures/clause/6> pol:provides ?b . ?b ?p ?o }}", "ttl")
    graph = rdflib.Graph().parse(data=out.body.decode(), format="turtle")
    assert out.kind == "graph" and len(graph) >= 6
    with pytest.raises(InputError, match="does not fit"):
        store.query("ASK { ?s ?p ?o }", "ttl")


@pytest.mark.parametrize("query, message", [
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "not allowed"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { ?s ?p }", "malformed"),
    ("", "empty"),
])
def test_refusals_are_the_same_everywhere(store, query, message):
    with pytest.raises(InputError, match=message):
        store.select(query) if query else store.query(query)


@pytest.mark.virtuoso
@pytest.mark.slow
def test_cli_on_virtuoso(remote_kg, virtuoso_server, cli):
    env = {"POLICYKG_INDEX_DIR": str(remote_kg.store.folder)}
    done = cli("sparql", "--store", virtuoso_server.store, "--format", "csv",
               PREFIXES + "SELECT ?n WHERE { ?c pol:number ?n ; pol:document ?d . "
                          "?d <http://purl.org/dc/terms/identifier> ?id FILTER(STR(?id) = \"linhai-measures\") } ORDER BY ?n",
               env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n"] + [str(i) for i in range(1, 11)]
    exported = cli("export", "--store", virtuoso_server.store, "--format", "nt", env=env)
    assert exported.returncode == 0, exported.stderr
    assert len(rdflib.Graph().parse(data=exported.stdout, format="nt")) == remote_kg.info["triples"]
    bad = cli("sparql", "--store", virtuoso_server.store, "DELETE WHERE { ?s ?p ?o }", env=env)
    assert bad.returncode == 2 and "not allowed" in bad.stderr


def test_unreachable_remote_store_is_one_line(cli, tmp_path):
    from virtuoso import free_port

    from policykg.kg.remote import RemoteSparqlStore

    store = RemoteSparqlStore(f"sparql+http://127.0.0.1:{free_port()}/sparql", timeout=2)
    with pytest.raises(Exception, match="cannot reach"):
        store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(InputError):
        RemoteSparqlStore("sparql+ftp://example.org/sparql")


def test_rdflib_graph_api_over_the_embedded_store(kg):
    from policykg.ontology import POL

    graph = kg.store.graph.rdflib_graph()
    benefit = rdflib.URIRef(ID + "linhai-measures/clause/4/benefit/1")
    assert graph.value(benefit, POL.amount).toPython() == Decimal(50000)
    assert len(graph) == len(kg.store)


@pytest.mark.parametrize("name", ["who-receives-what", "entities-by-clause", "money-by-tier"])
def test_example_queries_run_everywhere(store, name):
    from policykg.ontology import HERE

    got = store.select((HERE / "queries" / f"{name}.rq").read_text(encoding="utf-8"))
    assert len(got) >= 7
    if name == "money-by-tier":
        assert (got[0]["tier"], got[0]["yuan"]) == ("A类人才", 1000000)


# -- one SPARQL path: `policykg sparql` and `/sparql` send the same bytes ----------------------
SAME_BYTES = {
    "select": (PREFIXES + "SELECT ?c ?n ?t WHERE { ?c pol:number ?n ; pol:title ?t ; pol:document ?d . "
               "?d <http://purl.org/dc/terms/identifier> ?id FILTER(STR(?id) = \"linhai-measures\") } ORDER BY ?n",
               ["json", "srj", "xml", "srx", "csv", "tsv", "application/sparql-results+json"]),
    "ask": ("ASK { ?s ?p ?o }", ["json", "srj", "xml", "srx", "csv", "tsv"]),
    "construct": (PREFIXES + f"CONSTRUCT {{ ?b ?p ?o }} WHERE {{ <{ID}linhai-measures/clause/4> pol:provides ?b . "
                  "?b ?p ?o FILTER(?p != rdfs:label) }",
                  ["ttl", "turtle", "nt", "nq", "jsonld", "rdfxml", "xml", "trig", "n3", "text/turtle"]),
}


@pytest.mark.parametrize("backend", ["oxigraph", pytest.param("virtuoso", marks=[pytest.mark.virtuoso,
                                                                                 pytest.mark.slow])])
def test_cli_and_endpoint_send_the_same_bytes(backend, request):
    from fastapi.testclient import TestClient

    from policykg.api import create_app

    kg = request.getfixturevalue("kg") if backend == "oxigraph" else request.getfixturevalue("remote_kg")
    env = {"POLICYKG_INDEX_DIR": str(kg.store.folder)}
    compared = 0
    with TestClient(create_app(kg), raise_server_exceptions=False) as client:
        for kind, (query, names) in SAME_BYTES.items():
            for fmt in names:
                done = subprocess_cli(kg, query, fmt, env)
                r = client.get("/sparql", params={"query": query, "format": fmt})
                assert done.returncode == 0 and r.status_code == 200, (kind, fmt, done.stderr, r.text[:200])
                assert done.stdout == r.content, (kind, fmt)
                assert r.content.strip(), (kind, fmt)
                compared += 1
    assert compared == sum(len(names) for _, names in SAME_BYTES.values())


def subprocess_cli(kg, query: str, fmt: str, env: dict):
    """`policykg sparql QUERY --format FMT` with its standard output as bytes."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    return subprocess.run([sys.executable, "-m", "policykg", "sparql", "--store", kg.settings.store, "--format", fmt,
                           query], capture_output=True, env={**os.environ, **env}, cwd=ROOT, timeout=120)

"""The JSON API and the web pages, in-process over the real store (CONTRACT.md section 4)."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from policykg.api import create_app
from policykg.ontology import POL, clause_iri

REF_KEYS = {"document", "number", "label", "title", "text", "iri", "score", "status", "version"}  # + version and status


@pytest.fixture(scope="module")
def client(kg):
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        yield c


def _error(r, status: int) -> str:
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in body["error"]
    return body["error"]


# -- documents and clauses -----------------------------------------------------------------
def test_documents(client, kg):
    docs = {d["id"]: d for d in client.get("/api/documents").json()}
    assert set(docs) == {d.id for d in kg.documents()}
    draft = docs["jiading-draft"]
    assert draft["clauses"] == 16 and set(draft["implements"]) == {"shanghai-2023", "national-2022"}
    assert draft["iri"].endswith("/id/jiading-draft")


def test_document_with_its_clauses(client):
    doc = client.get("/api/documents/linhai-measures").json()
    assert [c["number"] for c in doc["clauses"]] == list(range(1, len(doc["clauses"]) + 1))
    first = doc["clauses"][0]
    assert set(first) == REF_KEYS and first["label"] == "第一条"
    assert first["iri"] == str(clause_iri("linhai-measures", 1))


def test_clause_detail_reads_the_graph(client, kg):
    d = client.get("/api/documents/jiading-draft/clauses/9").json()
    assert d["label"] == "（九）" and d["title"] and "C类" in d["text"]
    mentioned = {r["e"] for r in kg.select(f"SELECT ?e WHERE {{ <{clause_iri('jiading-draft', 9)}> <{POL.mentions}> ?e }}")}
    assert {e["iri"] for e in d["entities"]} == mentioned and mentioned
    assert any("TalentCategory" in e["types"] for e in d["entities"])
    assert d["benefits"] and all(b["label"] for b in d["benefits"])
    assert any(e["label"].startswith("C类") for b in d["benefits"] for e in b["beneficiaries"])


def test_clause_detail_amounts_match_the_graph(client, kg):
    rows = kg.select(f"""SELECT ?c ?v WHERE {{ ?c <{POL.provides}> ?b .
                         {{ ?b <{POL.amount}> ?v }} UNION {{ ?b <{POL.maxAmount}> ?v }} }} LIMIT 1""")
    assert rows, "the graph has no benefit with an amount"
    doc, _, number = rows[0]["c"].rsplit("/", 2)
    d = client.get(f"/api/documents/{doc.rsplit('/', 1)[-1]}/clauses/{number}").json()
    amounts = {x for b in d["benefits"] for x in (b["amount"], b["max_amount"]) if x is not None}
    assert float(rows[0]["v"]) in amounts


def test_clause_alignments_both_ways(client, kg):
    rows = kg.select(f"SELECT ?c ?p WHERE {{ ?c <{POL.alignsWith}> ?p }} LIMIT 1")
    assert rows, "the graph has no pol:alignsWith"
    child, parent = rows[0]["c"], rows[0]["p"]

    def path(iri: str) -> str:
        doc, _, number = iri.rsplit("/", 2)
        return f"/api/documents/{doc.rsplit('/', 1)[-1]}/clauses/{number}"

    d = client.get(path(child)).json()
    assert any(a["direction"] == "parent" and a["clause"]["iri"] == parent for a in d["alignments"])
    p = client.get(path(parent)).json()
    assert any(a["direction"] == "child" and a["clause"]["iri"] == child for a in p["alignments"])


# -- ask, search, check --------------------------------------------------------------------
def test_ask_contract_shape(client):
    r = client.get("/api/ask", params={"q": "获得嘉定工匠称号有什么奖励？"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"question", "language", "answer", "abstained", "citations", "facts"}
    assert body["language"] == "zh" and body["citations"]
    assert set(body["citations"][0]) == REF_KEYS
    assert body["citations"][0]["document"] == "jiading-draft" and body["citations"][0]["number"] == 10


def test_search(client):
    body = client.get("/api/search", params={"q": "安家补贴", "k": 3}).json()
    assert body["query"] == "安家补贴" and 1 <= len(body["hits"]) <= 3
    assert body["hits"][0]["document"] == "qinghe-notice"


def test_check(client):
    body = client.get("/api/check/jiading-draft").json()
    assert body["document"] == "jiading-draft" and set(body["parents"]) == {"shanghai-2023", "national-2022"}
    assert body["alignments"] and body["findings"]
    assert {"placeholder", "not_covered"} <= {f["kind"] for f in body["findings"]}
    # the API gives the same object as `policykg check --json`
    assert body["missing_parents"] == [] and isinstance(body["warnings"], list)
    assert all("accepted" in a for a in body["alignments"])


# -- bad input: a 4xx with {"error"}, never a 500 ------------------------------------------
@pytest.mark.parametrize("path,status", [
    ("/api/documents/no-such-doc", 404),
    ("/api/documents/jiading-draft/clauses/999", 404),
    ("/api/documents/jiading-draft/clauses/0", 404),
    ("/api/documents/jiading-draft/clauses/-3", 404),
    ("/api/documents/jiading-draft/clauses/nine", 400),
    ("/api/documents/jiading-draft/clauses/99999999999999999999999", 404),
    ("/api/check/no-such-doc", 404),
    ("/api/ask", 400),
    ("/api/ask?q=", 400),
    ("/api/ask?q=%20%20%E3%80%80", 400),
    ("/api/search?q=x&k=0", 400),
    ("/api/search?q=x&k=101", 400),
    ("/api/search?q=x&k=ten", 400),
    ("/api/nothing", 404),
])
def test_bad_input(client, path, status):
    _error(client.get(path), status)


def test_ten_kilobyte_question(client):
    msg = _error(client.get("/api/ask", params={"q": "subsidy " * 1280}), 400)
    assert "1000" in msg
    _error(client.get("/api/search", params={"q": "补贴" * 1800}), 400)


def test_wrong_method(client):
    _error(client.post("/api/ask", json={"q": "x"}), 405)
    _error(client.delete("/api/documents"), 405)


def test_openapi_is_exact(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ErrorResponse" in schemas
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert "422" not in op["responses"], (method, path)
            assert "400" in op["responses"], (method, path)
    ask = spec["paths"]["/api/ask"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ask["$ref"].endswith("/AskResponse")
    assert set(schemas["ClauseDetail"]["required"]) >= {"entities", "benefits", "alignments", "iri"}


def test_docs_page_is_served_locally(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "/openapi.json" in r.text
    assert "cdn" not in r.text.lower()
    assert client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200


# -- web pages -----------------------------------------------------------------------------
HTML = {"accept": "text/html"}


@pytest.mark.parametrize("path,needle", [
    ("/", "examples"),
    ("/documents", "jiading-draft"),
    ("/documents/jiading-draft", "（九）"),
    ("/documents/jiading-draft/clauses/9", "<svg"),
    ("/drafter", "/drafter/jiading-draft"),
    ("/drafter/jiading-draft", "placeholder"),
    ("/query", "textarea"),
])
def test_pages(client, path, needle):
    r = client.get(path, headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert needle in r.text
    assert "script-src 'none'" in r.headers["content-security-policy"]
    assert "<script" not in r.text and "http://" not in r.text.replace("http://www.w3.org", "").replace(
        "http://purl.org", "")  # nothing loaded from elsewhere


def test_pages_escape_what_the_user_typed(client):
    evil = '<script>alert("x")</script>'
    for path, params, status in [("/", {"q": evil}, 200), ("/query", {"query": evil}, 400)]:
        r = client.get(path, params=params, headers=HTML)
        assert r.status_code == status
        assert evil not in r.text and "&lt;script&gt;" in r.text
    r = client.get("/documents/" + evil, headers=HTML)
    assert r.status_code == 404 and evil not in r.text and "&lt;script&gt;" in r.text


def test_page_errors_are_pages(client):
    r = client.get("/", params={"q": "x" * 2000}, headers=HTML)
    assert r.status_code == 400 and 'id="error"' in r.text and 'id="q"' in r.text
    r = client.get("/query", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
                   headers=HTML)
    assert r.status_code == 400 and "SERVICE" in r.text and 'id="query"' in r.text
    r = client.get("/documents/jiading-draft/clauses/999", headers=HTML)
    assert r.status_code == 404 and "has no clause 999" in r.text and "<html" in r.text
    r = client.get("/entity", params={"iri": "https://example.org/nothing"}, headers=HTML)
    assert r.status_code == 404
    r = client.get("/entity", params={"iri": "not an iri>"}, headers=HTML)
    assert r.status_code == 400


def test_entity_page(client, kg):
    iri = kg.select(f"SELECT ?e WHERE {{ ?c <{POL.mentions}> ?e }} LIMIT 1")[0]["e"]
    r = client.get("/entity", params={"iri": iri}, headers=HTML)
    assert r.status_code == 200 and "<svg" in r.text and "/documents/" in r.text


def test_clause_svg(client):
    r = client.get("/documents/jiading-draft/clauses/9/graph.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg") and "provides" in r.text and "node-benefit" in r.text


def test_console_runs_every_example(client):
    from policykg.api.web import EXAMPLE_QUERIES

    for name, query in EXAMPLE_QUERIES:
        r = client.get("/query", params={"query": query}, headers=HTML)
        assert r.status_code == 200 and 'id="error"' not in r.text, name
        assert 'id="results"' in r.text, name

"""The SPARQL guard: refusals decided on the query's tokens, limits before the engine, engine crashes.

The project's own vocabulary (`benefit-type:service`), a variable `?service` and `schema:Service`
pass; a real SERVICE clause, update text and LOAD are refused; shapes that overflow the engine's
stack are refused with the limit named; a query that crashes pyoxigraph is one line in the CLI
and a 422 on the endpoint, refused at once the next time.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from fastapi.testclient import TestClient

from policykg.api import create_app
from policykg.app import PolicyKG
from policykg.errors import InputError
from policykg.kg import guard
from policykg.ontology import ONTOLOGY_IRI

POL = f"PREFIX pol: <{ONTOLOGY_IRI}>\n"
BENEFIT_TYPE = "PREFIX benefit-type: <https://w3id.org/policykg/concept/benefit-type/>\n"
CRASHING = "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o"  # pyoxigraph 0.5.13 aborts on the corpus store

PASSING = [
    BENEFIT_TYPE + POL + "SELECT ?b WHERE { ?b pol:benefitType benefit-type:service }",
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    "PREFIX schema: <http://schema.org/> SELECT ?s WHERE { ?s a schema:Service } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p \"SERVICE <http://x/> {}\" } # SERVICE in a comment",
    "SELECT ?s WHERE { ?s <http://example.org/service> ?o } LIMIT 1",
    "PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:a:service.x ?o } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(?o IN (" + ",".join(str(i) for i in range(3000)) + ")) } LIMIT 1",
]
REFUSED = [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("select * where { ?a ?b ?c service silent ?x { ?s ?p ?o } }", "SERVICE"),
    ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD is not allowed"),
    ("PREFIX ex: <urn:x:> INSERT DATA { ex:a ex:b ex:c }", "not allowed"),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "not allowed"),
    ("SELECT * WHERE " + "{" * 3000 + " ?s ?p ?o " + "}" * 3000, "nesting limit"),
    ("SELECT * WHERE { " + " UNION ".join(["{}"] * 7000) + " }", "UNION limit"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(" + " || ".join(["?o=1"] * 8000) + ") }", "operator limit"),
    ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000, "query size limit"),
]


@pytest.mark.parametrize("query", PASSING, ids=range(len(PASSING)))
def test_names_that_contain_service_pass(query):
    shape = guard.check(query)
    assert shape.operation == "select" and not shape.service


@pytest.mark.parametrize("query,said", REFUSED, ids=[s for _, s in REFUSED])
def test_refused_by_meaning_with_the_limit_named(query, said):
    started = time.perf_counter()
    with pytest.raises(InputError, match=said):
        guard.check(query)
    assert time.perf_counter() - started < 1.0


def test_guard_costs_little_next_to_a_request():
    query = PASSING[0]
    started = time.perf_counter()
    for _ in range(200):
        guard.check(query)
    per_query = (time.perf_counter() - started) / 200
    assert per_query < 0.0005, f"{per_query * 1000:.2f} ms per query"


def test_order_by_variables_are_found():
    assert guard.inspect("SELECT * WHERE { ?s ?p ?o } ORDER BY ?o DESC(?s) STR(?p) LIMIT 1").order_by == ["o", "s"]
    assert guard.inspect("SELECT * WHERE { ?s ?p ?o } ORDER BY STR(?o)").order_by == []


@pytest.mark.parametrize("query, limit", [
    ("SELECT * { ?s ?p ?o } LIMIT 10", 10),
    ("SELECT * { ?s ?p ?o } ORDER BY ?s OFFSET 5 limit 7", 7),
    ("SELECT * { { SELECT ?s { ?s ?p ?o } LIMIT 3 } ?s ?q ?r }", None),  # a subquery's LIMIT bounds nothing
    ('SELECT * { ?s ?p "LIMIT 2" }', None),
])
def test_the_top_level_limit_is_found(query, limit):
    assert guard.inspect(query).limit == limit


def test_a_select_within_its_limit_gives_the_same_bytes_as_one_cut_at_the_cap(store_dir):
    from policykg.kg.store import Store

    store = Store(store_dir)
    try:
        for fmt in ("json", "csv", "tsv", "xml"):
            limited = store.query("SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 25", fmt, max_rows=10_000)
            cut = store.query("SELECT ?s ?p ?o { ?s ?p ?o } ORDER BY ?s ?p ?o", fmt, max_rows=25)
            assert limited.body == cut.body and limited.rows == cut.rows == 25
            assert not limited.truncated and cut.truncated
    finally:
        store.close()


def test_engine_stack_overflow_shapes_are_refused_before_they_crash():
    """The shapes that segfault pyoxigraph 0.5.13 (measured) never reach it: each is refused."""
    for query, _ in REFUSED[5:8]:
        with pytest.raises(InputError):
            guard.check(query)


# -- the engine crash on ORDER BY ------------------------------------------------------------
def _engine_runs(store_dir, query: str) -> subprocess.CompletedProcess:
    code = ("import sys, pyoxigraph as ox; s = ox.Store.read_only(sys.argv[1]); "
            "print(len(list(s.query(sys.argv[2]))))")
    from policykg.kg.store import GRAPH, Store

    graph = Store(store_dir).version_dir / GRAPH  # the current version's graph folder
    assert graph.is_dir(), graph
    return subprocess.run([sys.executable, "-c", code, str(graph), query], capture_output=True,
                          text=True, timeout=120, env={"RUST_BACKTRACE": "0", "PATH": "/usr/bin:/bin"})


@pytest.mark.xfail(strict=False, reason="pyoxigraph 0.5.13 aborts on ORDER BY over mixed terms "
                                        "(an XPASS here means an engine upgrade fixed it)")
def test_engine_still_crashes_on_order_by(store_dir):
    """Runs the crashing query on pyoxigraph itself; XPASS reports that the engine stopped crashing."""
    proc = _engine_runs(store_dir, CRASHING)
    assert proc.returncode == 0, f"engine exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:]}"


def test_cli_turns_the_crash_into_one_line(cli, store_dir):
    engine = _engine_runs(store_dir, CRASHING)
    r = cli("sparql", CRASHING, "--store", store_dir, "--format", "csv", timeout=120)
    if engine.returncode == 0:  # the engine was fixed: the CLI answers
        assert r.returncode == 0 and r.stdout.startswith("o")
        return
    assert r.returncode == 1, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: the SPARQL engine"), r.stderr
    assert "ORDER BY STR(?o)" in lines[0] and "panicked" not in r.stderr
    # the workaround it offers works
    fixed = cli("sparql", CRASHING.replace("ORDER BY ?o", "ORDER BY STR(?o)"), "--store", store_dir,
                "--format", "csv", timeout=120)
    assert fixed.returncode == 0 and len(fixed.stdout.splitlines()) > 100


def test_cli_refuses_service_and_passes_the_vocabulary(cli, store_dir):
    r = cli("sparql", REFUSED[0][0], "--store", store_dir)
    assert r.returncode == 2 and r.stderr.startswith("error: SERVICE")
    r = cli("sparql", PASSING[0], "--store", store_dir, "--format", "csv")
    assert r.returncode == 0 and r.stdout.startswith("b"), r.stderr


def test_endpoint_crash_is_422_and_refused_at_once_next_time(store_dir):
    kg = PolicyKG(store=str(store_dir))
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        first = c.get("/sparql", params={"query": CRASHING})
        if first.status_code == 200:  # the engine was fixed
            return
        assert first.status_code == 422, first.text
        message = first.json()["error"]
        assert "ORDER BY STR(?o)" in message and "try again" not in message
        started = time.perf_counter()
        again = c.get("/sparql", params={"query": "  " + CRASHING.replace(" ", "\n")})
        assert again.status_code == 422 and "crashed the engine before" in again.json()["error"]
        assert time.perf_counter() - started < 0.5
        ok = c.get("/sparql", params={"query": CRASHING.replace("ORDER BY ?o", "ORDER BY STR(?o) LIMIT 3")})
        assert ok.status_code == 200 and len(ok.json()["results"]["bindings"]) == 3


def test_endpoint_refusals(store_dir):
    kg = PolicyKG(store=str(store_dir))
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        for query in PASSING[:3]:
            r = c.get("/sparql", params={"query": query})
            assert r.status_code == 200, r.text
        for query, said in REFUSED[:8]:
            r = c.post("/sparql", data={"query": query})
            assert r.status_code == 400 and said in r.json()["error"], r.text
        r = c.post("/sparql", data={"update": "LOAD <http://127.0.0.1:9/x>"})
        assert r.status_code == 403
        # pyoxigraph reads \u escapes only inside strings and IRIs: an escaped keyword is no SERVICE
        r = c.get("/sparql", params={"query": "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
        assert r.status_code == 400 and "malformed" in r.json()["error"]


def _worker_pids() -> list[int]:
    """The SPARQL worker processes this test process started."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
            cmd = open(f"/proc/{entry}/cmdline", "rb").read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid() and b"policykg.kg.workers" in cmd:
            pids.append(int(entry))
    return pids


def test_an_engine_abort_is_a_422_and_the_query_is_refused_at_once_next_time(store_dir):
    """The crash path on a real worker, whatever the engine version: the worker running a query dies of
    SIGABRT (what a Rust panic does) → 422 that says the query can't be run, then refused without a worker."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    kg = PolicyKG(store=str(store_dir))
    with TestClient(create_app(kg), raise_server_exceptions=False) as c:
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200  # workers up
        before = set(_worker_pids())
        result: dict = {}
        thread = threading.Thread(target=lambda: result.update(r=c.get("/sparql", params={"query": runaway})))
        thread.start()
        time.sleep(1.0)
        busy = [pid for pid in before if open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "R"]
        for pid in busy or sorted(before):
            os.kill(pid, signal.SIGABRT)
        thread.join(60)
        r = result["r"]
        assert r.status_code == 422, r.text
        assert "try again" not in r.json()["error"]
        started = time.perf_counter()
        again = c.get("/sparql", params={"query": runaway})
        assert again.status_code == 422 and "crashed the engine before" in again.json()["error"]
        assert time.perf_counter() - started < 0.5
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200  # a fresh worker answers

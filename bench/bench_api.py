"""Latency of the HTTP API, the SPARQL endpoint and the web pages over a built store.

    .venv/bin/python bench/bench_api.py --store /tmp/store [-n 20]

Runs each request n times in-process (FastAPI TestClient, no network) after one warm-up call
and prints the median and 95th percentile in milliseconds, plus the endpoint's time limit at
work (a query stopped after sparql_timeout) and the time for a fresh worker to answer again.
"""
from __future__ import annotations

import argparse
import statistics
import time

from fastapi.testclient import TestClient

from policykg.api import create_app
from policykg.app import PolicyKG

POL = "PREFIX pol: <https://w3id.org/policykg/ontology#>\n"
REQUESTS = [
    ("GET /api/ask (zh)", "/api/ask", {"q": "C类人才享受什么待遇？"}, {}),
    ("GET /api/ask (en)", "/api/ask", {"q": "What does a C-tier talent receive?"}, {}),
    ("GET /api/search", "/api/search", {"q": "高技能人才 补贴", "k": 5}, {}),
    ("GET /api/documents/{id}", "/api/documents/jiading-draft", {}, {}),
    ("GET /api/documents/{id}/clauses/{n}", "/api/documents/jiading-draft/clauses/9", {}, {}),
    ("GET /api/check/{id}", "/api/check/jiading-draft", {}, {}),
    ("GET /sparql SELECT count", "/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, {}),
    ("GET /sparql SELECT clauses csv", "/sparql", {"query": POL + "SELECT ?c ?t WHERE { ?c a pol:Clause ; pol:title ?t }"},
     {"accept": "text/csv"}),
    ("GET /sparql CONSTRUCT all ttl", "/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, {"accept": "text/turtle"}),
    ("GET / (ask page, answer)", "/", {"q": "C类人才享受什么待遇？"}, {"accept": "text/html"}),
    ("GET clause page (+SVG)", "/documents/jiading-draft/clauses/9", {}, {"accept": "text/html"}),
    ("GET drafter page", "/drafter/jiading-draft", {}, {"accept": "text/html"}),
]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("-n", type=int, default=20)
    args = parser.parse_args()
    kg = PolicyKG(store=args.store, sparql_timeout="2")
    with TestClient(create_app(kg), raise_server_exceptions=False) as client:
        print(f"{'request':<36} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'bytes':>9}")
        for name, path, params, headers in REQUESTS:
            r = client.get(path, params=params, headers=headers)  # warm-up (loads models, starts workers)
            times = []
            for _ in range(args.n):
                t = time.perf_counter()
                r = client.get(path, params=params, headers=headers)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
            print(f"{name:<36} {r.status_code:>6} {statistics.median(times):>8.1f} {p95:>8.1f} {len(r.content):>9}")
        t = time.perf_counter()
        r = client.get("/sparql", params={"query": SLOW})
        stopped = time.perf_counter() - t
        t = time.perf_counter()
        client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        recovered = time.perf_counter() - t
        print(f"runaway query: {r.status_code} after {stopped:.2f} s (sparql_timeout 2 s); "
              f"next query answered in {recovered:.2f} s (fresh worker)")


if __name__ == "__main__":
    main()

"""Latency of the HTTP API, the SPARQL endpoint and the web pages over a built store.

    .venv/bin/python bench/bench_api.py --store /tmp/store [-n 20]

Runs each request n times in-process (FastAPI TestClient, no network) after one warm-up call
and prints the median and 95th percentile in milliseconds, plus the endpoint's time limit at
work (a query stopped after sparql_timeout) and the time for a fresh worker to answer again.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

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
    parser.add_argument("--live", type=int, default=0, metavar="N",
                        help="also send N mixed requests from 4 threads to a live `policykg serve` on 127.0.0.1")
    args = parser.parse_args()
    if args.live:
        live(args.store, args.live)
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


def live(store: str, total: int, threads: int = 4) -> None:
    """Throughput of a real server on loopback under a bounded mixed load."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "policykg", "serve", "--store", store, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(url + "/api/documents", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.3)
        mix = [REQUESTS[i] for i in (0, 1, 2, 4, 6, 7, 10)]
        with httpx.Client(base_url=url, timeout=60) as client:
            for _, path, params, headers in mix:
                client.get(path, params=params, headers=headers)  # warm-up

            def one(i: int) -> tuple[int, float]:
                _, path, params, headers = mix[i % len(mix)]
                t = time.perf_counter()
                r = client.get(path, params=params, headers=headers)
                return r.status_code, (time.perf_counter() - t) * 1000

            started = time.perf_counter()
            with ThreadPoolExecutor(threads) as pool:
                results = list(pool.map(one, range(total)))
            seconds = time.perf_counter() - started
        codes: dict[int, int] = {}
        for code, _ in results:
            codes[code] = codes.get(code, 0) + 1
        lat = sorted(ms for _, ms in results)
        print(f"live server, {threads} threads, {total} mixed requests: {total / seconds:.0f} req/s, "
              f"p50 {statistics.median(lat):.0f} ms, p95 {lat[int(0.95 * (len(lat) - 1))]:.0f} ms, statuses {codes}")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()

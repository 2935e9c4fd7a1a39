"""policykg's /sparql beside Oxigraph's own server, on the same data and the same queries.

    .venv/bin/pip install oxigraph          # gives the `oxigraph` server (same engine version)
    .venv/bin/python bench/bench_endpoint.py --store /tmp/store [--clients 8] [--seconds 8]

Starts `policykg serve` and `oxigraph serve-read-only --location STORE/graph`, both on
127.0.0.1; then `--clients` threads send each query again and again for its share of `--seconds`,
in three turns, the two servers alternating (the machine's other load falls on both alike). Prints
per query latency p50/p95 (ms) on both, the latency ratio and the requests/s ratio, and their
geometric means (goal: policykg within 1.5× Oxigraph's latency and at least 50 % of its throughput).
Both servers are stopped at the end, whatever happens.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

POL = ("PREFIX pol: <https://w3id.org/policykg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
       "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n")
SRJ = "application/sparql-results+json"


def queries(clause: str, document: str, word: str) -> list[tuple[str, str, str]]:
    """(name, query, Accept): the lookups a page or a linked-data client makes, and a few heavier ones."""
    return [
        ("ASK", "ASK { ?s ?p ?o }", SRJ),
        ("SELECT 10 clauses", POL + "SELECT ?c ?t WHERE { ?c a pol:Clause ; pol:title ?t } ORDER BY ?c LIMIT 10", SRJ),
        ("SELECT benefits", POL + """SELECT ?b ?what ?who ?max WHERE { ?c pol:provides ?b . ?b rdfs:label ?what .
           OPTIONAL { ?b pol:beneficiary/rdfs:label ?who } OPTIONAL { ?b pol:maxAmount ?max } } LIMIT 1000""",
         "text/csv"),
        ("DESCRIBE clause", f"DESCRIBE <{clause}>", "application/n-triples"),
        ("one document", POL + f"SELECT ?c ?n ?t WHERE {{ ?c pol:document <{document}> ; pol:number ?n ; "
                              "pol:title ?t } ORDER BY ?n", SRJ),
        ("duties", POL + "SELECT ?c ?m ?a WHERE { ?c pol:hasObligation ?o . ?o pol:modality ?m ; pol:action ?a } "
                         "LIMIT 200", SRJ),
        ("text contains", POL + f'SELECT ?c WHERE {{ ?c pol:text ?t FILTER(CONTAINS(?t, "{word}")) }} LIMIT 20', SRJ),
        ("COUNT all", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", SRJ),
        ("clauses per document", POL + "SELECT ?d (COUNT(?c) AS ?n) WHERE { ?c pol:document ?d } GROUP BY ?d "
                                       "ORDER BY DESC(?n) LIMIT 10", SRJ),
    ]


def sample_terms(graph: Path) -> tuple[str, str]:
    """A clause of the store and its document (what the per-resource queries ask about)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(graph))
    for row in store.query(POL + "SELECT ?c ?d WHERE { ?c a pol:Clause ; pol:document ?d } LIMIT 1"):
        return row["c"].value, row["d"].value
    raise SystemExit(f"error: {graph} holds no clause")


QUERIES: list[tuple[str, str, str]] = []
ROUNDS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def current_graph(store: Path) -> Path:
    """The Oxigraph folder of the store's current version."""
    from policykg.kg.store import GRAPH, Store
    from policykg.errors import PolicyKGError

    try:
        graph = Store(store).version_dir / GRAPH
    except PolicyKGError as exc:
        raise SystemExit(f"error: {exc}") from None
    if not graph.is_dir():
        raise SystemExit(f"error: {store} is not a built store (no {GRAPH} folder)")
    return graph


def wait_ready(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            r = httpx.get(url, params={"query": "ASK {}"}, headers={"accept": "application/sparql-results+json"},
                          timeout=5)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"error: {url} did not answer within {seconds:.0f} s")


def run(url: str, clients: int, seconds: float, name: str, query: str, accept: str) -> list[float]:
    """Latencies (s) of one query sent by `clients` threads again and again for `seconds`
    (a request under way at the end is waited for)."""
    times: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < stop:
                started = time.perf_counter()
                r = http.post(url, data={"query": query}, headers={"accept": accept})
                took = time.perf_counter() - started
                with lock:
                    if r.status_code == 200:
                        times.append(took)
                    else:
                        errors.append(f"{name}: {r.status_code} {r.text[:100]}")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 90)
    if errors:
        print(f"  {len(errors)} failed requests, e.g. {errors[0]}")
    return times


def geomean(values: list[float]) -> float:
    values = [v for v in values if v == v and v > 0]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", required=True, help="a built policykg store folder")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=8.0, help="length of each run (bounded)")
    ap.add_argument("--word", default="应当", help="the word the text-contains query looks for")
    args = ap.parse_args()
    store = Path(args.store)
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    graph = current_graph(store)
    QUERIES[:] = queries(*sample_terms(graph), args.word)
    if not Path(oxigraph).exists():
        raise SystemExit("error: the oxigraph server is not installed: .venv/bin/pip install oxigraph")
    p_port, o_port = free_port(), free_port()
    procs = []
    try:
        procs.append(subprocess.Popen([sys.executable, "-m", "policykg", "serve", "--store", str(store),
                                       "--host", "127.0.0.1", "--port", str(p_port)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ}))
        procs.append(subprocess.Popen([oxigraph, "serve-read-only", "--location", str(graph),
                                       "--bind", f"127.0.0.1:{o_port}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        servers = [("policykg", f"http://127.0.0.1:{p_port}/sparql"), ("oxigraph", f"http://127.0.0.1:{o_port}/query")]
        results: dict[str, dict[str, list[float]]] = {name: {q: [] for q, _, _ in QUERIES} for name, _ in servers}
        spent: dict[str, dict[str, float]] = {name: {q: 0.0 for q, _, _ in QUERIES} for name, _ in servers}
        for name, url in servers:
            wait_ready(url)
            for qname, query, accept in QUERIES:  # warm up: each query once
                run(url, 1, 0.0, qname, query, accept)
        # each query for seconds / #queries per server, in turns, the servers alternating, so that the
        # machine's other load falls on both alike and a slow query cannot crowd out the fast ones
        share = args.seconds / len(QUERIES) / ROUNDS
        print(f"{args.clients} clients; each query {ROUNDS} × {share:.2f} s per server …", flush=True)
        for _ in range(ROUNDS):
            for qname, query, accept in QUERIES:
                for name, url in servers:
                    started = time.monotonic()
                    results[name][qname].extend(run(url, args.clients, share, qname, query, accept))
                    spent[name][qname] += time.monotonic() - started
        print(f"\n{'query':<22} {'policykg p50/p95 ms':>22} {'oxigraph p50/p95 ms':>22} {'p50 ratio':>10} "
              f"{'req/s ratio':>12}")
        lat, thr = [], []
        for qname, _, _ in QUERIES:
            p, o = results["policykg"][qname], results["oxigraph"][qname]
            ratio = pct(p, .5) / pct(o, .5)
            rps = (len(p) / spent["policykg"][qname]) / (len(o) / spent["oxigraph"][qname]) if p and o else float("nan")
            lat.append(ratio)
            thr.append(rps)
            print(f"{qname:<22} {pct(p, .5):>10.1f} /{pct(p, .95):>8.1f}  {pct(o, .5):>10.1f} /{pct(o, .95):>8.1f}"
                  f"  {ratio:>9.2f}× {100 * rps:>10.0f} %")
        print(f"\ngeometric mean over the {len(QUERIES)} queries: latency {geomean(lat):.2f}× Oxigraph's "
              f"(goal ≤ 1.5×), requests/s {100 * geomean(thr):.0f} % of Oxigraph's (goal ≥ 50 %)")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())

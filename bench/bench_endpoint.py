"""policykg's /sparql beside Oxigraph's own server, on the same data and the same queries.

    .venv/bin/pip install oxigraph          # gives the `oxigraph` server (same engine version)
    .venv/bin/python bench/bench_endpoint.py --store /tmp/store [--clients 8] [--seconds 8]

Starts `policykg serve` and `oxigraph serve-read-only --location STORE/graph`, both on
127.0.0.1, and for each runs `--clients` threads that send the queries round-robin for a bounded
`--seconds`. Prints per query and overall: latency p50/p95 (ms) and requests per second, and the
ratios (goal: policykg within 1.5× Oxigraph's latency and at least 50 % of its throughput).
Both servers are stopped at the end, whatever happens.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

POL = "PREFIX pol: <https://w3id.org/policykg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
QUERIES = [
    ("ASK", "ASK { ?s ?p ?o }", "application/sparql-results+json"),
    ("SELECT 10 clauses", POL + "SELECT ?c ?t WHERE { ?c a pol:Clause ; pol:title ?t } ORDER BY ?c LIMIT 10",
     "application/sparql-results+json"),
    ("SELECT benefits", POL + """SELECT ?b ?what ?who ?max WHERE { ?c pol:provides ?b . ?b rdfs:label ?what .
       OPTIONAL { ?b pol:beneficiary/rdfs:label ?who } OPTIONAL { ?b pol:maxAmount ?max } }""", "text/csv"),
    ("COUNT all", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "application/sparql-results+json"),
    ("CONSTRUCT clause", "DESCRIBE <https://w3id.org/policykg/id/jiading-draft/clause/9>", "application/n-triples"),
]


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


def run(url: str, clients: int, seconds: float) -> dict[str, list[float]]:
    """Latencies (s) per query name from `clients` threads sending the queries round-robin."""
    times: dict[str, list[float]] = {name: [] for name, _, _ in QUERIES}
    errors: list[str] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(offset: int) -> None:
        with httpx.Client(timeout=30) as http:
            i = offset
            while time.monotonic() < stop:
                name, query, accept = QUERIES[i % len(QUERIES)]
                i += 1
                started = time.perf_counter()
                r = http.post(url, data={"query": query}, headers={"accept": accept})
                took = time.perf_counter() - started
                with lock:
                    if r.status_code == 200:
                        times[name].append(took)
                    else:
                        errors.append(f"{name}: {r.status_code} {r.text[:100]}")

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    if errors:
        print(f"  {len(errors)} failed requests, e.g. {errors[0]}")
    return times


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
    args = ap.parse_args()
    store = Path(args.store)
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    graph = current_graph(store)
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
        results = {}
        for name, url in servers:
            wait_ready(url)
            run(url, 2, 1.0)  # warm up
            print(f"{name}: {args.clients} clients for {args.seconds:.0f} s …", flush=True)
            results[name] = run(url, args.clients, args.seconds)
        print(f"\n{'query':<20} {'policykg p50/p95 ms':>22} {'oxigraph p50/p95 ms':>22} {'p50 ratio':>10}")
        for qname, _, _ in QUERIES:
            p, o = results["policykg"][qname], results["oxigraph"][qname]
            print(f"{qname:<20} {pct(p, .5):>10.1f} /{pct(p, .95):>8.1f}  {pct(o, .5):>10.1f} /{pct(o, .95):>8.1f}"
                  f"  {pct(p, .5) / pct(o, .5):>9.2f}×")
        allp = [t for v in results["policykg"].values() for t in v]
        allo = [t for v in results["oxigraph"].values() for t in v]
        rps_p, rps_o = len(allp) / args.seconds, len(allo) / args.seconds
        print(f"{'all':<20} {pct(allp, .5):>10.1f} /{pct(allp, .95):>8.1f}  {pct(allo, .5):>10.1f} /{pct(allo, .95):>8.1f}"
              f"  {pct(allp, .5) / pct(allo, .5):>9.2f}×")
        print(f"\nrequests/s: policykg {rps_p:.0f}, oxigraph {rps_o:.0f} ({100 * rps_p / rps_o:.0f} % of oxigraph); "
              f"mean latency ratio {statistics.mean(allp) / statistics.mean(allo):.2f}×")
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

"""Build time and memory: `python bench/bench_build.py [--corpus DIR]... [--store DIR] [--repeat N]`.

Prints the seconds each build stage takes, the whole build, the peak resident memory, the graph
size, extraction throughput (clauses/s) and the latency of the "who receives what" query on the
embedded store. Not a timed test: figures depend on the machine.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = """PREFIX pol: <https://w3id.org/policykg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?clause ?what ?who ?amount ?max ?agency WHERE {
  ?clause pol:provides ?b . ?b rdfs:label ?what .
  OPTIONAL { ?b pol:beneficiary/rdfs:label ?who } OPTIONAL { ?b pol:amount ?amount }
  OPTIONAL { ?b pol:maxAmount ?max } OPTIONAL { ?b pol:administeredBy/rdfs:label ?agency } }"""


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", type=Path)
    parser.add_argument("--store", type=Path)
    parser.add_argument("--repeat", type=int, default=20, help="runs of the benchmark query")
    args = parser.parse_args(argv)
    folders = args.corpus or [ROOT / "corpus", ROOT.parent / "shared" / "corpus",
                              ROOT / "tests" / "data" / "articles", ROOT / "tests" / "data" / "webpage"]
    store = args.store or Path(tempfile.mkdtemp(prefix="policykg-bench-")) / "store"

    from policykg.app import PolicyKG
    from policykg.build import STAGES

    names = set(STAGES)
    stages: dict[str, float] = {}
    current: list = [None, time.perf_counter()]

    def progress(message: str) -> None:
        if message in names:
            now = time.perf_counter()
            if current[0] is not None:
                stages[current[0]] = now - current[1]
            current[:] = [message, now]

    kg = PolicyKG(store=str(store))
    started = time.perf_counter()
    report = kg.build(folders, progress=progress)
    total = time.perf_counter() - started
    if current[0] is not None:
        stages[current[0]] = time.perf_counter() - current[1]
    clauses = sum(report.documents.values())

    from policykg.extract import annotate_documents

    t = time.perf_counter()
    annotate_documents(kg.documents())
    extract_s = time.perf_counter() - t

    kg.select(QUERY)
    t = time.perf_counter()
    for _ in range(args.repeat):
        n = len(kg.select(QUERY))
    query_ms = (time.perf_counter() - t) / args.repeat * 1000

    print(f"corpus: {len(report.documents)} documents, {clauses} clauses; store {store}")
    for name in STAGES:
        if name in stages:
            print(f"  stage {name:<8} {stages[name]:7.2f} s")
    print(f"build total         {total:7.2f} s")
    print(f"graph               {report.triples} triples")
    print(f"extraction (warm)   {extract_s:7.2f} s  ({clauses / extract_s:.0f} clauses/s)")
    print(f"who-receives-what   {query_ms:7.2f} ms  ({n} rows, mean of {args.repeat})")
    print(f"peak memory (RSS)   {peak_mb():7.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

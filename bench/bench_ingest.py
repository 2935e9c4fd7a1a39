"""Speed of ingest (read → normalise → segment, no extraction) over a corpus (figures, not a timed test).

    .venv/bin/python bench/bench_ingest.py [--corpus ../shared/library] [--rounds 3]

Prints documents/s and clauses/s of the whole ingest, and the time of each step (read,
normalise, segment + events) for the best round.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folders = args.corpus or [ROOT.parent / "shared" / "library"]

    from policykg.ingest import Block, load_corpora
    from policykg.ingest.header import clause_events, header_events, preamble_events
    from policykg.ingest.manifest import read_manifest
    from policykg.ingest.normalize import normalize_line
    from policykg.ingest.readers import read_source
    from policykg.ingest.segment import segment

    best = None
    for _ in range(args.rounds):
        started = time.perf_counter()
        docs = load_corpora(folders, on_skip=lambda s: None)
        seconds = time.perf_counter() - started
        best = seconds if best is None else min(best, seconds)
    clauses = sum(len(d.clauses) for d in docs)
    print(f"ingest: {len(docs)} documents, {clauses} clauses in {best:.2f} s: "
          f"{len(docs) / best:.0f} documents/s, {clauses / best:.0f} clauses/s (best of {args.rounds}; "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")

    metas = [m for folder in folders for m in read_manifest(folder)]
    steps = {"read": 0.0, "normalise": 0.0, "segment": 0.0, "events": 0.0}
    for meta in metas:
        t0 = time.perf_counter()
        source = read_source(Path(meta.file))
        t1 = time.perf_counter()
        blocks = [Block(text, b.heading) for b in source.blocks if (text := normalize_line(b.text))]
        t2 = time.perf_counter()
        doc = segment(meta, blocks, structured=source.structured, clean=source.clean)
        t3 = time.perf_counter()
        header_events(source.header) + preamble_events(doc.preamble.split("\n")) + clause_events(doc.clauses)
        t4 = time.perf_counter()
        steps["read"] += t1 - t0
        steps["normalise"] += t2 - t1
        steps["segment"] += t3 - t2
        steps["events"] += t4 - t3
    print("steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))


if __name__ == "__main__":
    main()

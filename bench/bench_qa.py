"""Speed of `search` and `ask` on a built store (figures, not a timed test).

    .venv/bin/python bench/bench_qa.py --store /tmp/store [--questions FILE] [--rounds 3]

Loads the store and the model once (the cold figure), then times every question of the
question files (dev set + our held-out set) through `search` and `ask`. Each round clears the
query-vector cache so every query is embedded again, as a new question would be.
Targets on a 2-core machine: warm `ask` p50 ≤ 150 ms, `search` p50 ≤ 30 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = [ROOT.parent / "shared" / "eval" / "qa-dev.jsonl", ROOT / "tests" / "data" / "qa-extra.jsonl"]


def _percentiles(values: list[float]) -> str:
    values = sorted(values)
    p = lambda q: values[min(len(values) - 1, int(round(q * (len(values) - 1))))]  # noqa: E731
    return f"p50 {statistics.median(values):6.1f} ms   p90 {p(0.9):6.1f} ms   max {values[-1]:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=os.environ.get("POLICYKG_STORE", ".policykg"))
    parser.add_argument("--questions", action="append", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from policykg.app import PolicyKG

    questions = []
    for path in args.questions or DEFAULT_FILES:
        if path.is_file():
            questions += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines()
                          if line.strip()]
    started = time.perf_counter()
    kg = PolicyKG(store=args.store)
    kg.searcher.warm_up()
    kg.ask("热身")
    cold = time.perf_counter() - started

    search_ms, ask_ms, encode_ms = [], [], []
    for _ in range(args.rounds):
        for q in questions:
            kg.searcher._query_cache.clear()
            t = time.perf_counter()
            kg.searcher.embedder.encode([q])
            encode_ms.append((time.perf_counter() - t) * 1000)
            kg.searcher._query_cache.clear()
            t = time.perf_counter()
            kg.search(q, k=5)
            search_ms.append((time.perf_counter() - t) * 1000)
            kg.searcher._query_cache.clear()
            t = time.perf_counter()
            kg.ask(q)
            ask_ms.append((time.perf_counter() - t) * 1000)
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"store {args.store}: {len(questions)} questions x {args.rounds} rounds, {os.cpu_count()} CPUs, "
          f"load average {load:.1f}")
    print(f"cold start (indexes, vocabularies, model): {cold:.1f} s")
    print(f"query embedding  {_percentiles(encode_ms)}")
    print(f"search           {_percentiles(search_ms)}   (target p50 <= 30 ms)")
    print(f"ask              {_percentiles(ask_ms)}   (target p50 <= 150 ms)")


if __name__ == "__main__":
    main()

"""Check speed and the dev cases: `python bench/bench_check.py [--store DIR] [--repeat N] [DOC]...`.

On a built store, prints for each checked document (default: every document that implements
another) the seconds `run_check` takes (mean of N runs), the findings per kind, the seconds of
the HTML report and its size; then the alignment time of the build stage (embeddings excluded,
taken from the store's documents) and whether ../shared/eval/check-dev.json holds.
Not a timed test: figures depend on the machine.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "check-dev.json"


def dev_cases(kg) -> tuple[int, int]:
    """(passed, total) of the check dev cases on this store."""
    dev = json.loads(DEV.read_text(encoding="utf-8"))
    result = kg.check(dev["document"])
    kinds = lambda n: {f["kind"] for f in result["findings"] if f["clause"] == n}  # noqa: E731
    top3 = lambda n, p: [a["parent_clause"] for a in result["alignments"]  # noqa: E731
                         if a["clause"] == n and a["parent_document"] == p][:3]
    uncovered = {(f["parent_document"], f["parent_clause"]) for f in result["findings"] if f["kind"] == "not_covered"}
    checks = [m in top3(c, p) for c, p, m in dev["align_top3"]]
    checks += [x["kind"] in kinds(x["clause"]) for x in dev["must_find"]]
    checks += [x["kind"] not in kinds(x["clause"]) for x in dev["must_not_find"]]
    checks += [(p, m) in uncovered for p, m in dev["not_covered_includes"]]
    return sum(checks), len(checks)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", nargs="*")
    parser.add_argument("--store", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from policykg.app import PolicyKG
    from policykg.check.align import align_all
    from policykg.check.report import to_html

    kg = PolicyKG(store=args.store)
    docs = args.docs or [d.id for d in kg.documents() if d.meta.implements]
    for doc in docs:
        started = time.perf_counter()
        for _ in range(args.repeat):
            result = kg.check(doc)
        seconds = (time.perf_counter() - started) / args.repeat
        started = time.perf_counter()
        page = to_html(kg.store, result)
        html_s = time.perf_counter() - started
        kinds = Counter(f["kind"] for f in result["findings"])
        print(f"{doc}: check {seconds:.3f} s, html {html_s:.3f} s ({len(page) // 1024} KiB), "
              f"{len(result['alignments'])} alignments, findings {dict(kinds)}")
    documents = kg.documents()
    started = time.perf_counter()
    align_all(documents, {})
    print(f"alignment of {len(documents)} documents without embeddings: {time.perf_counter() - started:.2f} s")
    if DEV.is_file() and any(d.id == json.loads(DEV.read_text(encoding='utf-8'))["document"] for d in documents):
        passed, total = dev_cases(kg)
        print(f"check-dev.json: {passed}/{total} cases hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())

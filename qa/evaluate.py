"""Score question answering on a question file (the form of ../shared/eval/qa-dev.jsonl).

A case passes when one expected (document, clause) is among the first 3 citations, every
`answer_has` group matches the answer (any alternative, case-insensitive substring), no
`answer_not` regular expression matches it, and `abstained` is true exactly when the case says
`abstain: true`. The report gives hit@1, hit@3 and answer accuracy for `ask`, and hit@1/hit@3
of the retrievers alone (hybrid, BM25-only, dense-only) so the hybrid's gain is visible.
"""
from __future__ import annotations

import json
import re
import statistics
import time
from pathlib import Path

from policykg.errors import InputError

RETRIEVERS = ("hybrid", "bm25", "dense")
KS = (1, 3, 5, 10)
HELD_OUT_FILES = ("stard-train.jsonl",)  # scored on the held-out part only unless told --all


def held_out(case_id: str) -> bool:
    """The fixed split of stard-train.jsonl (/work/research/stard/SPLIT.md): sha1(id) % 5 == 0."""
    import hashlib

    return int(hashlib.sha1(str(case_id).encode("utf-8")).hexdigest(), 16) % 5 == 0


def load_cases(path: Path) -> list[dict]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such question file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the question file ({exc})") from None
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not a JSON object ({exc.msg})") from None
        if not isinstance(case, dict) or not isinstance(case.get("question"), str) or not case["question"].strip():
            raise InputError(f"{path}:{number}: each line needs a \"question\" string")
        cite = case.get("cite", [])
        if not isinstance(cite, list) or not all(isinstance(c, list) and len(c) == 2 for c in cite):
            raise InputError(f"{path}:{number}: \"cite\" must be a list of [document, clause] pairs")
        groups = case.get("answer_has", [])
        if not isinstance(groups, list) or not all(isinstance(g, list) for g in groups):
            raise InputError(f"{path}:{number}: \"answer_has\" must be a list of lists of strings")
        for pattern in case.get("answer_not", []):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise InputError(f"{path}:{number}: bad answer_not pattern {pattern!r} ({exc})") from None
        case.setdefault("id", f"line{number}")
        cases.append(case)
    if not cases:
        raise InputError(f"{path}: the question file holds no questions")
    return cases


def _rank_of(expected: list, keys: list[tuple[str, int]]) -> int | None:
    wanted = {(str(d), int(n)) for d, n in expected}
    for i, key in enumerate(keys):
        if key in wanted:
            return i + 1
    return None


def judge(case: dict, result: dict) -> list[str]:
    """The reasons a case fails (empty when it passes)."""
    reasons = []
    keys = [(c["document"], c["number"]) for c in result["citations"]]
    if case.get("cite") and _rank_of(case["cite"], keys[:3]) is None:
        reasons.append(f"expected clause {case['cite']} not in the first 3 citations {keys[:3]}")
    answer = result["answer"].lower()
    for group in case.get("answer_has", []):
        if not any(str(alt).lower() in answer for alt in group):
            reasons.append(f"answer lacks any of {group}")
    for pattern in case.get("answer_not", []):
        if re.search(pattern, result["answer"]):
            reasons.append(f"answer matches the forbidden pattern {pattern!r}")
    if bool(case.get("abstain")) != bool(result["abstained"]):
        reasons.append("should have abstained" if case.get("abstain") else "abstained but an answer exists")
    return reasons


def evaluate_file(searcher, path: Path, all_items: bool = False) -> dict:
    """Run every question of the file through `ask` and the three retrievers; return the scores.
    A file with a held-out rule (stard-train.jsonl) is scored on its held-out part only unless
    `all_items`."""
    from policykg.qa import answer

    cases = load_cases(path)
    split = "all"
    if not all_items and Path(path).name in HELD_OUT_FILES:
        cases = [c for c in cases if held_out(c["id"])]
        split = "held-out (sha1(id) % 5 == 0)"
    searcher.warm_up()
    rows, times = [], []
    retrievers = list(RETRIEVERS)
    if searcher.indexes.layperson is not None:
        retrievers.append("layperson")
    if not searcher.indexes.has_vectors:  # a law library alone has no vectors: no dense baseline
        retrievers.remove("dense")
    hits = {name: {k: 0 for k in KS} for name in retrievers}
    ask_hits = [0, 0]
    for case in cases:
        started = time.perf_counter()
        result = answer(searcher, " ".join(case["question"].split()))
        times.append((time.perf_counter() - started) * 1000)
        keys = [(c["document"], c["number"]) for c in result["citations"]]
        rank = _rank_of(case.get("cite", []), keys)
        ask_hits[0] += rank == 1
        ask_hits[1] += rank is not None and rank <= 3
        retrieved = {}
        for name in retrievers:
            top = [k for k, _ in searcher.search(case["question"], k=max(KS), mode=name)]
            r = _rank_of(case.get("cite", []), top)
            for k in KS:
                hits[name][k] += r is not None and r <= k
            retrieved[name] = r
        reasons = judge(case, result)
        rows.append({"id": case["id"], "question": case["question"], "passed": not reasons, "reasons": reasons,
                     "answer": result["answer"], "abstained": result["abstained"], "citations": keys[:3],
                     "rank": rank, "retrieval_rank": retrieved})
    n = len(cases)
    return {
        "file": str(path), "cases": n, "split": split,
        "passed": sum(r["passed"] for r in rows),
        "hit@1": ask_hits[0] / n, "hit@3": ask_hits[1] / n,
        "answer_accuracy": sum(r["passed"] for r in rows) / n,
        "retrieval": {name: {f"hit@{k}": h[k] / n for k in KS} for name, h in hits.items()},
        "ask_ms_p50": round(statistics.median(times), 1),
        "failures": [r for r in rows if not r["passed"]],
        "results": rows,
    }


def format_report(result: dict) -> str:
    lines = [
        f"{result['file']}: {result['passed']}/{result['cases']} passed"
        + (f" ({result['split']})" if result.get("split", "all") != "all" else ""),
        "",
        f"{'':26} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6} {'hit@10':>6} {'answers':>8}",
        f"{'ask (hybrid + answers)':26} {result['hit@1']:6.2f} {result['hit@3']:6.2f} {'':>6} {'':>6} "
        f"{result['answer_accuracy']:8.2f}",
    ]
    labels = {"hybrid": "search: hybrid", "bm25": "search: BM25 only", "dense": "search: dense only",
              "layperson": "search: layperson ranker"}
    for name, label in labels.items():
        r = result["retrieval"].get(name)
        if r is None:
            if name == "dense":
                lines.append(f"{label:26} {'n/a (the store has no vectors)':>30}")
            continue
        lines.append(f"{label:26} " + " ".join(f"{r[f'hit@{k}']:6.2f}" for k in KS))
    lines.append(f"\nask p50: {result['ask_ms_p50']} ms")
    if result["failures"]:
        lines.append("\nfailures:")
        for f in result["failures"]:
            lines.append(f"  {f['id']} {f['question']}")
            for reason in f["reasons"]:
                lines.append(f"    - {reason}")
            lines.append(f"    answer: {f['answer'][:200]}")
    return "\n".join(lines)

"""The law library at scale: build, rebuild and serve figures for growing subsets of ../shared/library.

    nice .venv/bin/python bench/bench_library.py [--library ../shared/library] [--sizes 1000,10000,all]
        [--work /tmp/policykg-bench-library] [--questions 100] [--json FILE]

For each size (articles; `all` is the whole library) it takes the manifest's documents in order until
that many articles, then measures in child processes (peak RSS and CPU time from wait4, so the figures
cover the build's worker processes too):

- cold build (`policykg build --corpus SUBSET --store STORE --json`): wall and CPU seconds, peak RSS,
  store size;
- rebuild after one changed document (one article's text edited in a copy): wall seconds and what the
  build reports it reused, added, changed and removed;
- serving, in a fresh process over the warm store: peak RSS, `search` / `ask` p50 and p95 over STARD
  held-out questions, SPARQL p50 and p95 (three queries through the store's worker processes).

The machine's load average is printed beside each figure: on a shared machine wall time is not CPU time.
Not a test: nothing is asserted. Goals (issue 11): cold build of the whole library <= 15 min,
one-document rebuild <= 20 s, search p50 <= 50 ms, ask p50 <= 150 ms at 64k articles, <= 2 GiB serving.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = re.compile(r"(?m)^\s*第[零〇一二三四五六七八九十百千两\d]+条")
SPARQL = {
    "count clauses": "PREFIX pol: <https://w3id.org/policykg/ontology#> SELECT (COUNT(?c) AS ?n) WHERE { ?c a pol:Clause }",
    "clauses of a law": "PREFIX pol: <https://w3id.org/policykg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
                        "SELECT ?c ?n WHERE { ?c pol:document ?d ; pol:number ?n . ?d dcterms:identifier \"{doc}\" } LIMIT 50",
    "obligations": "PREFIX pol: <https://w3id.org/policykg/ontology#> SELECT ?o ?s WHERE { ?o a pol:Obligation ; "
                   "pol:sentence ?s } LIMIT 20",
}


def load() -> float:
    try:
        return round(os.getloadavg()[0], 1)
    except OSError:
        return float("nan")


def subset(library: Path, articles: int | None, folder: Path) -> tuple[int, int, str]:
    """A corpus folder with the first documents of the library (files copied): (documents, articles, a doc id)."""
    text = (library / "manifest.toml").read_text(encoding="utf-8")
    docs = tomllib.loads(text)["document"]
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    chosen, count = [], 0
    for d in docs:
        if articles is not None and count >= articles:
            break
        n = len(ARTICLE.findall((library / d["file"]).read_text(encoding="utf-8")))
        chosen.append(d)
        count += n
    lines = []
    for d in chosen:
        shutil.copy(library / d["file"], folder / d["file"])  # a corpus may not link outside itself
        lines.append("[[document]]")
        for key, value in d.items():
            lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        lines.append("")
    (folder / "manifest.toml").write_text("\n".join(lines), encoding="utf-8")
    return len(chosen), count, chosen[len(chosen) // 2]["id"]


def run(cmd: list[str], env: dict | None = None) -> dict:
    """Run a child: wall and CPU seconds and peak RSS (MiB) of it and its worker processes (wait4)."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return {"wall_s": round(wall, 1), "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                "peak_rss_mib": round(usage.ru_maxrss / 1024), "rc": proc.returncode, "load": load(),
                "stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace")[-2000:]}


measured = run


def size_of(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20, 1)


def edit_one(corpus: Path, doc_id: str) -> None:
    """Change one article's text of one document (the file is copied, not the library's)."""
    manifest = tomllib.loads((corpus / "manifest.toml").read_text(encoding="utf-8"))
    entry = next(d for d in manifest["document"] if d["id"] == doc_id)
    path = corpus / entry["file"]
    text = path.read_text(encoding="utf-8")
    path.unlink()
    at = text.index("。", ARTICLE.search(text).end())  # inside the first article
    path.write_text(text[:at] + "。（本条经修改。）" + text[at + 1:], encoding="utf-8")


def heldout_questions(n: int) -> list[str]:
    path = ROOT.parent / "shared" / "eval" / "stard-train.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if int(hashlib.sha1(r["id"].encode()).hexdigest(), 16) % 5 == 0]
    return [r["question"] for r in rows[:n]]


def serve_figures(store: str, questions: int, doc: str) -> dict:
    """In this (fresh) process: load the store as the server does, then time search, ask and SPARQL."""
    import resource

    from policykg.app import PolicyKG

    def pct(values: list[float]) -> dict:
        values = sorted(values)
        return {"p50": round(statistics.median(values), 1),
                "p95": round(values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))], 1)}

    started = time.perf_counter()
    kg = PolicyKG(store=store)
    kg.searcher.warm_up()
    kg.ask("热身")
    cold = time.perf_counter() - started
    qs = heldout_questions(questions)
    search_ms, ask_ms, sparql_ms = [], [], []
    for q in qs:
        t = time.perf_counter()
        kg.search(q, k=5)
        search_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        kg.ask(q)
        ask_ms.append((time.perf_counter() - t) * 1000)
    kg.store.warm_up(10)
    for _ in range(10):
        for query in SPARQL.values():
            t = time.perf_counter()
            kg.store.query(query.replace("{doc}", doc), "json", max_rows=10000, timeout=10)
            sparql_ms.append((time.perf_counter() - t) * 1000)
    kg.close()
    return {"cold_start_s": round(cold, 1), "search_ms": pct(search_ms), "ask_ms": pct(ask_ms),
            "sparql_ms": pct(sparql_ms), "questions": len(qs), "load": load(),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=ROOT.parent / "shared" / "library")
    parser.add_argument("--sizes", default="1000,10000,all")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykg-bench-library"))
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--dense-max-clauses", default="0",
                        help="POLICYKG_DENSE_MAX_CLAUSES for the builds (default 0: every subset is built as a "
                             "library, no embeddings, as the whole library is with the default 3000)")
    parser.add_argument("--serve", nargs=2, metavar=("STORE", "DOC"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        print(json.dumps(serve_figures(args.serve[0], args.questions, args.serve[1])))
        return 0
    py = sys.executable
    os.environ["POLICYKG_DENSE_MAX_CLAUSES"] = args.dense_max_clauses
    results = []
    for size in args.sizes.split(","):
        articles = None if size == "all" else int(size)
        work = args.work / size
        corpus, store = work / "corpus", work / "store"
        shutil.rmtree(work, ignore_errors=True)
        n_docs, n_arts, doc = subset(args.library.resolve(), articles, corpus)
        row: dict = {"size": size, "documents": n_docs, "articles": n_arts}
        print(f"[{time.strftime('%H:%M:%S')}] {size}: {n_docs} documents, {n_arts} articles (load {load()})", flush=True)
        cold = measured([py, "-m", "policykg", "build", "--corpus", str(corpus), "--store", str(store), "--json"])
        row["cold_build"] = {k: v for k, v in cold.items() if k not in ("stdout", "stderr")}
        if cold["rc"] != 0:
            row["cold_build"]["error"] = cold["stderr"].strip().splitlines()[-1:] or ["?"]
            print(json.dumps(row, ensure_ascii=False), flush=True)
            results.append(row)
            continue
        summary = json.loads(cold["stdout"])
        row["clauses"], row["triples"] = summary["clauses"], summary["triples"]
        row["cold_build"]["stages"] = summary.get("stages")
        row["store_mib"] = size_of(store)
        edit_one(corpus, doc)
        again = measured([py, "-m", "policykg", "build", "--corpus", str(corpus), "--store", str(store), "--json"])
        row["rebuild_one_changed"] = {k: v for k, v in again.items() if k not in ("stdout", "stderr")}
        if again["rc"] == 0:
            reuse = json.loads(again["stdout"]).get("reuse") or {}
            row["rebuild_one_changed"]["reuse"] = {k: len(v) for k, v in reuse.items()}
            row["rebuild_one_changed"]["stages"] = json.loads(again["stdout"]).get("stages")
        served = run([py, str(Path(__file__).resolve()), "--serve", str(store), doc, "--questions", str(args.questions)])
        row["serve"] = json.loads(served["stdout"]) if served["rc"] == 0 else {"error": served["stderr"][-500:]}
        print(json.dumps(row, ensure_ascii=False), flush=True)
        results.append(row)
        if args.json:
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

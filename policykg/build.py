"""The build: ingest → extract → graph → index → align → store, then make the new version current.

The stages are called in order with typed values (each stage takes what the earlier ones
returned and returns a dataclass or a plain typed value); they write into a `StoreDraft`
(kg.store), a new version inside the store folder that becomes current (one atomic
step, kg.store.publish) only when every stage succeeded.
This module sits above kg/, search/ and check/ (it wires them); kg/ imports none of them.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from rdflib import Graph

from policykg import __version__
from policykg.errors import InputError, PolicyKGError
from policykg.ingest.model import Document
from policykg.kg.store import Store, StoreDraft, pause_point
from policykg.reuse import Reuse, ReuseReport
from policykg.settings import Settings

Progress = Callable[[str], None]
STAGES: tuple[str, ...] = ("ingest", "extract", "graph", "index", "align", "store")


@dataclass(frozen=True)
class Corpus:
    """Stage ingest: the documents of the corpus folders, and what the build should warn about."""

    folders: list[Path]
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)
    skipped: list = field(default_factory=list)  # ingest.Skipped: documents left out, and why


@dataclass(frozen=True)
class Indexed:
    """Stage index: each clause's embedding (the align stage reuses them)."""

    vectors: dict[tuple[str, int], np.ndarray]


@dataclass(frozen=True)
class Aligned:
    """Stage align: {document: {parents, missing, pairs}} for every document that implements others."""

    alignments: dict


@dataclass
class BuildReport:
    store: str
    documents: dict[str, int]  # id → clause count
    triples: int
    warnings: list[str]
    seconds: float
    skipped: list[dict] = field(default_factory=list)  # {"id", "file", "reason"} of each document left out
    reuse: ReuseReport | None = None  # documents reused, added, changed, removed against the old store
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage


def ingest(folders: list[Path], progress: Progress) -> Corpus:
    from policykg.ingest import load_corpora

    skipped: list = []
    documents = load_corpora(folders, progress=lambda doc_id: progress(f"read {doc_id}"), on_skip=skipped.append)
    if not documents:
        raise InputError(f"no document could be built: {skipped[0] if skipped else 'none found'}")
    known = {d.id for d in documents}
    warnings = [str(s) for s in skipped]
    warnings += [f"{doc.id} implements {parent}, which no loaded corpus holds "
                 "(add the corpus folder that has it with another --corpus)"
                 for doc in documents for parent in doc.meta.implements if parent not in known]
    return Corpus(list(folders), documents, warnings, skipped)


def extract(corpus: Corpus, reuse: Reuse | None = None, progress: Progress = lambda message: None) -> dict:
    """{(document, number): ClauseFacts} (policykg.extract); an unchanged document's from `reuse`.
    A large extraction runs in worker processes (one per core, forked with the vocabulary loaded)."""
    from policykg.extract import annotate_documents, vocabulary_for

    vocab = vocabulary_for(corpus.documents)
    todo = [d for d in corpus.documents if reuse is None or d.id not in reuse.hits]
    total = sum(len(d.clauses) for d in todo)
    rate = Rate(total, "clauses")
    facts: dict = {}
    done: dict[str, dict] = {}
    n = len(corpus.documents)

    def report(doc) -> None:
        rate.add(len(doc.clauses))
        progress(f"extract {doc.id} ({len(done) + len(reuse.hits if reuse else ())}/{n} documents) {rate}")

    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if workers > 1 and total >= PARALLEL_CLAUSES:
        import concurrent.futures as cf
        import multiprocessing

        global _VOCAB
        _VOCAB = vocab
        from policykg.extract.entities import find_entities

        find_entities("预热", vocab)  # load the pipeline once, before the fork
        with cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = {pool.submit(_annotate, doc): doc for doc in todo}
            try:
                for future in cf.as_completed(futures):
                    doc = futures[future]
                    done[doc.id] = future.result()
                    report(doc)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    else:
        for doc in todo:
            done[doc.id] = annotate_documents([doc], vocab)
            report(doc)
    for doc in corpus.documents:
        cached = done.get(doc.id)
        if cached is None:
            cached = reuse.facts(doc.id) if reuse is not None else None
            if cached is None:  # a damaged cache entry: extract it now
                cached = annotate_documents([doc], vocab)
        if reuse is not None:
            reuse.keep(doc.id, cached)
        facts.update(cached)
    return facts


MAX_WORKERS = 2  # this project's machines have 2 cores; more processes only add memory
PARALLEL_CLAUSES = 2000  # below this, one process (the pool's start-up costs more than it saves)
_VOCAB = None


def _annotate(doc) -> dict:
    """Worker process: one document's facts (the vocabulary came with the fork)."""
    from policykg.extract import annotate_documents

    return annotate_documents([doc], _VOCAB)


class Rate:
    """Work done against a total: `12.3 clauses/s, ETA 4:05` (for progress messages)."""

    def __init__(self, total: int, unit: str) -> None:
        self.total, self.unit, self.done, self.started = total, unit, 0, time.perf_counter()

    def add(self, n: int) -> None:
        self.done += n

    def __str__(self) -> str:
        elapsed = time.perf_counter() - self.started
        if not self.done or elapsed <= 0:
            return ""
        per_s = self.done / elapsed
        left = max(self.total - self.done, 0) / per_s
        return f"{per_s:.1f} {self.unit}/s, ETA {int(left // 60)}:{int(left % 60):02d}"


def graph(corpus: Corpus, facts: dict) -> Graph:
    from policykg.kg.rdf import to_graph

    return to_graph(corpus.documents, facts)


def index(draft: StoreDraft, corpus: Corpus, g: Graph, settings: Settings, progress: Progress,
          reuse: Reuse | None = None) -> Indexed:
    """The search indexes; texts of unchanged documents are not embedded again (`reuse`)."""
    from policykg.search.embed import get_embedder
    from policykg.search.index import build_indexes, clause_sentences, clause_text

    def encode(texts: list[str]) -> np.ndarray:
        embedder = get_embedder(settings["model"])
        out, rate = [], Rate(len(texts), "texts")
        for start in range(0, len(texts), 256):
            batch = texts[start:start + 256]
            out.append(embedder.encode(batch))
            rate.add(len(batch))
            progress(f"index: embeddings {rate.done}/{len(texts)} {rate}")
        return np.concatenate(out) if out else np.zeros((0, 1), np.float32)

    cached = reuse.encoder(encode, corpus.documents) if reuse is not None else encode
    vectors = build_indexes(draft.index_dir, corpus.documents, g, settings["model"], progress,
                            max_dense_clauses=settings.get_int("dense_max_clauses"), encode=cached)
    if reuse is not None:
        for doc in corpus.documents:
            reuse.save_vectors(doc.id, [t for c in doc.clauses for t in (clause_text(c), *clause_sentences(c))],
                               cached)
    return Indexed(vectors)


def align(corpus: Corpus, g: Graph, indexed: Indexed, settings: Settings, facts: dict | None = None) -> Aligned:
    """Alignments of documents with their parents (their triples are added to `g`); `facts` are the
    extract stage's results (their figures count in the scores)."""
    from policykg.check.align import build_alignments

    figures = {key: f.figures for key, f in (facts or {}).items()}
    return Aligned(build_alignments(corpus.documents, g, indexed.vectors, settings["model"], figures))


def _previous_version(settings: Settings) -> Path | None:
    """The folder of the store's current version (its per-document cache is reused), if it opens."""
    try:
        old = Store(settings.store, settings)
        return old.version_dir if old.exists() else None
    except PolicyKGError:  # damaged or missing: build from scratch
        return None


def _stage(name: str, progress: Progress) -> None:
    progress(name)
    pause_point(name)  # inert unless POLICYKG_TEST_PAUSE_AT names this stage (the reliability tests)


def build_store(folders: list[Path], settings: Settings, progress: Progress | None = None,
                strict: bool = False) -> BuildReport:
    """Build the corpus folders into the store `settings` names; replace it only on success.

    A document that can't be read or segmented is skipped with a warning; `strict` makes any
    warning a failure (InputError), the old store kept."""
    started = time.perf_counter()
    progress = progress or (lambda message: None)
    if not folders:
        raise InputError("no corpus folder given: use --corpus DIR (or set POLICYKG_CORPUS)")
    folders = [Path(f) for f in folders]
    stages: dict[str, float] = {}
    user_progress = progress
    clock = [None, time.perf_counter()]

    def progress(message: str) -> None:  # noqa: F811 -- times each stage, then tells the caller
        if message in STAGES:
            now = time.perf_counter()
            if clock[0] is not None:
                stages[clock[0]] = round(now - clock[1], 2)
            clock[:] = [message, now]
        user_progress(message)

    with Store.create(settings.store, settings) as draft:
        _stage("ingest", progress)
        corpus = ingest(folders, progress)
        if strict and corpus.warnings:
            more = f" (and {len(corpus.warnings) - 1} more)" if len(corpus.warnings) > 1 else ""
            raise InputError(f"--strict: {corpus.warnings[0]}{more}; the store was left as it was")
        draft.write_documents(corpus.documents)
        reuse = Reuse(_previous_version(settings), draft.folder, corpus.documents, settings["model"])
        progress(f"reuse: {reuse.report.summary()}")
        _stage("extract", progress)
        facts = extract(corpus, reuse, progress)
        _stage("graph", progress)
        g = graph(corpus, facts)
        _stage("index", progress)
        indexed = index(draft, corpus, g, settings, progress, reuse)
        _stage("align", progress)
        aligned = align(corpus, g, indexed, settings, facts)
        draft.write_alignments(aligned.alignments)
        _stage("store", progress)
        from policykg.kg.rdf import add_provenance

        add_provenance(g)  # also for the triples the align stage added (obligations, figures …)
        draft.write_graph(g)
        triples = len(g)
        marker = {
            "policykg": __version__,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "corpus": [str(f.resolve()) for f in folders],
            "documents": {d.id: len(d.clauses) for d in corpus.documents},
            "triples": triples,
            "model": settings["model"],
            "graph": draft.backend_class.scheme if draft.backend_class.in_folder else settings.store,
            "warnings": corpus.warnings,
            "skipped": [vars(s) for s in corpus.skipped],
            "reuse": reuse.report.to_dict(),
        }
        reuse.commit()
        stages[clock[0]] = round(time.perf_counter() - clock[1], 2)
        marker["stages"] = stages
        draft.commit(marker)
    return BuildReport(store=str(draft.target), documents=marker["documents"], triples=triples,
                       warnings=corpus.warnings, seconds=time.perf_counter() - started, skipped=marker["skipped"],
                       reuse=reuse.report, stages=stages)

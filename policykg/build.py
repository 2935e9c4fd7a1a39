"""The build: ingest → extract → graph → index → align → store, then make the new version current.

The stages are called in order with typed values (each stage takes what the earlier ones
returned and returns a dataclass or a plain typed value); they write into a `StoreDraft`
(kg.store), a new version inside the store folder that becomes current (one atomic
step, kg.store.publish) only when every stage succeeded.
This module sits above kg/, search/ and check/ (it wires them); kg/ imports none of them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from rdflib import Graph

from policykg import __version__
from policykg.errors import InputError
from policykg.ingest.model import Document
from policykg.kg.store import Store, StoreDraft, pause_point
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


def extract(corpus: Corpus) -> dict:
    """{(document, number): ClauseFacts} (policykg.extract)."""
    from policykg.extract import annotate_documents

    return annotate_documents(corpus.documents)


def graph(corpus: Corpus, facts: dict) -> Graph:
    from policykg.kg.rdf import to_graph

    return to_graph(corpus.documents, facts)


def index(draft: StoreDraft, corpus: Corpus, g: Graph, settings: Settings, progress: Progress) -> Indexed:
    from policykg.search.index import build_indexes

    return Indexed(build_indexes(draft.index_dir, corpus.documents, g, settings["model"], progress))


def align(corpus: Corpus, g: Graph, indexed: Indexed, settings: Settings, facts: dict | None = None) -> Aligned:
    """Alignments of documents with their parents (their triples are added to `g`); `facts` are the
    extract stage's results (their figures count in the scores)."""
    from policykg.check.align import build_alignments

    figures = {key: f.figures for key, f in (facts or {}).items()}
    return Aligned(build_alignments(corpus.documents, g, indexed.vectors, settings["model"], figures))


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
    with Store.create(settings.store, settings) as draft:
        _stage("ingest", progress)
        corpus = ingest(folders, progress)
        if strict and corpus.warnings:
            more = f" (and {len(corpus.warnings) - 1} more)" if len(corpus.warnings) > 1 else ""
            raise InputError(f"--strict: {corpus.warnings[0]}{more}; the store was left as it was")
        draft.write_documents(corpus.documents)
        _stage("extract", progress)
        facts = extract(corpus)
        _stage("graph", progress)
        g = graph(corpus, facts)
        _stage("index", progress)
        indexed = index(draft, corpus, g, settings, progress)
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
        }
        draft.commit(marker)
    return BuildReport(store=str(draft.target), documents=marker["documents"], triples=triples,
                       warnings=corpus.warnings, seconds=time.perf_counter() - started, skipped=marker["skipped"])

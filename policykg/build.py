"""The build: ingest → extract → graph → index → align → store, then swap the new store in.

The stages are called in order with typed values (each stage takes what the earlier ones
returned and returns a dataclass or a plain typed value); they write into a `StoreDraft`
(kg.store), a temporary folder that replaces the old store only when every stage succeeded.
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
from policykg.kg.store import Store, StoreDraft
from policykg.settings import Settings

Progress = Callable[[str], None]
STAGES: tuple[str, ...] = ("ingest", "extract", "graph", "index", "align", "store")


@dataclass(frozen=True)
class Corpus:
    """Stage ingest: the documents of the corpus folders, and what the build should warn about."""

    folders: list[Path]
    documents: list[Document]
    warnings: list[str] = field(default_factory=list)


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


def ingest(folders: list[Path], progress: Progress) -> Corpus:
    from policykg.ingest import load_corpora

    documents = load_corpora(folders, progress=lambda doc_id: progress(f"read {doc_id}"))
    known = {d.id for d in documents}
    warnings = [f"{doc.id} implements {parent}, which no loaded corpus holds "
                "(add the corpus folder that has it with another --corpus)"
                for doc in documents for parent in doc.meta.implements if parent not in known]
    return Corpus(list(folders), documents, warnings)


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


def build_store(folders: list[Path], settings: Settings, progress: Progress | None = None) -> BuildReport:
    """Build the corpus folders into the store `settings` names; replace it only on success."""
    started = time.perf_counter()
    progress = progress or (lambda message: None)
    if not folders:
        raise InputError("no corpus folder given: use --corpus DIR (or set POLICYKG_CORPUS)")
    folders = [Path(f) for f in folders]
    with Store.create(settings.store, settings) as draft:
        progress("ingest")
        corpus = ingest(folders, progress)
        draft.write_documents(corpus.documents)
        progress("extract")
        facts = extract(corpus)
        progress("graph")
        g = graph(corpus, facts)
        progress("index")
        indexed = index(draft, corpus, g, settings, progress)
        progress("align")
        aligned = align(corpus, g, indexed, settings, facts)
        draft.write_alignments(aligned.alignments)
        progress("store")
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
        }
        draft.commit(marker)
    return BuildReport(store=str(draft.target), documents=marker["documents"], triples=triples,
                       warnings=corpus.warnings, seconds=time.perf_counter() - started)

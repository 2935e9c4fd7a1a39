"""Build a store: ingest → extract → graph → alignments → search indexes, then swap in.

The new store is built in a temporary sibling folder; the old one is replaced only when
every stage succeeded, so a failed build leaves the previous store in place.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Graph

from policykg import __version__
from policykg.errors import InputError, PolicyKGError
from policykg.ingest import load_corpora
from policykg.ingest.model import Document
from policykg.settings import Settings

MARKER = "policykg.json"  # written last into every store folder; its presence makes a folder a store
DOCUMENTS = "documents.json"
GRAPH_DIR = "graph"
INDEX_DIR = "index"

Progress = Callable[[str], None]


@dataclass
class BuildContext:
    """What the stages share while a store is built."""

    folders: list[Path]
    workdir: Path  # the temporary store folder
    settings: Settings
    documents: list[Document] = field(default_factory=list)
    facts: dict = field(default_factory=dict)  # (doc, number) → extraction results
    graph: Graph | None = None
    vectors: dict = field(default_factory=dict)  # (doc, number) → clause embedding (set by the index stage)
    warnings: list[str] = field(default_factory=list)
    skipped: list = field(default_factory=list)  # ingest.Skipped: documents left out, and why
    progress: Progress = lambda message: None


@dataclass
class BuildReport:
    store: str
    documents: dict[str, int]  # id → clause count
    triples: int
    warnings: list[str]
    seconds: float
    skipped: list[dict] = field(default_factory=list)  # {"id", "file", "reason"} of each document left out


def _skip(ctx: BuildContext, skipped) -> None:
    ctx.skipped.append(skipped)
    ctx.warnings.append(str(skipped))


def _stage_ingest(ctx: BuildContext) -> None:
    ctx.documents = load_corpora(ctx.folders, progress=lambda doc_id: ctx.progress(f"read {doc_id}"),
                                 on_skip=lambda skipped: _skip(ctx, skipped))
    if not ctx.documents:
        raise InputError(f"no document could be built: {ctx.warnings[0] if ctx.warnings else 'none found'}")
    known = {d.id for d in ctx.documents}
    for doc in ctx.documents:
        for parent in doc.meta.implements:
            if parent not in known:
                ctx.warnings.append(
                    f"{doc.id} implements {parent}, which no loaded corpus holds "
                    "(add the corpus folder that has it with another --corpus)"
                )
    (ctx.workdir / DOCUMENTS).write_text(
        json.dumps([d.to_dict() for d in ctx.documents], ensure_ascii=False), encoding="utf-8"
    )


def _stage_extract(ctx: BuildContext) -> None:
    from policykg.extract import annotate_documents

    ctx.facts = annotate_documents(ctx.documents)


def _stage_graph(ctx: BuildContext) -> None:
    from policykg.kg.rdf import to_graph

    ctx.graph = to_graph(ctx.documents, ctx.facts)


def _stage_index(ctx: BuildContext) -> None:
    from policykg.search.index import build_indexes

    build_indexes(ctx)


def _stage_align(ctx: BuildContext) -> None:
    from policykg.check.align import build_alignments

    build_alignments(ctx)


def _stage_store(ctx: BuildContext) -> None:
    from policykg.kg.backends import write_graph

    write_graph(ctx)


STAGES: list[tuple[str, Callable[[BuildContext], None]]] = [
    ("ingest", _stage_ingest),
    ("extract", _stage_extract),
    ("graph", _stage_graph),
    ("index", _stage_index),
    ("align", _stage_align),
    ("store", _stage_store),
]


def is_store(folder: Path) -> bool:
    return (Path(folder) / MARKER).is_file()


def build_store(folders: list[Path], settings: Settings, progress: Progress | None = None,
                strict: bool = False) -> BuildReport:
    """Build the corpus folders into the store that `settings` names; replace it only on success.

    A document that can't be read or segmented is skipped with a warning; `strict` makes any
    warning a failure (InputError), the old store kept."""
    started = time.perf_counter()
    if not folders:
        raise InputError("no corpus folder given: use --corpus DIR (or set POLICYKG_CORPUS)")
    target = Path(settings.index_location if settings.store_is_remote else settings.store)
    if target.exists() and not is_store(target) and (not target.is_dir() or any(target.iterdir())):
        raise InputError(
            f"{target} exists and is not a policykg store: refusing to replace it (choose another --store)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    workdir = target.parent / f".{target.name}.building-{os.getpid()}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir()
    ctx = BuildContext(folders=[Path(f) for f in folders], workdir=workdir, settings=settings,
                       progress=progress or (lambda m: None))
    try:
        for name, stage in STAGES:
            ctx.progress(name)
            stage(ctx)
            if strict and ctx.warnings:
                more = f" (and {len(ctx.warnings) - 1} more)" if len(ctx.warnings) > 1 else ""
                raise InputError(f"--strict: {ctx.warnings[0]}{more}; the store was left as it was")
        triples = len(ctx.graph) if ctx.graph is not None else 0
        marker = {
            "policykg": __version__,
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "corpus": [str(Path(f).resolve()) for f in folders],
            "documents": {d.id: len(d.clauses) for d in ctx.documents},
            "triples": triples,
            "model": settings["model"],
            "graph": settings.store if settings.store_is_remote else "oxigraph",
            "warnings": ctx.warnings,
            "skipped": [vars(s) for s in ctx.skipped],
        }
        (workdir / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=2), encoding="utf-8")
        _swap(workdir, target)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return BuildReport(store=str(target), documents=marker["documents"], triples=triples,
                       warnings=ctx.warnings, seconds=time.perf_counter() - started, skipped=marker["skipped"])


def _swap(workdir: Path, target: Path) -> None:
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(workdir, target)
    except OSError as exc:
        if old.exists():
            os.replace(old, target)
        raise PolicyKGError(f"could not move the new store into {target}: {exc.strerror}") from None
    shutil.rmtree(old, ignore_errors=True)

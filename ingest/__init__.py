"""Ingest: read → normalise → segment, for every document of one or more corpus folders."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from policykg.errors import InputError
from policykg.ingest.header import clause_events, header_events, preamble_events
from policykg.ingest.manifest import read_manifest
from policykg.ingest.model import Clause, Document, DocumentMeta, Event, Item, Paragraph, Section
from policykg.ingest.normalize import normalize_line
from policykg.ingest.readers import Block, Source, read_source
from policykg.ingest.segment import segment

__all__ = ["Clause", "Document", "DocumentMeta", "Event", "Item", "Paragraph", "Section", "Skipped",
           "ingest_document", "load_corpora"]


@dataclass
class Skipped:
    """A document left out of a build: which, its file, and why (one line)."""

    id: str
    file: str
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.id} ({self.file}): {self.reason}"


def ingest_document(meta: DocumentMeta) -> Document:
    """Read, normalise and segment one document; a document without clauses is refused."""
    source = read_source(Path(meta.file))
    return document_from_source(meta, source)


def document_from_source(meta: DocumentMeta, source: Source) -> Document:
    blocks = [Block(text, b.heading) for b in source.blocks if (text := normalize_line(b.text))]
    if not blocks:
        raise InputError(f"{meta.file}: document '{meta.id}' has no text")
    document = segment(meta, blocks, structured=source.structured, clean=source.clean)
    if not document.clauses:
        raise InputError(
            f"{meta.file}: no clause found in document '{meta.id}' "
            "(expected numbering such as 第一条…, （一）… or 一、…)"
        )
    title = normalize_line(source.title)
    if title:
        document.preamble = f"{title}\n{document.preamble}" if document.preamble else title
    document.header = list(source.header)
    document.events = (header_events(source.header) + preamble_events(document.preamble.split("\n"))
                       + clause_events(document.clauses))
    return document


def load_corpora(folders: list[Path], progress=None,
                 on_skip: Callable[[Skipped], None] | None = None) -> list[Document]:
    """All documents of the given corpus folders, in manifest order; ids unique across folders.

    A document that can't be read or segmented raises InputError, or, when `on_skip` is given, is
    left out and reported to it. Manifest errors always raise.
    """
    metas: list[DocumentMeta] = []
    where: dict[str, str] = {}
    for folder in folders:
        for meta in read_manifest(Path(folder)):
            if meta.id in where:
                raise InputError(
                    f"{Path(folder) / 'manifest.toml'}: field 'id': {meta.id!r} is already defined in "
                    f"{where[meta.id]}"
                )
            where[meta.id] = str(Path(meta.corpus_dir) / "manifest.toml")
            metas.append(meta)
    documents = []
    for meta in metas:
        try:
            documents.append(ingest_document(meta))
        except InputError as exc:
            if on_skip is None:
                raise
            reason = str(exc)
            if reason.startswith(f"{meta.file}: "):
                reason = reason[len(meta.file) + 2:]
            on_skip(Skipped(id=meta.id, file=meta.file, reason=reason))
            continue
        if progress:
            progress(meta.id)
    return documents

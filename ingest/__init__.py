"""Ingest: read → normalise → segment, for every document of one or more corpus folders."""
from __future__ import annotations

from pathlib import Path

from policykg.errors import InputError
from policykg.ingest.manifest import read_manifest
from policykg.ingest.model import Clause, Document, DocumentMeta, Item, Section
from policykg.ingest.normalize import normalize_text
from policykg.ingest.readers import read_text
from policykg.ingest.segment import segment

__all__ = ["Clause", "Document", "DocumentMeta", "Item", "Section", "ingest_document", "load_corpora"]


def ingest_document(meta: DocumentMeta) -> Document:
    """Read, normalise and segment one document; a document without clauses is refused."""
    lines = normalize_text(read_text(Path(meta.file)))
    if not lines:
        raise InputError(f"{meta.file}: document '{meta.id}' has no text")
    document = segment(meta, lines)
    if not document.clauses:
        raise InputError(
            f"{meta.file}: no clause found in document '{meta.id}' "
            "(expected numbering such as （一）… or 第一条…)"
        )
    return document


def load_corpora(folders: list[Path], progress=None) -> list[Document]:
    """All documents of the given corpus folders, in manifest order; ids unique across folders."""
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
        documents.append(ingest_document(meta))
        if progress:
            progress(meta.id)
    return documents

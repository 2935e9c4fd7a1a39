"""Incremental builds: what the store's previous build lends this one, document by document.

Each document gets a key: the sha1 of its file's bytes, its manifest entry, and the build's
fingerprint (policykg's version, the sources of ingest/ and extract/, the vocabulary files, the
model). The store keeps, per key, the document's extracted facts and the vectors of its texts
(`cache/` in the store folder, next to `cache.json` = {document: key}). A rebuild takes every
unchanged document's facts and vectors from there (hard links into the new store, no copy), and
extracts and embeds only the documents added or changed. Documents whose key is gone are removed.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from policykg import __version__

CACHE = "cache"
CACHE_INDEX = "cache.json"
FACTS = "facts.pkl"
VECTORS = "vectors.npz"


@dataclass
class ReuseReport:
    reused: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.reused)} reused, {len(self.added)} added, {len(self.changed)} changed, "
                f"{len(self.removed)} removed")

    def to_dict(self) -> dict:
        return asdict(self)


def fingerprint(documents, model: str) -> str:
    """What every document's extraction and vectors depend on besides its own file."""
    from policykg.extract import corpus_dirs
    from policykg.extract.vocab import vocab_files

    h = hashlib.sha1(f"{__version__}\0{model}".encode())
    root = Path(__file__).resolve().parent.parent
    for package in ("ingest", "extract"):
        for path in sorted((root / package).glob("*.py")):
            h.update(path.name.encode() + path.read_bytes())
    for path in sorted(vocab_files(corpus_dirs(documents))):
        h.update(str(path).encode() + Path(path).read_bytes())
    return h.hexdigest()


def document_key(doc, base: str) -> str:
    meta = {k: v for k, v in asdict(doc.meta).items() if k != "corpus_dir"}
    h = hashlib.sha1(base.encode())
    h.update(json.dumps(meta, ensure_ascii=False, sort_keys=True).encode())
    try:
        h.update(Path(doc.meta.file).read_bytes())
    except OSError:
        h.update(json.dumps(doc.to_dict(), ensure_ascii=False).encode())
    return h.hexdigest()


class Reuse:
    """The previous build's per-document cache (`old`, may be absent) and this build's (`new`)."""

    def __init__(self, old_store: Path | None, new_store: Path, documents, model: str) -> None:
        self.old = Path(old_store) / CACHE if old_store is not None else None
        self.new = Path(new_store) / CACHE
        self.new.mkdir(parents=True, exist_ok=True)
        self.new_index_path = Path(new_store) / CACHE_INDEX
        base = fingerprint(documents, model)
        self.keys = {d.id: document_key(d, base) for d in documents}
        old_index: dict[str, str] = {}
        if old_store is not None and (Path(old_store) / CACHE_INDEX).is_file():
            try:
                old_index = json.loads((Path(old_store) / CACHE_INDEX).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                old_index = {}
        self.report = ReuseReport()
        self.hits: set[str] = set()
        for doc_id, key in self.keys.items():
            if old_index.get(doc_id) == key and self.old is not None and (self.old / key / FACTS).is_file():
                self.report.reused.append(doc_id)
                self.hits.add(doc_id)
            elif doc_id in old_index:
                self.report.changed.append(doc_id)
            else:
                self.report.added.append(doc_id)
        self.report.removed = sorted(set(old_index) - set(self.keys))
        self._vectors: dict[bytes, np.ndarray] = {}

    # -- facts -----------------------------------------------------------------------------
    def facts(self, doc_id: str) -> dict | None:
        """The cached facts {(doc, number): ClauseFacts} of an unchanged document, else None."""
        if doc_id not in self.hits:
            return None
        with open(self.old / self.keys[doc_id] / FACTS, "rb") as f:
            return pickle.load(f)  # written by policykg's own previous build of this store

    def keep(self, doc_id: str, facts: dict) -> None:
        """Carry an unchanged document's cache entry into the new store, or write a new one."""
        key = self.keys[doc_id]
        target = self.new / key
        if doc_id in self.hits:
            if not target.exists():
                _link_tree(self.old / key, target)
            self._load_vectors(target)
            return
        target.mkdir(parents=True, exist_ok=True)
        with open(target / FACTS, "wb") as f:
            pickle.dump(facts, f, protocol=pickle.HIGHEST_PROTOCOL)

    # -- vectors ---------------------------------------------------------------------------
    def _load_vectors(self, folder: Path) -> None:
        path = folder / VECTORS
        if path.is_file():
            data = np.load(path)
            for digest, vec in zip(data["texts"], data["vectors"]):
                self._vectors[bytes(digest)] = vec

    def encoder(self, encode, documents):
        """An `encode(texts)` that embeds only texts no reused document had; new vectors are written to
        their documents' cache entries (`texts_of(doc)` decides which texts belong to which document)."""
        made: dict[bytes, np.ndarray] = {}

        def cached_encode(texts: list[str]) -> np.ndarray:
            digests = [_digest(t) for t in texts]
            missing = list(dict.fromkeys(d for d in digests if d not in self._vectors and d not in made))
            if missing:
                by_digest = {d: t for d, t in zip(digests, texts)}
                vecs = encode([by_digest[d] for d in missing])
                made.update(zip(missing, vecs))
            rows = [self._vectors.get(d) if d in self._vectors else made[d] for d in digests]
            return np.asarray(rows, dtype=np.float32) if rows else np.zeros((0, 1), np.float32)

        cached_encode.made = made
        return cached_encode

    def save_vectors(self, doc_id: str, texts: list[str], cached_encode) -> None:
        """Write the vectors of a new or changed document's texts into its cache entry."""
        if doc_id in self.hits or not texts:
            return
        digests = [_digest(t) for t in texts]
        vecs = [cached_encode.made.get(d, self._vectors.get(d)) for d in digests]
        pairs = [(d, v) for d, v in zip(digests, vecs) if v is not None]
        if pairs:
            np.savez(self.new / self.keys[doc_id] / VECTORS,
                     texts=np.asarray([np.frombuffer(d, np.uint8) for d, _ in pairs]),
                     vectors=np.asarray([v for _, v in pairs], np.float32))

    def commit(self) -> None:
        """Write the new store's {document: key} (after every entry is in place)."""
        self.new_index_path.write_text(json.dumps(self.keys, ensure_ascii=False), encoding="utf-8")


def _digest(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def _link_tree(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        try:
            os.link(path, target / path.name)
        except OSError:
            shutil.copy2(path, target / path.name)


__all__ = ["Reuse", "ReuseReport", "CACHE", "CACHE_INDEX"]

"""`PolicyKG`: the one object behind the command line, the HTTP API and the library.

It opens a built store lazily (documents, graph, search indexes, model) and offers every
operation users have: build, documents, search, ask, check, sparql, export. The CLI and the
FastAPI app are thin adapters over it.
"""
from __future__ import annotations

import json
import threading
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from policykg.errors import InputError, NotFound, StoreMissing
from policykg.ingest.model import SUB_ARTICLE, Clause, Document
from policykg.kg.build import DOCUMENTS, INDEX_DIR, MARKER, BuildReport, build_store, is_store
from policykg.ontology import clause_iri
from policykg.settings import Settings


class PolicyKG:
    def __init__(self, store: str | None = None, settings: Settings | None = None, **overrides: str | None) -> None:
        self.settings = settings or Settings.from_env(store=store, **overrides)
        if store is not None:
            self.settings.values["store"] = store
        self._lock = threading.RLock()

    # -- the store folder -------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return Path(self.settings.index_location)

    @property
    def index_dir(self) -> Path:
        return self.folder / INDEX_DIR

    def exists(self) -> bool:
        return is_store(self.folder)

    def _require(self) -> None:
        if not self.exists():
            raise StoreMissing(self.settings.store)

    @cached_property
    def info(self) -> dict[str, Any]:
        self._require()
        return json.loads((self.folder / MARKER).read_text(encoding="utf-8"))

    # -- build ------------------------------------------------------------------------
    def build(self, folders: list[Path], progress: Callable[[str], None] | None = None,
              strict: bool = False) -> BuildReport:
        report = build_store(folders, self.settings, progress, strict=strict)
        self._reset()
        return report

    def _reset(self) -> None:
        for name in ("info", "_documents", "graph", "searcher"):
            self.__dict__.pop(name, None)

    # -- documents and clauses --------------------------------------------------------
    @cached_property
    def _documents(self) -> dict[str, Document]:
        self._require()
        data = json.loads((self.folder / DOCUMENTS).read_text(encoding="utf-8"))
        return {d["meta"]["id"]: Document.from_dict(d) for d in data}

    def documents(self) -> list[Document]:
        return list(self._documents.values())

    def document(self, doc_id: str) -> Document:
        try:
            return self._documents[doc_id]
        except KeyError:
            known = ", ".join(self._documents) or "none"
            raise NotFound(f"no document {doc_id!r} in the store (documents: {known})") from None

    def clause(self, doc_id: str, number: int) -> Clause:
        doc = self.document(doc_id)
        clause = doc.clause(number)
        if clause is None:
            first, last = doc.clauses[0].number, max((c.number for c in doc.clauses if c.number < SUB_ARTICLE), default=0)
            raise NotFound(f"document {doc_id!r} has no clause {number} (it has {len(doc.clauses)} clauses, "
                           f"numbered {first}–{last})")
        return clause

    def clause_ref(self, clause: Clause, score: float | None = None) -> dict[str, Any]:
        """A clause reference as CONTRACT.md section 3 shapes it."""
        ref: dict[str, Any] = {
            "document": clause.document, "number": clause.number, "label": clause.label,
            "title": clause.title, "text": clause.text, "iri": str(clause_iri(clause.document, clause.number)),
        }
        if score is not None:
            ref["score"] = round(float(score), 4)
        return ref

    # -- graph --------------------------------------------------------------------------
    @cached_property
    def graph(self):
        from policykg.kg.backends import open_graph

        return open_graph(self.settings, self.folder)

    def sparql(self, query: str, fmt: str | None = None):
        """Run a read-only SPARQL query; returns a `Serialized` (body, media type, kind)."""
        return self.graph.serialize(query, fmt)

    def select(self, query: str) -> list[dict[str, Any]]:
        return self.graph.select(query)

    def export(self, fmt: str = "ttl") -> bytes:
        return self.graph.export(fmt)

    # -- search, ask, check -------------------------------------------------------------
    @cached_property
    def searcher(self):
        from policykg.search import Searcher

        return Searcher(self)

    def search(self, query: str, k: int = 5) -> dict[str, Any]:
        query = _clean_text(query, "query")
        if not 1 <= k <= 100:
            raise InputError(f"k must be between 1 and 100, not {k}")
        hits = self.searcher.search(query, k=k)
        return {"query": query, "hits": [self.clause_ref(self.clause(d, n), s) for (d, n), s in hits]}

    def ask(self, question: str) -> dict[str, Any]:
        from policykg.qa import answer

        return answer(self, _clean_text(question, "question"))

    def check(self, doc_id: str) -> dict[str, Any]:
        from policykg.check import run_check

        self.document(doc_id)
        return run_check(self, doc_id)


MAX_TEXT = 1000


def _clean_text(text: str, what: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise InputError(f"empty {what}: say what you are looking for")
    if len(text) > MAX_TEXT:
        raise InputError(f"{what} too long ({len(text)} characters; at most {MAX_TEXT})")
    return text

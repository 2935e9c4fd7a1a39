"""`PolicyKG`: the wiring shared by the command line, the HTTP server and library use.

It holds the settings, opens the `Store` (kg.store) and the `Searcher` (search) lazily, and
checks user input at the door. Everything else lives in the layers it wires: search, qa and
check take the store (or the searcher), never this object.

    kg = PolicyKG(store=".policykg")
    kg.ask("C类人才享受什么待遇？")
    kg.store.query("SELECT …", "csv").body
"""
from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from policykg.errors import InputError
from policykg.ingest.model import Clause, Document
from policykg.kg.query import QueryResult
from policykg.kg.store import Store
from policykg.settings import Settings


class PolicyKG:
    def __init__(self, store: str | None = None, settings: Settings | None = None, **overrides: str | None) -> None:
        self.settings = settings or Settings.from_env(store=store, **overrides)
        if store is not None:
            self.settings.values["store"] = store
        self._lock = threading.RLock()

    # -- the parts ------------------------------------------------------------------------
    @cached_property
    def store(self) -> Store:
        return Store(self.settings.store, self.settings)

    @cached_property
    def searcher(self):
        from policykg.search import Searcher

        return Searcher(self.store, self.settings)

    @property
    def info(self) -> dict[str, Any]:
        return self.store.info

    def exists(self) -> bool:
        return self.store.exists()

    # -- build ------------------------------------------------------------------------------
    def build(self, folders: list[Path], progress: Callable[[str], None] | None = None, strict: bool = False):
        from policykg.build import build_store

        report = build_store(folders, self.settings, progress, strict=strict)
        self.close()
        for name in ("store", "searcher"):
            self.__dict__.pop(name, None)
        return report

    # -- operations (input checked here, the work done by the layers) -------------------------
    def documents(self) -> list[Document]:
        return self.store.documents()

    def document(self, doc_id: str) -> Document:
        return self.store.document(doc_id)

    def clause(self, doc_id: str, number: int) -> Clause:
        return self.store.clause(doc_id, number)

    def clause_ref(self, clause: Clause, score: float | None = None) -> dict[str, Any]:
        return self.store.clause_ref(clause, score)

    def select(self, query: str) -> list[dict[str, Any]]:
        return self.store.select(query)

    def sparql(self, query: str, fmt: str | None = None, accept: list[str] | str | None = None, **limits) -> QueryResult:
        """A read-only SPARQL query, serialised (see `Store.query`)."""
        return self.store.query(query, fmt, accept, **limits)

    def export(self, fmt: str = "ttl") -> bytes:
        return self.store.export(fmt)

    def search(self, query: str, k: int = 5, as_of: str | None = None) -> dict[str, Any]:
        """Clauses of the texts in force on `as_of` (YYYY-MM-DD; today when None), best first."""
        from policykg.versions.chain import parse_as_of

        query = _clean_text(query, "query")
        if not 1 <= k <= 100:
            raise InputError(f"k must be between 1 and 100, not {k}")
        day = parse_as_of(as_of)
        hits = self.searcher.search(query, k=k, exclude=self.store.versions.excluded(day))
        return {"query": query,
                "hits": [self.store.clause_ref(self.store.clause(d, n), s, day) for (d, n), s in hits]}

    def ask(self, question: str, as_of: str | None = None) -> dict[str, Any]:
        """An answer from the texts in force on `as_of` (YYYY-MM-DD; today when None)."""
        from policykg.qa import answer
        from policykg.versions.chain import parse_as_of

        return answer(self.searcher, _clean_text(question, "question"), as_of=parse_as_of(as_of))

    def check(self, doc_id: str) -> dict[str, Any]:
        from policykg.check import run_check

        self.store.document(doc_id)
        result = run_check(self.store, doc_id, self.settings["model"])
        previous = self.store.versions.previous(doc_id)
        if previous and previous in self.store.versions.versions:
            from policykg.versions.diff import diff_documents

            # what the revision changes (新旧对照) against the version it revises
            result["revision"] = diff_documents(self.store.document(previous), self.store.document(doc_id)).to_dict()
        return result

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()


MAX_TEXT = 1000


def _clean_text(text: str, what: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise InputError(f"empty {what}: say what you are looking for")
    if len(text) > MAX_TEXT:
        raise InputError(f"{what} too long ({len(text)} characters; at most {MAX_TEXT})")
    return text

"""`Store`: one built policykg store — its folder layout, documents, graph, search indexes, alignments.

This module is the only code that knows the store's file names. A store is a location:

- a folder path (the graph in an embedded Oxigraph folder inside it), or
- `scheme:…` for another graph backend (`memory:`, `sparql+http://host/sparql`, see kg.backends);
  its documents and indexes then live in the local folder `index_dir` names.

Reading: `Store.open(location, settings)` (StoreMissing when nothing is built there).
Building: `Store.create(location, settings)` gives a `StoreDraft` in a temporary sibling folder;
`draft.commit(marker)` swaps it in (`swap`), `draft.discard()` throws it away.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Graph

from policykg.errors import InputError, NotFound, PolicyKGError, StoreMissing
from policykg.ingest.model import Clause, Document
from policykg.interrupts import deferred
from policykg.kg import formats
from policykg.kg.backends import GraphBackend, backend_for
from policykg.kg.lock import lock_store
from policykg.kg.query import QueryRequest, QueryResult, serialize
from policykg.settings import Settings

# the layout of a store folder (nothing else names these)
MARKER = "policykg.json"  # written last; its presence makes a folder a store
DOCUMENTS = "documents.json"
GRAPH = "graph"  # the graph backend's path (an Oxigraph folder, or the memory backend's N-Triples)
INDEX = "index"  # the search indexes (policykg.search.index writes and reads inside it)
ALIGNMENTS = "alignments.json"


class GraphUnavailable(PolicyKGError):
    """The graph backend failed (HTTP 503, exit 1): never answered as an empty result."""


def local_folder(location: str, settings: Settings) -> Path:
    """The local folder of documents and indexes for a store location."""
    if backend_for(location).in_folder:
        return Path(location)
    if settings["index_dir"]:
        return Path(settings["index_dir"])
    return Path(".policykg-remote") / hashlib.sha1(location.encode()).hexdigest()[:12]


def is_store(folder: Path) -> bool:
    return (Path(folder) / MARKER).is_file()


class Store:
    """A built store, opened lazily and read-only; thread-safe for reading."""

    def __init__(self, location: str | Path, settings: Settings | None = None) -> None:
        self.location = str(location)
        self.settings = settings or Settings.from_env(store=self.location)
        self.backend_class = backend_for(self.location)
        self.folder = local_folder(self.location, self.settings)
        self._lock = threading.Lock()
        self._pool = None

    @classmethod
    def open(cls, location: str | Path, settings: Settings | None = None) -> "Store":
        store = cls(location, settings)
        store.require()
        return store

    @classmethod
    def create(cls, location: str | Path, settings: Settings | None = None) -> "StoreDraft":
        return StoreDraft(str(location), settings or Settings.from_env(store=str(location)))

    # -- the layout ------------------------------------------------------------------------
    def exists(self) -> bool:
        return is_store(self.folder)

    def require(self) -> None:
        if not self.exists():
            raise StoreMissing(self.location)

    @property
    def index_dir(self) -> Path:
        """The folder of the search indexes (policykg.search.index names the files inside)."""
        return self.folder / INDEX

    @cached_property
    def info(self) -> dict[str, Any]:
        """The marker: version, build time, corpus, documents, triples, model, warnings."""
        self.require()
        return json.loads((self.folder / MARKER).read_text(encoding="utf-8"))

    def alignments(self) -> dict[str, Any] | None:
        """The build's alignments ({document: {parents, missing, pairs}}), None if the store has none."""
        path = self.folder / ALIGNMENTS
        if not path.is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))

    # -- documents and clauses -------------------------------------------------------------
    @cached_property
    def _documents(self) -> dict[str, Document]:
        self.require()
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
            raise NotFound(f"document {doc_id!r} has no clause {number} (it has 1–{len(doc.clauses)})")
        return clause

    @cached_property
    def versions(self):
        """Version chains and validity of the documents (policykg.versions.chain)."""
        from policykg.versions.chain import VersionIndex

        return VersionIndex(self.documents())

    def clause_ref(self, clause: Clause, score: float | None = None, as_of: str | None = None) -> dict[str, Any]:
        """A clause reference as CONTRACT.md section 3 shapes it, with its version and status on `as_of`."""
        from policykg.ontology import clause_iri

        ref: dict[str, Any] = {
            "document": clause.document, "number": clause.number, "label": clause.label,
            "title": clause.title, "text": clause.text, "iri": str(clause_iri(clause.document, clause.number)),
        }
        if score is not None:
            ref["score"] = round(float(score), 4)
        ref.update(self.versions.describe(clause.document, as_of))
        return ref

    # -- the graph -------------------------------------------------------------------------
    @cached_property
    def graph(self) -> GraphBackend:
        self.require()
        return self.backend_class.open(self.location, self.folder / GRAPH, self.settings)

    def select(self, sparql: str) -> list[dict[str, Any]]:
        """Rows of a SELECT as {variable: python value or None}; a failing backend raises."""
        return _guard(lambda: self.graph.select(sparql))

    def query(self, sparql: str, fmt: str | None = None, accept: list[str] | str | None = None, *,
              max_rows: int | None = None, timeout: float | None = None,
              default_graphs: list[str] | None = None, named_graphs: list[str] | None = None,
              base_iri: str | None = None, ticket=None) -> QueryResult:
        """A read-only query serialised in `fmt` (a short name, extension or media type) or else the best
        of `accept`; cut at `max_rows`; stopped after `timeout` seconds (embedded store: in a worker
        process). The CLI and the endpoint send `body` unchanged."""
        req = QueryRequest(sparql, fmt=fmt, accept=formats.parse_accept(accept) if isinstance(accept, str) or
                           accept is None else list(accept), max_rows=max_rows,
                           default_graphs=list(default_graphs or []), named_graphs=list(named_graphs or []),
                           base_iri=base_iri)
        graph = self.graph
        if timeout is not None and graph.worker_path is not None:
            return self._workers(graph.worker_path, timeout).run(req, ticket)  # ticket: kg.workers.Ticket
        started = time.perf_counter()
        return _guard(lambda: serialize(graph.run(req), req, started))

    def export(self, fmt: str = "ttl") -> bytes:
        return _guard(lambda: self.graph.export(formats.by_name(formats.RDF, fmt)))

    def __len__(self) -> int:
        return _guard(lambda: len(self.graph))

    def _workers(self, path: Path, timeout: float):
        from policykg.kg.workers import QueryPool

        with self._lock:
            if self._pool is None or self._pool.closed or self._pool.timeout != timeout:
                if self._pool is not None:
                    self._pool.close()
                self._pool = QueryPool(path, size=self.settings.get_int("sparql_workers"), timeout=timeout)
            return self._pool

    def warm_up(self, timeout: float) -> None:
        """Start the query workers for queries with this time limit (the first query is then fast)."""
        graph = self.graph
        if graph.worker_path is not None:
            pool = self._workers(graph.worker_path, timeout)
            if not pool.closed:
                pool.warm_up()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
        if "graph" in self.__dict__:
            self.graph.close()


def _guard(call):
    """Run a graph call; a backend failure that is not policykg's own error becomes GraphUnavailable."""
    try:
        return call()
    except PolicyKGError:
        raise
    except Exception as exc:
        raise GraphUnavailable(f"the graph store failed: {exc.__class__.__name__}: {' '.join(str(exc).split())}") \
            from exc


class StoreDraft:
    """A store being built in a temporary folder next to its target; swapped in by `commit`."""

    def __init__(self, location: str, settings: Settings) -> None:
        self.location = location
        self.settings = settings
        self.backend_class = backend_for(location)
        self.target = local_folder(location, settings)
        target = self.target
        if target.exists() and not is_store(target) and (not target.is_dir() or any(target.iterdir())):
            raise InputError(
                f"{target} exists and is not a policykg store: refusing to replace it (choose another --store)")
        target.parent.mkdir(parents=True, exist_ok=True)
        self.lock = lock_store(target)  # a second build of this store refuses (kg/lock.py)
        self.folder = target.parent / f".{target.name}.building-{os.getpid()}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir()

    @property
    def index_dir(self) -> Path:
        """Where the search indexes are written (created)."""
        (self.folder / INDEX).mkdir(exist_ok=True)
        return self.folder / INDEX

    def write_documents(self, documents: list[Document]) -> None:
        (self.folder / DOCUMENTS).write_text(json.dumps([d.to_dict() for d in documents], ensure_ascii=False),
                                             encoding="utf-8")

    def write_alignments(self, data: dict[str, Any]) -> None:
        (self.folder / ALIGNMENTS).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def write_graph(self, graph: Graph) -> int:
        """The graph into the backend (inside the new folder, or the remote store); its triple count."""
        return self.backend_class.write(self.location, self.folder / GRAPH, self.settings, graph)

    def commit(self, marker: dict[str, Any]) -> Store:
        """Write the marker last and swap the new folder in; the opened store."""
        (self.folder / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=2), encoding="utf-8")
        with deferred():  # Ctrl-C / SIGTERM wait until the swap is done
            swap(self.folder, self.target)
        return Store(self.location, self.settings)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "StoreDraft":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.discard()
        self.lock.release()


def swap(workdir: Path, target: Path) -> None:
    """Replace `target` with the finished `workdir` (the old store stays if the move fails)."""
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


__all__ = ["Store", "StoreDraft", "GraphUnavailable", "is_store", "swap"]

"""`Store`: one built policykg store — its folder layout, documents, graph, search indexes, alignments.

This module is the only code that knows the store's file names. A store is a location:

- a folder path (the graph in an embedded Oxigraph folder inside it), or
- `scheme:…` for another graph backend (`memory:`, `sparql+http://host/sparql`, see kg.backends);
  its documents and indexes then live in the local folder `index_dir` names.

The folder holds versions; one pointer file names the current one:

    <folder>/CURRENT                 "v-<id>" — replaced in one atomic step (temporary file, fsync, rename)
    <folder>/v-<id>/policykg.json    the marker, written last: format, parts (size + CRC-32 of each file)
    <folder>/v-<id>/documents.json, alignments.json, graph/, index/
    <folder>/v-<id>.building/        a build in progress (holds a flock); readers never look at it

A reader opens the version CURRENT names and checks the marker's inventory first (sizes, and CRC-32s of
the small files: a few ms), so a damaged or missing part is one `StoreDamaged` line, never an answer from
half a store. A build writes `v-<id>.building`, renames it to `v-<id>` when complete, then replaces
CURRENT: a build killed at any moment leaves the previous version current. The next build removes what
killed builds left, and keeps the version before the current one (a server may still be reading it).
A store of the first layout (the marker at the top of the folder, no CURRENT) still opens.

Reading: `Store.open(location, settings)` (StoreMissing when nothing is built there, StoreDamaged when a
part is damaged). `Store.generation()` is a cheap value that changes exactly when a new build becomes
current (a server polls it). Building: `Store.create(location, settings)` gives a `StoreDraft`;
`draft.commit(marker)` makes it current (`publish`), `draft.discard()` throws it away.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import threading
import time
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Graph

from policykg.errors import InputError, NotFound, PolicyKGError, StoreDamaged, StoreMissing
from policykg.ingest.model import SUB_ARTICLE, Clause, Document
from policykg.interrupts import deferred
from policykg.kg import formats
from policykg.kg import safefs
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
POINTER = "CURRENT"  # the name of the current version
BUILDING = ".building"  # suffix of a version being built
BUILD_LOCK = ".build.lock"  # inside a version being built: flock'd by the build while it runs
FORMAT = 2  # the store format this policykg writes and reads (1: the marker at the top, no versions)
PARTS = {"documents": DOCUMENTS, "alignments": ALIGNMENTS, "graph": GRAPH, "index": INDEX}
REQUIRED = ("documents",)  # the part every store has (the others: as the build wrote them)
GRAPH_SKIP = ("LOG", "LOCK")  # files RocksDB rewrites on open: not part of the inventory
_VERSION = re.compile(r"v-[0-9A-Za-z-]{1,80}")
LEGACY = "legacy"  # generation() of a store of the first layout


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
    folder = Path(folder)
    return (folder / POINTER).is_file() or (folder / MARKER).is_file()


def _only_ours(folder: Path) -> bool:
    """True for a folder holding only what builds write (versions, leftovers of killed builds)."""
    return all(_VERSION.fullmatch(p.name.removesuffix(BUILDING)) or p.name.startswith(f".{POINTER}.tmp")
               for p in folder.iterdir())


def read_pointer(folder: Path) -> str | None:
    """The current version's name (CURRENT), None when there is none; StoreDamaged when it is garbage."""
    try:
        raw = (Path(folder) / POINTER).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreDamaged(f"the store at {folder} cannot be read ({POINTER}: {exc.strerror})") from None
    name = raw.decode("ascii", "replace").strip()
    if not _VERSION.fullmatch(name):
        raise StoreDamaged(f"the store at {folder} is damaged ({POINTER} does not name a version); "
                           f"rebuild it with `policykg build --store {folder} --corpus …`")
    return name


def pause_point(name: str) -> None:
    """Test hook: when POLICYKG_TEST_PAUSE_AT names this point, say so on stderr and sleep there, so that
    a test can kill the build at a known moment. Inert when the variable is unset."""
    if os.environ.get("POLICYKG_TEST_PAUSE_AT") == name:
        sys.stderr.write(f"policykg: paused at {name}\n")
        sys.stderr.flush()
        time.sleep(float(os.environ.get("POLICYKG_TEST_PAUSE_SECONDS", "600")))


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
        """Raise StoreMissing when nothing is built here, StoreDamaged when a part is damaged (the inventory
        does not match, or the embedded graph does not open: its files are read as it opens)."""
        self.version_dir
        if self.backend_class.in_folder:
            self.graph

    def generation(self) -> str | None:
        """A cheap value that changes exactly when a new build becomes current: the current version's name
        (one small file read), "legacy" for a store of the first layout, None when there is no store."""
        name = read_pointer(self.folder)
        if name is None and (self.folder / MARKER).is_file():
            return LEGACY
        return name

    @property
    def version(self) -> str:
        """The version this Store object reads (fixed when it first opened it; compare with generation())."""
        self.require()
        return self._version

    @cached_property
    def version_dir(self) -> Path:
        """The folder of the current version, its inventory checked (once per Store object)."""
        name = read_pointer(self.folder)
        if name is None:
            if not (self.folder / MARKER).is_file():
                raise StoreMissing(self.location)
            self._version, folder = LEGACY, self.folder
        else:
            self._version, folder = name, self.folder / name
            if not folder.is_dir():
                raise self.damaged(f"its current version {name} is missing")
        self._marker = self._verify(folder, legacy=name is None)
        return folder

    def damaged(self, detail: str) -> StoreDamaged:
        corpus = getattr(self, "_marker", {}).get("corpus") or []
        how = " ".join(f"--corpus {c}" for c in corpus if isinstance(c, str)) or "--corpus …"
        return StoreDamaged(f"the store at {self.folder} is damaged ({detail}); "
                            f"rebuild it with `policykg build --store {self.location} {how}`")

    def _verify(self, folder: Path, legacy: bool) -> dict[str, Any]:
        try:
            marker = json.loads((folder / MARKER).read_bytes().decode("utf-8"))
        except FileNotFoundError:
            raise self.damaged(f"marker: {MARKER} is missing") from None
        except (ValueError, UnicodeDecodeError):
            raise self.damaged(f"marker: {MARKER} is not valid JSON") from None
        except OSError as exc:
            raise self.damaged(f"marker: {exc.strerror}") from None
        if not isinstance(marker, dict):
            raise self.damaged(f"marker: {MARKER} is not a JSON object")
        self._marker = marker
        fmt = marker.get("format", 1)
        if legacy and "format" not in marker:  # the first layout: no inventory, so the parts must be there
            for part in ("documents", "index") + (("graph",) if self.backend_class.in_folder else ()):
                if not (folder / PARTS[part]).exists():
                    raise self.damaged(f"{part}: {PARTS[part]} is missing")
            return marker
        if fmt != FORMAT or legacy:
            raise StoreDamaged(
                f"the store at {self.folder} was written by policykg {marker.get('policykg', '?')} in store format "
                f"{fmt}; this policykg reads format {FORMAT}: rebuild it with `policykg build --store {self.location}`")
        parts = marker.get("parts")
        if not isinstance(parts, dict) or any(p not in parts for p in REQUIRED):
            raise self.damaged("marker: it lists no inventory of the parts")
        for part, rows in parts.items():
            if part not in PARTS or not isinstance(rows, list) or \
                    not all(isinstance(r, list) and len(r) == 3 for r in rows):
                raise self.damaged(f"marker: bad inventory entry {part!r}")
            problem = safefs.check_inventory(folder / PARTS[part], rows, PARTS[part])
            if problem:
                raise self.damaged(f"{part}: {problem}")
        return marker

    @property
    def index_dir(self) -> Path:
        """The folder of the search indexes (policykg.search.index names the files inside)."""
        self.require()
        return self.version_dir / INDEX

    @property
    def info(self) -> dict[str, Any]:
        """The marker: format, version, build time, corpus, documents, triples, model, warnings, parts."""
        self.require()
        return self._marker

    def alignments(self) -> dict[str, Any] | None:
        """The build's alignments ({document: {parents, missing, pairs}}), None if the store has none."""
        self.require()
        path = self.version_dir / ALIGNMENTS
        if not path.is_file():
            return None
        return self._load_json(path, "alignments")

    def _load_json(self, path: Path, part: str):
        try:
            return json.loads(path.read_bytes().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise self.damaged(f"{part}: {path.name} is not valid JSON") from None
        except OSError as exc:
            raise self.damaged(f"{part}: {path.name}: {exc.strerror}") from None

    # -- documents and clauses -------------------------------------------------------------
    @cached_property
    def _documents(self) -> dict[str, Document]:
        self.require()
        data = self._load_json(self.version_dir / DOCUMENTS, "documents")
        try:
            return {d["meta"]["id"]: Document.from_dict(d) for d in data}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self.damaged(f"documents: {DOCUMENTS} has an unexpected shape ({exc.__class__.__name__})") \
                from None

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
        folder = self.version_dir
        try:
            return self.backend_class.open(self.location, folder / GRAPH, self.settings)
        except InputError:
            raise
        except Exception as exc:
            if not self.backend_class.in_folder and self.backend_class.scheme != "memory":
                raise  # a remote store that does not answer: not the folder's damage
            raise self.damaged(f"graph: {_graph_problem(exc, folder)}") from None

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
            pool = self._workers(graph.worker_path, timeout)
            if pool.known_cost(req) is None:  # new or slow: in a worker that can be stopped
                return pool.run(req, ticket)  # ticket: kg.workers.Ticket
        started = time.perf_counter()
        return _guard(lambda: serialize(graph.run(req), req, started))

    def known_cost(self, req: QueryRequest, timeout: float) -> float | None:
        """The seconds `req` (with this time limit) took on this store version, if that was within the
        `sparql_fast_ms` setting (it then runs in-process); None for a new or slow query."""
        graph = self.graph
        if graph.worker_path is None:
            return None
        return self._workers(graph.worker_path, timeout).known_cost(req)

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
                self._pool = QueryPool(path, size=self.settings.get_int("sparql_workers"), timeout=timeout,
                                       fast=self.settings.get_float("sparql_fast_ms") / 1000)
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


def _graph_problem(exc: Exception, folder: Path) -> str:
    """What is wrong with the graph files, in words (never the engine's exception name or its dump)."""
    text = " ".join(str(exc).split())
    m = re.search(r"(\d+\.(?:sst|log)|MANIFEST-\d+|CURRENT|OPTIONS-\d+)", text)
    if m:
        return f"{GRAPH}/{m.group(1)} is corrupt"
    if "No such file" in text or "does not exist" in text:
        return f"a file of {GRAPH}/ is missing"
    return f"{GRAPH}/ does not open as a graph store"


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
    """A new version being built inside the store folder (`v-<id>.building`); made current by `commit`."""

    def __init__(self, location: str, settings: Settings) -> None:
        self.location = location
        self.settings = settings
        self.backend_class = backend_for(location)
        self.target = local_folder(location, settings)
        target = self.target
        target.parent.mkdir(parents=True, exist_ok=True)
        self.lock = lock_store(target)  # a second build of this store refuses (kg/lock.py)
        try:
            recover_first_layout(target)
            if target.exists() and not is_store(target) and (not target.is_dir() or not _only_ours(target)):
                raise InputError(f"{target} exists and is not a policykg store: refusing to replace it "
                                 "(choose another --store)")
            target.mkdir(exist_ok=True)
            cleanup(target)  # under the store's lock: no other build is writing here
        except BaseException:
            self.lock.release()
            raise
        self.version = f"v-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{os.getpid()}-{secrets.token_hex(2)}"
        self.folder = target / f"{self.version}{BUILDING}"
        self.folder.mkdir()
        self._lock: safefs.BuildLock | None = safefs.BuildLock(self.folder / BUILD_LOCK)

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

    def inventory(self) -> dict[str, list]:
        """{part: [[file, size, crc32 or None], …]} of what this build wrote (the graph folder: sizes only)."""
        parts = {}
        for part, name in PARTS.items():
            path = self.folder / name
            if path.exists():
                in_rocksdb = part == "graph" and path.is_dir()
                parts[part] = safefs.inventory(path, checksums=not in_rocksdb,
                                               skip=GRAPH_SKIP if in_rocksdb else ())
        return parts

    def commit(self, marker: dict[str, Any]) -> Store:
        """Write the marker (format, inventory) last, flush everything, and make this version current."""
        marker = {**marker, "format": FORMAT, "version": self.version, "parts": self.inventory()}
        (self.folder / MARKER).write_text(json.dumps(marker, ensure_ascii=False, indent=2), encoding="utf-8")
        pause_point("marker")
        safefs.fsync_tree(self.folder)
        with deferred():  # Ctrl-C / SIGTERM wait until the new version is current
            publish(self.folder, self.target, self.version)
        self._release()
        return Store(self.location, self.settings)

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self._release()

    def __enter__(self) -> "StoreDraft":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.discard()
        self.lock.release()


def publish(workdir: Path, target: Path, version: str) -> None:
    """Make the finished `workdir` the current version of the store `target`: rename it to its version name,
    then replace CURRENT in one atomic step; prune versions no reader needs any more."""
    try:
        previous = read_pointer(target)
    except StoreDamaged:  # a garbage pointer: the rebuild the message asked for replaces it
        previous = None
    if previous is None and (target / MARKER).is_file():
        previous = LEGACY
    final = target / version
    try:
        os.replace(workdir, final)
        safefs.fsync_dir(target)
        pause_point("swap")
        safefs.atomic_write(target / POINTER, f"{version}\n".encode("ascii"))
    except OSError as exc:
        raise PolicyKGError(f"could not make the new store current in {target}: {exc.strerror}") from None
    (final / BUILD_LOCK).unlink(missing_ok=True)
    prune(target, keep={version, previous})


def prune(target: Path, keep: set[str | None]) -> None:
    """Remove complete versions other than `keep` (the current one and the one before it: a server may
    still read it until it switches), and the first layout's files once a later version replaced them."""
    current = read_pointer(target)
    for path in target.iterdir():
        if path.is_dir() and _VERSION.fullmatch(path.name) and path.name not in keep and path.name != current:
            shutil.rmtree(path, ignore_errors=True)
    if current is not None and LEGACY not in keep:
        for name in (MARKER, DOCUMENTS, ALIGNMENTS, GRAPH, INDEX):
            path = target / name
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def cleanup(target: Path) -> list[Path]:
    """Remove what killed builds left: `v-*.building` folders no running build holds, stray CURRENT
    temporaries, and the first layout's `.<store>.building-<pid>` / `.<store>.old-<pid>` siblings.
    Complete versions are left to `prune` (the one before the current may still be read)."""
    removed = []
    for path in list(target.iterdir()) if target.is_dir() else []:
        if path.name.endswith(BUILDING) and path.is_dir():
            lock = path / BUILD_LOCK
            if lock.exists():
                if safefs.held_by_live_process(lock):
                    continue
            elif time.time() - path.stat().st_mtime < 60:  # just created; its build may not hold the lock yet
                continue
        elif not path.name.startswith(f".{POINTER}.tmp-"):
            continue
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        removed.append(path)
    for path in _first_layout_siblings(target):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _first_layout_siblings(target: Path) -> list[Path]:
    pattern = re.compile(rf"\.{re.escape(target.name)}\.(?:building|old)-(\d+)")
    found = []
    if target.parent.is_dir():
        for path in target.parent.iterdir():
            m = pattern.fullmatch(path.name)
            if m and path.is_dir() and not safefs.pid_alive(int(m.group(1))):
                found.append(path)
    return found


def recover_first_layout(target: Path) -> None:
    """A build of the first layout killed between its two renames left no store at `target` and the old
    one at `.<store>.old-<pid>`: move it back."""
    if is_store(target) or (target.exists() and (not target.is_dir() or any(target.iterdir()))):
        return
    for path in _first_layout_siblings(target):
        if path.name.startswith(f".{target.name}.old-") and is_store(path):
            if target.exists():
                target.rmdir()
            os.replace(path, target)
            return


__all__ = ["Store", "StoreDraft", "GraphUnavailable", "is_store", "publish", "cleanup", "pause_point"]

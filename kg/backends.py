"""Graph backends behind one interface, chosen by the store location's scheme from a registry.

| scheme | class | the graph lives |
| --- | --- | --- |
| (a folder path) | `OxigraphGraph` | in an embedded Oxigraph (RocksDB) folder inside the store folder |
| `memory:` | `MemoryGraph` | in memory, loaded from an N-Triples file inside the store folder |
| `sparql+http://…`, `sparql+https://…` | `policykg.kg.remote.RemoteSparqlGraph` | in a SPARQL 1.1 store |

A new backend is one module with a `GraphBackend` subclass plus one `register(scheme, cls)`.
A backend opens and writes one *path* the `Store` gives it (it never names store files), runs
queries (`run` → a pyoxigraph result) and exports the graph.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import ClassVar, Iterator

import pyoxigraph as ox
from rdflib import Graph

from policykg.errors import InputError, PolicyKGError
from policykg.kg import formats
from policykg.kg.query import QueryRequest, check_query, run_on
from policykg.settings import Settings


class GraphBackend:
    """The graph part of a store. Subclasses set `scheme` and implement `open`, `write`, `run`."""

    scheme: ClassVar[str] = ""
    in_folder: ClassVar[bool] = True  # True: the location is the store folder; False: a URL (folder from index_dir)
    worker_path: Path | None = None  # an Oxigraph folder worker processes can open read-only (timeouts)

    @classmethod
    def open(cls, location: str, path: Path, settings: Settings) -> "GraphBackend":
        raise NotImplementedError

    @classmethod
    def write(cls, location: str, path: Path, settings: Settings, graph: Graph) -> int:
        """Build time: store `graph` (in `path` of the new store folder, or at `location`); triple count."""
        raise NotImplementedError

    def run(self, req: QueryRequest):
        """A read-only query → a pyoxigraph result (QuerySolutions, QueryBoolean or QueryTriples)."""
        raise NotImplementedError

    def select(self, sparql: str) -> list[dict[str, object]]:
        """Rows of a SELECT as {variable: python value (str, int, Decimal, float, bool) or None}."""
        result = self.run(QueryRequest(sparql))
        if not isinstance(result, ox.QuerySolutions):
            raise InputError("select() needs a SELECT query")
        names = [v.value for v in result.variables]
        return [{n: _py(row[n]) for n in names} for row in result]

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"]) if rows else 0

    def export(self, fmt: formats.Format) -> bytes:
        from policykg.kg.query import dump

        return dump(list(self.run(QueryRequest("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))), fmt)

    def close(self) -> None:
        pass


class OxigraphGraph(GraphBackend):
    """The embedded store: a pyoxigraph RocksDB folder, opened read-only."""

    scheme = "oxigraph"

    def __init__(self, store: ox.Store, path: Path | None = None) -> None:
        self._store = store
        self.worker_path = path

    @classmethod
    def open(cls, location: str, path: Path, settings: Settings) -> "OxigraphGraph":
        try:
            return cls(ox.Store.read_only(str(path)), path)
        except OSError as exc:
            raise PolicyKGError(f"cannot open the graph store {path}: {exc}") from None

    @classmethod
    def write(cls, location: str, path: Path, settings: Settings, graph: Graph) -> int:
        path.mkdir(parents=True, exist_ok=True)
        store = ox.Store(str(path))
        store.bulk_load(*_ntriples(graph))
        store.flush()
        count = len(store)
        del store
        return count

    def run(self, req: QueryRequest):
        return run_on(self._store, req)

    def __len__(self) -> int:
        return len(self._store)

    def export(self, fmt: formats.Format) -> bytes:
        out = io.BytesIO()
        if fmt.quads:
            self._store.dump(out, format=fmt.ox)
        else:
            self._store.dump(out, format=fmt.ox, from_graph=ox.DefaultGraph())
        return out.getvalue()

    def triples(self) -> Iterator[ox.Quad]:
        return iter(self._store)

    def rdflib_graph(self) -> Graph:
        """The same store through rdflib's Graph API (oxrdflib): graph.value(), triples(), SPARQL…"""
        from oxrdflib import OxigraphStore as RdflibOxigraph
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        return Graph(store=RdflibOxigraph(store=self._store), identifier=DATASET_DEFAULT_GRAPH_ID)


class MemoryGraph(OxigraphGraph):
    """The graph in memory (small corpora, tests, the library), saved as N-Triples in the store folder."""

    scheme = "memory"
    in_folder = False

    @classmethod
    def open(cls, location: str, path: Path, settings: Settings) -> "MemoryGraph":
        store = ox.Store()
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        except (OSError, SyntaxError) as exc:
            raise PolicyKGError(f"cannot load the graph file {path}: {exc}") from None
        return cls(store, None)

    @classmethod
    def write(cls, location: str, path: Path, settings: Settings, graph: Graph) -> int:
        data, fmt = _ntriples(graph)
        path.write_bytes(data)
        return len(graph)


# -- the registry ---------------------------------------------------------------------------
# scheme → backend class, or "module:Class" (imported when first used)
BACKENDS: dict[str, type[GraphBackend] | str] = {
    "oxigraph": OxigraphGraph,
    "memory": MemoryGraph,
    "sparql+http": "policykg.kg.remote:RemoteSparqlGraph",
    "sparql+https": "policykg.kg.remote:RemoteSparqlGraph",
}
DEFAULT = "oxigraph"  # a location without a scheme is a folder
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]+):")


def register(scheme: str, backend: type[GraphBackend] | str) -> None:
    """Add (or replace) the backend for locations `scheme:…`."""
    BACKENDS[scheme.lower()] = backend


def scheme_of(location: str) -> str:
    m = _SCHEME.match(location)
    if m is None:
        return DEFAULT
    scheme = m.group(1).lower()
    if scheme not in BACKENDS:
        known = ", ".join(f"{s}:" for s in BACKENDS if s != DEFAULT)
        raise InputError(f"unknown store scheme {scheme!r} in {location!r}: use a folder, or one of {known}")
    return scheme


def backend_for(location: str) -> type[GraphBackend]:
    """The backend class of a store location (InputError for an unknown scheme)."""
    scheme = scheme_of(location)
    entry = BACKENDS[scheme]
    if isinstance(entry, str):
        import importlib

        module, _, name = entry.partition(":")
        entry = BACKENDS[scheme] = getattr(importlib.import_module(module), name)
    return entry


def _ntriples(graph: Graph) -> tuple[bytes, ox.RdfFormat]:
    """A graph as N-Triples, or a dataset (named graphs) as N-Quads, for bulk loading."""
    from rdflib import Dataset

    if isinstance(graph, Dataset):
        return graph.serialize(format="nquads", encoding="utf-8"), ox.RdfFormat.N_QUADS
    return graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES


def _py(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith(("#integer", "#int", "#long", "#short", "#nonNegativeInteger")):
            return int(term.value)
        if dt.endswith("#decimal"):
            from decimal import Decimal

            return Decimal(term.value)
        if dt.endswith("#double") or dt.endswith("#float"):
            return float(term.value)
        if dt.endswith("#boolean"):
            return term.value in ("true", "1")
        return term.value
    return term.value


__all__ = ["GraphBackend", "OxigraphGraph", "MemoryGraph", "BACKENDS", "register", "backend_for", "check_query"]

"""Graph stores behind one interface: embedded Oxigraph (default), in memory, remote SPARQL.

A store answers SPARQL 1.1 queries in any result format the contract names and loads a
whole graph at build time. Query results are returned serialised (bytes + media type) for
the CLI and the endpoint, or as Python rows for the library.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox
from rdflib import Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from policykg.errors import InputError

# format name → (media type, pyoxigraph results format, pyoxigraph RDF format)
RESULT_FORMATS = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON, None),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML, None),
    "csv": ("text/csv; charset=utf-8", ox.QueryResultsFormat.CSV, None),
    "tsv": ("text/tab-separated-values; charset=utf-8", ox.QueryResultsFormat.TSV, None),
}
GRAPH_FORMATS = {
    "ttl": ("text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
    "xml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}


@dataclass
class Serialized:
    body: bytes
    media_type: str
    kind: str  # "select", "ask" or "graph"


_STRINGS = re.compile(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_IRIS = re.compile(r"<[^<>\s]*>")
_COMMENTS = re.compile(r"#[^\n]*")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_UPDATE = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _code(sparql: str) -> str:
    """The query without string literals, IRIs and comments (what keywords can hide in)."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), sparql)
    text = _STRINGS.sub('""', text)
    text = _IRIS.sub("<>", text)
    return _COMMENTS.sub("", text)


def check_query(sparql: str) -> str:
    """Refuse what a read-only store must not run (InputError): see `policykg.kg.guard`."""
    from policykg.kg.guard import check

    check(sparql)
    return sparql


def syntax_error(sparql: str, exc: Exception) -> InputError:
    """The InputError for a query the engine could not parse: an update, or malformed."""
    if _UPDATE.search(_code(sparql)):
        try:
            from rdflib.plugins.sparql.parser import parseUpdate

            parseUpdate(sparql)
            return InputError("SPARQL updates (INSERT, DELETE, LOAD, CLEAR, …) are not allowed: the store is read-only")
        except Exception:
            pass
    return InputError(f"malformed SPARQL query: {' '.join(str(exc).split())}")


class OxigraphStore:
    """The embedded store: a pyoxigraph RocksDB folder (read-only unless built)."""

    name = "oxigraph"

    def __init__(self, folder: Path, *, writable: bool = False) -> None:
        self.folder = Path(folder)
        self._store = ox.Store(str(self.folder)) if writable else ox.Store.read_only(str(self.folder))

    @classmethod
    def create(cls, folder: Path) -> "OxigraphStore":
        Path(folder).mkdir(parents=True, exist_ok=True)
        return cls(folder, writable=True)

    def load_graph(self, graph: Graph) -> int:
        data = graph.serialize(format="nt", encoding="utf-8")
        self._store.clear()
        self._store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        self._store.flush()
        return len(self._store)

    def __len__(self) -> int:
        return len(self._store)

    def query(self, sparql: str):
        try:
            return self._store.query(check_query(sparql))
        except SyntaxError as exc:
            raise syntax_error(sparql, exc) from None

    def select(self, sparql: str) -> list[dict[str, object]]:
        """Rows of a SELECT as {variable: python value (str, int, float, Decimal…) or None}."""
        result = self.query(sparql)
        names = [v.value for v in result.variables]
        return [{n: _py(row[n]) for n in names} for row in result]

    def serialize(self, sparql: str, fmt: str | None = None) -> Serialized:
        return serialize_result(self.query(sparql), fmt)

    def export(self, fmt: str = "ttl") -> bytes:
        if fmt not in GRAPH_FORMATS:
            raise InputError(f"unknown export format {fmt!r}: use ttl, nt, jsonld or trig")
        media, gfmt = GRAPH_FORMATS[fmt]
        out = io.BytesIO()
        if gfmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
            self._store.dump(out, format=gfmt)
        else:
            self._store.dump(out, format=gfmt, from_graph=ox.DefaultGraph())
        return out.getvalue()

    def triples(self) -> Iterator[ox.Quad]:
        return iter(self._store)

    def rdflib_graph(self) -> Graph:
        """The same store through rdflib's Graph API (oxrdflib): graph.value(), triples(), SPARQL…"""
        from oxrdflib import OxigraphStore as RdflibOxigraph

        return Graph(store=RdflibOxigraph(store=self._store), identifier=DATASET_DEFAULT_GRAPH_ID)


class MemoryStore(OxigraphStore):
    """The same store in memory (tests, the library, small corpora); nothing is persisted."""

    name = "memory"

    def __init__(self) -> None:  # noqa: D107 - no folder
        self.folder = None
        self._store = ox.Store()


def serialize_result(result, fmt: str | None = None) -> Serialized:
    """A pyoxigraph query result in a contract format (InputError for a format that does not fit)."""
    if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
        fmt = fmt or "json"
        if fmt not in RESULT_FORMATS:
            raise InputError(f"format {fmt!r} does not fit a SELECT/ASK result: use json, xml, csv or tsv")
        media, rfmt, _ = RESULT_FORMATS[fmt]
        kind = "ask" if isinstance(result, ox.QueryBoolean) else "select"
        return Serialized(result.serialize(format=rfmt), media, kind)
    fmt = fmt or "ttl"
    if fmt not in GRAPH_FORMATS:
        raise InputError(f"format {fmt!r} does not fit a CONSTRUCT/DESCRIBE result: use ttl, nt, jsonld or trig")
    media, gfmt = GRAPH_FORMATS[fmt]
    return Serialized(result.serialize(format=gfmt), media, "graph")


def _py(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = term.datatype.value
        if dt.endswith("#integer") or dt.endswith("#int"):
            return int(term.value)
        if dt.endswith("#decimal"):
            from decimal import Decimal

            return Decimal(term.value)
        if dt.endswith("#double") or dt.endswith("#float"):
            return float(term.value)
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value

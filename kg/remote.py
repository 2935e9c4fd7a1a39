"""A remote SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, Oxigraph server …) as a graph backend.

`--store sparql+http://host:port/sparql` names it: the `sparql+` prefix is dropped and the same
URL serves queries and updates (SPARQL 1.1 Protocol, POST, JSON results). policykg keeps its
triples in one named graph (GRAPH_IRI) and sends it as `default-graph-uri`, so the store's own
data (Virtuoso's system graphs) never mixes in. Queries are checked and parsed locally first
(pyoxigraph) so every backend refuses the same queries with the same message.
"""
from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache

import httpx
import pyoxigraph as ox
from rdflib import Graph

from policykg.errors import InputError, PolicyKGError
from policykg.kg import formats
from policykg.kg.backends import GraphBackend
from policykg.kg.query import QueryRequest, check_query, syntax_error
from policykg.settings import Settings

GRAPH_IRI = "https://w3id.org/policykg/graph"
CHUNK = 500  # triples per INSERT DATA (Virtuoso refuses updates that compile to >10000 lines of SQL)
JSON_RESULTS = "application/sparql-results+json"
XSD = "http://www.w3.org/2001/XMLSchema#"


class RemoteSparqlGraph(GraphBackend):
    scheme = "sparql+http"
    in_folder = False

    def __init__(self, endpoint: str, *, user: str = "", password: str = "", timeout: float = 30.0,
                 graph: str = GRAPH_IRI) -> None:
        if endpoint.startswith("sparql+"):
            endpoint = endpoint[len("sparql+"):]
        if not endpoint.startswith(("http://", "https://")):
            raise InputError(f"not a SPARQL endpoint URL: {endpoint!r} (use sparql+http://host:port/sparql)")
        self.endpoint = endpoint
        self.graph = graph
        self.timeout = timeout
        self._auth = (user, password) if user else None
        self._client = httpx.Client(timeout=httpx.Timeout(max(timeout, 5.0) + 5, connect=5.0))

    @classmethod
    def open(cls, location: str, path, settings: Settings) -> "RemoteSparqlGraph":
        try:
            timeout = settings.get_float("sparql_timeout")
        except ValueError:
            raise InputError("POLICYKG_SPARQL_TIMEOUT must be a number of seconds") from None
        return cls(location, user=settings["remote_user"], password=settings["remote_password"], timeout=timeout)

    @classmethod
    def write(cls, location: str, path, settings: Settings, graph: Graph) -> int:
        store = cls.open(location, path, settings)
        try:
            return store.load_graph(graph)
        finally:
            store.close()

    # -- HTTP ---------------------------------------------------------------------------
    def _post(self, data: dict, accept: str, *, timeout: float | None = None) -> httpx.Response:
        try:
            response = self._client.post(self.endpoint, data=data, headers={"Accept": accept},
                                         timeout=timeout or self._client.timeout)
            if response.status_code == 401 and self._auth:
                auth = (httpx.DigestAuth(*self._auth) if "digest" in response.headers.get("www-authenticate", "").lower()
                        else httpx.BasicAuth(*self._auth))
                response = self._client.post(self.endpoint, data=data, headers={"Accept": accept}, auth=auth,
                                             timeout=timeout or self._client.timeout)
        except httpx.TimeoutException:
            raise PolicyKGError(f"the SPARQL store at {self.endpoint} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise PolicyKGError(f"cannot reach the SPARQL store at {self.endpoint}: {exc} "
                                "(is it running? check --store / POLICYKG_STORE)") from None
        if response.status_code >= 400:
            message = " ".join(response.text.split())[:300]
            if response.status_code in (401, 403):
                raise PolicyKGError(f"the SPARQL store at {self.endpoint} refused the request "
                                    f"({response.status_code}): set POLICYKG_REMOTE_USER/PASSWORD or grant updates")
            raise PolicyKGError(f"the SPARQL store at {self.endpoint} answered {response.status_code}: {message}")
        return response

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update (loading only: the query methods are read-only)."""
        self._post({"update": sparql}, "*/*", timeout=max(self.timeout, 120.0))

    # -- loading ------------------------------------------------------------------------
    def load_graph(self, graph: Graph) -> int:
        """Replace policykg's named graph with `graph` (no blank nodes: every resource has an IRI)."""
        self.update(f"CLEAR SILENT GRAPH <{self.graph}>")
        lines = [line for line in graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
                 if line.strip()]
        if any(line.startswith("_:") or " _:" in line for line in lines):
            raise PolicyKGError("the graph has blank nodes, which a remote store cannot take by SPARQL Update")
        for i in range(0, len(lines), CHUNK):
            body = "\n".join(lines[i:i + CHUNK])
            self.update(f"INSERT DATA {{ GRAPH <{self.graph}> {{\n{body}\n}} }}")
        return len(self)

    # -- queries ------------------------------------------------------------------------
    def _kind(self, sparql: str) -> str:
        """select / ask / graph, from a local parse (which also refuses what is not a query)."""
        check_query(sparql)
        try:
            result = ox.Store().query(sparql)
        except SyntaxError as exc:
            raise syntax_error(sparql, exc) from None
        except OSError:
            result = None  # e.g. a FROM that would load a URL: let the store answer it
        if isinstance(result, ox.QueryBoolean):
            return "ask"
        if isinstance(result, ox.QuerySolutions) or result is None:
            return "select"
        return "graph"

    def _json(self, sparql: str) -> dict:
        response = self._post({"query": sparql, "default-graph-uri": self.graph}, JSON_RESULTS)
        try:
            return _normalise(json.loads(response.content))
        except ValueError:
            raise PolicyKGError(f"the SPARQL store at {self.endpoint} did not answer with SPARQL JSON results") from None

    def _triples(self, sparql: str) -> ox.Store:
        response = self._post({"query": sparql, "default-graph-uri": self.graph},
                              "application/n-triples, text/plain;q=0.9, text/turtle;q=0.8")
        media = response.headers.get("content-type", "").split(";")[0].strip()
        fmt = ox.RdfFormat.TURTLE if media in ("text/turtle", "application/x-turtle") else ox.RdfFormat.N_TRIPLES
        store = ox.Store()
        try:
            triples = ox.parse(response.content, format=fmt)
            store.extend(ox.Quad(q.subject, q.predicate, _retype(q.predicate, q.object), ox.DefaultGraph())
                         for q in triples)
        except SyntaxError as exc:
            raise PolicyKGError(f"the SPARQL store at {self.endpoint} sent triples that do not parse: {exc}") from None
        return store

    def run(self, req: QueryRequest):
        """A pyoxigraph result object, as the embedded store returns."""
        if req.default_graphs or req.named_graphs:
            raise InputError("default-graph-uri / named-graph-uri are not supported when the store is a remote "
                             "SPARQL endpoint: query that endpoint directly")
        sparql = req.query
        kind = self._kind(sparql)
        if kind == "graph":
            return self._triples(sparql).query("CONSTRUCT WHERE { ?s ?p ?o }")
        body = json.dumps(self._json(sparql)).encode("utf-8")
        return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)

    def select(self, sparql: str) -> list[dict[str, object]]:
        """Rows of a SELECT as {variable: python value (str, int, Decimal …) or None}."""
        if self._kind(sparql) != "select":
            raise InputError("select() needs a SELECT query")
        doc = self._json(sparql)
        names = doc["head"].get("vars", [])
        return [{n: _py(row.get(n)) for n in names} for row in doc["results"]["bindings"]]

    def export(self, fmt: formats.Format) -> bytes:
        store = self._triples("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        total = len(self)
        if len(store) < total:
            # the store cut the result (a row cap such as Virtuoso's ResultSetMaxRows): one predicate at a time
            store = ox.Store()
            for row in self.select("SELECT DISTINCT ?p WHERE { ?s ?p ?o }"):
                store.extend(self._triples(f"CONSTRUCT {{ ?s <{row['p']}> ?o }} WHERE {{ ?s <{row['p']}> ?o }}"))
            if len(store) < total:
                raise PolicyKGError(f"the SPARQL store at {self.endpoint} returned {len(store)} of {total} triples: "
                                    "raise its result row limit (Virtuoso: ResultSetMaxRows) to export")
        import io

        out = io.BytesIO()
        if fmt.quads:
            store.dump(out, format=fmt.ox)
        else:
            store.dump(out, format=fmt.ox, from_graph=ox.DefaultGraph())
        return out.getvalue()

    def close(self) -> None:
        self._client.close()


@lru_cache(maxsize=1)
def _decimal_properties() -> frozenset[str]:
    """Properties whose range is xsd:decimal in the ontology."""
    from rdflib import RDFS
    from rdflib import XSD as RXSD

    from policykg.ontology import ONTOLOGY_FILE

    graph = Graph().parse(ONTOLOGY_FILE, format="turtle")
    return frozenset(str(p) for p in graph.subjects(RDFS.range, RXSD.decimal))


def _retype(predicate: ox.NamedNode, term):
    """Virtuoso returns a whole xsd:decimal as xsd:integer: give a decimal property its datatype back."""
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "integer" \
            and predicate.value in _decimal_properties():
        return ox.Literal(term.value, datatype=ox.NamedNode(XSD + "decimal"))
    return term


RemoteSparqlStore = RemoteSparqlGraph  # the name earlier versions used


def _normalise(doc: dict) -> dict:
    """SPARQL JSON as the 1.1 spec writes it (Virtuoso still says "typed-literal")."""
    for row in doc.get("results", {}).get("bindings", []):
        for value in row.values():
            if value.get("type") == "typed-literal":
                value["type"] = "literal"
            if value.get("datatype") == XSD + "string":
                del value["datatype"]  # Virtuoso types non-ASCII strings (virtuoso#1361)
    return doc


def _py(value: dict | None):
    if value is None:
        return None
    text = value.get("value")
    dt = value.get("datatype", "")
    if value.get("type") == "literal" and dt:
        if dt in (XSD + "integer", XSD + "int", XSD + "long", XSD + "short", XSD + "nonNegativeInteger"):
            return int(text)
        if dt == XSD + "decimal":
            return Decimal(text)
        if dt in (XSD + "double", XSD + "float"):
            return float(text)
        if dt == XSD + "boolean":
            return text in ("true", "1")
    return text

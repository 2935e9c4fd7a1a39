"""A toy graph backend for the store registry test: the graph as one Turtle file, read into memory.

It is the whole of what a new store takes: this module, plus `register("toy", TurtleFileGraph)`.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from policykg.kg.backends import GraphBackend
from policykg.kg.query import QueryRequest, run_on
from policykg.settings import Settings


class TurtleFileGraph(GraphBackend):
    scheme = "toy"
    in_folder = False  # `toy:` is not a folder: documents and indexes live in index_dir

    def __init__(self, store: ox.Store) -> None:
        self._store = store

    @classmethod
    def open(cls, location: str, path: Path, settings: Settings) -> "TurtleFileGraph":
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        return cls(store)

    @classmethod
    def write(cls, location: str, path: Path, settings: Settings, graph: Graph) -> int:
        path.write_bytes(graph.serialize(format="turtle", encoding="utf-8"))
        return len(graph)

    def run(self, req: QueryRequest):
        return run_on(self._store, req)


class BrokenGraph(TurtleFileGraph):
    """A backend whose queries fail as a real one can (a dropped connection, a corrupt file)."""

    scheme = "broken"

    def run(self, req: QueryRequest):
        raise RuntimeError("connection reset by peer")

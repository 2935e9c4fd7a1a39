"""The structure the code keeps (issue 10), asserted on the source and on real stores.

- import rules: nothing under search/, qa/, check/, api/ imports the facade (policykg.app); kg/
  imports no search, qa, check or api module; the store's file names appear only in kg/store.py;
- the store registry: a new backend is one module plus one registration (tests/toystore.py);
- a failing graph backend is an error the caller sees (exit 1 / HTTP 503), never 0 facts.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT
from fastapi.testclient import TestClient


PACKAGES = {"ingest", "extract", "kg", "search", "qa", "check", "api", "ontology", "policykg"}
STORE_FILES = re.compile(r"""["'](policykg\.json|documents\.json|alignments\.json)["']|/\s*["'](graph|index)["']""")


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved inside its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = "policykg" if path.parent.name == "policykg" else f"policykg.{path.parent.name}"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            out.add(module)
            out.update(f"{module}.{a.name}" for a in node.names)
    return out


@pytest.mark.parametrize("folder", ["search", "qa", "check", "api"])
def test_layers_do_not_import_the_facade(folder):
    for path in _modules(folder):
        bad = {m for m in _imports(path) if m == "policykg.app" or m.startswith("policykg.app.")}
        assert not bad, f"{path.relative_to(ROOT)} imports the PolicyKG facade: take a Store (or a Searcher)"


def test_kg_imports_no_layer_above_it():
    above = ("policykg.search", "policykg.qa", "policykg.check", "policykg.api", "policykg.app", "policykg.build",
             "policykg.cli")
    for path in _modules("kg"):
        bad = {m for m in _imports(path) if m.startswith(above)}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


def test_store_file_names_live_in_the_store_module_only():
    owner = ROOT / "kg" / "store.py"
    assert STORE_FILES.search(owner.read_text(encoding="utf-8"))
    for folder in sorted(PACKAGES):
        for path in _modules(folder):
            if path == owner:
                continue
            code = path.read_text(encoding="utf-8")
            hits = [m.group(0) for m in STORE_FILES.finditer(code)]
            assert not hits, f"{path.relative_to(ROOT)} names store files {hits}: ask the Store (kg/store.py)"


# -- the store registry ---------------------------------------------------------------------
@pytest.fixture
def toy_registered():
    from toystore import BrokenGraph, TurtleFileGraph

    from policykg.kg import backends

    before = dict(backends.BACKENDS)
    backends.register("toy", TurtleFileGraph)  # the one registration
    backends.register("broken", BrokenGraph)
    yield
    backends.BACKENDS.clear()
    backends.BACKENDS.update(before)


def _copy_store(kg, location: str, folder: Path):
    """A store at `location` with the documents, graph and alignments of the built test store."""
    import rdflib

    from policykg.app import PolicyKG
    from policykg.kg.store import Store

    copy = PolicyKG(store=location, index_dir=str(folder))
    graph = rdflib.Graph().parse(data=kg.export("nt"), format="nt")
    with Store.create(location, copy.settings) as draft:
        draft.write_documents(kg.documents())
        draft.write_alignments(kg.store.alignments())
        assert draft.write_graph(graph) == len(kg.store)
        draft.commit(dict(kg.info))
    return copy


def test_a_toy_store_is_one_module_and_one_registration(toy_registered, kg, tmp_path):
    toy = _copy_store(kg, "toy:", tmp_path / "toy")
    assert (tmp_path / "toy").is_dir() and toy.store.graph.scheme == "toy"
    assert len(toy.store) == len(kg.store) > 3000
    query = "SELECT ?d WHERE { ?d <http://purl.org/dc/terms/identifier> ?id } ORDER BY ?d"
    for fmt in ("srj", "csv", "xml"):
        assert toy.sparql(query, fmt).body == kg.sparql(query, fmt).body
    assert [d.id for d in toy.documents()] == [d.id for d in kg.documents()]
    assert toy.check("jiading-draft")["findings"] == kg.check("jiading-draft")["findings"]


def test_an_unknown_scheme_is_bad_input(cli, tmp_path):
    done = cli("documents", "--store", "nosuch://x/y")
    assert done.returncode == 2 and "unknown store scheme 'nosuch'" in done.stderr
    assert done.stderr.count("\n") == 1


# -- a failing backend is an error, never an empty answer --------------------------------------
def test_a_failing_backend_fails_ask(toy_registered, kg, tmp_path):
    from policykg.api import create_app
    from policykg.kg.store import GraphUnavailable

    broken = _copy_store(kg, "broken:", tmp_path / "broken")
    with pytest.raises(GraphUnavailable, match="graph store failed: RuntimeError: connection reset"):
        broken.select("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    with pytest.raises(GraphUnavailable):
        broken.ask("C类人才享受什么待遇？")
    with TestClient(create_app(broken), raise_server_exceptions=False) as client:
        r = client.get("/api/ask", params={"q": "C类人才享受什么待遇？"})
        assert r.status_code == 503 and set(r.json()) == {"error"} and "graph store failed" in r.json()["error"]
        r = client.get("/api/documents/jiading-draft/clauses/9")
        assert r.status_code == 503 and set(r.json()) == {"error"}


def test_an_unreachable_remote_store_fails_ask_in_one_line(cli, store_dir):
    from virtuoso import free_port

    url = f"sparql+http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    done = cli("ask", "--store", url, "C类人才享受什么待遇？", env={"POLICYKG_INDEX_DIR": str(store_dir)})
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("error: cannot reach the SPARQL store") and done.stderr.count("\n") == 1
    assert done.stdout == ""

"""Never lose the store, never answer from a damaged one (issue 16), tried as an operator would.

- builds killed with SIGKILL at each stage and at the swap (POLICYKG_TEST_PAUSE_AT makes a real
  `policykg build` wait there): the previous store still answers, the next build cleans up;
- every part of a store damaged or deleted: one line, exit 2 in the CLI, 503 {"error"} from the server;
- hostile corpora: one clear error each, the previous store intact, nothing written elsewhere;
- the first store layout still opens, a reader keeps its version while a new build becomes current.

Bounded: the kill tests run a small corpus of our own (tests/data/articles), each wait has a deadline.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA, ROOT, SHARED

from policykg.errors import InputError, StoreDamaged
from policykg.kg import store as layout
from policykg.kg.store import Store

SMALL = DATA / "articles"  # one document of our own, 10 clauses: the quickest real build


def _copy(store_dir: Path, dest: Path) -> Path:
    shutil.copytree(store_dir, dest, symlinks=True)
    return dest


def _ids(folder: Path) -> list[str]:
    return sorted(d.id for d in Store(str(folder)).documents())


def _entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.fixture
def copy(store_dir, tmp_path) -> Path:
    """A private copy of the session's store (its documents: the real corpus and ours)."""
    return _copy(store_dir, tmp_path / "kg")


# -- builds killed at every moment ------------------------------------------------------------
POINTS = ["ingest", "extract", "graph", "index", "align", "store", "marker", "swap"]


def _build_until(store: Path, point: str, corpus: Path = SMALL, wait: float = 300) -> subprocess.Popen:
    """A real `policykg build` that has reached `point` (paused there by the test hook)."""
    env = {**os.environ, "POLICYKG_TEST_PAUSE_AT": point, "POLICYKG_TEST_PAUSE_SECONDS": "120"}
    proc = subprocess.Popen([sys.executable, "-m", "policykg", "build", "--store", str(store), "--corpus", str(corpus)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    deadline = time.time() + wait
    seen = []
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            pytest.fail(f"the build ended before {point}: {''.join(seen)[-1500:]}")
        seen.append(line)
        if line.strip() == f"policykg: paused at {point}":
            return proc
    proc.kill()
    pytest.fail(f"the build did not reach {point} within {wait:.0f} s")


@pytest.fixture(scope="module")
def killed_store(store_dir, tmp_path_factory):
    """A copy of the session store, and the build killed at each point over it in turn."""
    store = _copy(store_dir, tmp_path_factory.mktemp("killed") / "kg")
    return {"store": store, "ids": _ids(store), "generation": Store(str(store)).generation()}


@pytest.mark.parametrize("point", POINTS)
def test_a_build_killed_at_any_point_leaves_the_store_answering(killed_store, point):
    store = killed_store["store"]
    proc = _build_until(store, point)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    proc.stderr.close()
    opened = Store(str(store))
    assert opened.generation() == killed_store["generation"], "a killed build must not change what is current"
    assert _ids(store) == killed_store["ids"]
    assert len(opened) > 3000
    opened.close()
    if point in ("ingest", "extract", "graph", "index", "align", "store", "marker"):
        assert any(name.endswith(layout.BUILDING) for name in _entries(store)), "the killed build's folder"


def test_the_next_build_cleans_up_after_killed_builds(killed_store, cli):
    store = killed_store["store"]
    (store.parent / ".kg.old-999999").mkdir()  # what the first layout's killed builds left beside the store
    (store.parent / ".kg.building-999999").mkdir()
    assert cli("documents", "--store", store).returncode == 0
    done = cli("build", "--store", store, "--corpus", SMALL)
    assert done.returncode == 0, done.stderr
    entries = _entries(store)
    assert not [e for e in entries if e.endswith(layout.BUILDING)], entries
    versions = [e for e in entries if e.startswith("v-")]
    assert len(versions) <= 2, versions  # the current one and the one before it (a server may still read it)
    assert not (store.parent / ".kg.old-999999").exists() and not (store.parent / ".kg.building-999999").exists()
    assert _ids(store) == ["linhai-measures"]


def test_a_running_build_is_not_cleaned_up(tmp_path, store_dir):
    """A build that is alive holds its folder's lock: another build's cleanup leaves it alone."""
    store = _copy(store_dir, tmp_path / "kg")
    proc = _build_until(store, "ingest")
    try:
        building = [p for p in store.iterdir() if p.name.endswith(layout.BUILDING)]
        assert len(building) == 1
        assert layout.cleanup(store) == [] and building[0].is_dir()
    finally:
        proc.kill()
        proc.wait(30)
        proc.stderr.close()
    assert layout.cleanup(store) == building and not building[0].exists()


def test_the_pause_hook_is_inert_without_its_variable(monkeypatch):
    monkeypatch.delenv("POLICYKG_TEST_PAUSE_AT", raising=False)
    started = time.perf_counter()
    for point in POINTS:
        layout.pause_point(point)
    assert time.perf_counter() - started < 0.01


# -- damaged stores ---------------------------------------------------------------------------
def _truncate(path: Path, size: int = 100) -> None:
    with open(path, "r+b") as fh:
        fh.truncate(size)


def _biggest(folder: Path, suffix: str = "") -> Path:
    return max((p for p in folder.rglob(f"*{suffix}") if p.is_file()), key=lambda p: p.stat().st_size)


def _same_size_garbage(path: Path) -> None:
    path.write_bytes(b"x" * path.stat().st_size)


DAMAGE = {
    "marker garbage": (lambda v: (v / layout.MARKER).write_bytes(b"\x00\xff garbage"), "marker"),
    "marker deleted": (lambda v: (v / layout.MARKER).unlink(), "marker"),
    "documents truncated": (lambda v: _truncate(v / layout.DOCUMENTS), "documents"),
    "documents overwritten": (lambda v: _same_size_garbage(v / layout.DOCUMENTS), "documents"),
    "alignments truncated": (lambda v: _truncate(v / layout.ALIGNMENTS), "alignments"),
    "graph file truncated": (lambda v: _truncate(_biggest(v / layout.GRAPH, ".sst")), "graph"),
    "graph file overwritten": (lambda v: _same_size_garbage(_biggest(v / layout.GRAPH, ".sst")), "graph"),
    "graph file deleted": (lambda v: _biggest(v / layout.GRAPH, ".sst").unlink(), "graph"),
    "graph deleted": (lambda v: shutil.rmtree(v / layout.GRAPH), "graph"),
    "index file deleted": (lambda v: _biggest(v / layout.INDEX, ".npy").unlink(), "index"),
    "index file overwritten": (lambda v: _same_size_garbage(_biggest(v / layout.INDEX, ".npy")), "index"),
    "index deleted": (lambda v: shutil.rmtree(v / layout.INDEX), "index"),
    "version deleted": (lambda v: shutil.rmtree(v), "current version"),
}


def _damage(store: Path, case: str) -> str:
    version = Store(str(store)).version_dir
    action, part = DAMAGE[case]
    action(version)
    return part


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_part_is_one_line_and_503(copy, case):
    from fastapi.testclient import TestClient

    from policykg.api import create_app
    from policykg.app import PolicyKG

    part = _damage(copy, case)
    with pytest.raises(StoreDamaged) as err:
        Store.open(str(copy))
    message = str(err.value)
    assert message.startswith(f"the store at {copy} is damaged (") and part in message
    assert "rebuild it with `policykg build --store" in message and "\n" not in message
    assert err.value.exit_code == 2
    with TestClient(create_app(PolicyKG(store=str(copy))), raise_server_exceptions=False) as client:
        for url in ("/api/documents", "/api/ask?q=C类人才享受什么待遇？", "/api/search?q=补贴",
                    "/api/check/jiading-draft", "/sparql?query=ASK{}"):
            r = client.get(url)
            assert r.status_code == 503 and r.json() == {"error": message}, (url, r.status_code, r.text[:200])


@pytest.mark.parametrize("case", ["graph deleted", "graph file overwritten", "index file deleted",
                                  "documents truncated"])
def test_no_command_answers_from_a_partly_missing_store(copy, cli, case):
    _damage(copy, case)
    for args in (["documents"], ["ask", "C类人才享受什么待遇？"], ["search", "补贴"], ["check", "jiading-draft"],
                 ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"], ["show", "jiading-draft", "1"]):
        done = cli(*args, "--store", copy)
        assert done.returncode == 2 and done.stdout == "", (args, done.stdout[:200])
        assert done.stderr.startswith(f"error: the store at {copy} is damaged (") and done.stderr.count("\n") == 1
        for raw in ("Error:", "Traceback", "Corruption", "Decode"):
            assert raw not in done.stderr, done.stderr


def test_a_garbage_pointer_and_another_format_say_so(copy, cli):
    version = Store(str(copy)).version_dir
    marker = json.loads((version / layout.MARKER).read_text(encoding="utf-8"))
    (version / layout.MARKER).write_text(json.dumps({**marker, "format": 99}), encoding="utf-8")
    done = cli("documents", "--store", copy)
    assert done.returncode == 2 and "store format 99; this policykg reads format 2" in done.stderr
    (copy / layout.POINTER).write_bytes(b"../../etc\n")
    done = cli("documents", "--store", copy)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "CURRENT does not name a version" in done.stderr
    from policykg.app import PolicyKG

    PolicyKG(store=str(copy)).build([SMALL])  # the rebuild the message asks for works
    assert _ids(copy) == ["linhai-measures"]


def test_opening_checks_the_store_in_a_few_milliseconds(store_dir):
    started = time.perf_counter()
    for _ in range(10):
        Store(str(store_dir)).require()
    assert (time.perf_counter() - started) / 10 < 0.05


# -- versions: the previous one stays readable, the first layout still opens ---------------------
def _first_layout(store: Path) -> None:
    """Turn a store into the first layout: the version's files at the top, no pointer, no format."""
    version = Store(str(store)).version_dir
    for path in version.iterdir():
        os.replace(path, store / path.name)
    version.rmdir()
    (store / layout.POINTER).unlink()
    marker = json.loads((store / layout.MARKER).read_text(encoding="utf-8"))
    for key in ("format", "parts", "version"):
        marker.pop(key, None)
    (store / layout.MARKER).write_text(json.dumps(marker), encoding="utf-8")


def test_first_layout_opens_and_a_reader_keeps_its_version_across_builds(copy, cli):
    from policykg.app import PolicyKG

    _first_layout(copy)
    ids = _ids(copy)
    done = cli("documents", "--store", copy)
    assert done.returncode == 0 and "jiading-draft" in done.stdout
    reader = Store(str(copy))
    assert reader.generation() == layout.LEGACY and len(reader) > 3000

    # the first layout killed between its two renames: no store, the old one beside it
    os.replace(copy, copy.parent / ".kg.old-999999")
    PolicyKG(store=str(copy)).build([SMALL])
    first = Store(str(copy)).generation()
    assert first.startswith("v-") and reader.generation() == first and reader.version == layout.LEGACY
    assert not (copy.parent / ".kg.old-999999").exists()
    assert _ids(copy) == ["linhai-measures"]
    assert (copy / layout.MARKER).is_file()  # the first layout's files stay: a reader may still use them

    held = Store(str(copy))
    assert held.version == first and _ids(copy) == ["linhai-measures"]
    PolicyKG(store=str(copy)).build([SMALL])
    assert Store(str(copy)).generation() != first == held.version
    assert len(held) > 1000 and [d.id for d in held.documents()] == ["linhai-measures"]  # still readable
    assert not (copy / layout.MARKER).exists() and not (copy / layout.GRAPH).exists()  # two builds ago: removed
    assert sorted(e for e in _entries(copy) if e.startswith("v-")) == sorted([first, Store(str(copy)).generation()])
    held.close()
    reader.close()
    assert ids != ["linhai-measures"]


def test_a_folder_that_is_not_a_store_is_never_replaced(tmp_path, cli):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    done = cli("build", "--store", folder, "--corpus", SMALL)
    assert done.returncode == 2 and "is not a policykg store" in done.stderr
    assert _entries(folder) == {"notes.txt"}


# -- hostile corpora ---------------------------------------------------------------------------
MANIFEST = '[[document]]\nid = "{id}"\ntitle = "测试"\nlevel = "district"\nfile = "{file}"\n'


def _corpus(root: Path, name: str, file: str, content: bytes | None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    if content is not None:
        (folder / file).write_bytes(content)
    (folder / "manifest.toml").write_text(MANIFEST.format(id="hostile", file=file), encoding="utf-8")
    return folder


def _hostile(root: Path) -> dict[str, tuple[Path, str]]:
    root.mkdir(parents=True, exist_ok=True)
    outside = root / "outside.txt"
    outside.write_text("（一）外面的条款。", encoding="utf-8")
    cases = {
        "empty": (_corpus(root, "empty", "a.txt", b""), "has no text"),
        "binary": (_corpus(root, "binary", "a.txt", bytes(range(256)) * 64), "unreadable encoding"),
        "utf-16": (_corpus(root, "utf16", "a.txt", "（一）条款内容。".encode("utf-16-le")), "unreadable encoding"),
        "one 2 MB line": (_corpus(root, "line", "a.txt", ("（一）" + "人才" * 350_000).encode()), "a line of"),
        "html without clause": (_corpus(root, "html", "a.html", b"<html><body><p>hello</p></body></html>"),
                                "no clause found"),
        "../ file": (_corpus(root, "dotdot", "../outside.txt", None), "points outside the corpus folder"),
        "absolute file": (_corpus(root, "absolute", str(outside), None),
                          "must be a path relative to the corpus folder"),
    }
    link = _corpus(root, "symlink", "a.txt", None)
    (link / "a.txt").symlink_to(outside)
    cases["symlink out"] = (link, "points outside the corpus folder")
    big = _corpus(root, "big", "a.txt", None)
    with open(big / "a.txt", "wb") as fh:  # 50 MB, made here (never committed)
        fh.truncate(50 * 1024 * 1024)
    cases["50 MB file"] = (big, "more than max_document_mb (20 MB)")
    many = root / "many"
    many.mkdir()
    (many / "manifest.toml").write_text("".join(MANIFEST.format(id=f"d{i}", file=f"d{i}.txt") for i in range(10_000)),
                                        encoding="utf-8")
    cases["10,000 documents"] = (many, "10000 documents, more than max_documents (5000)")
    return cases


def test_hostile_corpora_are_one_clear_error_and_the_store_stays(copy, tmp_path):
    from policykg.app import PolicyKG

    before = Store(str(copy)).generation()
    ids = _ids(copy)
    around = tmp_path / "corpora"
    for name, (folder, expected) in _hostile(around).items():
        listing = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "kg" not in p.parts)
        started = time.perf_counter()
        with pytest.raises(InputError) as err:
            PolicyKG(store=str(copy)).build([folder])
        assert time.perf_counter() - started < 30, name
        assert expected in str(err.value) and "\n" not in str(err.value), (name, str(err.value))
        assert Store(str(copy)).generation() == before and _ids(copy) == ids, name
        assert not [e for e in _entries(copy) if e.endswith(layout.BUILDING)], name
        assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if "kg" not in p.parts) == listing, name


def test_a_hostile_corpus_in_the_cli_is_exit_2_in_one_line(copy, tmp_path, cli):
    folder = _corpus(tmp_path, "dotdot", "../../../etc/hostname.txt", None)
    done = cli("build", "--store", copy, "--corpus", folder)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "points outside the corpus folder" in done.stderr
    assert _ids(copy) != [] and (SHARED / "corpus").is_dir()


def test_serve_refuses_a_damaged_store_in_one_line(copy, cli):
    from conftest import free_port

    _damage(copy, "index deleted")
    done = cli("serve", "--store", copy, "--port", free_port(), timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: the store at {copy} is damaged (index: index is missing)")

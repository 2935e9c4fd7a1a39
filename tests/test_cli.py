"""The command line as a user meets it: usage errors, --version, global options, light imports,
Ctrl-C / SIGTERM during a build, and two builds of one store. Every case runs the real command."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import DATA, ROOT

ARTICLES = DATA / "articles"  # a corpus of our own: one document, 10 clauses
HEAVY = ("torch", "sentence_transformers", "spacy")


def _one_line_error(done: subprocess.CompletedProcess, code: int = 2) -> str:
    assert done.returncode == code, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "NoArgsIsHelpError" not in done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr
    return done.stderr


@pytest.fixture(scope="module")
def small_store(tmp_path_factory, cli) -> Path:
    """A store built from tests/data/articles by `policykg build --json`."""
    store = tmp_path_factory.mktemp("cli") / "kg"
    done = cli("build", "--corpus", ARTICLES, "--store", store, "--json", env={"OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["documents"] == [{"id": "linhai-measures", "clauses": 10}] and summary["clauses"] == 10
    assert summary["triples"] > 1000 and summary["seconds"] > 0 and summary["store"] == str(store)
    assert any("national-2022" in w for w in summary["warnings"])  # the parent this corpus lacks
    return store


# -- usage errors: exit 2, one line, a hint --------------------------------------------------

@pytest.mark.parametrize("args, says", [
    ([], "no command given"),
    (["show"], "missing argument 'document'"),
    (["nosuch"], "no such command 'nosuch'"),
    (["sparql", "ASK {}", "--format", "yaml"], "'yaml' is not a format"),
    (["export", "--format", "yaml"], "'yaml' is not a format"),
    (["export", "--format", "srj"], "'srj' is not a format"),
    (["documents", "--bogus"], "no such option: --bogus"),
    (["serve", "--port", "99999"], "'--port'"),
    (["search", "x", "-k", "0"], "'-k'"),
    (["show", "linhai-measures", "six"], "'number'"),
    (["--store"], "'--store' requires an argument"),
])
def test_usage_error_is_one_line_exit_2(cli, tmp_path, args, says):
    done = cli(*args, env={"POLICYKG_STORE": str(tmp_path / "none")})
    line = _one_line_error(done)
    assert says in line and "--help'" in line
    assert done.stdout == ""


@pytest.mark.parametrize("args", [["sparql", "ASK {}", "--format", "yaml"], ["export", "--format", "yaml"]])
def test_unknown_format_is_one_line_exit_2(cli, small_store, args):
    line = _one_line_error(cli(*args, "--store", small_store))
    assert "'yaml'" in line and "ttl" in line  # names the bad value and the formats there are


def test_no_command_lists_the_commands(cli):
    line = _one_line_error(cli())
    assert "build, documents, show, ask" in line and "policykg --help" in line


def test_version(cli):
    done = cli("--version")
    from policykg import __version__

    assert done.returncode == 0 and done.stdout == f"policykg {__version__}\n" and done.stderr == ""


def test_help_keeps_the_env_and_default(cli):
    wide = {"COLUMNS": "200"}
    for args in (["--help"], ["documents", "--help"], ["build", "-h"]):
        done = cli(*args, env=wide)
        assert done.returncode == 0, done.stderr
        assert "[env: POLICYKG_STORE; default: ./.policykg]" in done.stdout
    assert "[env: POLICYKG_CORPUS" in cli("build", "--help", env=wide).stdout


# -- global options, --json on build ---------------------------------------------------------

def test_store_before_the_command(cli, small_store, tmp_path):
    before = cli("--store", small_store, "documents")
    assert before.returncode == 0 and before.stdout.startswith("linhai-measures"), before.stderr
    after = cli("documents", "--store", small_store)
    assert after.stdout == before.stdout
    # the command's own --store wins over the one before it
    both = cli("--store", tmp_path / "none", "show", "linhai-measures", "6", "--store", small_store)
    assert both.returncode == 0 and both.stdout.strip()
    missing = cli("--store", tmp_path / "none", "documents")
    assert "no policykg store at" in _one_line_error(missing)


# -- heavy libraries only where needed ---------------------------------------------------------

WRAPPER = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("MODULES " + " ".join(m for m in {heavy!r} if m in sys.modules) + "\\n"))
sys.argv = ["policykg", *sys.argv[1:]]
from policykg.cli import main
main()
"""


@pytest.mark.parametrize("args", [
    ["show", "linhai-measures", "6"],
    ["documents"],
    ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"],
    ["export", "--format", "nt"],
    ["--help"],
])
def test_light_commands_import_no_model(small_store, args):
    done = subprocess.run([sys.executable, "-c", WRAPPER.format(heavy=HEAVY), *args, "--store", str(small_store)]
                          if args != ["--help"] else [sys.executable, "-c", WRAPPER.format(heavy=HEAVY), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = [line for line in done.stderr.splitlines() if line.startswith("MODULES")]
    assert loaded == ["MODULES "], loaded


# -- Ctrl-C and SIGTERM during a build ---------------------------------------------------------

def _leftovers(store: Path) -> list[str]:
    """Beside the store (the lock file) and inside it (versions being built)."""
    from policykg.kg.store import BUILDING

    inside = [p.name for p in store.iterdir() if p.name.endswith(BUILDING)] if store.is_dir() else []
    return sorted([p.name for p in store.parent.iterdir() if p.name.startswith(f".{store.name}.")] + inside)


def _marker(store: Path) -> dict:
    from policykg.kg.store import Store

    return Store(str(store)).info


def _start_build(store: Path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "policykg", "build", "--corpus", str(ARTICLES), "--store", str(store),
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "OMP_NUM_THREADS": "1", **(env or {})})


def _wait_building(proc: subprocess.Popen, store: Path, timeout: float = 60) -> None:
    """Until the build holds the lock and has made its temporary folder."""
    from policykg.kg.store import BUILDING

    deadline = time.time() + timeout
    while not (store.is_dir() and any(f"-{proc.pid}-" in p.name and p.name.endswith(BUILDING)
                                      for p in store.iterdir())):
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail(f"the build did not start: {proc.communicate()[1][-2000:]}")
        time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.parametrize("signum, code, says", [
    (signal.SIGINT, 130, "error: interrupted (SIGINT)\n"),
    (signal.SIGTERM, 143, "error: terminated (SIGTERM)\n"),
])
def test_interrupted_build_exits_128_plus_signal(small_store, cli, signum, code, says):
    marker = _marker(small_store)
    clause = cli("show", "linhai-measures", "6", "--store", small_store).stdout
    # a rebuild of an unchanged corpus reuses everything and ends fast: the build waits inside a stage
    # (the reliability tests' pause hook) so the signal lands there, whatever the machine's speed
    proc = _start_build(small_store, env={"POLICYKG_TEST_PAUSE_AT": "extract", "POLICYKG_TEST_PAUSE_SECONDS": "60"})
    try:
        paused = proc.stderr.readline()
        assert paused == "policykg: paused at extract\n", paused
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code and err == says, (proc.returncode, err[-2000:])
    assert out == ""
    assert _leftovers(small_store) == []  # the temporary folder is gone
    assert _marker(small_store) == marker  # the old store, untouched
    assert cli("show", "linhai-measures", "6", "--store", small_store).stdout == clause


# -- one build at a time per store -------------------------------------------------------------

@pytest.mark.slow
def test_second_build_refuses_then_waits(tmp_path, cli):
    store = tmp_path / "kg"
    first = _start_build(store)
    waiter = None
    try:
        _wait_building(first, store)
        assert (tmp_path / ".kg.lock").read_text().strip() == str(first.pid)
        second = cli("build", "--corpus", ARTICLES, "--store", store, timeout=60)
        line = _one_line_error(second)
        assert f"another build (pid {first.pid})" in line and "--wait" in line
        waiter = _start_build(store, "--wait", "--json")
        out, err = first.communicate(timeout=300)
        assert first.returncode == 0, err[-2000:]
        built_first = _marker(store)["built"]
        out, err = waiter.communicate(timeout=300)
        assert waiter.returncode == 0, err[-2000:]
        assert f"waiting: another build (pid {first.pid})" in err
        assert json.loads(out)["clauses"] == 10
        assert _marker(store)["built"] >= built_first
    finally:
        for proc in (first, waiter):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    assert _leftovers(store) == []  # no temporary folder and no lock file
    # the store is readable once both are done
    again = cli("show", "linhai-measures", "6", "--store", store)
    assert again.returncode == 0 and again.stdout.strip()


# -- serve: a bad address is one line; SIGTERM stops it with 143 -------------------------------

def test_serve_on_a_busy_port_or_bad_host(cli, small_store):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = cli("serve", "--store", small_store, "--port", port, timeout=60)
    assert "address already in use" in _one_line_error(done).lower()
    done = cli("serve", "--store", small_store, "--host", "no-such-host.invalid", timeout=60)
    assert "--host no-such-host.invalid" in _one_line_error(done)


@pytest.mark.slow
def test_serve_stops_on_sigterm_with_143(small_store):
    import httpx

    from conftest import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "policykg", "serve", "--store", str(small_store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        deadline = time.time() + 90
        while time.time() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/documents", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("policykg serve did not answer")
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143 and err.endswith("error: terminated (SIGTERM)\n"), (proc.returncode, err[-1000:])


def test_signal_waits_for_the_end_of_a_deferred_block():
    """The store swap runs inside `deferred()`: a SIGTERM that arrives meanwhile is raised after it."""
    code = """
import os, signal, sys
from policykg import interrupts
from policykg.errors import Interrupted
interrupts.install()
try:
    with interrupts.deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
        print("swap done", flush=True)
    print("not reached", flush=True)
except Interrupted as exc:
    print(exc, exc.exit_code, flush=True)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout == "swap done\nterminated (SIGTERM) 143\n", done.stderr

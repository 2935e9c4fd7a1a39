"""Shared fixtures: the real corpus (project corpus/ + ../shared/corpus), built once per session."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("POLICYKG_SHARED", ROOT.parent / "shared")).resolve()
DATA = ROOT / "tests" / "data"
CORPUS = [ROOT / "corpus", SHARED / "corpus"]


def require_service(what: str, available: bool) -> None:
    """Skip a test whose service is missing, except in CI where it must be there."""
    if not available:
        if os.environ.get("POLICYKG_REQUIRE_SERVICES"):
            pytest.fail(f"{what} is required here (POLICYKG_REQUIRE_SERVICES is set) but not installed")
        pytest.skip(f"{what} is not installed (./setup.sh --dev installs it)")


@pytest.fixture(scope="session")
def corpus_dirs() -> list[Path]:
    if not (SHARED / "corpus" / "manifest.toml").is_file():
        pytest.fail(f"the shared corpus is missing at {SHARED}/corpus (set POLICYKG_SHARED)")
    return CORPUS


@pytest.fixture(scope="session")
def store_dir(tmp_path_factory, corpus_dirs) -> Path:
    """A store built from the real corpus plus the test corpora of our own (tests/data)."""
    from policykg.app import PolicyKG

    folder = tmp_path_factory.mktemp("store") / "kg"
    PolicyKG(store=str(folder)).build(corpus_dirs + [DATA / "articles", DATA / "webpage"])
    return folder


@pytest.fixture(scope="session")
def kg(store_dir):
    from policykg.app import PolicyKG

    return PolicyKG(store=str(store_dir))


@pytest.fixture(scope="session")
def cli():
    """Run the real `policykg` command; returns the CompletedProcess (text)."""

    def run(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
        full_env = {**os.environ, **(env or {})}
        return subprocess.run([sys.executable, "-m", "policykg", *map(str, args)], capture_output=True,
                              text=True, env=full_env, cwd=kw.pop("cwd", ROOT), timeout=kw.pop("timeout", 600), **kw)

    return run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(store: Path, timeout: float = 60, **settings: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`policykg serve` on a free 127.0.0.1 port for a built store, with POLICYKG_* settings;
    yields (base URL, process). Stopped (and reaped) at the end."""
    import httpx

    port = free_port()
    env = {**os.environ, **{f"POLICYKG_{k.upper()}": v for k, v in settings.items()}}
    proc = subprocess.Popen([sys.executable, "-m", "policykg", "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"policykg serve exited: {proc.stderr.read().decode()[-2000:]}")
            try:
                if httpx.get(url + "/api/documents", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail(f"policykg serve did not answer within {timeout:.0f} s")
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@contextmanager
def live_server(store: Path, timeout: float = 60) -> Iterator[str]:
    """`policykg serve` on a free 127.0.0.1 port for a built store; yields its base URL."""
    with serving(store, timeout) as (url, _):
        yield url


def library_store(tmp_path_factory, name: str, ids: tuple[str, ...]):
    """A store built from some laws of the library, copied at run time into a temporary corpus."""
    import re
    import shutil

    from policykg.app import PolicyKG

    library = SHARED / "library"
    if not (library / "manifest.toml").is_file():
        pytest.fail(f"the law library is missing at {library}")
    corpus = tmp_path_factory.mktemp(f"{name}-corpus")
    keep = []
    for block in (library / "manifest.toml").read_text(encoding="utf-8").split("[[document]]")[1:]:
        m = re.search(r'id = "([^"]+)"', block)
        if m and m.group(1) in ids:
            file = re.search(r'file = "([^"]+)"', block).group(1)
            shutil.copyfile(library / file, corpus / Path(file).name)
            keep.append("[[document]]" + block)
    assert len(keep) == len(ids)
    (corpus / "manifest.toml").write_text("".join(keep), encoding="utf-8")
    kg = PolicyKG(store=str(tmp_path_factory.mktemp(name) / "kg"))
    kg.build([corpus])
    return kg

"""Shared fixtures: the real corpus (project corpus/ + ../shared/corpus), built once per session."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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

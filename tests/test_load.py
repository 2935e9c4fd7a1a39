"""50 clients for 30 s against a live server: every request answered, none failed (127.0.0.1 only)."""
from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from conftest import ROOT, live_server

sys.path.insert(0, str(ROOT / "bench"))
from loadgen import MIX, run_load, table  # noqa: E402


@pytest.mark.slow
def test_50_clients_for_30_seconds_without_an_error(store_dir, capsys):
    with live_server(store_dir) as url:
        for _, path, params in MIX:  # warm-up: model, indexes and SPARQL workers load once
            assert httpx.get(url + path, params=params, timeout=120).status_code == 200, path
        stats = run_load(url, clients=50, seconds=30.0)
    with capsys.disabled():
        print("\n" + "\n".join(table(stats, 30.0)))
    errors = {kind: s.errors[:3] for kind, s in stats.items() if s.errors}
    assert not errors, errors
    assert all(s.latencies for s in stats.values()), "every kind of request was answered"


def test_load_is_only_sent_to_this_machine():
    with pytest.raises(ValueError):
        run_load("http://10.0.0.1:8000", clients=1, seconds=0.1)

"""Load on a live server: requests/s and p50/p95/p99 per kind, beside the goals.

    .venv/bin/python bench/bench_load.py --store .policykg [--clients 50] [--seconds 30]

Starts `policykg serve` on a free 127.0.0.1 port over a built store, warms it up (the model,
the indexes, the SPARQL workers), sends the mix of bench/loadgen.py from N clients for S seconds
and prints the table. Goals (issue 16): 0 errors under 50 clients for 30 s.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import MIX, run_load, table  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", default=os.environ.get("POLICYKG_STORE", ".policykg"))
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "policykg", "serve", "--store", args.store, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            if proc.poll() is not None:
                sys.exit(f"policykg serve exited: {proc.stderr.read().decode()[-500:]}")
            try:
                if httpx.get(url + "/api/documents", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        for _, path, params in MIX:  # warm-up: the model, indexes and workers load once
            httpx.get(url + path, params=params, timeout=120)
        stats = run_load(url, clients=args.clients, seconds=args.seconds)
        print(f"policykg serve, {args.clients} clients for {args.seconds:.0f} s, {os.cpu_count()} cores "
              f"(load average before: {os.getloadavg()[0]:.1f})")
        for line in table(stats, args.seconds):
            print(line)
        errors = sum(len(s.errors) for s in stats.values())
        print(f"goal: 0 errors — {'met' if errors == 0 else f'missed ({errors})'}")
        for kind, s in stats.items():
            for e in s.errors[:3]:
                print(f"  {kind}: {e}")
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    main()

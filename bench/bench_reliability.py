"""Cost of the store's integrity check and of crash recovery (figures beside goals, not a timed test).

    .venv/bin/python bench/bench_reliability.py --store /tmp/store [--corpus tests/data/articles] [--no-kill]

On a copy of a built store (the store itself is never changed):
- open + integrity check (marker, sizes, CRC-32s) — goal ≪ 50 ms; `generation()` — goal < 1 ms;
- a real `policykg build` killed with SIGKILL at the swap (POLICYKG_TEST_PAUSE_AT=swap): the time until the
  store answers again (goal: at once — nothing to recover, the previous version stays current) and the
  time the next build spends removing the leftovers (goal < 1 s).
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _ms(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {statistics.median(values) * 1000:7.2f} ms   max {values[-1] * 1000:7.2f} ms"


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=os.environ.get("POLICYKG_STORE", ".policykg"))
    parser.add_argument("--corpus", type=Path, default=ROOT / "tests" / "data" / "articles",
                        help="corpus of the build that is killed (small: the build runs up to the swap)")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--no-kill", action="store_true", help="only the integrity check figures")
    args = parser.parse_args()

    from policykg.kg import store as layout
    from policykg.kg.store import Store

    source = Store(args.store)
    source.require()
    with tempfile.TemporaryDirectory(prefix="policykg-bench-") as tmp:
        copy = Path(tmp) / "kg"
        shutil.copytree(source.folder, copy, symlinks=True)
        version = Store(str(copy)).version_dir
        parts = Store(str(copy)).info["parts"]
        files = sum(len(rows) for rows in parts.values())
        print(f"store {args.store}: {_size(version) / 1e6:.1f} MB in {files} files "
              f"({', '.join(f'{p} {len(r)}' for p, r in parts.items())})")

        opens, generations = [], []
        for _ in range(args.rounds):
            started = time.perf_counter()
            Store(str(copy)).require()
            opens.append(time.perf_counter() - started)
        for _ in range(args.rounds * 20):
            started = time.perf_counter()
            Store(str(copy)).generation()
            generations.append(time.perf_counter() - started)
        print(f"open + integrity check      {_ms(opens)}   goal ≪ 50 ms")
        print(f"generation()                {_ms(generations)}   goal < 1 ms")
        if args.no_kill:
            return

        env = {**os.environ, "POLICYKG_TEST_PAUSE_AT": "swap", "POLICYKG_TEST_PAUSE_SECONDS": "120"}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "policykg", "build", "--store", str(copy), "--corpus",
                                 str(args.corpus)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                                env=env)
        deadline = time.time() + 600
        while time.time() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                sys.exit("the build ended before the swap")
            if line.strip() == "policykg: paused at swap":
                break
        build_to_swap = time.perf_counter() - started
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        killed = time.perf_counter()
        Store(str(copy)).documents()
        answers_after = time.perf_counter() - killed
        leftovers = [p for p in copy.iterdir() if p.name.startswith("v-") and p.name != Store(str(copy)).generation()]
        print(f"build up to the swap        {build_to_swap:7.1f} s    (killed there with SIGKILL)")
        print(f"store answers again after   {answers_after * 1000:7.1f} ms   goal: at once (no recovery step)")
        leftover_mb = sum(_size(p) for p in leftovers) / 1e6
        started = time.perf_counter()
        layout.cleanup(copy)
        layout.prune(copy, keep={Store(str(copy)).generation()})
        cleanup = time.perf_counter() - started
        print(f"next build's cleanup        {cleanup * 1000:7.1f} ms   goal < 1 s "
              f"({len(leftovers)} leftover version(s), {leftover_mb:.1f} MB)")


if __name__ == "__main__":
    main()

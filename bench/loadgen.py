"""A bounded HTTP load generator for a live `policykg serve` (127.0.0.1 only).

`run_load(url, clients, seconds)` starts `clients` threads, each with its own connection, that
send the requests of `MIX` in turn until `seconds` have passed, and returns per-kind figures:
requests, errors (anything but 200, or a transport failure), requests/s and p50/p95/p99 in ms.
Used by bench/bench_load.py (figures beside the goals) and by the load test in the suite.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

POL = "PREFIX pol: <https://w3id.org/policykg/ontology#>\n"
# (kind, path, params): cheap pages and API calls, question answering, and SPARQL
MIX: list[tuple[str, str, dict]] = [
    ("api documents", "/api/documents", {}),
    ("api clause", "/api/documents/jiading-draft/clauses/9", {}),
    ("api search", "/api/search", {"q": "高技能人才 补贴", "k": "5"}),
    ("api ask", "/api/ask", {"q": "C类人才享受什么待遇？"}),
    ("sparql select", "/sparql", {"query": POL + "SELECT ?c ?t WHERE { ?c a pol:Clause ; pol:title ?t } LIMIT 20"}),
    ("web clause page", "/documents/jiading-draft/clauses/9", {}),
]


@dataclass
class KindStats:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def percentile(self, p: float) -> float:
        values = sorted(self.latencies)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(round(p * (len(values) - 1))))] * 1000


def _check_local(url: str) -> None:
    host = urlsplit(url).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise ValueError(f"load is only sent to this machine's loopback addresses, not {host!r}")


def run_load(url: str, clients: int = 50, seconds: float = 30.0, mix=None,
             timeout: float = 60.0) -> dict[str, KindStats]:
    """Send the mix from `clients` threads for `seconds`; every loop is bounded in time."""
    _check_local(url)
    mix = mix or MIX
    stats = {kind: KindStats() for kind, _, _ in mix}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        i = offset
        with httpx.Client(base_url=url, timeout=timeout) as c:
            while time.monotonic() < deadline:
                kind, path, params = mix[i % len(mix)]
                i += 1
                started = time.perf_counter()
                try:
                    r = c.get(path, params=params)
                    error = "" if r.status_code == 200 else f"HTTP {r.status_code}: {r.text[:120]}"
                except httpx.HTTPError as exc:
                    error = f"{exc.__class__.__name__}: {exc}"
                took = time.perf_counter() - started
                with lock:
                    if error:
                        stats[kind].errors.append(error)
                    else:
                        stats[kind].latencies.append(took)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 5)
    return stats


def table(stats: dict[str, KindStats], seconds: float) -> list[str]:
    lines = [f"{'kind':<18} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"]
    for kind, s in stats.items():
        lines.append(f"{kind:<18} {len(s.latencies):>8} {len(s.errors):>6} {len(s.latencies) / seconds:>7.1f} "
                     f"{s.percentile(0.5):>8.1f} {s.percentile(0.95):>8.1f} {s.percentile(0.99):>8.1f}")
    total = sum(len(s.latencies) for s in stats.values())
    errors = sum(len(s.errors) for s in stats.values())
    lines.append(f"{'all':<18} {total:>8} {errors:>6} {total / seconds:>7.1f}")
    return lines

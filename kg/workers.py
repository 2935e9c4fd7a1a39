"""SPARQL queries with a time limit: worker processes that open the graph folder and can be stopped.

pyoxigraph has no query timeout, so a query with a time limit never runs in the calling
process: each worker process opens the Oxigraph folder read-only and answers one query at a
time over a socket. A query that runs longer than the limit gets its worker killed (a fresh one
starts on the next query) and the caller a `QueryTimeout` (HTTP 503).

Most queries an endpoint sees are repeated (a page's, a dashboard's, an example's). The pool
remembers how long each query took in a worker on this store version (`cost`); one that took at
most `fast` seconds runs again in the caller's process with no worker round trip: the store
version is immutable, so the same query does the same work again and cannot run away. New and
slower queries always run in a worker.

A worker that dies of a signal while running a query (pyoxigraph aborts or overflows its stack
on some queries) makes that query an `EngineCrash` (HTTP 422, with the engine's message): it is
never retried, and the pool refuses it at once from then on. A query whose caller gives up
(`Ticket.cancel`, e.g. the HTTP client disconnected) gets its worker killed. Workers are started
from one long-lived thread and die with the server, even on SIGKILL (`kg.lifeline`).
"""
from __future__ import annotations

import logging
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import InputError, PolicyKGError
from policykg.kg.guard import EngineCrash, engine_crash, inspect
from policykg.kg.lifeline import die_with_parent, spawn
from policykg.kg.query import QueryRequest, QueryResult, run_on, serialize

log = logging.getLogger("policykg.kg")


class QueryTimeout(PolicyKGError):
    """A query that ran past its time limit (HTTP 503)."""

    http_status = 503


class QueryCancelled(PolicyKGError):
    """A query stopped because its caller went away."""

    http_status = 503


class Ticket:
    """A handle on one query's run: `cancel()` kills the worker process running it."""

    def __init__(self) -> None:
        self.worker: _Worker | None = None
        self.cancelled = False
        self._lock = threading.Lock()

    def attach(self, worker: "_Worker | None") -> None:
        with self._lock:
            self.worker = worker

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            worker = self.worker
        process = worker.process if worker is not None else None
        if process is not None and process.poll() is None:
            process.kill()  # its socket closes: the waiting thread sees EOF and stops


WORKER_NICE = 5  # workers run at a lower CPU priority than the server
SLOT_WAIT = 30.0  # seconds a query waits for a free worker before a 503
CRASH_MEMORY = 1000  # queries remembered as crashing the engine
COST_MEMORY = 10_000  # queries whose run time in a worker is remembered
ENGINE_SIGNALS = (-6, -11, -7, -4)  # SIGABRT (a Rust panic), SIGSEGV (stack overflow), SIGBUS, SIGILL


def query_key(sparql: str) -> str:
    """A query's text without differences of white space (the key of the crash memory)."""
    return " ".join(sparql.split())


def cost_key(req: QueryRequest) -> tuple:
    """What decides the work a query does on a given store: its text, dataset, base and row cap."""
    return (req.query, tuple(req.default_graphs), tuple(req.named_graphs), req.base_iri, req.max_rows)


def execute(store: ox.Store, req: QueryRequest) -> QueryResult:
    """Run one read-only query on `store` and serialise it as asked (row cap applied)."""
    started = time.perf_counter()
    return serialize(run_on(store, req), req, started)


def _worker_main(conn, graph_dir: str) -> None:
    """A worker process: open the store read-only, answer queries until the pipe closes."""
    die_with_parent()  # never outlive the server, even one killed with SIGKILL
    try:
        os.nice(WORKER_NICE)  # the pages and the API stay responsive while queries burn CPU
    except OSError:
        pass
    try:
        store = ox.Store.read_only(graph_dir)
    except OSError as exc:
        conn.send(("error", 503, f"cannot open the graph store {graph_dir}: {exc}"))
        return
    conn.send(("ready", None, None))
    while True:
        try:
            req = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", execute(store, req), None))
        except PolicyKGError as exc:
            conn.send(("error", exc.http_status, str(exc)))
        except Exception as exc:  # an evaluation error inside the engine: the query's fault
            conn.send(("error", 400, f"the query failed: {' '.join(str(exc).split()) or exc.__class__.__name__}"))


# -- the pool of workers (in the server process) -------------------------------------------
class _Worker:
    """One worker process (`python -m policykg.kg.workers FD DIR`) and the parent's end of its socket.

    A plain subprocess rather than multiprocessing: nothing of the server's `__main__` is
    re-imported, and killing it on a timeout is safe.
    """

    def __init__(self, graph_dir: Path) -> None:
        self.graph_dir = graph_dir
        self.process: subprocess.Popen | None = None
        self.conn: Connection | None = None
        self.stderr = None  # a temporary file: the engine's last words when it crashes

    def last_words(self) -> str:
        """The tail of the worker's standard error (a Rust panic message, for example)."""
        if self.stderr is None:
            return ""
        try:
            self.stderr.seek(0, 2)
            self.stderr.seek(max(0, self.stderr.tell() - 8192))
            return self.stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def died_of(self) -> int | None:
        """The worker's exit status once it has died (negative: the signal), else None."""
        if self.process is None:
            return None
        try:
            return self.process.wait(2)
        except subprocess.TimeoutExpired:
            return None

    def ensure_started(self, timeout: float) -> None:
        if self.process is not None and self.process.poll() is None and self.conn is not None:
            return
        self.stop()
        ours, theirs = socket.socketpair()
        self.stderr = tempfile.TemporaryFile()
        try:
            self.process = spawn(
                [sys.executable, "-m", "policykg.kg.workers", str(theirs.fileno()), str(self.graph_dir)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, stderr=self.stderr, close_fds=True,
                env={**os.environ, "RUST_BACKTRACE": "0"})
        finally:
            theirs.close()
        conn = self.conn = Connection(ours.detach())
        try:
            if not conn.poll(max(timeout, 30.0)):
                self.stop()
                raise PolicyKGError("the SPARQL worker did not start in time; try again")
            status, code, message = conn.recv()
        except (EOFError, OSError):  # it died, or the pool was closed meanwhile
            self.stop()
            raise PolicyKGError("the SPARQL worker could not start (see the server log)") from None
        if status != "ready":
            self.stop()
            raise PolicyKGError(message)

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                pass
            self.process = None
        if self.stderr is not None:
            tail = self.last_words().strip()
            if tail:
                log.warning("SPARQL worker said: %s", " | ".join(tail.splitlines()[-4:])[-1000:])
            self.stderr.close()
            self.stderr = None


class QueryPool:
    """A few worker processes; `run` gives each query one of them, with a time limit."""

    def __init__(self, graph_dir: Path, *, size: int = 2, timeout: float = 10.0, fast: float = 0.0) -> None:
        self.graph_dir = Path(graph_dir)
        self.timeout = timeout
        self.fast = min(fast, timeout / 10)  # seconds: a query known to take at most this runs in-process
        self._cost: OrderedDict[tuple, float] = OrderedDict()  # cost_key → seconds it took in a worker
        self._cost_lock = threading.Lock()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers = [_Worker(self.graph_dir) for _ in range(max(1, size))]
        for worker in self._workers:
            self._idle.put(worker)
        self._closed = threading.Event()
        self.crashed: dict[str, str] = {}  # query key → the EngineCrash message (insertion order = age)
        self._crash_lock = threading.Lock()

    def remember_crash(self, req: QueryRequest, message: str) -> None:
        with self._crash_lock:
            self.crashed[query_key(req.query)] = message
            while len(self.crashed) > CRASH_MEMORY:
                self.crashed.pop(next(iter(self.crashed)))

    def known_cost(self, req: QueryRequest) -> float | None:
        """The seconds `req` took in a worker on this store, if it ran there within `fast` seconds."""
        if self.fast <= 0:
            return None
        key = cost_key(req)
        with self._cost_lock:
            took = self._cost.get(key)
            if took is not None:
                self._cost.move_to_end(key)
        return took if took is not None and took <= self.fast else None

    def _remember_cost(self, req: QueryRequest, seconds: float) -> None:
        key = cost_key(req)
        with self._cost_lock:
            self._cost[key] = max(seconds, self._cost.get(key, 0.0))
            self._cost.move_to_end(key)
            while len(self._cost) > COST_MEMORY:
                self._cost.popitem(last=False)

    def run(self, req: QueryRequest, ticket: Ticket | None = None) -> QueryResult:
        known = self.crashed.get(query_key(req.query))
        if known is not None:  # it killed a worker before: it would again
            raise EngineCrash(known + " (refused at once: this query crashed the engine before)")
        wait = max(self.timeout, SLOT_WAIT)  # a slot may be held by a worker that is (re)starting
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise QueryTimeout(f"the SPARQL endpoint is busy: no query slot came free within {wait:g} s; "
                               "try again") from None
        ticket = ticket or Ticket()
        try:
            result = self._run_on(worker, req, ticket)
            self._remember_cost(req, result.seconds)
            result.ran_in = "worker"
            return result
        except (QueryTimeout, EngineCrash, QueryCancelled):
            # its worker was killed or died: start a fresh one now, off the request, then free the slot
            threading.Thread(target=self._restart, args=(worker,), daemon=True).start()
            worker = None
            raise
        finally:
            ticket.attach(None)  # a late cancel must not kill the next query on this worker
            if worker is not None:
                self._idle.put(worker)

    def _restart(self, worker: _Worker) -> None:
        try:
            if not self._closed.is_set():
                worker.ensure_started(self.timeout)
        except PolicyKGError as exc:
            if not self._closed.is_set():
                log.warning("SPARQL worker restart failed: %s", exc)
        finally:
            if self._closed.is_set():
                worker.stop()  # the pool closed while it restarted: leave no process behind
            self._idle.put(worker)

    def _run_on(self, worker: _Worker, req: QueryRequest, ticket: Ticket) -> QueryResult:
        for attempt in (1, 2):
            if ticket.cancelled:
                raise QueryCancelled("the client went away; the query was not run")
            worker.ensure_started(self.timeout)
            ticket.attach(worker)
            try:
                worker.conn.send(req)
                if not worker.conn.poll(self.timeout):
                    worker.stop()
                    raise QueryTimeout(
                        f"the query was stopped after {self.timeout:g} s (the endpoint's sparql_timeout): "
                        "narrow it down, add a LIMIT, or run it on your own copy with `policykg sparql`")
                status, payload, message = worker.conn.recv()
            except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
                if ticket.cancelled:
                    worker.stop()
                    raise QueryCancelled("the client went away; its query was stopped") from None
                status = worker.died_of()
                if status in ENGINE_SIGNALS:  # the engine crashed on this query: it would again
                    crash = engine_crash(status, worker.last_words(), inspect(req.query).order_by)
                    log.warning("SPARQL engine crashed (exit %s) on a query; refusing it from now on", status)
                    self.remember_crash(req, str(crash))
                    worker.stop()
                    raise crash from None
                worker.stop()  # the worker died (out of memory, killed): restart it once
                if attempt == 2:
                    raise PolicyKGError("the SPARQL worker stopped while running the query; try again") from None
                continue
            if status == "ok":
                return payload
            err = InputError(message) if payload < 500 else PolicyKGError(message)
            err.http_status = payload
            raise err
        raise PolicyKGError("unreachable")

    def warm_up(self) -> None:
        """Start the workers now (the first query then answers fast)."""
        taken = []
        try:
            for _ in self._workers:
                if self.closed:
                    break
                worker = self._idle.get()
                taken.append(worker)
                worker.ensure_started(self.timeout)
        finally:
            for worker in taken:
                if self.closed:
                    worker.stop()
                self._idle.put(worker)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        self._closed.set()
        for worker in self._workers:
            worker.stop()


def main(argv: list[str] | None = None) -> None:
    """`python -m policykg.kg.workers FD GRAPH_DIR`: serve queries on the inherited socket FD."""
    args = sys.argv[1:] if argv is None else argv
    _worker_main(Connection(int(args[0])), args[1])


if __name__ == "__main__":
    # run from the importable module, so what is pickled names policykg.kg.workers, not __main__
    from policykg.kg.workers import main as _main

    _main()

"""SPARQL queries with a time limit: worker processes that open the graph folder and can be stopped.

pyoxigraph has no query timeout, so a query with a time limit never runs in the calling
process: each worker process opens the Oxigraph folder read-only and answers one query at a
time over a socket. A query that runs longer than the limit gets its worker killed (a fresh one
starts on the next query) and the caller a `QueryTimeout` (HTTP 503).
"""
from __future__ import annotations

import logging
import queue
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from policykg.errors import InputError, PolicyKGError
from policykg.kg.query import QueryRequest, QueryResult, run_on, serialize

log = logging.getLogger("policykg.kg")


class QueryTimeout(PolicyKGError):
    """A query that ran past its time limit (HTTP 503)."""

    http_status = 503


def execute(store: ox.Store, req: QueryRequest) -> QueryResult:
    """Run one read-only query on `store` and serialise it as asked (row cap applied)."""
    started = time.perf_counter()
    return serialize(run_on(store, req), req, started)


def _worker_main(conn, graph_dir: str) -> None:
    """A worker process: open the store read-only, answer queries until the pipe closes."""
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

    def ensure_started(self, timeout: float) -> None:
        if self.process is not None and self.process.poll() is None and self.conn is not None:
            return
        self.stop()
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "policykg.kg.workers", str(theirs.fileno()), str(self.graph_dir)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, close_fds=True)
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


SLOT_WAIT = 30.0  # seconds a query waits for a free worker before a 503


class QueryPool:
    """A few worker processes; `run` gives each query one of them, with a time limit."""

    def __init__(self, graph_dir: Path, *, size: int = 2, timeout: float = 10.0) -> None:
        self.graph_dir = Path(graph_dir)
        self.timeout = timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers = [_Worker(self.graph_dir) for _ in range(max(1, size))]
        for worker in self._workers:
            self._idle.put(worker)
        self._closed = threading.Event()

    def run(self, req: QueryRequest) -> QueryResult:
        wait = max(self.timeout, SLOT_WAIT)  # a slot may be held by a worker that is (re)starting
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise QueryTimeout(f"the SPARQL endpoint is busy: no query slot came free within {wait:g} s; "
                               "try again") from None
        try:
            return self._run_on(worker, req)
        except QueryTimeout:
            # its worker was killed: start a fresh one now, off the request, then free the slot
            threading.Thread(target=self._restart, args=(worker,), daemon=True).start()
            worker = None
            raise
        finally:
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

    def _run_on(self, worker: _Worker, req: QueryRequest) -> QueryResult:
        for attempt in (1, 2):
            worker.ensure_started(self.timeout)
            try:
                worker.conn.send(req)
                if not worker.conn.poll(self.timeout):
                    worker.stop()
                    raise QueryTimeout(
                        f"the query was stopped after {self.timeout:g} s (the endpoint's sparql_timeout): "
                        "narrow it down, add a LIMIT, or run it on your own copy with `policykg sparql`")
                status, payload, message = worker.conn.recv()
            except (EOFError, BrokenPipeError, ConnectionResetError, OSError):
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

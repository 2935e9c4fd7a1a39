"""SPARQL admission: queries wait in their own bounded queue, never in the server's request threads.

The web pages and the JSON API run in the server's thread pool (or on its event loop). SPARQL
queries used to wait for a free worker inside that same pool, so 45 slow queries froze every
page. Here a query waits on the event loop for one of `slots` SPARQL slots (one per worker
process) and runs, once admitted, in a small thread pool of its own:

- at most `slots` queries run and at most `queue` wait; any more get 503 with `Retry-After`
  at once, and a query that waited `max_wait` seconds without a slot gets the same;
- a client that disconnects while its query waits leaves the queue; one that disconnects while
  its query runs gets the query stopped (its worker is killed and restarted).
"""
from __future__ import annotations

import asyncio
import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable

from policykg.errors import PolicyKGError


class Busy(PolicyKGError):
    """No SPARQL slot: the queue is full or the wait too long (HTTP 503 with Retry-After)."""

    http_status = 503

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ClientGone(PolicyKGError):
    """The client disconnected before its query finished (nobody reads the answer)."""

    http_status = 503


class Admission:
    """At most `slots` SPARQL queries at once and `queue` waiting; see the module docstring."""

    def __init__(self, slots: int, queue: int, max_wait: float, retry_after: float) -> None:
        self.slots = max(1, slots)
        self.queue = max(0, queue)
        self.max_wait = max_wait
        self.retry_after = max(1, math.ceil(retry_after))
        self.running = 0
        self.waiting = 0
        self._free: asyncio.Semaphore | None = None  # made on the event loop at first use
        self._executor: ThreadPoolExecutor | None = None  # made at first use (again after close)

    @property
    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="policykg-sparql")
        return self._executor

    async def run(self, fn: Callable[..., Any], *args: Any, disconnected: Awaitable[None] | None = None,
                  cancel: Callable[[], None] | None = None) -> Any:
        """`fn(*args)` in a SPARQL slot; Busy when none comes free, ClientGone when the client left."""
        if self._free is None:
            self._free = asyncio.Semaphore(self.slots)
        gone = asyncio.ensure_future(disconnected) if disconnected is not None else None
        try:
            await self._admit(gone)
            try:
                self.running += 1
                job = asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)
                if gone is None:
                    return await job
                done, _ = await asyncio.wait({job, gone}, return_when=asyncio.FIRST_COMPLETED)
                if job in done:
                    return job.result()
                if cancel is not None:
                    cancel()  # stop the work: kill the worker process that runs it
                try:
                    await job  # returns promptly once its worker is gone
                except Exception:
                    pass
                raise ClientGone("the client disconnected; its query was stopped")
            finally:
                self.running -= 1
                self._free.release()
        finally:
            if gone is not None and not gone.done():
                gone.cancel()

    async def _admit(self, gone: asyncio.Future | None) -> None:
        assert self._free is not None
        if self._free.locked() and self.waiting >= self.queue:
            raise Busy(f"the SPARQL endpoint is busy ({self.running} queries running, {self.waiting} waiting): "
                       f"try again in {self.retry_after} s", self.retry_after)
        self.waiting += 1
        acquire = asyncio.ensure_future(self._free.acquire())
        try:
            waits = {acquire} | ({gone} if gone is not None else set())
            done, _ = await asyncio.wait(waits, timeout=self.max_wait, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.waiting -= 1
        if acquire in done:
            return
        acquire.cancel()
        try:
            await acquire
        except asyncio.CancelledError:
            pass
        else:  # it was granted just as we gave up: give the slot back
            self._free.release()
        if gone is not None and gone in done:
            raise ClientGone("the client disconnected while its query waited")
        raise Busy(f"the SPARQL endpoint is busy: no query slot came free within {self.max_wait:g} s; "
                   f"try again in {self.retry_after} s", self.retry_after)

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


async def wait_for_disconnect(receive: Callable[[], Awaitable[dict]]) -> None:
    """Returns when the ASGI client disconnects (request bodies already read are skipped)."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


__all__ = ["Admission", "Busy", "ClientGone", "wait_for_disconnect"]

"""Live data: a running server notices a finished build and switches every part to it together.

A *generation* is everything the server answers from: the `PolicyKG` (documents, search
indexes, graph) and its SPARQL endpoint (worker processes). `serve` watches the store's marker
file, which a build writes last and swaps in with the new folder; when it changes, a new
generation is opened and warmed in the background (documents read, graph opened, workers
started, search indexes loaded if the old generation had them), then made current in one
assignment. Each request is pinned to the generation current when it arrived (a context
variable read by `app.state.kg/store/sparql`), so no request sees a mix of old and new; the old
generation is closed once its last request has finished.
"""
from __future__ import annotations

import asyncio
import logging
import threading
from contextvars import ContextVar
from typing import Any, Callable

from starlette.datastructures import State

log = logging.getLogger("policykg.api")

WATCH_INTERVAL = 1.0  # seconds between looks at the store's marker
PINNED = ("kg", "store", "sparql")
_current: ContextVar["Generation | None"] = ContextVar("policykg_generation", default=None)


class Generation:
    """One opened store and its endpoint; closed when retired and no request uses it."""

    def __init__(self, kg, endpoint, stamp: str | None) -> None:
        self.kg = kg
        self.store = kg.store
        self.sparql = endpoint
        self.stamp = stamp
        self._users = 0
        self._retired = False
        self._closed = False
        self._lock = threading.Lock()

    def enter(self) -> None:
        with self._lock:
            self._users += 1

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            done = self._retired and self._users == 0
        if done:
            self.close()

    def retire(self) -> None:
        with self._lock:
            self._retired = True
            done = self._users == 0
        if done:
            self.close()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            self.sparql.close()  # its workers, and the store's graph
        except Exception as exc:  # closing must never fail a request
            log.warning("closing the previous store generation: %s", exc)


def marker_stamp(kg) -> str | None:
    """What identifies a build: the store's generation (`Store.generation()`: the current version's name,
    one small file read), None while there is none or it cannot be read."""
    try:
        return kg.store.generation()
    except Exception:
        return None


class LiveState(State):
    """`app.state` whose kg/store/sparql are the request's pinned generation (else the current one)."""

    def __getattr__(self, name: str) -> Any:
        if name in PINNED:
            generation = _current.get() or self._state["live"].current
            return getattr(generation, name)
        return super().__getattr__(name)


class Live:
    """The current generation, the per-request pin and the watcher (see the module docstring)."""

    def __init__(self, kg, make_endpoint: Callable[[Any], Any]) -> None:
        self.make_endpoint = make_endpoint
        self.current = Generation(kg, make_endpoint(kg), marker_stamp(kg))
        self.switches = 0
        self._task: asyncio.Task | None = None

    # -- per request ----------------------------------------------------------------------
    def middleware(self, app):
        live = self

        async def pinned(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            generation = live.current
            generation.enter()
            token = _current.set(generation)
            try:
                await app(scope, receive, send)
            finally:
                _current.reset(token)
                generation.leave()

        return pinned

    # -- watching the store ------------------------------------------------------------------
    def start(self) -> None:
        threading.Thread(target=self.current.sparql.warm_up, daemon=True).start()  # start the query workers
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self.current.sparql.close()  # workers stop; they start again if the app is started again

    async def _watch(self) -> None:
        failed: str | None = None
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            stamp = marker_stamp(self.current.kg)
            if stamp is None or stamp == self.current.stamp or stamp == failed:
                continue
            try:
                fresh = await asyncio.to_thread(self._open, stamp)
            except Exception as exc:  # a damaged or half-written store: keep serving the old one
                failed = stamp
                log.warning("a new build was found but could not be opened; still serving the previous one: %s",
                            " ".join(str(exc).split()))
                continue
            if marker_stamp(self.current.kg) != stamp:  # rebuilt again meanwhile: open that one next time
                fresh.retire()
                continue
            old, self.current = self.current, fresh
            self.switches += 1
            log.info("serving the new build of %s (documents: %d)", fresh.store.folder, len(fresh.kg.documents()))
            old.retire()

    def _open(self, stamp: str) -> Generation:
        """A new generation over the rebuilt store, warmed up before it serves anything."""
        old = self.current.kg
        kg = type(old)(settings=old.settings)  # a fresh PolicyKG over the same settings
        kg.store.require()
        kg.documents()
        kg.store.info
        len(kg.store)  # the graph opens
        endpoint = self.make_endpoint(kg)
        generation = Generation(kg, endpoint, stamp)
        try:
            endpoint.warm_up()
            if "searcher" in old.__dict__:  # the old one answered questions: so will this one, at once
                searcher = kg.searcher
                for part in ("indexes", "linker", "embedder", "clause_texts", "mentions", "benefits"):
                    getattr(searcher, part)
        except Exception:
            generation.retire()
            raise
        return generation


def install(app, kg, make_endpoint: Callable[[Any], Any]) -> Live:
    """Give `app` live generations: `app.state.kg/store/sparql` pinned per request. Returns the `Live`."""
    live = Live(kg, make_endpoint)
    state = LiveState()
    state.live = live
    app.state = state
    app.add_middleware(_Pin, live=live)
    return live


class _Pin:
    """ASGI middleware form of `Live.middleware` (Starlette's add_middleware wants a class)."""

    def __init__(self, app, live: Live) -> None:
        self._call = live.middleware(app)

    async def __call__(self, scope, receive, send) -> None:
        await self._call(scope, receive, send)


__all__ = ["Live", "Generation", "LiveState", "install", "marker_stamp"]

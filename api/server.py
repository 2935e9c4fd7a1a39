"""Running the app under uvicorn: the connection-level guards `policykg serve` needs.

The server speaks HTTP with uvicorn's httptools protocol (a C parser) on uvloop when it is
installed. uvicorn times out idle keep-alive connections, but not a request whose line, headers
or body never finish (a slowloris client holds the connection for ever). `GuardedProtocol`
closes a connection whose request line and headers are not complete within `header_timeout`
seconds of its first byte (or of the connection, for a client that sends nothing), and one whose
body is not complete within `body_timeout` seconds of the end of its headers.
"""
from __future__ import annotations

import asyncio
import importlib.util
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("policykg.api")

GRACEFUL_SHUTDOWN = 30  # seconds in-flight requests may take to finish after SIGTERM / Ctrl-C
BODY_TIMEOUT_FACTOR = 3  # a request body may take this many times header_timeout (1 MB at most)


class CorkedTransport:
    """A transport whose writes in one event-loop step leave as one: uvicorn writes a response's
    headers and its body separately, two system calls and two wake-ups of the client for a small
    response. Everything else is the wrapped transport's."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol plus time limits on reading a request's headers and body."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._timer: asyncio.TimerHandle | None = None
        super().connection_made(CorkedTransport(transport, self.loop))  # type: ignore[arg-type]
        self._arm(self.header_timeout, self._headers_too_slow)  # a client that sends nothing

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm(self.header_timeout, self._headers_too_slow)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()
        self._arm(self.body_timeout, self._body_too_slow)  # until on_message_complete

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, seconds: float, callback) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _headers_too_slow(self) -> None:
        self._timer = None
        if not self.transport.is_closing() and (self.cycle is None or self.cycle.response_complete):
            log.info("closing a connection whose request headers did not arrive within %g s", self.header_timeout)
            self.transport.close()

    def _body_too_slow(self) -> None:
        self._timer = None
        if not self.transport.is_closing():
            log.info("closing a connection whose request body did not arrive within %g s", self.body_timeout)
            self.transport.close()  # the app's receive() sees http.disconnect


def protocol_class(header_timeout: float) -> type[GuardedProtocol]:
    return type("PolicyKGProtocol", (GuardedProtocol,),
                {"header_timeout": header_timeout, "body_timeout": header_timeout * BODY_TIMEOUT_FACTOR})


def event_loop() -> str:
    """uvloop when installed (a faster event loop), else asyncio's."""
    return "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"


def serve(kg, host: str, port: int) -> None:
    """Serve `kg` on host:port until interrupted (SIGINT/SIGTERM finish in-flight requests first)."""
    import uvicorn

    from policykg.api import create_app
    from policykg.errors import InputError

    try:
        header_timeout = kg.settings.get_float("header_timeout")
    except ValueError:
        raise InputError("POLICYKG_HEADER_TIMEOUT must be a number of seconds") from None
    if not header_timeout > 0:
        raise InputError("header_timeout must be more than 0 seconds")
    if not 0 < port < 65536:
        raise InputError(f"--port must be between 1 and 65535, not {port}")
    config = uvicorn.Config(create_app(kg), host=host, port=port, log_level="info", http=protocol_class(header_timeout),
                            loop=event_loop(), timeout_graceful_shutdown=GRACEFUL_SHUTDOWN, timeout_keep_alive=5)
    uvicorn.Server(config).run()


__all__ = ["GuardedProtocol", "protocol_class", "serve"]

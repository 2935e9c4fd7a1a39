"""Running the app under uvicorn: the connection-level guards `policykg serve` needs.

uvicorn's h11 protocol times out idle keep-alive connections but not a request whose line or
headers never finish (a slowloris client holds the connection for ever). `GuardedH11Protocol`
closes a connection whose request line and headers are not complete within `header_timeout`
seconds of its first byte (or of the connection, for a client that sends nothing).
"""
from __future__ import annotations

import asyncio
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("policykg.api")

GRACEFUL_SHUTDOWN = 30  # seconds in-flight requests may take to finish after SIGTERM / Ctrl-C


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol plus a time limit on reading a request's line and headers."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()  # still waiting for the end of the headers
        else:
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            if self.cycle is None or self.cycle.response_complete:
                log.info("closing a connection whose request headers did not arrive within %g s", self.header_timeout)
                self.transport.close()


def protocol_class(header_timeout: float) -> type[GuardedH11Protocol]:
    return type("PolicyKGH11Protocol", (GuardedH11Protocol,), {"header_timeout": header_timeout})


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
                            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN, timeout_keep_alive=5)
    uvicorn.Server(config).run()


__all__ = ["GuardedH11Protocol", "protocol_class", "serve"]

"""Ctrl-C and SIGTERM for the command line: exit 130 / 143 with one line, after cleaning up.

`install()` turns both signals into :class:`~policykg.errors.Interrupted`, raised in the main
thread wherever the command is, so that ``finally`` blocks run (a build removes its temporary
folder and releases its lock). `deferred()` holds them over a few steps that must not be cut in
half (the swap of a new store into place); a signal that arrived meanwhile is raised at its end.
"""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from policykg.errors import Interrupted

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_held = 0
_pending: list[int] = []
_stopping = False  # a signal was raised: the command is cleaning up; more signals do not cut that short


def _raise(signum: int, frame: object) -> None:
    global _stopping
    if _stopping:
        return
    if _held:
        _pending.append(signum)
        return
    _stopping = True
    raise Interrupted(signum)


def install() -> None:
    """Route SIGINT and SIGTERM to `Interrupted` (main thread only; an ignored signal stays ignored)."""
    global _stopping
    if threading.current_thread() is not threading.main_thread():
        return
    _stopping = False
    for signum in SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _raise)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM until the block is done; then raise the first that came."""
    global _held
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _pending:
            signum = _pending[0]
            _pending.clear()
            _raise(signum, None)

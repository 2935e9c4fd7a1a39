"""Child processes that die with their parent, even when the parent is killed with SIGKILL.

A worker busy inside the engine runs no Python code, so it cannot notice that its server is
gone; on Linux the kernel can tell it: `PR_SET_PDEATHSIG` sends the child SIGKILL when the
thread that started it exits. So children are started from one long-lived thread (`spawn`),
never from a short-lived one (a restart thread, an executor thread), and each child asks for
the signal first thing (`die_with_parent`), then checks that its parent is still the one that
started it (it may have died before the request took effect). On other systems the children
fall back to noticing a closed pipe at their next read.
"""
from __future__ import annotations

import ctypes
import os
import queue
import signal
import subprocess
import sys
import threading
from concurrent.futures import Future
from typing import Any

PR_SET_PDEATHSIG = 1
PARENT_ENV = "POLICYKG_PARENT_PID"


def die_with_parent() -> None:
    """In a child: be killed when the parent dies (Linux); exit now if it is already gone."""
    expected = os.environ.get(PARENT_ENV)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the closed pipe still ends the worker
            pass
    if expected and expected.isdigit() and os.getppid() != int(expected):
        os._exit(1)  # the parent died before the death signal was armed


class _Spawner:
    """One daemon thread that starts every child process (the parent thread of PR_SET_PDEATHSIG)."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[list[str], dict[str, Any], Future]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _loop(self) -> None:
        while True:
            args, kwargs, future = self._jobs.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(subprocess.Popen(args, **kwargs))
                except BaseException as exc:  # handed to the caller
                    future.set_exception(exc)

    def popen(self, args: list[str], **kwargs: Any) -> subprocess.Popen:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="policykg-spawner", daemon=True)
                self._thread.start()
        env = dict(kwargs.pop("env", None) or os.environ)
        env[PARENT_ENV] = str(os.getpid())
        future: Future = Future()
        self._jobs.put((args, {**kwargs, "env": env}, future))
        return future.result(timeout=60)


_SPAWNER = _Spawner()


def spawn(args: list[str], **kwargs: Any) -> subprocess.Popen:
    """`subprocess.Popen(args, **kwargs)` from the spawner thread; the child should call `die_with_parent`."""
    return _SPAWNER.popen(args, **kwargs)


__all__ = ["spawn", "die_with_parent", "PARENT_ENV"]

"""One build at a time per store: an exclusive `flock` on `.<store>.lock` next to the store folder.

The kernel releases the lock when its holder exits, however it exits (kill -9 included), so a lock
is never stale. The file keeps the holder's pid for the message a second build prints; the holder
removes it when it is done (a file left by a killed build is simply locked again by the next one).
"""
from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

from policykg.errors import StoreBusy


def lock_path(target: Path) -> Path:
    target = Path(target)
    return target.parent / f".{target.name}.lock"


class BuildLock:
    """Held while a build writes `target`; `release()` (or leaving a `with` block) lets it go."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.path = lock_path(self.target)
        self._fd: int | None = None

    def acquire(self) -> BuildLock:
        """Take the lock or raise `StoreBusy` naming the holder's pid (never waits)."""
        for _ in range(100):  # retried only when the holder removed the file as we locked it
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                os.close(fd)
                raise StoreBusy(str(self.target), holder) from None
            except BaseException:
                os.close(fd)
                raise
            if self._same_file(fd):
                break
            os.close(fd)
        else:
            raise StoreBusy(str(self.target), "")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        self._clear_leftovers()
        return self

    def _same_file(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def _clear_leftovers(self) -> None:
        """Temporary folders of builds that were killed outright (no build can be using them now)."""
        for folder in self.target.parent.glob(f".{self.target.name}.building-*"):
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                self.path.unlink()  # while still held: a build that opens it next retries on a new file
            except OSError:
                pass
            os.close(fd)  # closing the descriptor releases the flock

    def __enter__(self) -> BuildLock:
        return self.acquire() if self._fd is None else self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __del__(self) -> None:
        self.release()


def lock_store(target: Path) -> BuildLock:
    """Take the build lock of `target` (raises `StoreBusy` while another build holds it)."""
    return BuildLock(target).acquire()

"""File-system steps the store needs to survive crashes, knowing no store file names.

- `atomic_write`: a file replaced in one step (temporary file, fsync, `os.replace`, fsync of the folder);
- `fsync_tree`: every file of a folder flushed to disk before it is published;
- `inventory` / `check_inventory`: the size (and a CRC-32 where cheap) of each file of a part, recorded
  at build time and compared on open;
- `BuildLock`: an advisory lock (`flock`) a running build holds on its work folder, so that a later build
  removes only the leftovers of builds that died (the kernel drops the lock when a process is killed).
"""
from __future__ import annotations

import fcntl
import os
import zlib
from pathlib import Path
from typing import Any

CRC_LIMIT = 32 * 1024 * 1024  # files up to this size get a CRC-32 (fast: ~1 GB/s); larger ones a size only
_CHUNK = 1 << 20


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step: readers see the old content or the new, never a part."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_tree(folder: Path) -> None:
    """Flush every file and folder under `folder` to disk."""
    for root, dirs, files in os.walk(folder):
        for name in files:
            try:
                fd = os.open(os.path.join(root, name), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(root))


def crc32(path: Path) -> int:
    value = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            value = zlib.crc32(chunk, value)
    return value


def inventory(path: Path, *, checksums: bool = True, skip: tuple[str, ...] = ()) -> list[list[Any]]:
    """[[relative path, size, crc32 or None], …] of a file, or of every file in a folder (sorted)."""
    path = Path(path)
    if path.is_file():
        size = path.stat().st_size
        return [["", size, crc32(path) if checksums and size <= CRC_LIMIT else None]]
    rows = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = file.relative_to(path).as_posix()
        if rel.split("/")[-1].startswith(skip):
            continue
        size = file.stat().st_size
        rows.append([rel, size, crc32(file) if checksums and size <= CRC_LIMIT else None])
    return rows


def check_inventory(path: Path, rows: list[list[Any]], label: str) -> str | None:
    """None when every recorded file has its size (and CRC-32); else what is wrong, in a few words."""
    path = Path(path)
    if not path.exists():
        return None if not rows else f"{label} is missing"
    for rel, size, crc in rows:
        file = path / rel if rel else path
        try:
            actual = file.stat().st_size
        except OSError:
            return f"{label}/{rel} is missing" if rel else f"{label} is missing"
        name = f"{label}/{rel}" if rel else label
        if actual != size:
            return f"{name} has {actual} bytes, expected {size}"
        if crc is not None:
            try:
                if crc32(file) != crc:
                    return f"{name} does not match its checksum"
            except OSError as exc:
                return f"{name} cannot be read ({exc.strerror})"
    return None


class BuildLock:
    """An exclusive `flock` on `path` (created), held until `release` or the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._fd)
            self._fd = None
            raise

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def held_by_live_process(path: Path) -> bool:
    """True when some running process holds the `flock` on `path` (a dead one's lock is gone)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops the lock taken just now
    return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

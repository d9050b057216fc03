"""One writer per data home. DuckDB allows one writing process per file; two ``gongkai run`` (or a
``publish`` during a ``build``) on the same home would otherwise meet as a raw lock error half-way
through. Writers take an advisory ``flock`` on ``<home>/.gongkai.lock`` first, which the kernel
releases when the process dies (a killed run leaves nothing to clean up)."""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from gongkai.errors import HomeBusy

_held: dict[Path, int] = {}  # lock file -> depth, so nested steps in one process re-enter


@contextmanager
def home_lock(home: Path, what: str) -> Iterator[None]:
    """Hold the home's writer lock for ``what``; raise :class:`HomeBusy` naming the holder."""
    path = Path(home) / ".gongkai.lock"
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(fd)
            raise HomeBusy(f"{home} is busy: {holder}; wait for it to finish (or stop it) and retry") from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "what": what, "since": time.time()}).encode())
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _describe(fd: int) -> str:
    try:
        info = json.loads(os.pread(fd, 4096, 0) or b"{}")
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(info["since"])))
        return f"`gongkai {info['what']}` (pid {info['pid']}) has been writing it since {since}"
    except (ValueError, KeyError, TypeError, OSError):
        return "another gongkai process is writing it"

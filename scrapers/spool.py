"""The download spool: what a run downloaded from one portal host, handed from the per-host
download (many processes, no staging writes) to the one landing step (the staging writer).

``<home>/spool/<run>/<host>.json`` is the host's *manifest*, written once and atomically (temp
file + ``os.replace``) when its downloads are done: the host's column discoveries and, per
document, the listed URL, its id, metadata, blob hashes, extracted text or failure reason and
tries. While the downloads run, each finished document is appended to ``<host>.part`` (JSON
lines), so a killed download run again resumes instead of fetching again. The raw bytes are not
here: they are in the raw archive already (content-addressed). Landing removes the run's folder.

A ``gongkai scrape`` run (no orchestrator to hand it a run id) marks its folder with its arguments
(``scrape.json``) and holds a lock on it while it runs: a later scrape with the same arguments
takes over the folder of one that was killed or failed before landing (:func:`cli_run`), so its
finished downloads are not fetched again."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FORMAT = 1
STALE_DAYS = 7.0  # a run folder left by a killed run is removed after this many days


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def spool_dir(home: Path) -> Path:
    return home / "spool"


def run_dir(home: Path, run_id: str) -> Path:
    """The run's folder: its id made file-safe, plus a short hash so that two ids never share one."""
    return spool_dir(home) / f"{_safe(run_id)[:80]}-{hashlib.sha1(run_id.encode()).hexdigest()[:8]}"


def manifest_path(home: Path, run_id: str, host: str) -> Path:
    return run_dir(home, run_id) / f"{_safe(host)}.json"


def part_path(manifest: Path) -> Path:
    return manifest.with_suffix(".part")


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write ``manifest`` atomically, then drop the host's part file (its entries are in it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(manifest, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    part_path(path).unlink(missing_ok=True)


def read_manifest(path: Path) -> dict[str, Any]:
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: unknown manifest format {manifest.get('format')!r}")
    return manifest


def manifests(home: Path, run_id: str) -> list[Path]:
    """The run's finished manifests, by host name."""
    folder = run_dir(home, run_id)
    return sorted(p for p in folder.glob("*.json") if p.name != CLI_MARKER) if folder.is_dir() else []


def earlier_entries(path: Path) -> dict[tuple[int, str], dict[str, Any]]:
    """Documents earlier tries of this run finished: ``(column index, listed URL) -> entry``, from
    the host's manifest (a try that ended) updated by its part file (a later try, killed; a line
    cut short by the kill is ignored)."""
    out: dict[tuple[int, str], dict[str, Any]] = {}
    if path.exists():
        for i, col in enumerate(read_manifest(path)["columns"]):
            for entry in col["documents"]:
                out[(i, entry["url"])] = entry
    part = part_path(path)
    if part.exists():
        for line in part.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                break  # the last line, being written when the process was killed
            out[(int(entry["column"]), entry["url"])] = entry
    return out


class PartFile:
    """Appends each finished document to the host's part file (one JSON line, flushed)."""

    def __init__(self, manifest: Path) -> None:
        manifest.parent.mkdir(parents=True, exist_ok=True)
        self._f = part_path(manifest).open("a", encoding="utf-8")

    def append(self, entry: dict[str, Any]) -> None:
        self._f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._f.flush()

    def close(self) -> None:
        self._f.close()


CLI_MARKER = "scrape.json"  # in a run folder of ``gongkai scrape``: {"run_id", "args"}


def _claim(folder: Path) -> int | None:
    """An open descriptor holding the folder's exclusive lock, or None when another process holds it
    (the lock goes with the process, however it ends)."""
    fd = os.open(folder / "scrape.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


@contextmanager
def cli_run(home: Path, args: dict[str, Any]) -> Iterator[tuple[str, bool]]:
    """``(run id, resumed)`` for a ``gongkai scrape`` with these arguments, held while the scrape runs:
    the run of the newest earlier scrape with the same arguments that never landed (killed, or its
    landing failed), so that its downloads resume; else a new run."""
    root = spool_dir(home)
    root.mkdir(parents=True, exist_ok=True)
    markers = []
    for marker in root.glob(f"*/{CLI_MARKER}"):
        try:
            markers.append((marker.stat().st_mtime, marker))
        except OSError:  # its run landed meanwhile
            continue
    run_id, fd, resumed = None, None, False
    for _, marker in sorted(markers, reverse=True):
        try:
            meta = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if meta.get("args") != args or not isinstance(meta.get("run_id"), str):
            continue
        if run_dir(home, meta["run_id"]) != marker.parent:
            continue
        try:
            fd = _claim(marker.parent)
        except OSError:  # removed meanwhile (landed)
            continue
        if fd is None:
            continue  # a scrape that is running
        if marker.exists():
            run_id, resumed = meta["run_id"], True
            break
        os.close(fd)  # landed between the listing and the lock
        fd = None
    if run_id is None:
        run_id = uuid.uuid4().hex[:12]
        folder = run_dir(home, run_id)
        folder.mkdir(parents=True, exist_ok=True)
        fd = _claim(folder)
        if fd is None:  # a new folder: nobody else knows it
            raise RuntimeError(f"{folder}: locked by another process")
        write_manifest(folder / CLI_MARKER, {"run_id": run_id, "args": args})
    try:
        yield run_id, resumed
    finally:
        os.close(fd)  # (a landed run's folder is gone already)


def remove_run(home: Path, run_id: str) -> None:
    shutil.rmtree(run_dir(home, run_id), ignore_errors=True)


def remove_stale(home: Path, days: float = STALE_DAYS) -> list[Path]:
    """Remove run folders untouched for ``days`` (left by killed runs); return them."""
    root = spool_dir(home)
    if not root.is_dir():
        return []
    cutoff = time.time() - days * 86400
    gone = []
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            gone.append(folder)
    return gone

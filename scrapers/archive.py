"""The raw archive: bytes stored content-addressed at ``raw/<sha[:2]>/<sha256>``, never overwritten."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_path(raw_dir: Path, sha: str) -> Path:
    return raw_dir / sha[:2] / sha


def store(raw_dir: Path, data: bytes) -> str:
    """Write ``data`` once (atomically: temp file + rename) and return its sha256."""
    sha = sha256_of(data)
    path = blob_path(raw_dir, sha)
    if path.exists():
        return sha
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{sha}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return sha


def load(raw_dir: Path, sha: str) -> bytes:
    return blob_path(raw_dir, sha).read_bytes()

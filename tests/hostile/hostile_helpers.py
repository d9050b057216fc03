"""Helpers of the hostile tests (imported by module name: tests/ has no packages)."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import duckdb

from gongkai.config import REPO_ROOT, Settings


def query(settings: Settings, sql: str, params: tuple = ()) -> list[tuple]:
    con = duckdb.connect(str(settings.staging_db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def tuned(settings: Settings, **knobs) -> Settings:
    """``settings`` with acquisition limits changed. A limit that is not (yet) a typed field of
    :class:`Settings` is set as an attribute, which is how the scrapers read it (``getattr``)."""
    fields = {f.name for f in dataclasses.fields(settings)}
    out = dataclasses.replace(settings, **{k: v for k, v in knobs.items() if k in fields})
    for key, value in knobs.items():
        if key not in fields:
            object.__setattr__(out, key, value)
    return out


def run_cli(args: list[str], settings: Settings, timeout: float = 180) -> subprocess.CompletedProcess:
    """The real ``gongkai`` command line in a child process (exit code, stdout, stderr as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-c", "from gongkai.cli import main; main()", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **settings.env()},
        capture_output=True,
        text=True,
        timeout=timeout,
    )

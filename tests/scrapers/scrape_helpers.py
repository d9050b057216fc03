"""Helpers shared by the acquisition tests (imported by module name: tests/ has no packages)."""

from __future__ import annotations

import os
import subprocess
import sys

import duckdb

from gongkai.config import REPO_ROOT, Settings

SEED_AGENCIES = {
    "000_f4d536c944cec0f0": "zhenhai-news-centre",
    "001_ea52101856a8af1f": "haishu",
    "002_ac397f543ad98429": "zhenhai-econ-coop",
    "003_49c6c62204b3e30b": "haishu-yinjiang",
    "004_5aaa9839169bd157": "yinzhou-xianxiang",
}


def query(settings: Settings, sql: str, params: tuple = ()) -> list[tuple]:
    con = duckdb.connect(str(settings.staging_db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def run_cli(
    args: list[str], settings: Settings | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """The real ``gongkai`` command line in a child process (exit code, stdout, stderr as a user sees them)."""
    env = {**os.environ, **(settings.env() if settings is not None else {})}
    return subprocess.run(
        [sys.executable, "-c", "from gongkai.cli import main; main()", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )

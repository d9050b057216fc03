"""A scrape killed mid-way (separate process, SIGKILL) leaves no half rows; the next run resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from scrape_helpers import SEED_AGENCIES, query

from gongkai.config import REPO_ROOT
from scrapers.run import scrape

CHILD = """
import dataclasses, sys
from gongkai.config import Settings
from scrapers.run import scrape
s = dataclasses.replace(Settings.from_env(), request_interval=0.12)
scrape(s)
"""


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_sigkill_mid_run_then_resume(scrape_settings, replica) -> None:
    env = {**os.environ, **scrape_settings.env()}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        # kill once the child is inside the fetch phase (it has asked for some article pages)
        while replica.requests.get("article", 0) < 3 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert child.poll() is None, "the child finished before it could be killed"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL

    # killed while downloading: the download was spooling (a download writes no staging row;
    # landing is one transaction per host, after the downloads)
    assert list((scrape_settings.home / "spool").rglob("*.part")), "killed during a download"
    exists = scrape_settings.staging_db.exists()
    landed = query(scrape_settings, "select count(*) from documents")[0][0] if exists else 0
    assert landed < 5, "it really was interrupted"
    # no half rows: every landed document has its text, every text its document
    assert not exists or (
        query(
            scrape_settings,
            "select count(*) from documents d anti join raw_texts r using (document_id, version)",
        )[0][0]
        == 0
    )
    assert not exists or (
        query(
            scrape_settings,
            "select count(*) from raw_texts r anti join documents d using (document_id, version)",
        )[0][0]
        == 0
    )

    summary = scrape(scrape_settings)
    assert summary.failed == 0
    assert summary.new == 5 - landed
    rows = query(scrape_settings, "select agency_code, count(*) from documents group by 1")
    assert dict(rows) == {agency: 1 for agency in SEED_AGENCIES.values()}
    assert query(scrape_settings, "select count(*) from raw_texts")[0][0] == 5

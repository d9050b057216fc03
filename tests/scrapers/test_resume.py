"""A scrape killed mid-way (separate process, SIGKILL) leaves no half rows; the next run resumes
it: what the killed one downloaded is not fetched again. The run a scrape resumes (``spool.cli_run``)
is the newest unlanded one with the same arguments that no running scrape holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from scrape_helpers import SEED_AGENCIES, query

from gongkai.config import REPO_ROOT, Settings
from scrapers import spool
from scrapers.run import scrape

CHILD = """
import dataclasses, sys
from gongkai.config import Settings
from scrapers.run import scrape
s = dataclasses.replace(Settings.from_env(), request_interval=0.12)
scrape(s)
"""


def _spooled_lines(settings: Settings) -> int:
    return sum(
        p.read_text(encoding="utf-8").count("\n") for p in (settings.home / "spool").rglob("*.part")
    )


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
        # kill once the child is inside the fetch phase and has finished a download (spooled it)
        while not _spooled_lines(scrape_settings) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
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

    # what the killed run finished downloading, by document (each article page is one request)
    spooled = {
        e["document_id"]
        for part in (scrape_settings.home / "spool").rglob("*.part")
        for e in spool.earlier_entries(part.with_suffix(".json")).values()
        if e["status"] == "ok"
    }
    assert spooled, "the killed run had finished some downloads"
    articles = replica.requests.get("article", 0)

    summary = scrape(scrape_settings)
    assert summary.failed == 0
    assert summary.new == 5 - landed
    # resumed, not started over: only the reports the killed run had not finished are fetched
    assert replica.requests.get("article", 0) - articles == 5 - landed - len(spooled)
    assert not list((scrape_settings.home / "spool").iterdir())  # landed: the run's folder is gone
    rows = query(scrape_settings, "select agency_code, count(*) from documents group by 1")
    assert dict(rows) == {agency: 1 for agency in SEED_AGENCIES.values()}
    assert query(scrape_settings, "select count(*) from raw_texts")[0][0] == 5


def test_a_scrape_resumes_only_an_unlanded_run_with_its_arguments(settings: Settings) -> None:
    home = settings.home
    args = {"portal": None, "since": None, "until": None, "refresh": False}
    with spool.cli_run(home, args) as (first, resumed):
        assert not resumed
        with spool.cli_run(home, args) as (second, resumed_2):  # the first still runs: not taken
            assert second != first and not resumed_2
    with spool.cli_run(home, args) as (again, resumed):  # the newest unlanded one
        assert again == second and resumed
    with spool.cli_run(home, {**args, "portal": "haishu"}) as (other, resumed):
        assert other not in (first, second) and not resumed  # other arguments: a run of its own
    spool.remove_run(home, second)  # landed
    with spool.cli_run(home, args) as (after, resumed):
        assert after == first and resumed
    assert spool.manifests(home, first) == []  # the marker is not a host manifest

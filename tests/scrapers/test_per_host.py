"""Download per portal host (network, raw archive, spool manifest; no staging write), then one
landing: manifests land once, landing twice changes nothing, a failed host does not hold the
others back, a download run again resumes, and `fetch_and_land` is the same two steps."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from scrape_helpers import query

from gongkai.config import Settings
from scrapers import landing, spool
from scrapers.run import (
    discover_column,
    download_host,
    fetch_and_land,
    group_by_host,
    land,
    list_columns,
)

# every staging table acquisition writes, with the columns that differ between two runs left out
TABLES = {
    "documents": "document_id, version, url, portal, column_id, agency_code, title, published_date, "
    "content_type, sha256, content_hash, attachments, status, error, is_synthetic",
    "blobs": "sha256, size_bytes, content_type, url",
    "raw_texts": "document_id, version, text, extractor, extractor_version, chars",
    "fetch_log": "url, method, status, bytes, error",
    "scrape_history": "portal, column_id, mechanism, window_since, window_until, requests, list_requests, "
    "listed, reports_listed, new, changed, unchanged, failed, status, error",
    "scrape_attempts": "document_id, url, portal, column_id, attempts, last_status, last_reason",
    "scrape_watermarks": "portal, column_id, complete_through",
    "scrape_text_index": "text_sha256, document_id, version",
    "scrape_aliases": "alias_id, document_id, url",
    "scrape_http_cache": "url, etag, last_modified",
}


def _staging(settings: Settings) -> dict[str, list[tuple]]:
    return {t: sorted(query(settings, f"select {cols} from {t}"), key=repr) for t, cols in TABLES.items()}


def _discover_by_host(settings: Settings) -> dict[str, list[dict]]:
    found = [
        dataclasses.asdict(discover_column(settings, c["portal"], c["column"]))
        for c in list_columns(settings)
    ]
    return group_by_host(settings, json.loads(json.dumps(found)))  # as the DAG hands them on (XCom)


def test_each_host_downloads_into_its_manifest_and_the_run_lands_once(scrape_settings, replica) -> None:
    by_host = _discover_by_host(scrape_settings)
    assert len(by_host) == 3  # www.haishu.gov.cn, www.zh.gov.cn, www.nbyz.gov.cn
    results = [download_host(scrape_settings, h, found, "run-1") for h, found in by_host.items()]
    assert not scrape_settings.staging_db.exists()  # downloads write no DuckDB
    assert sorted(Path(r.manifest).name for r in results) == sorted(f"{h}.json" for h in by_host)
    assert [p.name for p in spool.manifests(scrape_settings.home, "run-1")] == sorted(
        f"{h}.json" for h in by_host
    )
    assert sum(r.documents for r in results) == sum(r.ok for r in results) == 5
    manifest = spool.read_manifest(Path(results[0].manifest))
    entry = manifest["columns"][0]["documents"][0]
    assert entry["status"] == "ok" and entry["tries"] == 1 and entry["report"]["text"]
    for sha in entry["blobs"]:  # the bytes are in the raw archive already
        assert (scrape_settings.raw_dir / sha[:2] / sha).exists()
    kept = scrape_settings.home / "kept"
    shutil.copytree(spool.run_dir(scrape_settings.home, "run-1"), kept)
    article_requests = replica.requests.get("article", 0)

    landed = land(scrape_settings, "run-1")
    assert (landed.found, landed.new, landed.failed, landed.columns, landed.outcome) == (5, 5, 0, 5, "ok")
    assert replica.requests.get("article", 0) == article_requests  # landing downloads nothing
    assert not spool.run_dir(scrape_settings.home, "run-1").exists()  # the spool is removed
    once = _staging(scrape_settings)
    assert len(once["documents"]) == 5 and len(once["scrape_history"]) == 5
    assert query(scrape_settings, "select count(distinct run_id) from fetch_log") == [(1,)]

    # landing the same manifests again (a retried land task) changes nothing and counts the same
    again = land(scrape_settings, "run-1", sorted(kept.glob("*.json")))
    assert dataclasses.asdict(again) == dataclasses.asdict(landed)
    assert land(scrape_settings, "run-1").new == 5  # spool gone: the counts of what was landed
    assert _staging(scrape_settings) == once
    assert query(scrape_settings, "select count(*) from scrape_landed_manifests") == [(3,)]


def test_fetch_and_land_is_the_same_two_steps(scrape_settings, tmp_path) -> None:
    """The in-process path (`gongkai scrape`) and the DAG's download + land give the same staging."""
    from scrapers import http

    by_host = _discover_by_host(scrape_settings)
    http._ROBOTS.clear()  # what a process learns about hosts (robots.txt, file shortcuts): a new worker
    http.SHORTCUTS.clear()
    for host, found in by_host.items():
        download_host(scrape_settings, host, found, "dag-run")
    two_steps = land(scrape_settings, "dag-run")
    other = dataclasses.replace(
        Settings.at(tmp_path / "other"), portal_base_url=scrape_settings.portal_base_url, retry_backoff=0.01
    )
    http._ROBOTS.clear()
    http.SHORTCUTS.clear()
    one_call = fetch_and_land(other, [d for found in by_host.values() for d in found], run_id="cli-run")
    assert _staging(other) == _staging(scrape_settings)
    keys = ("found", "new", "revised", "unchanged", "failed", "columns", "list_requests", "document_requests")
    assert [getattr(one_call, k) for k in keys] == [getattr(two_steps, k) for k in keys]


def test_a_host_that_fails_does_not_lose_the_other_hosts(scrape_settings, replica, monkeypatch) -> None:
    by_host = _discover_by_host(scrape_settings)
    bad = "www.zh.gov.cn"
    good = [h for h in by_host if h != bad]
    for host in good:
        download_host(scrape_settings, host, by_host[host], "run-f")

    real_state = landing.landed_state

    def busy(path, **kw):
        raise landing.StagingBusy("staging stayed locked by a writer")

    monkeypatch.setattr(landing, "landed_state", busy)
    with pytest.raises(landing.StagingBusy):  # not the last try: raised, so that it is retried
        download_host(scrape_settings, bad, by_host[bad], "run-f")
    failed = download_host(scrape_settings, bad, by_host[bad], "run-f", contain_errors=True)  # last try
    assert failed.error and "StagingBusy" in failed.error and failed.documents == 0
    monkeypatch.setattr(landing, "landed_state", real_state)

    summary = land(scrape_settings, "run-f")
    assert (summary.new, summary.columns, summary.columns_failed, summary.outcome) == (3, 5, 2, "partial")
    assert {f["url"] for f in summary.failures} == {"zhenhai/1229045478", "zhenhai/1229045481"}
    assert all(f["reason"].startswith("download: StagingBusy") for f in summary.failures)
    assert query(scrape_settings, "select distinct portal from documents order by 1") == [
        ("haishu",),
        ("yinzhou",),
    ]
    history = query(
        scrape_settings, "select portal, status, error is not null from scrape_history order by 1, 2"
    )
    assert [h for h in history if h[0] == "zhenhai"] == [("zhenhai", "error", True)] * 2
    # the failed host's columns keep no watermark: the next run fetches their reports
    assert query(scrape_settings, "select count(*) from scrape_watermarks where portal = 'zhenhai'") == [(0,)]
    later = fetch_and_land(
        scrape_settings, [d for found in _discover_by_host(scrape_settings).values() for d in found]
    )
    assert (later.new, later.failed) == (2, 0)  # the landed hosts list nothing new (watermarks)


def test_a_failed_document_is_a_row_with_a_reason(scrape_settings, replica) -> None:
    replica.set_faults({"attachment_down"})
    by_host = _discover_by_host(scrape_settings)
    results = {h: download_host(scrape_settings, h, found, "run-d") for h, found in by_host.items()}
    assert sum(r.transient for r in results.values()) == 3  # the three reports with attachments
    summary = land(scrape_settings, "run-d")
    assert (summary.new, summary.failed, summary.pending) == (5, 3, 3)
    assert query(scrape_settings, "select status, count(*) from documents group by 1 order by 1") == [
        ("failed", 3),
        ("ok", 2),
    ]
    assert query(scrape_settings, "select attempts, last_status from scrape_attempts") == [(1, "failed")] * 3


def test_a_download_run_again_resumes_and_fetches_only_what_failed(
    scrape_settings, replica, monkeypatch
) -> None:
    """A killed download leaves its finished documents in the part file; a retried one (transient
    failures) keeps its manifest: either way the next try of the same run fetches only the rest."""
    by_host = _discover_by_host(scrape_settings)
    host = "www.haishu.gov.cn"  # two reports: a page body, and a page with a .docx attachment
    replica.set_faults({"attachment_down"})

    def killed(path, manifest):
        raise KeyboardInterrupt  # the process dies before the manifest is written

    monkeypatch.setattr(spool, "write_manifest", killed)
    with pytest.raises(KeyboardInterrupt):
        download_host(scrape_settings, host, by_host[host], "run-r")
    monkeypatch.undo()
    path = spool.manifest_path(scrape_settings.home, "run-r", host)
    spooled = spool.earlier_entries(path)  # each document spooled as it finished
    assert not path.exists() and sorted(e["status"] for e in spooled.values()) == ["failed", "ok"]

    replica.set_faults(set())
    before = dict(replica.requests)
    resumed = download_host(scrape_settings, host, by_host[host], "run-r")
    assert (resumed.documents, resumed.resumed, resumed.ok, resumed.transient) == (2, 1, 2, 0)
    assert replica.requests.get("article", 0) - before.get("article", 0) == 1  # only the failed one
    manifest = spool.read_manifest(path)
    assert sorted(e["tries"] for c in manifest["columns"] for e in c["documents"]) == [1, 2]
    summary = land(scrape_settings, "run-r")
    assert (summary.new, summary.failed) == (2, 0)
    # the failed try's requests are fetch-log rows too
    assert query(scrape_settings, "select count(*) from fetch_log where error like 'HTTP 503%'")[0][0] >= 1


def test_an_old_stale_spool_is_removed(settings: Settings) -> None:
    import os
    import time

    old = spool.run_dir(settings.home, "killed-long-ago")
    old.mkdir(parents=True)
    (old / "host.part").write_text("{}\n")
    past = time.time() - 8 * 86400
    os.utime(old, (past, past))
    fresh = spool.run_dir(settings.home, "running")
    fresh.mkdir(parents=True)
    assert spool.remove_stale(settings.home) == [old]
    assert fresh.exists() and not old.exists()


def test_run_folders_are_file_safe_and_distinct(settings: Settings) -> None:
    a = spool.run_dir(settings.home, "manual__2025-01-01T00:00:00+00:00")
    b = spool.run_dir(settings.home, "manual__2025-01-01T00_00_00_00_00")
    assert a != b and ":" not in a.name and "+" not in a.name
    assert spool.manifest_path(settings.home, "r", "127.0.0.1:8765").name == "127.0.0.1_8765.json"


def test_discovery_window_survives_the_manifest(scrape_settings) -> None:
    """An interval run lands its columns' windows in scrape history (from the manifest)."""
    found = [
        dataclasses.asdict(
            discover_column(scrape_settings, c["portal"], c["column"], date(2019, 1, 1), date(2019, 2, 1))
        )
        for c in list_columns(scrape_settings)
    ]
    summary = fetch_and_land(scrape_settings, found, run_id="window-run")
    assert (summary.found, summary.new) == (3, 3)
    assert set(query(scrape_settings, "select window_since, window_until from scrape_history")) == {
        (date(2019, 1, 1), date(2019, 2, 1))
    }

"""The daily DAG's per-host task bodies (``gongkai.orchestration.tasks``) without a scheduler:
discover → download per host, then one land; retries for transient download failures until the
last try, a log that names what was done, and a land that a retry does not double."""

from __future__ import annotations

import dataclasses

import pytest

from gongkai.config import Settings
from gongkai.orchestration import tasks


@pytest.fixture
def task_env(settings: Settings, replica, monkeypatch) -> Settings:
    """The task bodies read ``Settings.from_env()``: point it at a fresh home and the replica."""
    s = dataclasses.replace(settings, portal_base_url=replica.base_url, retry_backoff=0.01)
    s.ensure_dirs()
    for name, value in s.env().items():
        monkeypatch.setenv(name, value)
    return s


def _found(window: dict) -> list[dict]:
    return [tasks.discover_host(host, window) for host in tasks.list_hosts()]


def test_download_retries_transient_failures_until_the_last_try_then_lands_them_as_rows(
    task_env, replica, capfd, caplog
) -> None:
    caplog.set_level("INFO", logger="gongkai.tasks")
    found = _found({"since": None, "until": None})
    assert [f["host"] for f in found] == sorted(f["host"] for f in found) and len(found) == 3
    replica.set_faults({"attachment_down"})
    outcomes = {}
    for f in found:
        try:
            outcomes[f["host"]] = tasks.download_host(f, "manual__1", final_try=False)
        except tasks.StepIncomplete as exc:  # Airflow retries the task with backoff
            outcomes[f["host"]] = exc
    retried = [h for h, o in outcomes.items() if isinstance(o, tasks.StepIncomplete)]
    assert retried, outcomes  # some hosts' reports have attachments
    last = {h: tasks.download_host(next(f for f in found if f["host"] == h), "manual__1") for h in retried}
    assert all(r["transient"] and r["manifest"].endswith(f"{h}.json") for h, r in last.items())
    assert all(r["resumed"] for r in last.values() if r["documents"] > r["transient"])

    landed = tasks.land("manual__1")
    assert (landed["found"], landed["new"], landed["failed"], landed["pending"]) == (5, 5, 3, 3)
    again = tasks.land("manual__1")  # a retried land task: nothing doubled, the same counts
    assert {k: again[k] for k in ("found", "new", "failed")} == {
        k: landed[k] for k in ("found", "new", "failed")
    }
    log = caplog.text + "\n".join(capfd.readouterr())  # wherever Airflow's logging set-up sends it
    assert "www.haishu.gov.cn" in log and "archive " in log and "/raw/" in log  # what was downloaded, where
    assert "landing 3 manifest(s) of run manual__1" in log
    assert "landed " in log and "failed " in log and "HTTP 503" in log

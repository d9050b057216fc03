"""``dag.test()`` runs on the embedded default (SQLite metadata), against the portal replica:
the full-history daily run with transient portal faults switched on, an idempotent second run,
and a reprocess run from the raw archive with the network gone."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import duckdb
import pytest

from gongkai.config import Settings
from gongkai.orchestration.embedded import run_dag_once, run_daily_once

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(1800)]

ALL_REPORTS = [
    ("haishu", 2018),
    ("haishu-yinjiang", 2019),
    ("yinzhou-xianxiang", 2017),
    ("zhenhai-econ-coop", 2018),
    ("zhenhai-news-centre", 2018),
]
TRANSIENT_FAULTS = {"5xx", "429", "reset", "truncated"}  # the replica's transient faults


@pytest.fixture(scope="module")
def embedded(own_tmp: Path):
    from replica.server import start_replica

    root = own_tmp
    replica = start_replica(port=0, faults=set(TRANSIENT_FAULTS))
    settings = dataclasses.replace(
        Settings.from_env(home=root / "gongkai"), request_interval=0.0, portal_base_url=replica.base_url
    )
    settings.ensure_dirs()
    try:
        yield settings, replica, root / "airflow"
    finally:
        replica.stop()


def _facts(db: Path) -> dict[tuple[str, int], float]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            (a, int(y)): v
            for a, y, v in con.execute(
                "select agency_code, report_year, requests_received from mart_agency_year"
            ).fetchall()
        }
    finally:
        con.close()


def test_daily_run_with_portal_faults_loses_nothing(embedded, agency_years) -> None:
    settings, _replica, airflow_home = embedded
    out = run_daily_once(settings, since=date(2017, 1, 1), until=date(2021, 1, 1), airflow_home=airflow_home)
    assert out["state"] == "success", out["tasks"]
    assert all(state == "success" for state in out["tasks"].values()), out["tasks"]
    hosts = len(out["results"]["hosts"])
    assert sum(1 for t in out["tasks"] if t.startswith("discover[")) == hosts
    assert sum(1 for t in out["tasks"] if t.startswith("download[")) == hosts  # one download per host
    assert set(out["runs"]) == {"gongkai_daily", "gongkai_publish"}  # the staging asset triggered publishing
    landed = out["results"]["land"]
    assert (landed["found"], landed["new"], landed["failed"]) == (5, 5, 0), landed
    assert out["results"]["publish"]["published"] is True
    # the warehouse holds every seed report under the year written in it
    assert agency_years(settings.serving_db) == ALL_REPORTS
    facts = _facts(settings.serving_db)
    assert facts[("haishu", 2018)] > 0  # 001 has non-zero requests (fixtures README)


def test_second_run_is_idempotent_and_skips_the_warehouse(embedded, snapshot) -> None:
    settings, replica, airflow_home = embedded
    replica.set_faults(set())
    before = snapshot(settings.serving_db)
    out = run_daily_once(settings, since=date(2017, 1, 1), until=date(2021, 1, 1), airflow_home=airflow_home)
    assert out["prepared"] is False  # metadata DB migrated once
    assert out["state"] == "success", out["tasks"]
    landed = out["results"]["land"]
    assert (landed["found"], landed["new"], landed["revised"], landed["unchanged"]) == (5, 0, 0, 5)
    assert out["tasks"]["staging_updated"] == "skipped"  # staging unchanged: no publish run
    assert set(out["runs"]) == {"gongkai_daily"} and "build" not in out["tasks"]
    assert snapshot(settings.serving_db) == before


def test_reprocess_runs_from_the_archive_without_network(embedded, snapshot) -> None:
    settings, replica, airflow_home = embedded
    before = snapshot(settings.serving_db)
    replica.stop()  # no network: everything must come from the raw archive
    out = run_dag_once(
        dataclasses.replace(settings, portal_base_url="http://127.0.0.1:9"),
        "gongkai_reprocess",
        {"select": "2018"},
        airflow_home=airflow_home,
    )
    assert out["state"] == "success", out["tasks"]
    assert len(out["results"]["selection"]["document_ids"]) == 3  # the three 2018 reports
    assert out["results"]["reextract"]["found"] == 3  # the same documents re-extracted and re-parsed
    assert out["results"]["reparse"]["parsed"] == 3
    assert out["results"]["publish"]["published"] is True
    assert snapshot(settings.serving_db) == before  # same archive, same parser: same marts

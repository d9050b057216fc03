"""A data engineer's backfill through the Airflow UI, in headless Chromium (Debian's ``chromium``,
driven by pip Playwright; no browser download) whose time zone is UTC: typing *From* 2019-01-10
*To* 2019-01-12 in the "Run Backfill" dialog loads the reports published on those three days in
Asia/Shanghai — the first day included — into staging and the served warehouse.

Airflow runs as in production minus containers: api-server, scheduler and dag-processor with
PostgreSQL metadata (LocalExecutor); the portals are the local replica."""

from __future__ import annotations

import dataclasses
import json
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest

from gongkai.config import Settings
from gongkai.orchestration.local import AirflowSetup, LocalAirflow, free_port, prepare_metadata

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIRST, LAST = date(2019, 1, 10), date(2019, 1, 12)
FAILURE_SHOT = Path(tempfile.gettempdir()) / "gongkai-ui-backfill-failure.png"
DAYS = [FIRST + timedelta(days=i) for i in range((LAST - FIRST).days + 1)]


@pytest.fixture(scope="module")
def stack(airflow_pg_db: str, own_tmp: Path) -> Iterator[tuple]:
    from replica.server import start_replica

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is required (Debian package 'chromium'; scripts/setup.sh installs it)")
    replica = start_replica(port=0)
    settings = dataclasses.replace(
        Settings.from_env(home=own_tmp / "gongkai"), request_interval=0.0, portal_base_url=replica.base_url
    )
    settings.ensure_dirs()
    setup = AirflowSetup(
        home=own_tmp / "airflow",
        settings=settings,
        sql_alchemy_conn=airflow_pg_db,
        executor="LocalExecutor",
        api_port=free_port(),
        extra_env={"GONGKAI_RETRY_DELAY_S": "3", "GONGKAI_MAX_RETRY_DELAY_S": "10"},
    )
    prepare_metadata(setup)
    af = LocalAirflow(setup)
    try:
        af.start(("api-server", "scheduler", "dag-processor"))
        af.wait_healthy()
        af.wait_for_dag("gongkai_daily")
        dags = {d["dag_id"] for d in af.api("GET", "/dags", params={"limit": 100})["dags"]}
        if "gongkai_publish" in dags:
            af.wait_for_dag("gongkai_publish")  # unpaused: it builds what the backfill landed
        yield af, settings, replica
    finally:
        af.stop()
        replica.stop()


def _published_reports(replica) -> dict[str, date]:
    """URL path → publication day of every report the replica publishes on the typed days."""
    return {
        a.path: a.published
        for cs in replica.site.columns.values()
        for a in cs.articles
        if a.is_report and FIRST <= a.published <= LAST
    }


def _ui_backfill(af: LocalAirflow) -> dict:
    """Log in, open gongkai_daily, fill the Run Backfill dialog, submit; return the request body
    the browser sent to ``POST /api/v2/backfills``."""
    from playwright.sync_api import expect, sync_playwright

    base = af.setup.base_url
    sent: list[dict] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                timezone_id="UTC", locale="en-US", viewport={"width": 1400, "height": 1000}
            )
            context.set_default_timeout(120_000)  # a busy 2-core machine: the UI's first load is slow
            page = context.new_page()
            page.on(
                "request",
                lambda r: (
                    sent.append(json.loads(r.post_data or "{}"))
                    if r.method == "POST" and urlsplit(r.url).path == "/api/v2/backfills"
                    else None
                ),
            )
            assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
            page.goto(f"{base}/dags/gongkai_daily", wait_until="domcontentloaded")
            login = page.get_by_label("Username")
            trigger = page.get_by_role("button", name="Trigger Dag")
            login.or_(trigger).first.wait_for()  # the login form, or the DAG page when logged in
            if login.is_visible():
                login.fill("admin")
                page.get_by_label("Password").fill(af.setup.admin_password())
                page.get_by_role("button", name="Sign in").click()
            trigger.click()
            dialog = page.get_by_role("dialog")
            dialog.get_by_text("Backfill", exact=True).click()
            for day in (FIRST, LAST):  # From, then To: each a date typed without a time
                dialog.get_by_text("Select date and time").first.click()
                box = page.get_by_placeholder("YYYY/MM/DD")
                box.fill(day.strftime("%Y/%m/%d"))
                box.press("Enter")
                page.keyboard.press("Escape")
                expect(page.get_by_placeholder("YYYY/MM/DD")).to_have_count(0)
            expect(dialog.get_by_text("3 runs will be triggered")).to_be_visible(timeout=30_000)
            dialog.get_by_role("button", name="Run Backfill").click()
            deadline = time.monotonic() + 30
            while not sent and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            page.wait_for_timeout(1000)
        except Exception:
            page.screenshot(path=str(FAILURE_SHOT))  # what the browser showed, for the failure report
            raise
        finally:
            browser.close()
    assert len(sent) == 1, sent
    return sent[0]


def _wait_backfill(af: LocalAirflow, timeout: float = 900) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        af.check_alive()
        backfills = af.api("GET", "/backfills", params={"dag_id": "gongkai_daily"})["backfills"]
        if backfills and backfills[0].get("completed_at"):
            runs = af.api("GET", "/dags/gongkai_daily/dagRuns", params={"limit": 100})["dag_runs"]
            return [r for r in runs if r["run_type"] == "backfill"]
        if time.monotonic() > deadline:
            raise TimeoutError(f"backfill not done: {backfills}\n{af.logs('scheduler')}")
        time.sleep(3)


def _wait_publish_idle(af: LocalAirflow, timeout: float = 600) -> list[dict]:
    """Wait until the asset-triggered publish DAG (when there is one) has run and is idle."""
    deadline = time.monotonic() + timeout
    while True:
        af.check_alive()
        try:
            runs = af.api("GET", "/dags/gongkai_publish/dagRuns", params={"limit": 100})["dag_runs"]
        except RuntimeError:
            return []  # no separate publish DAG: the daily runs published themselves
        if runs and all(r["state"] in ("success", "failed") for r in runs):
            return runs
        if time.monotonic() > deadline:
            raise TimeoutError(f"publish runs not done: {runs}\n{af.logs('scheduler')}")
        time.sleep(3)


def test_ui_backfill_in_a_utc_browser_loads_all_three_typed_days(stack) -> None:
    af, settings, replica = stack
    expected = _published_reports(replica)
    assert sorted(set(expected.values())) == DAYS, expected  # the replica publishes on each day

    body = _ui_backfill(af)
    # the UTC browser sends the typed days as UTC instants: start of the 10th, end of the 12th
    assert (body["from_date"], body["to_date"]) == ("2019-01-10T00:00:00.000Z", "2019-01-12T23:59:59.999Z")

    runs = _wait_backfill(af)
    assert len(runs) == 3 and {r["state"] for r in runs} == {"success"}, runs
    windows = sorted(
        af.api(
            "GET",
            f"/dags/gongkai_daily/dagRuns/{r['dag_run_id']}/taskInstances/window/xcomEntries/return_value",
        )["value"]["since"]
        for r in runs
    )
    assert windows == [d.isoformat() for d in DAYS]  # one run per typed day, the 10th included

    publishes = _wait_publish_idle(af)
    assert all(r["state"] == "success" for r in publishes), publishes

    with duckdb.connect(str(settings.staging_db), read_only=True) as con:
        staged = con.execute(
            "select url, published_date, document_id from documents where status = 'ok'"
        ).fetchall()
    landed = {urlsplit(u).path: d for u, d, _ in staged}
    assert landed == expected  # every report of the three days, and nothing from other days
    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        served = {
            r[0]
            for r in con.execute(
                "select document_id from main.dim_report where published_date between ? and ?", [FIRST, LAST]
            ).fetchall()
        }
    assert served == {doc for _, _, doc in staged}
    assert {d for _, d, _ in staged} == set(DAYS)

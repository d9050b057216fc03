"""Run windows, the portal-silence alert, failure alerts and the reprocess form (no Airflow run)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from gongkai.orchestration import alerts, rules
from gongkai.orchestration.silence import health_file, record_discoveries, silent_portals
from gongkai.orchestration.windows import run_window


def test_window_uses_shanghai_dates_across_the_year_end() -> None:
    # the run for Shanghai's 2019-01-01 has a UTC logical date in 2018
    start = datetime(2018, 12, 31, 16, 0, tzinfo=UTC)
    w = run_window({}, start, start + timedelta(days=1))
    assert (w.since, w.until) == (date(2019, 1, 1), date(2019, 1, 2))


def test_params_override_the_interval_and_bad_params_are_clear() -> None:
    start = datetime(2024, 5, 1, 16, 0, tzinfo=UTC)
    w = run_window({"since": "2018-01-01", "until": "2021-01-01"}, start, start + timedelta(days=1))
    assert w.as_params() == {"since": "2018-01-01", "until": "2021-01-01"}
    assert run_window({"since": "2018-03-01"}, start, None).as_params() == {
        "since": "2018-03-01",
        "until": None,
    }
    with pytest.raises(ValueError, match="ISO date"):
        run_window({"since": "last tuesday"}, start, None)
    with pytest.raises(ValueError, match="empty window"):
        run_window({"since": "2020-01-02", "until": "2020-01-01"}, None, None)
    with pytest.raises(ValueError, match="naive"):
        run_window({}, datetime(2020, 1, 1), None)


def _disc(portal: str, *statuses: int | None, error: str | None = None) -> dict:
    return {"portal": portal, "column": "c", "error": error, "fetch_log": [{"status": s} for s in statuses]}


def test_portal_silence_counts_days_since_last_answer(settings) -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    health = record_discoveries(settings, [_disc("haishu", 200), _disc("zhenhai", 200)], now=t0)
    assert [h.heard for h in health] == [True, True]
    # zhenhai answers 503 / nothing for four days; a quiet (200, no report) portal is not silent
    for day in range(1, 5):
        health = record_discoveries(
            settings, [_disc("haishu", 200), _disc("zhenhai", 503, None)], now=t0 + timedelta(days=day)
        )
    assert silent_portals(health, 3) == [
        {
            "portal": "zhenhai",
            "heard": False,
            "last_heard": t0.isoformat(),
            "first_checked": t0.isoformat(),
            "silent_days": 4.0,
        }
    ]
    assert silent_portals(health, 5) == []
    assert health_file(settings).exists()
    health = record_discoveries(settings, [_disc("zhenhai", 200)], now=t0 + timedelta(days=5))
    assert silent_portals(health, 0) == []
    # a discovery that raised is not an answer even with a 200 in its log
    health = record_discoveries(
        settings, [_disc("yinzhou", 200, error="parse error")], now=t0 + timedelta(days=9)
    )
    assert health[0].heard is False


def test_failure_alert_is_logged_and_mailed(caplog) -> None:
    import asyncore
    import smtpd  # noqa: F401  (stdlib in 3.11) — only to check a real SMTP round trip

    received: list[str] = []

    class Server(smtpd.SMTPServer):  # type: ignore[misc,name-defined]
        def process_message(self, peer, mailfrom, rcpttos, data, **kw):  # noqa: ANN001
            received.append(data.decode() if isinstance(data, bytes) else data)

    server = Server(("127.0.0.1", 0), None)
    port = server.socket.getsockname()[1]

    done = threading.Event()

    def serve() -> None:
        deadline = time.monotonic() + 15
        while not done.is_set() and time.monotonic() < deadline:
            asyncore.loop(timeout=0.05, count=1)

    loop = threading.Thread(target=serve, daemon=True)
    loop.start()

    class TI:
        dag_id, task_id, map_index, run_id, try_number = "gongkai_daily", "build", -1, "scheduled__x", 4

    subject, body = alerts.describe_failure({"ti": TI(), "exception": RuntimeError("dbt exploded")})
    assert subject == "gongkai_daily.build failed (scheduled__x)"
    assert "RuntimeError: dbt exploded" in body
    env = {
        "GONGKAI_ALERT_EMAIL": "ops@example.org",
        "GONGKAI_SMTP_HOST": "127.0.0.1",
        "GONGKAI_SMTP_PORT": str(port),
    }
    with caplog.at_level("ERROR", logger="gongkai.alerts"):
        assert alerts.alert(subject, body, env=env) is True
    done.set()
    loop.join(timeout=15)
    server.close()
    assert "ALERT gongkai_daily.build failed" in caplog.text
    assert received and "dbt exploded" in received[0] and "[gongkai] gongkai_daily.build" in received[0]
    # no recipients: log only; unreachable server: logged, never raised
    assert alerts.alert("x", "y", env={}) is False
    assert alerts.alert("x", "y", env={**env, "GONGKAI_SMTP_PORT": "1"}) is False


def test_reprocess_form() -> None:
    assert rules.reprocess_selection({"select": " all "}) == {"years": None, "agencies": None}
    assert rules.reprocess_selection({"select": "2019, 2018 haishu,2018"}) == {
        "years": [2018, 2019],
        "agencies": ["haishu"],
    }
    assert rules.reprocess_selection({"all": True, "years": [2018]}) == {"years": None, "agencies": None}
    assert rules.reprocess_selection({"years": ["2018"], "agencies": [" haishu ", ""]}) == {
        "years": [2018],
        "agencies": ["haishu"],
    }
    for empty in ({"select": "  "}, {"years": [], "agencies": [], "all": False}):
        with pytest.raises(rules.UserError, match="choose 'all'"):
            rules.reprocess_selection(empty)


def test_airflow_env_command_points_the_cli_at_the_local_airflow(tmp_path) -> None:
    from click.testing import CliRunner

    from gongkai.cli import _group
    from gongkai.config import REPO_ROOT

    result = CliRunner().invoke(_group, ["airflow", "env", "--home", str(tmp_path / "af"), "--port", "8099"])
    assert result.exit_code == 0, result.output
    exports = dict(line.removeprefix("export ").split("=", 1) for line in result.output.splitlines())
    assert exports["AIRFLOW_HOME"] == str(tmp_path / "af")
    assert exports["AIRFLOW__CORE__DAGS_FOLDER"] == str(REPO_ROOT / "dags")
    assert exports["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:8099/execution/"
    assert exports["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{tmp_path / 'af' / 'airflow.db'}"


def test_a_user_error_fails_the_task_without_retries() -> None:
    """Bad input raises AirflowFailException (Airflow does not retry it), whatever the task's retries;
    an infrastructure error inside the same block is left alone (and retried)."""
    from airflow.sdk.exceptions import AirflowFailException

    from gongkai.orchestration import tasks

    with pytest.raises(AirflowFailException, match="choose 'all'"):
        with tasks.user_errors():
            rules.reprocess_selection({"select": " "})
    with pytest.raises(AirflowFailException, match="ISO date"):
        with tasks.user_errors():
            run_window({"since": "yesterday"}, None, None)
    with pytest.raises(OSError):
        with tasks.user_errors():
            raise OSError("disk full")


def test_a_damaged_staging_fails_the_parse_task_without_retries(settings, seed_texts, monkeypatch) -> None:
    """A staging file cut short opens, then fails a read half-way through the parse task: the task
    fails at once with the line that names the file (retrying cannot mend it); a busy or other
    failure is still left to Airflow's retries."""
    from datetime import datetime as dt

    import duckdb
    from airflow.sdk.exceptions import AirflowFailException

    from gongkai import staging
    from gongkai.orchestration import tasks

    with staging.connect(settings.staging_db) as con:
        for i in range(40):
            for doc_id, text in seed_texts.items():
                con.execute(
                    "INSERT INTO raw_texts VALUES (?, 1, ?, 'test', '0', ?, ?)",
                    [f"{doc_id}-{i}", text, len(text), dt(2024, 1, 1)],
                )
    data = settings.staging_db.read_bytes()
    settings.staging_db.write_bytes(data[: len(data) // 3])
    for key, value in settings.env().items():
        monkeypatch.setenv(key, value)
    with pytest.raises(AirflowFailException, match=f"the staging database {settings.staging_db} is damaged"):
        tasks.parse()
    with pytest.raises(duckdb.IOException, match="lock"):
        with tasks.damage_fails(settings):
            raise duckdb.IOException('IO Error: Could not set lock on file "x.duckdb": Conflicting lock')

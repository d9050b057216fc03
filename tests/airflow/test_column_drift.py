"""Portal drift per column: a column that listed items and now lists none, or whose page no
longer parses as its list mechanism, is alerted once (log; e-mail when configured), and again only
after it recovered and drifted anew."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gongkai.orchestration import alerts
from gongkai.orchestration.silence import (
    column_health_file,
    drifted_columns,
    record_columns,
    record_discoveries,
)
from gongkai.staging import scrape_status

T0 = datetime(2024, 3, 1, tzinfo=UTC)
DRIFT = "ListPageError: mechanism changed: no jpage datastore or pager on http://x/col/col1/index.html"


def _disc(column: str, listed: int, error: str | None = None) -> dict:
    return {
        "portal": "haishu",
        "column": column,
        "listed": listed,
        "error": error,
        "refs": [],
        "fetch_log": [],
    }


def test_scrape_status_words() -> None:
    assert scrape_status(None, 12) == "ok"
    assert scrape_status(None, 0) == "empty"
    assert scrape_status(DRIFT, 0) == "drift"
    assert scrape_status("FetchError: blocked (bot defence?): HTTP 403", 0) == "unreachable"
    assert scrape_status("KeyError: 'x'", 0) == "error"


def test_a_column_that_went_empty_or_stopped_parsing_is_alerted_once(settings, caplog) -> None:
    with caplog.at_level("ERROR", logger="gongkai.alerts"):
        first = record_columns(settings, [_disc("a", 15), _disc("b", 15), _disc("new", 0)], now=T0)
        assert drifted_columns(first) == []  # a column that never listed anything is not drift
        day2 = record_columns(
            settings, [_disc("a", 0), _disc("b", 0, DRIFT), _disc("new", 0)], now=T0 + timedelta(days=1)
        )
        day3 = record_columns(settings, [_disc("a", 0), _disc("b", 0, DRIFT)], now=T0 + timedelta(days=2))
    assert [(h["column"], h["status"]) for h in drifted_columns(day2)] == [("a", "empty"), ("b", "drift")]
    assert {h["last_listed"] for h in drifted_columns(day3)} == {T0.isoformat()}
    alerted = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ALERT portal drift")]
    assert len(alerted) == 2, alerted  # day 2 only: day 3 is the same drift
    assert "haishu/a" in alerted[0] and "lists nothing although it listed items before" in alerted[0]
    assert "haishu/b" in alerted[1] and "mechanism changed" in alerted[1]
    assert column_health_file(settings).exists()
    # b recovers, then drifts again: alerted again
    caplog.clear()
    with caplog.at_level("ERROR", logger="gongkai.alerts"):
        record_columns(settings, [_disc("b", 9)], now=T0 + timedelta(days=3))
        record_columns(settings, [_disc("b", 0, DRIFT)], now=T0 + timedelta(days=4))
    assert sum("ALERT portal drift: haishu/b" in r.getMessage() for r in caplog.records) == 1


def test_the_daily_silence_check_records_columns_too(settings, caplog) -> None:
    with caplog.at_level("ERROR", logger="gongkai.alerts"):
        record_discoveries(settings, [_disc("a", 3) | {"fetch_log": [{"status": 200}]}], now=T0)
        record_discoveries(
            settings, [_disc("a", 0, DRIFT) | {"fetch_log": [{"status": 200}]}], now=T0 + timedelta(days=1)
        )
    assert any("ALERT portal drift: haishu/a" in r.getMessage() for r in caplog.records)


def test_drift_alert_text_tells_what_to_do() -> None:
    subject, body = alerts.describe_drift(
        {
            "portal": "haishu",
            "column": "1229",
            "status": "drift",
            "listed": 0,
            "last_listed": None,
            "error": DRIFT,
        }
    )
    assert subject.startswith("portal drift: haishu/1229 — its page no longer parses")
    assert "gongkai portal probe URL" in body and DRIFT in body

"""The scrape step writes one scrape-history row per run and column, with that column's share of
the run: requests, items listed, reports new / changed / failed, seconds — against the replica."""

from __future__ import annotations

import dataclasses
from datetime import date

import duckdb

from scrapers.run import scrape


def _history(settings) -> list[dict]:
    with duckdb.connect(str(settings.staging_db), read_only=True) as con:
        cur = con.execute("select * from scrape_history order by recorded_at, portal, column_id")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def test_one_row_per_run_and_column_adding_up_to_the_run(settings, replica) -> None:
    s = dataclasses.replace(settings, portal_base_url=replica.base_url, retry_backoff=0.01)
    first = scrape(s, portal="zhenhai", since=date(2019, 1, 1), until=date(2019, 2, 1))
    assert first.new >= 2  # the real seeds 002 and 000 are published on 10 and 11 January 2019
    rows = _history(s)
    assert len(rows) == first.columns and {r["run_id"] for r in rows} == {first.run_id}
    assert {r["portal"] for r in rows} == {"zhenhai"}
    assert sum(r["new"] for r in rows) == first.new
    assert sum(r["failed"] for r in rows) == first.failed
    assert sum(r["requests"] for r in rows) == first.list_requests + first.document_requests
    assert sum(r["list_requests"] for r in rows) == first.list_requests
    for r in rows:
        assert r["status"] == "ok" and r["error"] is None, r
        assert r["listed"] >= r["reports_listed"] >= r["new"] + r["changed"]
        assert r["seconds"] > 0
        assert (r["window_since"], r["window_until"]) == (date(2019, 1, 1), date(2019, 2, 1))

    # the same window again: nothing new, the same columns listed, one more row each
    again = scrape(s, portal="zhenhai", since=date(2019, 1, 1), until=date(2019, 2, 1))
    rows = [r for r in _history(s) if r["run_id"] == again.run_id]
    assert len(rows) == again.columns
    assert sum(r["new"] + r["changed"] for r in rows) == 0
    assert sum(r["unchanged"] for r in rows) == again.unchanged >= first.new
    assert sum(r["requests"] for r in rows) == again.list_requests + again.document_requests

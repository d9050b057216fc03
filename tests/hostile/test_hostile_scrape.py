"""Hostile paths of acquisition, each reproduced against the replica over real HTTP (fault switches
in replica/faults.py), asserting the fixed outcome: nothing lost, one report is one report,
bounded work, honest exits."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta

import pytest
from hostile_helpers import query, run_cli, tuned

from gongkai.config import REPO_ROOT
from replica.faults import BOMB_XML_BYTES, zip_bomb
from scrapers.extract import ExtractionError, extract
from scrapers.run import reextract, scrape

SEEDS = {  # agency -> (column, seed)
    "haishu": ("1229102208", "001_ea52101856a8af1f"),
    "zhenhai-econ-coop": ("1229045478", "002_ac397f543ad98429"),
    "zhenhai-news-centre": ("1229045481", "000_f4d536c944cec0f0"),
    "haishu-yinjiang": ("1229565861", "003_49c6c62204b3e30b"),
    "yinzhou-xianxiang": ("xxgk-xianxiang", "004_5aaa9839169bd157"),
}


def _latest(settings) -> dict[str, tuple]:
    """agency -> (status, error, text) of the latest version of each landed document."""
    rows = query(
        settings,
        "select d.agency_code, d.status, d.error, r.text from documents d "
        "left join raw_texts r using (document_id, version) "
        "qualify row_number() over (partition by d.document_id order by d.version desc) = 1",
    )
    out: dict[str, list[tuple]] = {}
    for agency, status, error, text in rows:
        out.setdefault(agency, []).append((status, error, text))
    return {a: v[0] for a, v in out.items() if len(v) == 1} | {
        a: tuple(v) for a, v in out.items() if len(v) > 1
    }


def _watermarked(settings) -> set[str]:
    return {r[0] for r in query(settings, "select column_id from scrape_watermarks")}


# ---------------------------------------------------------------- nothing lost
@pytest.mark.parametrize("fault", ["short_read", "corrupt_docx"])
def test_a_bad_transfer_is_retried_and_a_plain_rerun_recovers_the_report(
    fault, scrape_settings, replica, seed_texts
) -> None:
    """A page or .docx cut short without Content-Length (or a corrupt .docx) on the first run: the
    report is not final, the column's watermark stays behind it, and a plain rerun lands it."""
    replica.set_faults({fault})
    first = scrape(scrape_settings)
    latest = _latest(scrape_settings)
    econ = latest["zhenhai-econ-coop"]
    assert econ[0] == "quarantined" and "unreadable .docx" in econ[1]
    bad_columns = {SEEDS["zhenhai-econ-coop"][0]}
    if fault == "short_read":
        assert latest["haishu"][0] == "failed"
        assert latest["haishu"][1].startswith("truncated: the page ends before </html>")
        bad_columns.add(SEEDS["haishu"][0])
    assert first.outcome == "partial"
    # the watermark never passes a report that is not final
    assert _watermarked(scrape_settings) == {c for c, _ in SEEDS.values()} - bad_columns
    assert query(scrape_settings, "select count(*) from scrape_attempts where gave_up_at is null")[0][
        0
    ] == len(bad_columns)

    replica.set_faults(set())
    second = scrape(scrape_settings)  # no --refresh, no interval: what the daily run does
    assert (second.new, second.failed, second.outcome) == (len(bad_columns), 0, "ok")
    latest = _latest(scrape_settings)
    assert all(v[0] == "ok" for v in latest.values())
    for agency, (_, seed) in SEEDS.items():
        if agency in ("haishu", "zhenhai-econ-coop"):
            assert latest[agency][2] == seed_texts[seed]
    assert _watermarked(scrape_settings) == {c for c, _ in SEEDS.values()}
    assert query(scrape_settings, "select count(*) from scrape_attempts")[0][0] == 0


@pytest.mark.slow
def test_bounded_tries_then_give_up_with_an_alert_row(scrape_settings, replica) -> None:
    """An attachment outage that outlasts every run: after the allowed tries the report is given up
    on (a row with the reason an alert reads), the column moves on, and --refresh recovers it."""
    settings = tuned(scrape_settings, max_fetch_attempts=2)
    replica.set_faults({"attachment_down"})
    one = scrape(settings)
    assert (one.failed, one.gave_up, one.outcome) == (3, [], "partial")
    two = scrape(settings)
    assert len(two.gave_up) == 3 and two.outcome == "partial"
    assert all("503" in g["reason"] for g in two.gave_up)
    rows = query(
        settings,
        "select attempts, last_status, last_reason like '%HTTP 503%' from scrape_attempts "
        "where gave_up_at is not null",
    )
    assert rows == [(2, "failed", True)] * 3
    assert _watermarked(settings) == {c for c, _ in SEEDS.values()}  # given up: the columns move on
    replica.set_faults(set())
    quiet = scrape(settings)
    assert (quiet.new, quiet.document_requests) == (0, 0)  # given-up reports wait for an operator
    again = scrape(settings, refresh=True)
    assert (again.new, again.failed) == (3, 0)
    assert query(settings, "select count(*) from scrape_attempts")[0][0] == 0


# ---------------------------------------------------------------- one report is one report
def test_a_tracking_query_string_does_not_make_a_second_document(scrape_settings, replica) -> None:
    replica.set_faults({"tracking_query"})
    summary = scrape(scrape_settings)
    assert (summary.found, summary.new, summary.failed) == (5, 5, 0)
    rows = query(scrape_settings, "select url from documents where agency_code = 'haishu'")
    assert len(rows) == 1 and "from=" not in rows[0][0]


def test_the_same_report_at_a_second_url_is_a_named_duplicate(scrape_settings, replica, seed_texts) -> None:
    replica.set_faults({"reposted"})
    summary = scrape(scrape_settings)
    assert (summary.found, summary.new, summary.quarantined) == (6, 6, 1)
    rows = query(
        scrape_settings,
        "select document_id, status, error from documents where agency_code = 'yinzhou-xianxiang' order by status",
    )
    assert [r[1] for r in rows] == ["ok", "quarantined"]
    assert rows[1][2] == f"duplicate: the same report text as document {rows[0][0]}, landed first"
    texts = [r[0] for r in query(scrape_settings, "select text from raw_texts")]
    assert len(texts) == 5 and texts.count(seed_texts[SEEDS["yinzhou-xianxiang"][1]]) == 1
    assert summary.outcome == "ok"  # a duplicate is a verdict on the data, not a failed run


def test_an_old_url_that_redirects_is_the_article_it_moved_to(scrape_settings, replica) -> None:
    """Listed under its old URL (301 to the new one) and its new one: one document, at the new URL;
    a later listing of the old URL costs no download."""
    replica.set_faults({"moved_url"})
    summary = scrape(scrape_settings)
    assert (summary.found, summary.new, summary.quarantined, summary.failed) == (5, 5, 0, 0)
    rows = query(scrape_settings, "select url from documents where agency_code = 'zhenhai-news-centre'")
    assert len(rows) == 1 and not rows[0][0].endswith("_old.html")
    assert query(scrape_settings, "select count(*) from scrape_aliases")[0][0] == 1
    day = query(
        scrape_settings, "select published_date from documents where agency_code = 'zhenhai-news-centre'"
    )[0][0]
    again = scrape(scrape_settings, since=day, until=day + timedelta(days=1))  # lists both URLs again
    assert (again.found, again.unchanged, again.document_requests) == (1, 1, 0)


def test_a_report_in_the_page_body_and_its_attachment_yields_one_text(
    scrape_settings, replica, seed_texts
) -> None:
    replica.set_faults({"body_and_attachment"})
    scrape(scrape_settings)
    status, error, text = _latest(scrape_settings)["haishu"]
    assert status == "ok"
    assert text == seed_texts[SEEDS["haishu"][1]]  # once, not body + attachment
    assert "repeats" in error
    attachments = query(
        scrape_settings, "select json_array_length(attachments) from documents where agency_code = 'haishu'"
    )
    assert attachments == [(1,)]  # the .docx was fetched and archived, its text not doubled
    # re-extraction from the archive applies the same rule: the text stays single
    again = reextract(scrape_settings)
    assert (again.found, again.unchanged, again.revised, again.failed) == (5, 5, 0, 0)


# ---------------------------------------------------------------- bounded work
@pytest.mark.slow
def test_a_docx_zip_bomb_is_refused_quickly_with_low_memory(scrape_settings, replica, tmp_path) -> None:
    bomb = zip_bomb()
    assert len(bomb) < 2 * 1024 * 1024 and BOMB_XML_BYTES == 472 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ExtractionError, match="decompression bomb"):
        extract(bomb, "docx")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 2.0 and peak < 32 * 1024 * 1024

    replica.set_faults({"zip_bomb"})
    # The scrape's own peak memory. Not RUSAGE_SELF: Linux carries the parent's high-water mark
    # across exec, so a child of a big pytest process would report pytest's size. VmHWM is the
    # peak of the scrape's own address space; its children (extractors) are started by it.
    rss_file = tmp_path / "peak_rss_kib"
    wrapper = (
        "import atexit, resource\n"
        "def _peak():\n"
        "    own = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
        "    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        f"    open({str(rss_file)!r}, 'w').write(str(max(own, kids)))\n"
        "atexit.register(_peak)\n"
        "from gongkai.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", wrapper, "scrape", "--portal", "zhenhai", "--no-progress"],
        cwd=REPO_ROOT,
        env={**os.environ, **scrape_settings.env()},
        capture_output=True,
        text=True,
        timeout=180,
    )
    peak_rss_kib = int(rss_file.read_text())
    assert peak_rss_kib < 450 * 1024, "the bomb was inflated (the scrape's peak RSS near 472 MB or more)"
    assert result.returncode == 0, result.stderr
    status, error, _ = _latest(scrape_settings)["zhenhai-econ-coop"]
    assert status == "quarantined" and "decompression bomb" in error
    # a refusal is final: the column moves on, nothing waits for a retry
    assert SEEDS["zhenhai-econ-coop"][0] in _watermarked(scrape_settings)
    assert query(scrape_settings, "select count(*) from scrape_attempts")[0][0] == 0


def test_endless_pagination_stops_at_once_with_a_reason(scrape_settings, replica) -> None:
    replica.set_faults({"endless_pages"})
    started = time.perf_counter()
    summary = scrape(scrape_settings)
    assert time.perf_counter() - started < 30
    reasons = [f["reason"] for f in summary.failures if f["reason"].startswith("discovery")]
    assert len(reasons) == summary.columns == 5
    assert all("repeats items already listed" in r for r in reasons)
    assert summary.list_requests <= 5 * summary.columns  # the real list's length, not 10^8 records
    assert summary.outcome == "failed"
    assert _watermarked(scrape_settings) == set()


def test_a_page_cap_stops_a_long_listing_with_a_reason(scrape_settings) -> None:
    summary = scrape(tuned(scrape_settings, max_list_pages=1), portal="yinzhou")
    assert summary.columns_failed == 1
    assert "more than 1 list pages: stopped at the page cap" in summary.failures[0]["reason"]


@pytest.mark.slow
def test_a_dripping_server_costs_one_deadline_and_the_report_comes_later(scrape_settings, replica) -> None:
    settings = tuned(scrape_settings, request_deadline_s=3.0)
    replica.set_faults({"drip"})
    started = time.perf_counter()
    summary = scrape(settings, portal="yinzhou")
    elapsed = time.perf_counter() - started
    assert elapsed < 12, f"a dripping page held the run {elapsed:.0f} s"
    assert summary.failures[0]["reason"].startswith("deadline: no complete answer within 3 s")
    assert summary.outcome == "failed"  # the portal's one column downloaded nothing
    replica.set_faults(set())
    assert scrape(settings, portal="yinzhou").new == 1


# ---------------------------------------------------------------- honest exits
def test_scrape_where_every_column_fails_exits_non_zero_with_one_line(scrape_settings, replica) -> None:
    replica.set_faults({"list_down"})
    result = run_cli(["scrape", "--no-progress"], scrape_settings)
    assert result.returncode == 5
    lines = result.stderr.strip().splitlines()
    # warnings logged on the way (unit discovery) may precede it; the verdict is one line, last
    assert lines[-1].startswith("gongkai: scrape failed: every column failed (5 of 5); first: discovery:")
    assert sum(line.startswith("gongkai: scrape") for line in lines) == 1
    assert "Traceback" not in result.stdout + result.stderr


def test_scrape_with_failed_reports_exits_with_the_partial_code(scrape_settings, replica) -> None:
    replica.set_faults({"attachment_down"})
    result = run_cli(["scrape", "--no-progress"], scrape_settings)
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("gongkai: scrape partial: 3 of 5 column(s) failed, 3 report(s) not landed")
    assert sum(line.startswith("gongkai: scrape") for line in lines) == 1


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--since", "notadate"], "gongkai: error: --since 'notadate' is not a date (YYYY-MM-DD)"),
        (["--portal", "nowhere"], "gongkai: error: unknown portal 'nowhere'"),
        (
            ["--since", "2020-01-01", "--until", "2019-01-01"],
            "gongkai: error: --since 2020-01-01 is not before --until 2019-01-01",
        ),
    ],
)
def test_scrape_user_errors_are_one_line(args, line, settings) -> None:
    result = run_cli(["scrape", "--no-progress", *args], settings)
    assert result.returncode == 2
    assert result.stderr.strip() == line
    assert result.stdout == ""


def test_an_unknown_replica_fault_is_refused_without_a_traceback(settings) -> None:
    result = run_cli(["replica", "--port", "0", "--fault", "nope"], settings, timeout=60)
    assert result.returncode == 2
    assert "unknown fault(s) nope" in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr

"""End-to-end acquisition over real HTTP against the replica: landing, no-op re-runs, faults,
revisions, re-extraction and the CLI."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest
from scrape_helpers import SEED_AGENCIES, query, run_cli

from gongkai.staging import document_id_for
from scrapers import archive
from scrapers.run import reextract, scrape

ALL_FAULTS = {
    "latency",
    "5xx",
    "429",
    "reset",
    "truncated",
    "gbk",
    "non_report",
    "duplicate_listing",
    "oversize",
    "corrupt_docx",
    "dead_url",
}


def _seed_of(text: str, seed_texts: dict[str, str]) -> str | None:
    return next((stem for stem, t in seed_texts.items() if t == text), None)


def test_scrape_lands_the_five_seed_reports(scrape_settings, seed_texts) -> None:
    summary = scrape(scrape_settings)
    assert (summary.found, summary.new, summary.failed, summary.failures) == (5, 5, 0, [])
    docs = query(
        scrape_settings,
        "select d.agency_code, d.content_type, d.status, d.published_date, r.text, r.extractor, "
        "d.sha256, d.attachments from documents d join raw_texts r using (document_id, version)",
    )
    assert len(docs) == 5
    by_agency = {d[0]: d for d in docs}
    assert set(by_agency) == set(SEED_AGENCIES.values())
    assert {d[1] for d in docs} == {"html", "docx", "doc", "pdf"}
    assert by_agency["haishu"][3] == date(2019, 1, 12)
    # HTML and .docx forms come back exactly as the seed text
    for agency, stem in (("haishu", "001"), ("yinzhou-xianxiang", "004"), ("zhenhai-econ-coop", "002")):
        assert (_seed_of(by_agency[agency][4], seed_texts) or "").startswith(stem)
    assert by_agency["zhenhai-news-centre"][5] == "doc:antiword"
    # raw bytes are archived content-addressed
    for d in docs:
        assert archive.sha256_of(archive.load(scrape_settings.raw_dir, d[6])) == d[6]
        for att in json.loads(d[7]):
            assert archive.blob_path(scrape_settings.raw_dir, att["sha256"]).exists()
    assert query(scrape_settings, "select count(*) from fetch_log where error is not null")[0][0] == 0


def test_second_run_downloads_nothing(scrape_settings, replica) -> None:
    scrape(scrape_settings)
    before = dict(replica.requests)
    again = scrape(scrape_settings)
    after = dict(replica.requests)
    assert (again.new, again.revised, again.failed) == (0, 0, 0)
    assert again.document_requests == 0
    assert after.get("article", 0) == before.get("article", 0)
    assert after.get("attachment", 0) == before.get("attachment", 0)
    assert again.list_requests <= 5  # at most one list request per column
    assert query(scrape_settings, "select count(*), count(distinct document_id) from documents")[0] == (5, 5)


@pytest.mark.slow
def test_every_fault_is_survived_without_losing_or_duplicating_a_report(
    scrape_settings, replica, seed_texts
) -> None:
    replica.set_faults(ALL_FAULTS)
    summary = scrape(scrape_settings)
    rows = query(scrape_settings, "select url, agency_code, status, error, version from documents")
    assert len(rows) == len({r[0] for r in rows})  # no duplicates
    seeds = {
        r[1]: r
        for r in rows
        if r[0].rsplit("_", 1)[-1] in {"100.html", "101.html", "102.html", "103.html"}
        or "/col/col1229565861/" in r[0]
    }
    assert set(seeds) == set(SEED_AGENCIES.values())  # none lost
    corrupt = seeds["zhenhai-econ-coop"]
    assert corrupt[2] == "quarantined" and "unreadable .docx" in corrupt[3]
    assert all(r[2] == "ok" for a, r in seeds.items() if a != "zhenhai-econ-coop")
    # the oversize attachment was refused (never downloaded) and noted; the report itself is fine
    assert "oversize" in seeds["haishu"][3]
    # GBK page decoded: the text is the seed's
    texts = dict(
        query(
            scrape_settings,
            "select d.agency_code, r.text from documents d join raw_texts r using (document_id, version)",
        )
    )
    assert texts["haishu"] == seed_texts["001_ea52101856a8af1f"]
    # non-reports: the notice is never fetched; the look-alike is quarantined by content
    reasons = {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in summary.failures}
    assert "art_1229102208_98.html" not in reasons
    assert reasons["art_1229102208_97.html"].startswith("not an annual report")
    assert reasons["art_1229045478_99.html"] == "HTTP 404"  # dead old URL recorded, run went on
    errors = dict(
        query(scrape_settings, "select error, count(*) from fetch_log where error is not null group by 1")
    )
    assert any(e.startswith("HTTP 503") for e in errors) and any(e.startswith("HTTP 429") for e in errors)
    assert any("ConnectionError" in e or "ChunkedEncodingError" in e for e in errors)
    # the faults gone, a refresh repairs the corrupt file as a new version
    replica.set_faults(set())
    repaired = scrape(scrape_settings, refresh=True)
    # the repaired .docx lands whole for the first time (new); Haishu's page changed (now UTF-8,
    # no oversize link): a revision
    assert (repaired.new, repaired.revised, repaired.failed) == (1, 1, 0)
    assert query(
        scrape_settings,
        "select version, status from documents where agency_code = 'zhenhai-econ-coop' "
        "and url like '%_101.html' order by version",
    ) == [(1, "quarantined"), (2, "ok")]


def test_an_attachment_outage_fails_the_report_until_a_later_run_fetches_it(scrape_settings, replica) -> None:
    replica.set_faults({"attachment_down"})
    down = scrape(scrape_settings)
    assert (down.found, down.new, down.failed, down.quarantined) == (5, 5, 3, 0)
    assert all("503" in f["reason"] for f in down.failures)
    assert (
        query(scrape_settings, "select count(*) from scrape_watermarks")[0][0] == 2
    )  # the html-only columns
    assert query(scrape_settings, "select count(*) from raw_texts")[0][0] == 2
    replica.set_faults(set())
    back = scrape(scrape_settings)
    assert (back.found, back.new, back.failed) == (3, 3, 0)
    assert query(scrape_settings, "select status, count(*) from documents group by 1 order by 1") == [
        ("failed", 3),
        ("ok", 5),
    ]
    assert query(scrape_settings, "select count(*) from raw_texts")[0][0] == 5


def test_revised_report_becomes_a_new_version_and_the_old_stays(scrape_settings, replica) -> None:
    scrape(scrape_settings)
    replica.set_faults({"revised"})
    summary = scrape(scrape_settings, refresh=True)
    assert (summary.revised, summary.new) == (1, 0)
    assert summary.unchanged == 4
    rows = query(
        scrape_settings,
        "select version, r.text like '%更正说明%' from documents d "
        "join raw_texts r using (document_id, version) where agency_code = 'haishu' order by version",
    )
    assert rows == [(1, False), (2, True)]


def test_discovery_results_survive_xcom_json_between_tasks(scrape_settings) -> None:
    """The DAG maps discover_column over list_columns and hands dicts (XCom JSON) to fetch_and_land."""
    from scrapers.run import discover_column, fetch_and_land, list_columns

    found = [
        json.loads(
            json.dumps(
                dataclasses.asdict(
                    discover_column(
                        scrape_settings, c["portal"], c["column"], date(2019, 1, 1), date(2019, 2, 1)
                    )
                )
            )
        )
        for c in list_columns(scrape_settings)
    ]
    assert not scrape_settings.staging_db.exists()  # discovery writes nothing
    summary = fetch_and_land(scrape_settings, found, run_id="manual-1")
    assert (summary.found, summary.new, summary.run_id) == (3, 3, "manual-1")
    assert query(scrape_settings, "select count(distinct run_id) from fetch_log")[0][0] == 1
    json.dumps(dataclasses.asdict(summary))


def test_interval_scrape_and_backfill_days(scrape_settings) -> None:
    day = scrape(scrape_settings, since=date(2019, 1, 11), until=date(2019, 1, 12))
    assert (day.found, day.new) == (1, 1)
    assert query(scrape_settings, "select agency_code from documents") == [("zhenhai-news-centre",)]
    rest = scrape(scrape_settings)
    assert (rest.new, rest.unchanged) == (4, 1)
    # a backfill of an old day after the full crawl still finds exactly its report, downloads nothing
    again = scrape(scrape_settings, since=date(2019, 1, 10), until=date(2019, 1, 11))
    assert (again.found, again.new, again.unchanged, again.document_requests) == (1, 0, 1, 0)


def test_reextract_rebuilds_texts_from_the_archive(scrape_settings, replica) -> None:
    scrape(scrape_settings)
    replica.stop_requests = dict(replica.requests)
    same = reextract(scrape_settings)
    assert (same.found, same.unchanged, same.revised, same.failed) == (5, 5, 0, 0)
    doc_id = document_id_for(
        query(scrape_settings, "select url from documents where agency_code='haishu'")[0][0]
    )
    import duckdb

    con = duckdb.connect(str(scrape_settings.staging_db))
    con.execute("update raw_texts set text = 'stale' where document_id = ?", (doc_id,))
    con.close()
    fixed = reextract(scrape_settings, agencies=["haishu"])
    assert (fixed.found, fixed.revised) == (1, 1)
    assert query(
        scrape_settings, "select text <> 'stale' from raw_texts where document_id = ?", (doc_id,)
    ) == [(True,)]
    assert reextract(scrape_settings, years=[2017]).found == 1  # 咸祥镇2017年…
    assert dict(replica.requests) == replica.stop_requests  # no network


def test_cli_scrape_prints_a_summary(scrape_settings) -> None:
    result = run_cli(["scrape", "--portal", "zhenhai", "--no-progress"], scrape_settings)
    assert result.returncode == 0, result.stderr
    assert "found" in result.stdout and "new" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "scrape ok: 2 new, 0 revised, 0 quarantined"
    assert query(scrape_settings, "select count(*) from documents where portal = 'zhenhai'")[0][0] == 2


@pytest.mark.parametrize("bad", ["2019-13-01"])
def test_cli_rejects_a_bad_date(bad: str, settings) -> None:
    result = run_cli(["scrape", "--since", bad], settings)
    assert result.returncode == 2
    assert result.stderr.strip() == f"gongkai: error: --since '{bad}' is not a date (YYYY-MM-DD)"


def test_settings_replace_keeps_replica(scrape_settings, replica) -> None:
    assert dataclasses.replace(scrape_settings).portal_base_url == replica.base_url


def test_synthetic_variants_are_labelled(settings) -> None:
    from replica.server import start_replica

    server = start_replica(0, synthetic=12)  # more variants than seeds: each seed serves several
    try:
        s = dataclasses.replace(settings, portal_base_url=server.base_url)
        summary = scrape(s, portal="synthetic")
    finally:
        server.stop()
    assert (summary.new, summary.failed) == (12, 0)  # each variant is its own report, no duplicate
    rows = query(s, "select is_synthetic, agency_code, title, status from documents")
    assert all(r[0] and r[1] == "synthetic" and "合成样本" in r[2] and r[3] == "ok" for r in rows)
    texts = [r[0] for r in query(s, "select text from raw_texts")]
    assert len(set(texts)) == 12 and all("政府信息公开" in t and "合成样本" in t for t in texts)

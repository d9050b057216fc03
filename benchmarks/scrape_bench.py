"""Acquisition benchmarks, politeness off.

    .venv/bin/python -m benchmarks.scrape_bench [N]            # N synthetic reports (seeds site)
    .venv/bin/python -m benchmarks.scrape_bench district [SINCE] # a full first crawl of the district

The district run (``run_district``) starts the district replica, discovers every unit from the
portals' directory pages, crawls every column (reports 2008–2025 unless ``since``), then runs again
with nothing new. Targets: ≤ 1.05 document requests (article pages + files) per new document (a
report page or one of its files), ≤ 1 list request per column on the no-op run.

Reports (labelled 【合成样本…】, agency ``synthetic``, ``is_synthetic``) are the five seeds as
HTML bodies and .docx attachments (distinct bytes each). Targets: a no-op run issues
<= 1 list request per column and no document request; <= 1.05 requests per new document plus
its attachments.
"""

from __future__ import annotations

import dataclasses
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from gongkai.config import Settings


def run(n_reports: int = 1000) -> dict:
    from replica.server import start_replica
    from scrapers.run import list_columns, scrape

    replica = start_replica(0, synthetic=n_reports)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = dataclasses.replace(
                Settings.from_env(home=Path(tmp)), request_interval=0.0, portal_base_url=replica.base_url
            )
            settings.ensure_dirs()
            columns = len(list_columns(settings, "synthetic"))
            before = dict(replica.requests)
            started = time.perf_counter()
            first = scrape(settings, portal="synthetic")
            elapsed = time.perf_counter() - started
            after_first = dict(replica.requests)
            second = scrape(settings, portal="synthetic")
            after_second = dict(replica.requests)

            import duckdb

            con = duckdb.connect(str(settings.staging_db), read_only=True)
            n_attachments = con.execute(
                "select coalesce(sum(json_array_length(attachments)), 0) from documents"
            ).fetchone()[0]
            con.close()

        def delta(a: dict, b: dict, kind: str) -> int:
            return b.get(kind, 0) - a.get(kind, 0)

        doc_requests = delta(before, after_first, "article") + delta(before, after_first, "attachment")
        return {
            "n_reports": n_reports,
            "new": first.new,
            "failed": first.failed,
            "attachments": int(n_attachments),
            "requests_per_new_report": round(doc_requests / max(1, first.new + n_attachments), 4),
            "total_requests_per_new_report": round(
                (sum(after_first.values()) - sum(before.values())) / max(1, first.new), 4
            ),
            "list_requests_first_run": delta(before, after_first, "list"),
            "noop_list_requests_per_column": delta(after_first, after_second, "list") / columns,
            "noop_document_requests": delta(after_first, after_second, "article")
            + delta(after_first, after_second, "attachment"),
            "noop_new": second.new,
            "seconds": round(elapsed, 2),
            "reports_per_s": round(first.new / elapsed, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    finally:
        replica.stop()


def run_district(since: str | None = None) -> dict:
    """A full first crawl of the district replica (and a no-op second run)."""
    from datetime import date

    import duckdb

    from replica.server import start_replica
    from scrapers.run import list_columns, scrape

    replica = start_replica(0, site="district")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = dataclasses.replace(
                Settings.at(Path(tmp)), request_interval=0.0, portal_base_url=replica.base_url
            )
            settings.ensure_dirs()
            start = date.fromisoformat(since) if since else None
            before = dict(replica.requests)
            started = time.perf_counter()
            columns = len(list_columns(settings))
            after_units = dict(replica.requests)
            first = scrape(settings, since=start)
            elapsed = time.perf_counter() - started
            after_first = dict(replica.requests)
            second = scrape(settings, since=start)
            after_second = dict(replica.requests)
            con = duckdb.connect(str(settings.staging_db), read_only=True)
            statuses = dict(con.execute("select status, count(*) from documents group by 1").fetchall())
            n_files = con.execute(
                "select coalesce(sum(json_array_length(attachments)), 0) from documents"
            ).fetchone()[0]
            agencies = con.execute("select count(distinct agency_code) from documents").fetchone()[0]
            not_ok = con.execute(
                "select status, left(coalesce(error, ''), 90), count(*) from documents where status <> 'ok' "
                "group by 1, 2 order by 3 desc"
            ).fetchall()
            busy = con.execute(
                "select portal || '/' || column_id, list_requests from scrape_history "
                "where run_id = ? and list_requests > 1 order by 2 desc",
                [second.run_id],
            ).fetchall()
            con.close()

        def delta(a: dict, b: dict, kind: str) -> int:
            return b.get(kind, 0) - a.get(kind, 0)

        docs = delta(after_units, after_first, "article") + delta(after_units, after_first, "attachment")
        second_list = delta(after_first, after_second, "list")
        return {
            "site": "district",
            "since": since,
            "columns": columns,
            "agencies": int(agencies),
            "unit_discovery_requests": delta(before, after_units, "list"),
            "found": first.found,
            "new": first.new,
            "failed": first.failed,
            "documents_by_status": statuses,
            "files": int(n_files),
            "document_requests": docs,
            "requests_per_new_document": round(docs / max(1, first.new + n_files), 4),
            "requests_per_new_report": round(docs / max(1, first.new), 4),
            "list_requests_first_run": delta(after_units, after_first, "list"),
            "noop_list_requests": second_list,
            "noop_list_requests_per_column": round(second_list / max(1, columns), 4),
            "noop_document_requests": delta(after_first, after_second, "article")
            + delta(after_first, after_second, "attachment"),
            "noop_new": second.new,
            "noop_columns_over_one_list_request": [list(r) for r in busy],
            "not_ok_reasons": [list(r) for r in not_ok],
            "seconds": round(elapsed, 1),
            "reports_per_s": round(first.new / elapsed, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    finally:
        replica.stop()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "district":
        print(json.dumps(run_district(sys.argv[2] if len(sys.argv) > 2 else None), ensure_ascii=False))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(json.dumps(run(n), ensure_ascii=False))


if __name__ == "__main__":
    main()

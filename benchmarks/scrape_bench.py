"""Acquisition benchmark: discovery + download of synthetic replica reports, politeness off.

    .venv/bin/python -m benchmarks.scrape_bench [N]

Reports (labelled 【合成样本…】, agency ``synthetic``, ``is_synthetic``) are the five seeds as
HTML bodies and .docx attachments (distinct bytes each). Targets (issue 2): a no-op run issues
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


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(json.dumps(run(n), ensure_ascii=False))


if __name__ == "__main__":
    main()

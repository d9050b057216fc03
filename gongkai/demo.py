"""The Quickstart demo: one `gongkai_daily` Airflow run against the local replica, then a summary
of what was built, read back from the published (serving) warehouse like a BI tool would."""

from __future__ import annotations

import dataclasses
import json
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from gongkai.config import Settings
from gongkai.database import open_duckdb

# The demo crawls the district replica (a Haishu-like district and two smaller portals) over a
# recent window, so it stays short: the reports published since DEMO_SINCE (report years 2024–2025).
DEMO_SINCE = date(2025, 1, 1)
DEMO_AGENCY = "haishu"  # 宁波市海曙区人民政府
SEEDS_HISTORY_START = date(2008, 1, 1)  # --site seeds: the whole history (five reports, 2017–2019)

EXAMPLE_QUERIES: list[tuple[str, str]] = [
    (
        "Which units published their annual report late in 2025 (deadline of the regime in force)",
        "select agency_name, agency_level, report_year, deadline, published_date, days_late "
        "from mart_publication_timeliness where status = 'late' and year(published_date) = 2025 "
        "and not is_synthetic order by days_late desc, agency_name",
    ),
    (
        "Requests received over the years by 宁波市海曙区人民政府 (G1 收到申请数, G2/G3 本年新收 conformed)",
        "select agency_name, report_year, generation, requests_received, results_total "
        f"from mart_agency_year where agency_code = '{DEMO_AGENCY}' order by report_year",
    ),
    (
        "Reports whose own arithmetic (勾稽关系) does not add up",
        "select agency_name, report_year, identity_label, difference, detail from mart_identity_audit "
        "where holds = false and is_latest order by agency_code, report_year, identity limit 12",
    ),
]


@dataclass
class QueryResult:
    title: str
    sql: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class DemoSummary:
    run_state: str = ""
    task_states: dict[str, str] = field(default_factory=dict)
    reports_by_generation: dict[str, int] = field(default_factory=dict)
    quarantined: int = 0
    facts: int = 0
    validation: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)
    queries: list[QueryResult] = field(default_factory=list)
    seconds: float = 0.0


def _latest_validation(settings: Settings) -> dict[str, Any]:
    runs = sorted(settings.validation_dir.glob("**/*.json"), key=lambda p: p.stat().st_mtime)
    for path in reversed(runs):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and "success" in data:
            data["_path"] = str(path)
            return data
    return {}


def summarize(settings: Settings) -> DemoSummary:
    """Read the serving warehouse (read-only) and the last validation run."""
    summary = DemoSummary()
    con = open_duckdb(settings.serving_db, "serving", read_only=True)
    try:
        for generation, n in con.execute(
            "select coalesce(generation, 'none'), count(*) from dim_report where is_latest group by 1 order by 1"
        ).fetchall():
            summary.reports_by_generation[generation] = n
        summary.quarantined = con.execute(
            "select count(*) from dim_report where is_latest and parse_status = 'quarantined'"
        ).fetchone()[0]
        summary.facts = con.execute("select count(*) from fct_indicator_value").fetchone()[0]
        for title, sql in EXAMPLE_QUERIES:
            cur = con.execute(sql)
            columns = [d[0] for d in cur.description]
            summary.queries.append(QueryResult(title, sql, columns, [list(r) for r in cur.fetchall()]))
    finally:
        con.close()
    validation = _latest_validation(settings)
    summary.validation = {
        k: validation.get(k)
        for k in ("success", "blocking_failed", "warnings", "run_id", "data_docs_path", "_path")
        if k in validation
    }
    from gongkai.build import dbt_paths

    docs = dbt_paths(settings)[0] / "static_index.html"
    summary.paths = {
        "serving warehouse (DuckDB, read-only for BI)": str(settings.serving_db),
        "Parquet files (one per mart)": str(settings.parquet_dir),
        "dbt docs (open in a browser)": str(docs) if docs.exists() else "not generated",
        "Data Docs (validation)": str(validation.get("data_docs_path") or settings.validation_dir),
        "staging (raw texts, parsed cells)": str(settings.staging_db),
        "raw archive (content-addressed bytes)": str(settings.raw_dir),
    }
    return summary


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def render(summary: DemoSummary) -> str:
    """The text the demo prints."""
    lines = ["", "gongkai demo — what was built", "=" * 30]
    if summary.task_states:
        counts: dict[str, int] = {}
        for state in summary.task_states.values():
            counts[state] = counts.get(state, 0) + 1
        states = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        lines.append(f"Airflow run gongkai_daily: {summary.run_state} (task instances: {states})")
    gens = ", ".join(f"{g}: {n}" for g, n in summary.reports_by_generation.items()) or "none"
    lines.append(f"Reports found per generation: {gens} (quarantined: {summary.quarantined})")
    lines.append(f"Facts loaded (fct_indicator_value rows): {summary.facts}")
    v = summary.validation
    if v:
        lines.append(
            f"Validation: {'PASSED' if v.get('success') else 'FAILED'} — "
            f"blocking failures: {v.get('blocking_failed', '?')}, warnings: {v.get('warnings', '?')}"
        )
    lines.append("")
    lines += [f"{k}: {p}" for k, p in summary.paths.items()]
    for q in summary.queries:
        lines += ["", f"-- {q.title}", q.sql + ";"]
        widths = [max([_width(c)] + [_width(_fmt(r[i])) for r in q.rows]) for i, c in enumerate(q.columns)]
        lines.append("  ".join(_pad(c, w) for c, w in zip(q.columns, widths, strict=True)).rstrip())
        lines += [
            "  ".join(_pad(_fmt(v), w) for v, w in zip(r, widths, strict=True)).rstrip() for r in q.rows
        ]
        if not q.rows:
            lines.append("(no rows)")
    lines.append(
        f"\nDone in {summary.seconds:.0f} s. Run it again: a second run finds nothing new and is faster."
    )
    return "\n".join(lines)


def _say(message: str) -> None:
    print(f"gongkai demo: {message}", file=sys.stderr, flush=True)


def run_demo(
    settings: Settings,
    *,
    airflow_home: Path | None = None,
    site: str = "district",
    since: date | None = None,
) -> DemoSummary:
    """Start the replica, run `gongkai_daily` once through Airflow over the reports published since
    ``since`` (district: :data:`DEMO_SINCE`; seeds: the whole history), summarise."""
    from gongkai.build import dbt_docs_generate
    from gongkai.orchestration.embedded import run_daily_once
    from replica.server import start_replica

    started = time.perf_counter()
    settings.ensure_dirs()
    since = since or (DEMO_SINCE if site == "district" else SEEDS_HISTORY_START)
    server = start_replica(site=site)
    try:
        what = "Haishu-like district + two smaller portals" if site == "district" else "the five seed reports"
        _say(f"{site} replica ({what}) serving at {server.base_url}; crawling what was published since {since}")
        _say(
            "running one gongkai_daily DAG run through Airflow (the first run also migrates its metadata DB)…"
        )
        settings = dataclasses.replace(settings, portal_base_url=server.base_url, request_interval=0.0)
        run = run_daily_once(
            settings,
            since=since,
            until=date.today() + timedelta(days=1),
            airflow_home=airflow_home or settings.home / "airflow",
        )
    finally:
        server.stop()
    _say(f"Airflow run finished ({run.get('state')}); generating dbt docs…")
    dbt_docs_generate(dataclasses.replace(settings, portal_base_url=None))
    summary = summarize(settings)
    summary.run_state = str(run.get("state"))
    summary.task_states = {str(k): str(v) for k, v in run.get("tasks", {}).items()}
    summary.seconds = time.perf_counter() - started
    return summary

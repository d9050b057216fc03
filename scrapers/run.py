"""Acquisition step functions (called by the CLI, the DAGs and the in-process pipeline)."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from gongkai import staging
from gongkai.config import Settings
from scrapers import identity, landing, units
from scrapers.discovery import DiscoveryResult, discover, make_client
from scrapers.extract import MAX_UNZIPPED_BYTES
from scrapers.fetch import FetchedReport, combine_texts, fetch_report, reextract_blob
from scrapers.registry import Portal, load_portals


@dataclass
class ScrapeSummary:
    run_id: str
    found: int = 0
    new: int = 0
    unchanged: int = 0
    revised: int = 0
    failed: int = 0  # reports that failed to download or were quarantined (see failures)
    quarantined: int = 0
    columns: int = 0
    columns_failed: int = 0  # columns whose listing failed, or whose every report failed to download
    pending: int = 0  # reports not landed whole that the next run tries again (failed, or a file unreadable)
    list_requests: int = 0
    document_requests: int = 0
    failures: list[dict] = field(default_factory=list)  # {url, reason}
    gave_up: list[dict] = field(default_factory=list)  # {document_id, url, reason}: tries spent (alert)
    outcome: str = "ok"  # ok | partial | failed (see outcome_of)


def outcome_of(summary: ScrapeSummary) -> str:
    """``failed`` when every column failed; ``partial`` when a column failed, a report is pending
    (tried again next run) or was given up on; else ``ok``. Final quarantines (not a report, a
    refused file, a duplicate) are verdicts on the data, not failures of the run."""
    if summary.columns and summary.columns_failed >= summary.columns:
        return "failed"
    if summary.columns_failed or summary.gave_up or summary.pending:
        return "partial"
    return "ok"


def _portals(settings: Settings) -> dict[str, Portal]:
    return units.with_discovered(settings, load_portals(settings.portals_file))  # no network


def _include_synthetic(settings: Settings) -> bool:
    return settings.include_synthetic


def list_columns(settings: Settings, portal: str | None = None) -> list[dict]:
    """``[{"portal", "column"}]`` of every registry column (for dynamic task mapping).

    Synthetic (benchmark) portals are listed only when named or with ``settings.include_synthetic``.
    """
    out = []
    units.refresh(settings, load_portals(settings.portals_file), portal)  # the directories' units
    for p in _portals(settings).values():
        if portal is not None and p.name != portal:
            continue
        if p.synthetic and portal is None and not _include_synthetic(settings):
            continue
        out.extend({"portal": p.name, "column": c.id} for c in p.columns)
    if portal is not None and not out:
        raise ValueError(f"unknown portal {portal!r}")
    return out


def _watermark(settings: Settings, portal: str, column: str) -> date | None:
    if not settings.staging_db.exists():
        return None
    import duckdb

    try:
        with staging.connect(settings.staging_db, read_only=True) as con:
            return landing.watermark(con, portal, column)
    except duckdb.Error:  # table not created yet, or the file is locked by a writer
        return None


def discover_column(
    settings: Settings,
    portal: str,
    column: str,
    since: date | None = None,
    until: date | None = None,
    *,
    use_watermark: bool = True,
) -> DiscoveryResult:
    """The report articles of one column published in ``[since, until)``. Network only.

    Paging also stops at the column's watermark (everything older is already landed) unless
    ``use_watermark=False`` (a refresh that re-checks known reports).
    """
    p = _portals(settings)[portal]
    col = next(c for c in p.columns if c.id == column)
    stop_before = _watermark(settings, portal, column) if use_watermark else None
    return discover(settings, p, col, since, until, stop_before=stop_before)


def _as_discovery(d: DiscoveryResult | dict) -> DiscoveryResult:
    return d if isinstance(d, DiscoveryResult) else DiscoveryResult(**d)


def fetch_and_land(
    settings: Settings,
    discoveries: list[DiscoveryResult | dict],
    run_id: str | None = None,
    *,
    refresh: bool = False,
    progress=None,
) -> ScrapeSummary:
    """Download every discovered report not yet landed (all of them with ``refresh``, conditionally)
    and land each in its own transaction. Bad input becomes a row with a reason, never a crash."""
    settings.ensure_dirs()
    found = [_as_discovery(d) for d in discoveries]
    summary = ScrapeSummary(run_id=run_id or uuid.uuid4().hex[:12], columns=len(found))
    with staging.connect(settings.staging_db) as con:
        landing.ensure_own_schema(con)
        con.execute("BEGIN TRANSACTION")
        for d in found:
            landing.insert_fetch_log(con, summary.run_id, d.fetch_log)
            summary.list_requests += d.list_requests
            if d.error:
                summary.failures.append({"url": f"{d.portal}/{d.column}", "reason": f"discovery: {d.error}"})
        con.execute("COMMIT")
        run = _Landing(settings, con, summary, refresh=refresh, progress=progress)
        history: list[dict] = []
        with run.batch:
            for d in found:
                before, started = _column_counts(summary), time.perf_counter()
                summary.columns_failed += not run.column(d)
                history.append(_history_row(summary, d, before, time.perf_counter() - started))
        staging.insert_scrape_history(con, history)
    summary.outcome = outcome_of(summary)
    return summary


def _column_counts(summary: ScrapeSummary) -> dict[str, int]:
    return {k: getattr(summary, k) for k in ("new", "revised", "unchanged", "failed", "document_requests")}


def _history_row(summary: ScrapeSummary, d: DiscoveryResult, before: dict[str, int], seconds: float) -> dict:
    """One scrape-history row for column ``d``: this column's share of the run's counters."""
    done = {k: v - before[k] for k, v in _column_counts(summary).items()}
    listing_s = sum(float(r.get("elapsed_ms") or 0) for r in d.fetch_log) / 1000
    return {
        "run_id": summary.run_id,
        "portal": d.portal,
        "column_id": d.column,
        "mechanism": d.mechanism,
        "window_since": d.since,
        "window_until": d.until,
        "requests": d.list_requests + done["document_requests"],
        "list_requests": d.list_requests,
        "listed": d.listed,
        "reports_listed": len(d.refs),
        "new": done["new"],
        "changed": done["revised"],
        "unchanged": done["unchanged"],
        "failed": done["failed"],
        "seconds": round(listing_s + seconds, 3),
        "error": d.error,
    }


class _Landing:
    """One fetch-and-land pass: what staging already holds, the HTTP clients (one per worker
    thread and portal; politeness is shared per host), and the open landing batch. Reports are
    fetched by ``settings.fetch_workers`` threads and landed in list order."""

    def __init__(self, settings: Settings, con, summary: ScrapeSummary, *, refresh: bool, progress) -> None:
        self.settings, self.con, self.summary = settings, con, summary
        self.refresh, self.progress = refresh, progress
        self.portals = _portals(settings)
        self.local = threading.local()
        self.workers = max(1, settings.fetch_workers)
        self.known = landing.known_documents(con)
        self.validators = {
            url: (etag, modified)
            for url, etag, modified in con.execute(
                "SELECT url, etag, last_modified FROM scrape_http_cache"
            ).fetchall()
        }
        self.attempts = landing.pending_attempts(con)
        self.aliases = landing.url_aliases(con)
        self.max_attempts = int(getattr(settings, "max_fetch_attempts", landing.MAX_ATTEMPTS))
        self.max_unzipped = int(getattr(settings, "max_unzipped_bytes", MAX_UNZIPPED_BYTES))
        self.done: set[str] = set()
        self.batch = landing.Batch(con, size=settings.land_batch_size)

    def column(self, d: DiscoveryResult) -> bool:
        """Fetch and land one column's new reports; False when the column failed (its listing
        failed, or none of the reports it had to fetch could be downloaded). The column's
        watermark moves only when every listed report is final (landed, or given up on)."""
        column_ok = d.complete and not d.error
        self.downloads = self.download_failures = 0
        todo = [job for job in map(self.plan, d.refs) if job is not None]
        if self.workers == 1 or len(todo) < 2:
            fetched = map(self.fetch, todo)
            for job, rep, log_rows in fetched:
                column_ok &= self.land(job, rep, log_rows)
        else:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="gongkai-fetch") as pool:
                window: deque = deque()  # at most 2 x workers fetched reports wait to be landed
                for job in todo:
                    window.append(pool.submit(self.fetch, job))
                    if len(window) >= 2 * self.workers:
                        column_ok &= self.land(*window.popleft().result())
                while window:
                    column_ok &= self.land(*window.popleft().result())
        if column_ok:
            self.batch.add(_advance_watermark, d)
        return not d.error and not (self.downloads and self.download_failures == self.downloads)

    def plan(self, ref: dict) -> tuple[dict, str, tuple | None] | None:
        """``(ref, document_id, prior)`` when the report must be fetched; None when it is landed."""
        doc_id = identity.document_id(ref["url"])
        doc_id = self.aliases.get(doc_id, doc_id)  # an old URL that redirects to a landed article
        if doc_id in self.done:
            return None
        self.done.add(doc_id)
        self.summary.found += 1
        prior = self.known.get(doc_id)
        if prior is not None and prior[2] == "ok" and not self.refresh:
            self.summary.unchanged += 1
            return None
        if self.attempts.get(doc_id, (0, False))[1] and not self.refresh:
            return None  # given up on after its bounded tries (see scrape_attempts); --refresh retries
        return ref, doc_id, prior

    def fetch(self, job: tuple[dict, str, tuple | None]) -> tuple[tuple, FetchedReport, list[dict]]:
        """Runs in a worker thread: network and extraction only, no staging access."""
        ref, _, prior = job
        clients = getattr(self.local, "clients", None)
        if clients is None:
            clients = self.local.clients = {}
        client = clients.get(ref["portal"])
        if client is None:
            client = clients[ref["portal"]] = make_client(self.settings, self.portals[ref["portal"]])
        landed_ok = prior is not None and prior[2] == "ok"
        etag, modified = self.validators.get(ref["url"], (None, None)) if landed_ok else (None, None)
        try:
            rep = fetch_report(
                client,
                self.settings.raw_dir,
                ref,
                etag=etag,
                last_modified=modified,
                max_unzipped=self.max_unzipped,
            )
        except Exception as exc:  # an unexpected page: record it as a failed report, go on
            rep = FetchedReport(ref=ref, status="failed", error=f"{type(exc).__name__}: {exc}"[:500])
            rep.retryable = True
        return job, rep, client.drain_log()

    def land(self, job: tuple, rep: FetchedReport, log_rows: list[dict]) -> bool:
        """Land one fetched report (main thread); True when the report is final (landed, or not
        worth another try, or given up on), False when a later run must try it again."""
        ref, doc_id, prior = job
        prior = self.known.get(doc_id, prior)  # landed meanwhile under a URL that redirected here
        summary = self.summary
        summary.document_requests += sum(1 for r in log_rows if not r["url"].endswith("/robots.txt"))
        self.downloads += 1
        if rep.status == "not_modified":
            self.batch.add(landing.insert_fetch_log, summary.run_id, log_rows)
            summary.unchanged += 1
            return True
        moved = identity.document_id(rep.final_url) if rep.final_url else doc_id
        if moved != doc_id:  # the listed URL redirects: the report is the article it moved to
            self.batch.add(landing.add_alias, doc_id, moved, ref["url"])
            self.aliases[doc_id] = moved
            if moved in self.done:
                summary.found -= 1  # listed under both URLs in this run: counted once
            self.done.add(moved)
            rep.ref = ref = {**ref, "url": identity.fetch_url(rep.final_url)}
            doc_id, prior = moved, self.known.get(moved)
        outcome = self.batch.add(
            landing.land_report, summary.run_id, doc_id, rep, log_rows, prior, self.max_attempts
        )
        if outcome != "kept":
            version = (prior[0] + (outcome != "unchanged")) if prior else 1
            self.known[doc_id] = (version, landing.content_hash(rep), rep.status)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        if self.progress is not None:
            self.progress()
        if rep.status == "ok":
            self.attempts.pop(doc_id, None)
            return True
        summary.failed += 1
        summary.quarantined += rep.status == "quarantined"
        self.download_failures += rep.status == "failed"
        summary.failures.append({"url": ref["url"], "reason": rep.error or rep.status})
        if rep.gave_up:
            summary.gave_up.append(
                {"document_id": doc_id, "url": ref["url"], "reason": rep.error or rep.status}
            )
        elif rep.retryable:
            summary.pending += 1
        return not rep.retryable or rep.gave_up


def _advance_watermark(con, d: DiscoveryResult) -> None:
    """Everything listed in ``[since, until)`` is landed: move the column's watermark forward when
    that interval joins the already-complete history."""
    current = landing.watermark(con, d.portal, d.column)
    since = date.fromisoformat(d.since) if d.since else None
    if since is not None and (current is None or since > current):
        return  # a gap before this interval is not known to be complete
    if d.newest is None:
        return
    through = date.fromisoformat(d.newest)
    if d.until:
        through = min(through, date.fromisoformat(d.until))
    if current is None or through > current:
        landing.set_watermark(con, d.portal, d.column, through)


def scrape(
    settings: Settings,
    *,
    portal: str | None = None,
    since: date | None = None,
    until: date | None = None,
    run_id: str | None = None,
    progress: bool = False,
    refresh: bool = False,
) -> ScrapeSummary:
    """Discover every column (of ``portal``, or all) and fetch + land what is new."""
    columns = list_columns(settings, portal)
    if not progress:
        discoveries = [
            discover_column(settings, c["portal"], c["column"], since, until, use_watermark=not refresh)
            for c in columns
        ]
        return fetch_and_land(settings, discoveries, run_id, refresh=refresh)
    from rich.progress import Progress

    with Progress(transient=False) as bar:
        task = bar.add_task("discovering", total=len(columns))
        discoveries = []
        for c in columns:
            discoveries.append(
                discover_column(settings, c["portal"], c["column"], since, until, use_watermark=not refresh)
            )
            bar.advance(task)
        fetch_task = bar.add_task("fetching", total=sum(len(d.refs) for d in discoveries))
        return fetch_and_land(
            settings, discoveries, run_id, refresh=refresh, progress=lambda: bar.advance(fetch_task)
        )


def reextract(
    settings: Settings,
    *,
    years: list[int] | None = None,
    agencies: list[str] | None = None,
    document_ids: list[str] | None = None,
) -> ScrapeSummary:
    """Extract the latest version of each landed report again from the raw archive (no network).

    ``document_ids`` (the reprocess selection, ``gongkai.orchestration.rules.select_documents``)
    limits it to those documents; ``years`` matches the year in the title or the publication year.
    Changed texts replace the version's raw_texts row (counted as ``revised``); unreadable archives
    become failures.
    """
    summary = ScrapeSummary(run_id="reextract-" + uuid.uuid4().hex[:8])
    with staging.connect(settings.staging_db) as con:
        rows = con.execute(
            "SELECT document_id, version, url, agency_code, title, published_date, sha256, attachments, status "
            "FROM documents QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY version DESC) = 1"
        ).fetchall()
        wanted = None if document_ids is None else set(document_ids)
        for doc_id, version, url, agency, title, published, sha, attachments, status in rows:
            if wanted is not None and doc_id not in wanted:
                continue
            if agencies and agency not in agencies:
                continue
            if years:
                title_years = {int(y) for y in re.findall(r"(?:19|20)\d{2}", title or "")}
                if not (title_years | ({published.year} if published else set())) & set(years):
                    continue
            if status == "failed":
                continue
            summary.found += 1
            try:
                parts = []
                body = reextract_blob(settings.raw_dir, sha, "html")
                if body.text.strip():
                    parts.append(("page body", "html", body))
                for att in json.loads(attachments or "[]"):
                    if att.get("status") != "ok" or not att.get("sha256"):
                        continue
                    got = reextract_blob(settings.raw_dir, att["sha256"], att["content_type"])
                    if got.text.strip():
                        parts.append((f"attachment {att['url']}", att["content_type"], got))
            except Exception as exc:  # a missing or unreadable archive file: report it, go on
                summary.failed += 1
                summary.failures.append({"url": url, "reason": f"re-extract: {type(exc).__name__}: {exc}"})
                continue
            kept, _ = combine_texts(parts)  # the same rule as fetching: each report text once
            text = "\n\n".join(p[2].text for p in kept)
            names = [p[2].extractor for p in kept]
            versions = [p[2].extractor_version for p in kept]
            old = con.execute(
                "SELECT text FROM raw_texts WHERE document_id = ? AND version = ?", (doc_id, version)
            ).fetchone()
            if old and old[0] == text:
                summary.unchanged += 1
                continue
            if status != "ok":
                continue
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM raw_texts WHERE document_id = ? AND version = ?", (doc_id, version))
            con.execute(
                "INSERT INTO raw_texts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    version,
                    text,
                    "+".join(dict.fromkeys(names)),
                    "+".join(dict.fromkeys(versions)),
                    len(text),
                    landing.now(),
                ),
            )
            con.execute("COMMIT")
            summary.revised += 1
    return summary

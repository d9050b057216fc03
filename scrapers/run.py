"""Acquisition step functions (called by the CLI, the DAGs and the in-process pipeline).

Acquisition is discover (per column, network only) → download (per portal host: network, raw
archive and the run's spool, no staging writes, so hosts run in parallel) → land (the one staging
writer). ``fetch_and_land`` and ``scrape`` run the same download and land steps in one process."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gongkai import staging
from gongkai.config import Settings
from scrapers import identity, landing, spool, units
from scrapers.discovery import DiscoveryResult, discover, make_client
from scrapers.extract import MAX_UNZIPPED_BYTES
from scrapers.fetch import FetchedReport, combine_texts, fetch_report, reextract_blob
from scrapers.registry import Portal, load_portals

log = logging.getLogger(__name__)


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


def group_by_host(settings: Settings, items: list[dict]) -> dict[str, list[dict]]:
    """``items`` (columns or discoveries, each with a ``portal``) by portal host, in order."""
    portals = _portals(settings)
    out: dict[str, list[dict]] = {}
    for item in items:
        out.setdefault(portals[item["portal"]].hosts[0], []).append(item)
    return out


def fetch_and_land(
    settings: Settings,
    discoveries: list[DiscoveryResult | dict],
    run_id: str | None = None,
    *,
    refresh: bool = False,
    progress=None,
) -> ScrapeSummary:
    """Download every discovered report not yet landed (all of them with ``refresh``, conditionally),
    host after host (:func:`download_host`), then land the run's manifests (:func:`land`): the
    DAG's two steps in one process. A host that fails as a whole becomes failure rows for its
    columns; the other hosts are landed. Bad input becomes a row with a reason, never a crash."""
    run_id = run_id or uuid.uuid4().hex[:12]
    found = [d if isinstance(d, dict) else dataclasses.asdict(d) for d in discoveries]
    manifests = [
        Path(
            download_host(
                settings, host, cols, run_id, refresh=refresh, progress=progress, contain_errors=True
            ).manifest
        )
        for host, cols in group_by_host(settings, found).items()
    ]
    return land(settings, run_id, manifests)


# ---- download: one portal host, network and raw archive only --------------------------------


@dataclass
class DownloadResult:
    """What one host's download put in the run's spool (small: the DAG task's XCom)."""

    run_id: str
    host: str
    manifest: str  # the manifest's path
    columns: int = 0
    documents: int = 0  # documents it describes (fetched now, or by an earlier try of this run)
    resumed: int = 0  # of those, finished by an earlier try of this run (not fetched again)
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    quarantined: int = 0
    transient: int = 0  # failed downloads a later try may get (the task is retried for them)
    document_requests: int = 0
    seconds: float = 0.0
    error: str | None = None  # the host failed as a whole (its columns land as failures)


def _requests(log_rows: list[dict]) -> int:
    return sum(1 for r in log_rows if not r["url"].endswith("/robots.txt"))


def _transient(report: dict) -> bool:
    """A download that failed for a reason a later try may cure (a retry fetches it again)."""
    return report["status"] == "failed" and bool(report.get("retryable"))


def download_host(
    settings: Settings,
    host: str,
    discoveries: list[DiscoveryResult | dict],
    run_id: str,
    *,
    refresh: bool = False,
    progress=None,
    contain_errors: bool = False,
) -> DownloadResult:
    """Download the reports of one portal host's discoveries that staging does not hold yet (pages
    and attachments, politely: the host's interval, robots.txt, retries), archive their bytes,
    extract their text, and write the run's manifest for ``host`` (:mod:`scrapers.spool`).
    Reads staging read-only to know what is landed; writes none of it, so hosts download in
    parallel. A try after a killed or failed one resumes: what it finished is not fetched again,
    except transient failures. With ``contain_errors`` a failure of the host as a whole (staging
    locked too long, a disk error) is written into the manifest instead of raised."""
    settings.ensure_dirs()
    found = [_as_discovery(d) for d in discoveries]
    path = spool.manifest_path(settings.home, run_id, host)
    earlier = spool.earlier_entries(path)
    started = time.perf_counter()
    result = DownloadResult(run_id, host, str(path), columns=len(found))
    columns: list[dict] = []
    try:
        dl = _Download(
            settings, landing.landed_state(settings.staging_db), refresh=refresh, progress=progress
        )
        part = spool.PartFile(path)
        try:
            for i, d in enumerate(found):
                columns.append(dl.column(i, d, earlier, part))
        finally:
            part.close()
        result.resumed = dl.resumed
    except Exception as exc:
        if not contain_errors:
            raise
        result.error = f"{type(exc).__name__}: {exc}"[:500]
        finished = spool.earlier_entries(path)  # what this try and earlier ones completed
        columns = [
            {
                "discovery": dataclasses.asdict(d),
                "documents": [e for (col, _), e in finished.items() if col == i],
                "seconds": 0.0,
            }
            for i, d in enumerate(found)
        ]
    manifest = {
        "format": spool.FORMAT,
        "manifest_id": uuid.uuid4().hex,
        "run_id": run_id,
        "host": host,
        "refresh": refresh,
        "written_at": landing.now().isoformat(sep=" "),
        "error": result.error,
        "columns": columns,
    }
    spool.write_manifest(path, manifest)
    for col in columns:
        for entry in col["documents"]:
            status = entry["report"]["status"]
            result.documents += 1
            if hasattr(result, status):
                setattr(result, status, getattr(result, status) + 1)
            result.transient += _transient(entry["report"])
            result.document_requests += _requests(entry["fetch_log"])
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _needs_fetch(
    ref: dict,
    *,
    aliases: dict[str, str],
    done: set[str],
    known: dict[str, tuple],
    attempts: dict[str, tuple[int, bool]],
    refresh: bool,
) -> tuple[str, tuple | None, str | None]:
    """``(document id, prior, why not)`` of a listed report; ``why not`` is ``seen`` (listed
    earlier in this run), ``landed``, ``given up`` (its bounded tries are spent; ``refresh`` tries
    again), or None: fetch it. Marks the report seen. The one rule download and landing share."""
    doc_id = identity.document_id(ref["url"])
    doc_id = aliases.get(doc_id, doc_id)  # an old URL that redirects to a landed article
    if doc_id in done:
        return doc_id, None, "seen"
    done.add(doc_id)
    prior = known.get(doc_id)
    if prior is not None and prior[2] == "ok" and not refresh:
        return doc_id, prior, "landed"
    if attempts.get(doc_id, (0, False))[1] and not refresh:
        return doc_id, prior, "given up"
    return doc_id, prior, None


class _Download:
    """One host's downloads: what staging held when it started decides what is new; reports are
    fetched by ``settings.fetch_workers`` threads (one client per thread and portal; politeness is
    shared per host) and kept in list order."""

    def __init__(self, settings: Settings, state: landing.LandedState, *, refresh: bool, progress) -> None:
        self.settings, self.state, self.refresh, self.progress = settings, state, refresh, progress
        self.portals = _portals(settings)
        self.local = threading.local()
        self.workers = max(1, settings.fetch_workers)
        self.aliases = dict(state.aliases)
        self.max_unzipped = int(getattr(settings, "max_unzipped_bytes", MAX_UNZIPPED_BYTES))
        self.done: set[str] = set()
        self.resumed = 0

    def column(self, index: int, d: DiscoveryResult, earlier: dict, part: spool.PartFile) -> dict:
        """The manifest entry of one column: its discovery and each report it had to download."""
        started = time.perf_counter()
        todo = []
        for ref in d.refs:
            doc_id, prior, skip = _needs_fetch(
                ref,
                aliases=self.aliases,
                done=self.done,
                known=self.state.known,
                attempts=self.state.attempts,
                refresh=self.refresh,
            )
            if skip is None:
                todo.append((ref, doc_id, prior))

        def one(job: tuple) -> tuple[dict, bool]:
            old = earlier.get((index, job[0]["url"]))
            if old is not None and not _transient(old["report"]):
                return old, True
            return self.fetch(index, job, old), False

        documents = []
        with ThreadPoolExecutor(self.workers, thread_name_prefix="gongkai-fetch") as pool:
            for entry, resumed in pool.map(one, todo) if len(todo) > 1 else map(one, todo):
                if resumed:
                    self.resumed += 1
                else:
                    part.append(entry)
                documents.append(entry)
                final = entry["report"].get("final_url")
                moved = identity.document_id(final) if final else entry["document_id"]
                if moved != entry["document_id"]:  # a moved article: later columns know it
                    self.aliases[entry["document_id"]] = moved
                    self.done.add(moved)
                if self.progress is not None:
                    self.progress()
        return {
            "discovery": dataclasses.asdict(d),
            "documents": documents,
            "seconds": round(time.perf_counter() - started, 3),
        }

    def fetch(self, index: int, job: tuple[dict, str, tuple | None], old: dict | None) -> dict:
        """Runs in a worker thread: network, raw archive and extraction only."""
        ref, doc_id, prior = job
        clients = getattr(self.local, "clients", None)
        if clients is None:
            clients = self.local.clients = {}
        client = clients.get(ref["portal"])
        if client is None:
            client = clients[ref["portal"]] = make_client(self.settings, self.portals[ref["portal"]])
        landed_ok = prior is not None and prior[2] == "ok"
        etag, modified = self.state.validators.get(ref["url"], (None, None)) if landed_ok else (None, None)
        started = time.perf_counter()
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
        return {
            "column": index,
            "url": ref["url"],
            "document_id": doc_id,
            "canonical_url": identity.canonical_url(ref["url"]),
            "title": rep.title or ref.get("title"),
            "published": rep.published or ref.get("published"),
            "status": rep.status,
            "reason": rep.error,
            "blobs": [b["sha256"] for b in rep.blobs],
            "tries": (old["tries"] if old else 0) + 1,  # in this run
            "seconds": round(time.perf_counter() - started, 3),
            "report": dataclasses.asdict(rep),
            # an earlier try's requests are kept: every attempt is a fetch-log row
            "fetch_log": (old["fetch_log"] if old else []) + client.drain_log(),
        }


# ---- land: the one staging writer -----------------------------------------------------------


class LandingError(RuntimeError):
    """A manifest could not be landed (it stays in the spool; the others were landed)."""


def land(settings: Settings, run_id: str, manifests: list[Path] | None = None) -> ScrapeSummary:
    """Land the run's download manifests (``manifests``, else every one in the run's spool, by
    host) into staging, each in one transaction: fetch-log, blobs, document versions, texts,
    tries, duplicates, aliases, watermarks, scrape history. A manifest landed before is not
    landed again (its counts are reported again), so landing twice changes nothing. Removes the
    run's spool when every manifest landed; a manifest that fails stays there, the others are
    landed, then :class:`LandingError` is raised."""
    settings.ensure_dirs()
    scan = manifests is None
    paths = spool.manifests(settings.home, run_id) if manifests is None else list(manifests)
    summary = ScrapeSummary(run_id=run_id)
    errors: list[str] = []
    with staging.connect(settings.staging_db) as con:
        landing.ensure_own_schema(con)
        if scan and not paths:  # landed already, and the spool removed: report the same counts
            for counted in landing.landed_manifests_of_run(con, run_id):
                _merge(summary, counted)
        run = _Landing(settings, con)
        for path in paths:
            manifest = spool.read_manifest(path)
            counted = landing.landed_manifest(con, manifest["manifest_id"])
            if counted is None:
                seen = set(run.done)
                try:
                    counted = dataclasses.asdict(run.manifest(manifest))
                except Exception as exc:  # rolled back: land the others, then fail
                    errors.append(f"{path.name}: {type(exc).__name__}: {exc}"[:500])
                    run = _Landing(settings, con)
                    run.done = seen
                    continue
            _merge(summary, counted)
    if errors:
        raise LandingError(f"{len(errors)} manifest(s) not landed: {'; '.join(errors)}")
    spool.remove_run(settings.home, run_id)
    spool.remove_stale(settings.home)
    summary.outcome = outcome_of(summary)
    return summary


def _merge(total: ScrapeSummary, part: dict) -> None:
    """Add one manifest's counts (a ``ScrapeSummary`` as a dict) to ``total``."""
    for f in dataclasses.fields(ScrapeSummary):
        value = part.get(f.name)
        if f.name in ("run_id", "outcome") or value is None:
            continue
        if isinstance(value, list):
            getattr(total, f.name).extend(value)
        else:
            setattr(total, f.name, getattr(total, f.name) + int(value))


def _column_counts(summary: ScrapeSummary) -> dict[str, int]:
    return {k: getattr(summary, k) for k in ("new", "revised", "unchanged", "failed", "document_requests")}


def _history_row(
    summary: ScrapeSummary, d: DiscoveryResult, before: dict[str, int], seconds: float, error: str | None
) -> dict:
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
        "error": error,
    }


class _Landing:
    """Landing of download manifests (the one staging writer): what staging holds, kept current
    as reports land; reports land in list order, each manifest in one transaction."""

    def __init__(self, settings: Settings, con) -> None:
        self.settings, self.con = settings, con
        state = landing.read_state(con)
        self.known, self.attempts, self.aliases = state.known, state.attempts, state.aliases
        self.max_attempts = int(getattr(settings, "max_fetch_attempts", landing.MAX_ATTEMPTS))
        self.done: set[str] = set()
        self.summary = ScrapeSummary(run_id="")
        self.refresh = False
        self.bulk = landing.BulkRows()

    def manifest(self, m: dict) -> ScrapeSummary:
        """Land one host's manifest in one transaction, marked landed in that transaction."""
        summary = self.summary = ScrapeSummary(run_id=m["run_id"], columns=len(m["columns"]))
        self.refresh = bool(m.get("refresh"))  # the download re-checked landed reports
        found = [_as_discovery(c["discovery"]) for c in m["columns"]]
        failed_host = f"download: {m['error']}" if m.get("error") else None
        con = self.con
        self.bulk = landing.BulkRows()
        con.execute("BEGIN TRANSACTION")
        try:
            for d in found:
                self.bulk.add_fetch_log(summary.run_id, d.fetch_log)
                summary.list_requests += d.list_requests
                if d.error or failed_host:
                    reason = f"discovery: {d.error}" if d.error else failed_host
                    summary.failures.append({"url": f"{d.portal}/{d.column}", "reason": reason})
            history: list[dict] = []
            for d, col in zip(found, m["columns"], strict=True):
                before, started = _column_counts(summary), time.perf_counter()
                ok = self.column(d, col["documents"], complete=failed_host is None)
                summary.columns_failed += not ok
                seconds = float(col.get("seconds") or 0) + time.perf_counter() - started
                history.append(_history_row(summary, d, before, seconds, d.error or failed_host))
            self.bulk.flush(con)
            staging.insert_scrape_history(con, history)
            summary.outcome = outcome_of(summary)
            landing.mark_manifest_landed(
                con, m["manifest_id"], m["run_id"], m["host"], dataclasses.asdict(summary)
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return summary

    def column(self, d: DiscoveryResult, documents: list[dict], *, complete: bool = True) -> bool:
        """Land one column's downloaded reports; False when the column failed (its listing or its
        host's download failed, or none of the reports it had to fetch could be downloaded). The
        column's watermark moves only when every listed report is final (landed, or given up on)."""
        column_ok = d.complete and not d.error and complete
        self.downloads = self.download_failures = 0
        fetched = {e["url"]: e for e in documents}
        todo = [job for job in map(self.plan, d.refs) if job is not None]
        for job in todo:
            entry = fetched.pop(job[0]["url"], None)
            if entry is None:  # not downloaded (its host's download failed first): next run
                self.summary.pending += 1
                column_ok = False
                continue
            column_ok &= self.land(job, FetchedReport(**entry["report"]), entry["fetch_log"])
        for entry in fetched.values():  # downloaded, but landed meanwhile from another column or host
            self.bulk.add_fetch_log(self.summary.run_id, entry["fetch_log"])
            self.summary.document_requests += _requests(entry["fetch_log"])
        if column_ok:
            _advance_watermark(self.con, d)
        return not d.error and complete and not (self.downloads and self.download_failures == self.downloads)

    def plan(self, ref: dict) -> tuple[dict, str, tuple | None] | None:
        """``(ref, document_id, prior)`` when the report must be landed from the download; None
        when it is landed (counted unchanged), given up on, or listed earlier in this run."""
        doc_id, prior, skip = _needs_fetch(
            ref,
            aliases=self.aliases,
            done=self.done,
            known=self.known,
            attempts=self.attempts,
            refresh=self.refresh,
        )
        if skip == "seen":
            return None
        self.summary.found += 1
        if skip == "landed":
            self.summary.unchanged += 1
        return None if skip else (ref, doc_id, prior)

    def land(self, job: tuple, rep: FetchedReport, log_rows: list[dict]) -> bool:
        """Land one downloaded report; True when the report is final (landed, or not worth
        another try, or given up on), False when a later run must try it again."""
        ref, doc_id, prior = job
        prior = self.known.get(doc_id, prior)  # landed meanwhile under a URL that redirected here
        summary = self.summary
        summary.document_requests += _requests(log_rows)
        self.downloads += 1
        if rep.status == "not_modified":
            self.bulk.add_fetch_log(summary.run_id, log_rows)
            summary.unchanged += 1
            return True
        moved = identity.document_id(rep.final_url) if rep.final_url else doc_id
        if moved != doc_id:  # the listed URL redirects: the report is the article it moved to
            landing.add_alias(self.con, doc_id, moved, ref["url"])
            self.aliases[doc_id] = moved
            if moved in self.done:
                summary.found -= 1  # listed under both URLs in this run: counted once
            self.done.add(moved)
            rep.ref = ref = {**ref, "url": identity.fetch_url(rep.final_url)}
            doc_id, prior = moved, self.known.get(moved)
        outcome = landing.land_report(
            self.con, self.bulk, summary.run_id, doc_id, rep, log_rows, prior, self.max_attempts
        )
        if outcome != "kept":
            version = (prior[0] + (outcome != "unchanged")) if prior else 1
            self.known[doc_id] = (version, landing.content_hash(rep), rep.status)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
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
    """Discover every column (of ``portal``, or all), then download what is new per host and land
    it (:func:`fetch_and_land`). Without ``run_id``, a scrape with the same arguments that was
    killed (or whose landing failed) is resumed: what it downloaded is not fetched again
    (:func:`spool.cli_run`)."""
    if run_id is None:
        args = {
            "portal": portal,
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "refresh": refresh,
        }
        with spool.cli_run(settings.home, args) as (claimed, resumed):
            if resumed:
                log.warning("resuming scrape run %s, which ended before landing", claimed)
            return scrape(
                settings,
                portal=portal,
                since=since,
                until=until,
                run_id=claimed,
                progress=progress,
                refresh=refresh,
            )
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

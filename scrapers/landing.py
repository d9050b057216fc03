"""Raw landing: the staging rows of downloaded reports (fetch-log rows, blobs, document version,
raw text), one transaction per download manifest (one portal host of a run).

A killed landing leaves whole manifests or nothing; landing again lands what is missing.
Besides the contract tables, acquisition keeps tables of its own in staging:
``scrape_watermarks`` (per column, the newest list date up to which everything is landed),
``scrape_http_cache`` (ETag / Last-Modified per article URL, for conditional re-fetches),
``scrape_aliases`` (an old article URL that redirects -> the document it moved to),
``scrape_attempts`` (per report not yet landed whole: tries, last reason, and ``gave_up_at`` once
the bounded tries are spent -- the rows an alert reads), ``scrape_text_index`` (the hash of
each landed report text, to recognise the same report under another URL) and
``scrape_landed_manifests`` (each download manifest landed, with what landing it counted: a
manifest is landed once, however often landing runs).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from gongkai.database import open_duckdb
from scrapers.fetch import FetchedReport

OWN_DDL = [
    """CREATE TABLE IF NOT EXISTS scrape_watermarks (
        portal VARCHAR NOT NULL, column_id VARCHAR NOT NULL, complete_through DATE NOT NULL,
        updated_at TIMESTAMP NOT NULL, PRIMARY KEY (portal, column_id))""",
    """CREATE TABLE IF NOT EXISTS scrape_http_cache (
        url VARCHAR PRIMARY KEY, etag VARCHAR, last_modified VARCHAR, updated_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS scrape_attempts (
        document_id VARCHAR PRIMARY KEY, url VARCHAR NOT NULL, portal VARCHAR, column_id VARCHAR,
        attempts INTEGER NOT NULL, last_status VARCHAR NOT NULL, last_reason VARCHAR,
        first_failed_at TIMESTAMP NOT NULL, last_attempt_at TIMESTAMP NOT NULL, gave_up_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS scrape_aliases (
        alias_id VARCHAR PRIMARY KEY, document_id VARCHAR NOT NULL, url VARCHAR NOT NULL,
        first_seen TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS scrape_text_index (
        text_sha256 VARCHAR PRIMARY KEY, document_id VARCHAR NOT NULL, version INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS scrape_landed_manifests (
        manifest_id VARCHAR PRIMARY KEY, run_id VARCHAR NOT NULL, host VARCHAR NOT NULL,
        landed_at TIMESTAMP NOT NULL, summary VARCHAR NOT NULL)""",
]
MAX_ATTEMPTS = 3  # runs that try a report that is not landed whole before giving up on it
EMPTY_SHA = hashlib.sha256(b"").hexdigest()


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def ensure_own_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in OWN_DDL:
        con.execute(stmt)
    if con.execute("SELECT count(*) FROM scrape_text_index").fetchone()[0] == 0:
        _index_landed_texts(con)


def text_sha(text: str) -> str:
    """Hash of a report text with whitespace ignored (the same report extracted twice)."""
    return hashlib.sha256(re.sub(r"\s+", "", text).encode("utf-8")).hexdigest()


def _index_landed_texts(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the text index from the texts landed before it existed (once)."""
    cur = con.execute(
        "SELECT r.document_id, r.version, r.text FROM raw_texts r JOIN documents d USING (document_id, version) "
        "WHERE d.status = 'ok' ORDER BY d.first_seen, r.document_id"
    )
    while rows := cur.fetchmany(1000):
        con.executemany(
            "INSERT INTO scrape_text_index VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(text_sha(text), doc_id, version) for doc_id, version, text in rows],
        )


class StagingBusy(RuntimeError):
    """Staging stayed locked by a writer (another process) for longer than the wait."""


@dataclass
class LandedState:
    """What staging holds that decides what a download must fetch (read once, read-only)."""

    known: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # see known_documents
    attempts: dict[str, tuple[int, bool]] = field(default_factory=dict)  # see pending_attempts
    aliases: dict[str, str] = field(default_factory=dict)  # see url_aliases
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # url -> ETag, date


def read_state(con: duckdb.DuckDBPyConnection) -> LandedState:
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    state = LandedState()
    if "documents" in tables:
        state.known = known_documents(con)
    if "scrape_attempts" in tables:
        state.attempts = pending_attempts(con)
    if "scrape_aliases" in tables:
        state.aliases = url_aliases(con)
    if "scrape_http_cache" in tables:
        rows = con.execute("SELECT url, etag, last_modified FROM scrape_http_cache").fetchall()
        state.validators = {url: (etag, modified) for url, etag, modified in rows}
    return state


def landed_state(path: Path, *, wait_s: float = 120.0) -> LandedState:
    """:class:`LandedState` of the staging file at ``path`` (empty before the first landing),
    opened read-only. DuckDB refuses a read-only open while a writer process holds the file, so
    this waits up to ``wait_s`` for it, then raises :class:`StagingBusy`."""
    if not path.exists():
        return LandedState()
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = open_duckdb(path, "staging", read_only=True)  # damaged: DatabaseDamaged, no wait
        except duckdb.IOException as exc:
            if time.monotonic() >= deadline:
                raise StagingBusy(
                    f"staging {path} stayed locked by a writer for {wait_s:.0f}s: {exc}"
                ) from exc
            time.sleep(1.0)
            continue
        try:
            return read_state(con)
        finally:
            con.close()


def landed_manifest(con: duckdb.DuckDBPyConnection, manifest_id: str) -> dict | None:
    """The summary counted when the manifest was landed, or None when it was not."""
    row = con.execute(
        "SELECT summary FROM scrape_landed_manifests WHERE manifest_id = ?", (manifest_id,)
    ).fetchone()
    return json.loads(row[0]) if row else None


def landed_manifests_of_run(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict]:
    rows = con.execute(
        "SELECT summary FROM scrape_landed_manifests WHERE run_id = ? ORDER BY host, landed_at", (run_id,)
    ).fetchall()
    return [json.loads(r[0]) for r in rows]


def mark_manifest_landed(
    con: duckdb.DuckDBPyConnection, manifest_id: str, run_id: str, host: str, summary: dict
) -> None:
    """Record a landed manifest (in the transaction that landed it)."""
    con.execute(
        "INSERT INTO scrape_landed_manifests VALUES (?, ?, ?, ?, ?)",
        (manifest_id, run_id, host, now(), json.dumps(summary, ensure_ascii=False, default=str)),
    )


def url_aliases(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """document id of an old article URL -> the id of the article it redirects to."""
    return dict(con.execute("SELECT alias_id, document_id FROM scrape_aliases").fetchall())


def add_alias(con: duckdb.DuckDBPyConnection, alias_id: str, document_id: str, url: str) -> None:
    con.execute(
        "INSERT OR REPLACE INTO scrape_aliases VALUES (?, ?, ?, ?)", (alias_id, document_id, url, now())
    )


def pending_attempts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, bool]]:
    """document_id -> (tries so far, given up) of reports not yet landed whole."""
    rows = con.execute("SELECT document_id, attempts, gave_up_at IS NOT NULL FROM scrape_attempts").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def gave_up(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Reports given up on after their bounded tries (for alerts): newest first."""
    cols = (
        "document_id",
        "url",
        "portal",
        "column_id",
        "attempts",
        "last_status",
        "last_reason",
        "gave_up_at",
    )
    rows = con.execute(
        f"SELECT {', '.join(cols)} FROM scrape_attempts WHERE gave_up_at IS NOT NULL ORDER BY gave_up_at DESC"
    ).fetchall()
    return [dict(zip(cols, r, strict=True)) for r in rows]


def _record_attempt(
    con: duckdb.DuckDBPyConnection, document_id: str, rep: FetchedReport, max_attempts: int, ts: datetime
) -> bool:
    """Count one more try of a report that is not landed whole; True when this was the last one."""
    row = con.execute("SELECT attempts FROM scrape_attempts WHERE document_id = ?", (document_id,)).fetchone()
    attempts = (row[0] if row else 0) + 1
    last = attempts >= max_attempts
    con.execute(
        "INSERT INTO scrape_attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (document_id) DO UPDATE SET "
        "attempts = excluded.attempts, last_status = excluded.last_status, last_reason = excluded.last_reason, "
        "last_attempt_at = excluded.last_attempt_at, gave_up_at = excluded.gave_up_at",
        (
            document_id,
            rep.ref["url"],
            rep.ref.get("portal"),
            rep.ref.get("column_id"),
            attempts,
            rep.status,
            rep.error,
            ts,
            ts,
            ts if last else None,
        ),
    )
    return last


def _fetch_log_row(run_id: str, r: dict) -> tuple:
    return (
        run_id,
        r["url"],
        r["method"],
        r["status"],
        r["bytes"],
        r["elapsed_ms"],
        r["error"],
        r["fetched_at"],
    )


class BulkRows:
    """Rows of one landing transaction that nothing reads back before it commits (fetch log,
    blobs, ETag cache): collected, then written by :meth:`flush` at the end of the transaction in a
    few multi-row statements instead of several statements per report."""

    CHUNK = 250  # rows per statement

    def __init__(self) -> None:
        self.fetch_log: list[tuple] = []
        self.blobs: dict[str, tuple] = {}  # sha256 -> row, as first seen
        self.http_cache: dict[str, tuple] = {}  # url -> row, the latest

    def add_fetch_log(self, run_id: str, rows: list[dict]) -> None:
        self.fetch_log.extend(_fetch_log_row(run_id, r) for r in rows)

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        self._insert(con, "INSERT INTO fetch_log VALUES {}", self.fetch_log)
        self._insert(con, "INSERT INTO blobs VALUES {} ON CONFLICT DO NOTHING", list(self.blobs.values()))
        self._insert(
            con, "INSERT OR REPLACE INTO scrape_http_cache VALUES {}", list(self.http_cache.values())
        )
        self.fetch_log, self.blobs, self.http_cache = [], {}, {}

    def _insert(self, con: duckdb.DuckDBPyConnection, sql: str, rows: list[tuple]) -> None:
        for i in range(0, len(rows), self.CHUNK):
            chunk = rows[i : i + self.CHUNK]
            row = "(" + ", ".join("?" * len(chunk[0])) + ")"
            con.execute(sql.format(", ".join([row] * len(chunk))), [v for r in chunk for v in r])


def known_documents(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str, str]]:
    """document_id -> (latest version, content_hash, status)."""
    rows = con.execute(
        "SELECT document_id, version, content_hash, status FROM documents "
        "QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY version DESC) = 1"
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def content_hash(rep: FetchedReport) -> str:
    parts = [rep.page_sha or EMPTY_SHA] + [a.get("sha256") or f"missing:{a['url']}" for a in rep.attachments]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def land_report(
    con: duckdb.DuckDBPyConnection,
    bulk: BulkRows,
    run_id: str,
    document_id: str,
    rep: FetchedReport,
    log_rows: list[dict],
    known: tuple[int, str, str] | None,
    max_attempts: int = MAX_ATTEMPTS,
) -> str:
    """Write one report's rows; return new | unchanged | revised, or kept when a landed report's
    re-fetch was not ok (the landed version stays; the try is counted in ``scrape_attempts``).

    A report whose text was landed already under another document id becomes a ``quarantined``
    duplicate naming the first. A retryable failure counts one try; the last allowed try sets
    ``rep.gave_up``. Call inside a transaction (landing opens one per download manifest) and flush
    ``bulk`` (its fetch-log, blob and ETag rows) before it commits: the report's rows commit together
    or not at all.
    """
    ts = now()
    bulk.add_fetch_log(run_id, log_rows)
    if rep.status == "ok":
        first = con.execute(
            "SELECT document_id FROM scrape_text_index WHERE text_sha256 = ?", (text_sha(rep.text or ""),)
        ).fetchone()
        if first is not None and first[0] != document_id:
            rep.status, rep.retryable = "quarantined", False
            rep.error = f"duplicate: the same report text as document {first[0]}, landed first"
    if rep.status == "ok" and known is not None:  # tries are counted only for a landed row
        con.execute("DELETE FROM scrape_attempts WHERE document_id = ?", (document_id,))
    elif rep.retryable:
        rep.gave_up = _record_attempt(con, document_id, rep, max_attempts, ts)
    if rep.status != "ok" and known is not None and known[2] == "ok":
        return "kept"  # a landed report is never replaced by a failed or unreadable re-fetch
    chash = content_hash(rep)
    for b in rep.blobs:
        bulk.blobs.setdefault(b["sha256"], (b["sha256"], b["size_bytes"], b["content_type"], b["url"], ts))
    if rep.etag or rep.last_modified:
        bulk.http_cache[rep.ref["url"]] = (rep.ref["url"], rep.etag, rep.last_modified, ts)
    if known is not None and known[1] == chash:
        con.execute(
            "UPDATE documents SET last_seen = ? WHERE document_id = ? AND version = ?",
            (ts, document_id, known[0]),
        )
        outcome = "unchanged"
    else:
        version = 1 if known is None else known[0] + 1
        ref = rep.ref
        published = rep.published or ref.get("published")
        con.execute(
            "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                document_id,
                version,
                ref["url"],
                ref["portal"],
                ref["column_id"],
                ref["agency_code"],
                ref["agency_name"],
                rep.title or ref.get("title"),
                date.fromisoformat(published) if published else None,
                rep.content_type,
                rep.page_sha or EMPTY_SHA,
                chash,
                json.dumps(rep.attachments, ensure_ascii=False),
                rep.status,
                rep.error,
                bool(ref.get("is_synthetic")),
                ts,
                ts,
            ),
        )
        if rep.status == "ok" and rep.text:
            con.execute(
                "INSERT INTO raw_texts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    document_id,
                    version,
                    rep.text,
                    rep.extractor or "none",
                    rep.extractor_version or "none",
                    len(rep.text),
                    ts,
                ),
            )
            con.execute(
                "INSERT OR REPLACE INTO scrape_text_index VALUES (?, ?, ?)",
                (text_sha(rep.text), document_id, version),
            )
        # a report that only now lands whole (it failed or was quarantined before) counts as new
        outcome = "revised" if known is not None and known[2] == "ok" else "new"
    return outcome


def watermark(con: duckdb.DuckDBPyConnection, portal: str, column_id: str) -> date | None:
    row = con.execute(
        "SELECT complete_through FROM scrape_watermarks WHERE portal = ? AND column_id = ?",
        (portal, column_id),
    ).fetchone()
    return row[0] if row else None


def set_watermark(con: duckdb.DuckDBPyConnection, portal: str, column_id: str, through: date) -> None:
    con.execute(
        "INSERT OR REPLACE INTO scrape_watermarks VALUES (?, ?, ?, ?)", (portal, column_id, through, now())
    )

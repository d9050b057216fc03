"""Raw landing: one transaction per report (fetch-log rows, blobs, document version, raw text).

A killed run leaves whole reports or nothing; the next run sees what is missing and fetches it.
Besides the contract tables, acquisition keeps tables of its own in staging:
``scrape_watermarks`` (per column, the newest list date up to which everything is landed),
``scrape_http_cache`` (ETag / Last-Modified per article URL, for conditional re-fetches),
``scrape_aliases`` (an old article URL that redirects -> the document it moved to),
``scrape_attempts`` (per report not yet landed whole: tries, last reason, and ``gave_up_at`` once
the bounded tries are spent -- the rows an alert reads) and ``scrape_text_index`` (the hash of
each landed report text, to recognise the same report under another URL).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime

import duckdb

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


def insert_fetch_log(con: duckdb.DuckDBPyConnection, run_id: str, rows: list[dict]) -> None:
    if rows:
        con.executemany(
            "INSERT INTO fetch_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    run_id,
                    r["url"],
                    r["method"],
                    r["status"],
                    r["bytes"],
                    r["elapsed_ms"],
                    r["error"],
                    r["fetched_at"],
                )
                for r in rows
            ],
        )


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
    ``rep.gave_up``. Call inside a transaction (:class:`Batch`): the report's rows commit
    together or not at all.
    """
    ts = now()
    insert_fetch_log(con, run_id, log_rows)
    if rep.status == "ok":
        first = con.execute(
            "SELECT document_id FROM scrape_text_index WHERE text_sha256 = ?", (text_sha(rep.text or ""),)
        ).fetchone()
        if first is not None and first[0] != document_id:
            rep.status, rep.retryable = "quarantined", False
            rep.error = f"duplicate: the same report text as document {first[0]}, landed first"
    if rep.status == "ok":
        con.execute("DELETE FROM scrape_attempts WHERE document_id = ?", (document_id,))
    elif rep.retryable:
        rep.gave_up = _record_attempt(con, document_id, rep, max_attempts, ts)
    if rep.status != "ok" and known is not None and known[2] == "ok":
        return "kept"  # a landed report is never replaced by a failed or unreadable re-fetch
    chash = content_hash(rep)
    for b in rep.blobs:
        con.execute(
            "INSERT INTO blobs VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (b["sha256"], b["size_bytes"], b["content_type"], b["url"], ts),
        )
    if rep.etag or rep.last_modified:
        con.execute(
            "INSERT OR REPLACE INTO scrape_http_cache VALUES (?, ?, ?, ?)",
            (rep.ref["url"], rep.etag, rep.last_modified, ts),
        )
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


class Batch:
    """Reports landed in transactions of up to ``size`` reports (or ``seconds``): a killed run
    loses at most the open batch, never part of a report; fewer commits (fsyncs) than one each."""

    def __init__(self, con: duckdb.DuckDBPyConnection, size: int = 25, seconds: float = 2.0) -> None:
        import time

        self._time = time.monotonic
        self.con, self.size, self.seconds = con, size, seconds
        self.pending = 0
        self.opened = 0.0

    def __enter__(self) -> Batch:
        return self

    def add(self, fn, *args):
        if self.pending == 0:
            self.con.execute("BEGIN TRANSACTION")
            self.opened = self._time()
        try:
            out = fn(self.con, *args)
        except Exception:
            self.con.execute("ROLLBACK")
            self.pending = 0
            raise
        self.pending += 1
        if self.pending >= self.size or self._time() - self.opened >= self.seconds:
            self.commit()
        return out

    def commit(self) -> None:
        if self.pending:
            self.con.execute("COMMIT")
            self.pending = 0

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        elif self.pending:
            self.con.execute("ROLLBACK")
            self.pending = 0


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

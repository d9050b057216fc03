"""Raw landing: one transaction per report (fetch-log rows, blobs, document version, raw text).

A killed run leaves whole reports or nothing; the next run sees what is missing and fetches it.
Besides the contract tables, acquisition keeps two tables of its own in staging:
``scrape_watermarks`` (per column, the newest list date up to which everything is landed) and
``scrape_http_cache`` (ETag / Last-Modified per article URL, for conditional re-fetches).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime

import duckdb

from scrapers.fetch import FetchedReport

OWN_DDL = [
    """CREATE TABLE IF NOT EXISTS scrape_watermarks (
        portal VARCHAR NOT NULL, column_id VARCHAR NOT NULL, complete_through DATE NOT NULL,
        updated_at TIMESTAMP NOT NULL, PRIMARY KEY (portal, column_id))""",
    """CREATE TABLE IF NOT EXISTS scrape_http_cache (
        url VARCHAR PRIMARY KEY, etag VARCHAR, last_modified VARCHAR, updated_at TIMESTAMP NOT NULL)""",
]
EMPTY_SHA = hashlib.sha256(b"").hexdigest()


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def ensure_own_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in OWN_DDL:
        con.execute(stmt)


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
) -> str:
    """Write one report's rows; return new | unchanged | revised.

    Call inside a transaction (:class:`Batch`): the report's rows commit together or not at all.
    """
    ts = now()
    chash = content_hash(rep)
    insert_fetch_log(con, run_id, log_rows)
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

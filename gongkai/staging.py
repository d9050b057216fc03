"""The staging DuckDB: the contract between acquisition, parsing and dbt.

Acquisition (``scrapers``) writes ``fetch_log``, ``blobs``, ``documents`` and ``raw_texts``;
parsing (``gongkai.parsing``) writes ``parse_results``, ``parsed_cells`` and ``parse_checks``.
dbt reads all of them as sources (read-only ATTACH). Column names here are a public contract:
change them only together with ``dbt_project/models/staging``.

Grain and keys
--------------
- ``documents``: one row per (document_id, version). ``document_id`` is a stable id of the report
  article's canonical URL (see :func:`document_id_for`); a revised article (changed bytes of the
  page or of any attachment) gets version + 1 and the old row stays.
- ``raw_texts``: one row per (document_id, version): the report's text (article body followed by
  its attachments' texts, in page order) as the parser sees it.
- ``parse_results``: one row per (document_id, version) parsed; ``parsed_cells`` and
  ``parse_checks`` hang off it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

DDL = [
    """
    CREATE TABLE IF NOT EXISTS fetch_log (
        run_id        VARCHAR NOT NULL,
        url           VARCHAR NOT NULL,
        method        VARCHAR NOT NULL,
        status        INTEGER,            -- HTTP status; NULL when no response (timeout, reset)
        bytes         BIGINT,
        elapsed_ms    DOUBLE,
        error         VARCHAR,            -- NULL on success
        fetched_at    TIMESTAMP NOT NULL
    )""",
    """
    CREATE TABLE IF NOT EXISTS blobs (
        sha256        VARCHAR PRIMARY KEY, -- content address; file at raw/<sha[:2]>/<sha>
        size_bytes    BIGINT NOT NULL,
        content_type  VARCHAR,            -- html | docx | doc | pdf | xls | xlsx | other
        url           VARCHAR,            -- first URL it was fetched from
        first_seen    TIMESTAMP NOT NULL
    )""",
    """
    CREATE TABLE IF NOT EXISTS documents (
        document_id    VARCHAR NOT NULL,
        version        INTEGER NOT NULL,
        url            VARCHAR NOT NULL,
        portal         VARCHAR NOT NULL,
        column_id      VARCHAR,
        agency_code    VARCHAR,           -- from the column's registry entry (agencies seed)
        agency_name    VARCHAR,
        title          VARCHAR,
        published_date DATE,
        content_type   VARCHAR,           -- where the text came from: html | docx | doc | pdf | xls | xlsx
        sha256         VARCHAR NOT NULL,  -- of the article page bytes
        content_hash   VARCHAR NOT NULL,  -- of page + attachment hashes: changes => new version
        attachments    JSON,              -- [{url, sha256, content_type, bytes, status, error}]
        status         VARCHAR NOT NULL,  -- ok | failed | quarantined
        error          VARCHAR,
        is_synthetic   BOOLEAN NOT NULL DEFAULT FALSE,
        first_seen     TIMESTAMP NOT NULL,
        last_seen      TIMESTAMP NOT NULL,
        PRIMARY KEY (document_id, version)
    )""",
    """
    CREATE TABLE IF NOT EXISTS raw_texts (
        document_id       VARCHAR NOT NULL,
        version           INTEGER NOT NULL,
        text              VARCHAR NOT NULL,
        extractor         VARCHAR NOT NULL,   -- e.g. "html:bs4", "docx:python-docx", "doc:antiword"
        extractor_version VARCHAR NOT NULL,
        chars             INTEGER NOT NULL,
        extracted_at      TIMESTAMP NOT NULL,
        PRIMARY KEY (document_id, version)
    )""",
    """
    CREATE TABLE IF NOT EXISTS parse_results (
        document_id    VARCHAR NOT NULL,
        version        INTEGER NOT NULL,
        generation     VARCHAR,              -- G1 | G2 | G3 | NULL
        template       VARCHAR,
        report_year    INTEGER,
        agency         VARCHAR,              -- as written in the report
        status         VARCHAR NOT NULL,     -- complete | partial | quarantined
        reasons        JSON NOT NULL,        -- [str]
        n_cells        INTEGER NOT NULL,
        parser_version VARCHAR NOT NULL,
        parsed_at      TIMESTAMP NOT NULL,
        generation_source VARCHAR,           -- template | year (no table: the regime of the year) | NULL
        PRIMARY KEY (document_id, version)
    )""",
    # staging files made before generation_source existed
    "ALTER TABLE parse_results ADD COLUMN IF NOT EXISTS generation_source VARCHAR",
    """
    CREATE TABLE IF NOT EXISTS parsed_cells (
        document_id  VARCHAR NOT NULL,
        version      INTEGER NOT NULL,
        cell_no      INTEGER NOT NULL,       -- order in the parser output
        table_id     VARCHAR NOT NULL,       -- the contract's "table"
        row_label    VARCHAR NOT NULL,       -- the contract's "row"
        column_label VARCHAR,                -- the contract's "column"
        indicator    VARCHAR,
        applicant    VARCHAR,
        value        DOUBLE,                 -- NULL for a blank cell
        raw          VARCHAR NOT NULL,
        line         INTEGER NOT NULL,
        source       VARCHAR NOT NULL,       -- table | narrative
        approximate  BOOLEAN NOT NULL,
        parsed_at    TIMESTAMP NOT NULL,
        PRIMARY KEY (document_id, version, cell_no)
    )""",
    """
    CREATE TABLE IF NOT EXISTS parse_checks (
        document_id  VARCHAR NOT NULL,
        version      INTEGER NOT NULL,
        check_no     INTEGER NOT NULL,
        name         VARCHAR NOT NULL,
        holds        BOOLEAN,               -- NULL when it cannot be evaluated (blank cells)
        detail       VARCHAR NOT NULL,
        parsed_at    TIMESTAMP NOT NULL,
        PRIMARY KEY (document_id, version, check_no)
    )""",
    """
    CREATE TABLE IF NOT EXISTS scrape_history (  -- one row per scrape run and portal column
        run_id            VARCHAR NOT NULL,
        portal            VARCHAR NOT NULL,
        column_id         VARCHAR NOT NULL,
        mechanism         VARCHAR,
        window_since      DATE,               -- publication dates asked for: [since, until)
        window_until      DATE,
        requests          INTEGER NOT NULL,   -- HTTP requests for this column: list + documents
        list_requests     INTEGER NOT NULL,
        listed            INTEGER NOT NULL,   -- list items seen (reports and others)
        reports_listed    INTEGER NOT NULL,   -- of them recognised as annual reports in the window
        new               INTEGER NOT NULL,   -- reports landed for the first time
        changed           INTEGER NOT NULL,   -- reports landed as a new version (revised)
        unchanged         INTEGER NOT NULL,
        failed            INTEGER NOT NULL,   -- reports that failed or were quarantined
        seconds           DOUBLE NOT NULL,    -- listing time + download/landing time
        status            VARCHAR NOT NULL,   -- ok | empty | drift | unreachable | error
        error             VARCHAR,
        recorded_at       TIMESTAMP NOT NULL
    )""",
]

TABLES = (
    "fetch_log",
    "blobs",
    "documents",
    "raw_texts",
    "parse_results",
    "parsed_cells",
    "parse_checks",
    "scrape_history",
)
SCRAPE_STATUSES = ("ok", "empty", "drift", "unreachable", "error")


def scrape_status(error: str | None, listed: int) -> str:
    """A column's scrape in one word: ``drift`` when its page no longer parses as the registry
    says (the list mechanism or structure changed), ``unreachable`` when the portal did not answer
    or refused (HTTP errors, bot defence), ``error`` for anything else, ``empty`` when it listed
    nothing, else ``ok``."""
    if error:
        if error.startswith("ListPageError"):
            return "drift"
        if error.startswith("FetchError"):
            return "unreachable"
        return "error"
    return "empty" if not listed else "ok"


def insert_scrape_history(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Append one scrape-history row per column (keys: the table's columns but ``status``, which
    is derived, and ``recorded_at``, which is now)."""
    if not rows:
        return
    con.executemany(
        "INSERT INTO scrape_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
        [
            (
                r["run_id"], r["portal"], r["column_id"], r.get("mechanism"), r.get("window_since"),
                r.get("window_until"), int(r["requests"]), int(r["list_requests"]), int(r["listed"]),
                int(r["reports_listed"]), int(r["new"]), int(r["changed"]), int(r["unchanged"]),
                int(r["failed"]), float(r["seconds"]), scrape_status(r.get("error"), int(r["listed"])),
                r.get("error"),
            )
            for r in rows
        ],
    )


def document_id_for(url: str) -> str:
    """Stable id of a report article: sha256 of its canonical URL path (host excluded), 16 hex.

    The host is excluded so that the same article fetched from the real portal or from the
    replica (or after an http→https move) keeps one identity.
    """
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    key = parts.path + (("?" + parts.query) if parts.query else "")
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in DDL:
        con.execute(stmt)


@contextmanager
def connect(path: Path, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the staging database (creating the schema when writable)."""
    from gongkai.database import open_duckdb

    path.parent.mkdir(parents=True, exist_ok=True)
    con = open_duckdb(path, "staging", read_only=read_only)  # a damaged file: DatabaseDamaged
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    finally:
        con.close()

"""The parse step: staging ``raw_texts`` → ``parse_results``, ``parsed_cells``, ``parse_checks``.

Parses every raw text without a parse result (or all of them with ``reparse=True``) and replaces
that (document_id, version)'s parse rows in one transaction per batch. A text the parser cannot
handle becomes a ``quarantined`` parse result with the reason; it never stops the step.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from gongkai.config import Settings

BATCH = 500

# column name → arrow type name, in staging order (gongkai/staging.py)
RESULT_COLUMNS = {
    "document_id": "string", "version": "int32", "generation": "string", "template": "string",
    "report_year": "int32", "agency": "string", "status": "string", "reasons": "string",
    "n_cells": "int32", "parser_version": "string", "parsed_at": "timestamp", "generation_source": "string",
}  # fmt: skip
CELL_COLUMNS = {
    "document_id": "string", "version": "int32", "cell_no": "int32", "table_id": "string",
    "row_label": "string", "column_label": "string", "indicator": "string", "applicant": "string",
    "value": "float64", "raw": "string", "line": "int32", "source": "string", "approximate": "bool",
    "parsed_at": "timestamp",
}  # fmt: skip
CHECK_COLUMNS = {
    "document_id": "string", "version": "int32", "check_no": "int32", "name": "string", "holds": "bool",
    "detail": "string", "parsed_at": "timestamp",
}  # fmt: skip


@dataclass
class ParseSummary:
    parsed: int = 0
    complete: int = 0
    partial: int = 0
    quarantined: int = 0
    cells: int = 0
    checks: int = 0
    checks_failed: int = 0
    elapsed_s: float = 0.0


def _safe_parse(text: str) -> dict:
    from gongkai.parsing import parse_text

    try:
        return parse_text(text)
    except Exception as exc:  # a parser bug must not lose the document: record it as data
        return {
            "generation": None, "generation_source": None, "template": None, "report_year": None, "agency": None,
            "status": "quarantined", "reasons": [f"parser error: {type(exc).__name__}: {exc}"],
            "cells": [], "checks": [],
        }  # fmt: skip


def _arrow(rows: list[tuple], columns: dict[str, str]):
    import pyarrow as pa

    types = {"string": pa.string(), "int32": pa.int32(), "float64": pa.float64(), "bool": pa.bool_(),
             "timestamp": pa.timestamp("us")}  # fmt: skip
    schema = pa.schema([(name, types[t]) for name, t in columns.items()])
    data: list[Sequence] = list(zip(*rows, strict=True)) if rows else [[] for _ in columns]
    return pa.Table.from_arrays([pa.array(col, type=f.type) for col, f in zip(data, schema, strict=True)],
                                schema=schema)  # fmt: skip


def parse_staged(
    settings: Settings, *, reparse: bool = False, document_ids: list[str] | None = None
) -> ParseSummary:
    """Parse staged raw texts (those without a parse result, or all with ``reparse``)."""
    from gongkai import staging
    from gongkai.parsing import PARSER_VERSION

    start = time.perf_counter()
    summary = ParseSummary()
    with staging.connect(settings.staging_db) as con:
        where = []
        params: list = []
        if not reparse:
            where.append(
                "NOT EXISTS (SELECT 1 FROM parse_results p WHERE p.document_id = r.document_id "
                "AND p.version = r.version)"
            )
        if document_ids:
            where.append("r.document_id IN (SELECT unnest(?))")
            params.append(list(document_ids))
        sql = "SELECT r.document_id, r.version FROM raw_texts r"
        if where:
            sql += " WHERE " + " AND ".join(where)
        keys = con.execute(sql + " ORDER BY r.document_id, r.version", params).fetchall()
        for i in range(0, len(keys), BATCH):
            batch = keys[i : i + BATCH]
            parse_keys = _arrow(batch, {"document_id": "string", "version": "int32"})  # noqa: F841 (scanned by SQL)
            rows = con.execute(
                "SELECT r.document_id, r.version, r.text FROM raw_texts r "
                "JOIN parse_keys k USING (document_id, version)"
            ).fetchall()
            now = datetime.now(UTC).replace(tzinfo=None)
            results, cells, checks = [], [], []
            for doc_id, version, text in rows:
                res = _safe_parse(text or "")
                summary.parsed += 1
                setattr(summary, res["status"], getattr(summary, res["status"]) + 1)
                results.append((
                    doc_id, version, res["generation"], res["template"], res["report_year"], res["agency"],
                    res["status"], json.dumps(res["reasons"], ensure_ascii=False), len(res["cells"]),
                    PARSER_VERSION, now, res.get("generation_source"),
                ))  # fmt: skip
                for n, c in enumerate(res["cells"], start=1):
                    v = c["value"]
                    cells.append((
                        doc_id, version, n, c["table"], c["row"], c["column"], c["indicator"], c["applicant"],
                        None if v is None else float(v), c["raw"], c["line"], c["source"], c["approximate"], now,
                    ))  # fmt: skip
                for n, ch in enumerate(res["checks"], start=1):
                    checks.append((doc_id, version, n, ch["name"], ch["holds"], ch["detail"], now))
                    summary.checks_failed += ch["holds"] is False
            summary.cells += len(cells)
            summary.checks += len(checks)
            frames = {
                "parse_results": _arrow(results, RESULT_COLUMNS),
                "parsed_cells": _arrow(cells, CELL_COLUMNS),
                "parse_checks": _arrow(checks, CHECK_COLUMNS),
            }
            con.execute("BEGIN TRANSACTION")
            try:
                for table, frame in frames.items():
                    con.execute(
                        f"DELETE FROM {table} WHERE (document_id, version) IN "
                        "(SELECT (document_id, version) FROM parse_keys)"
                    )
                    if frame.num_rows:
                        con.register("parse_frame", frame)
                        cols = ", ".join(frame.column_names)
                        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM parse_frame")
                        con.unregister("parse_frame")
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
    summary.elapsed_s = round(time.perf_counter() - start, 3)
    return summary

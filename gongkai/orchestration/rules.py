"""The run rules that `gongkai run` (``gongkai.pipeline``) and the DAG tasks (``tasks``) share:

* when to skip the warehouse steps (nothing changed since the last publish: :func:`parse_state`,
  :func:`warehouse_current`, the published marker written by :func:`mark_published`);
* what a retry may cure (:func:`validation_verdict`; for downloads,
  ``scrapers.run.DownloadResult.transient``) and what is the user's error (:class:`UserError`,
  never retried);
* a gate result rebuilt from its dict form (XCom) for publishing (:func:`validation_from_dict`);
* which documents a reprocess run re-extracts and re-parses (:func:`reprocess_selection`,
  :func:`select_documents`): one rule, by the report year the parser read and the agency code.

No Airflow import: the DAG tasks turn these answers into skips and failures."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from gongkai.config import Settings
from gongkai.errors import UserError

log = logging.getLogger("gongkai.rules")


# ---- skipping unchanged work -------------------------------------------------------------------


def parse_state(settings: Settings) -> dict[str, Any]:
    """What the warehouse is built from: the count and newest timestamp of parse results
    (``{}`` when staging holds none)."""
    from gongkai import staging

    if not settings.staging_db.exists():
        return {}
    with staging.connect(settings.staging_db, read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "parse_results" not in tables:
            return {}
        n, newest = con.execute("SELECT count(*), max(parsed_at) FROM parse_results").fetchone()
    return {"parse_results": int(n), "newest": str(newest)}


def published_marker(settings: Settings) -> Path:
    """The parse state the serving copy was last published from."""
    return settings.home / "orchestration" / "published_parse_state.json"


def warehouse_current(settings: Settings) -> bool:
    """Whether the serving copy was published from exactly what staging holds now."""
    marker = published_marker(settings)
    if not (settings.serving_db.exists() and settings.warehouse_db.exists() and marker.exists()):
        return False
    return json.loads(marker.read_text()) == parse_state(settings)


def build_skip_reason(settings: Settings, *, force: bool = False) -> str | None:
    """Why the build (and so the gate and publishing) can be skipped, or ``None`` to build."""
    if force:
        return None
    if not parse_state(settings).get("parse_results"):
        return "staging holds no parsed report yet: nothing to build"
    if warehouse_current(settings):
        return "nothing new since the last publish: warehouse and serving copy unchanged"
    return None


def mark_published(settings: Settings, state: dict[str, Any]) -> None:
    """Record the parse state a successful publish was built from (read it *before* publishing)."""
    marker = published_marker(settings)
    marker.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=marker.parent, prefix=".marker")
    with os.fdopen(fd, "w") as f:
        json.dump(state, f)
    os.replace(tmp, marker)


def staging_changed(landed: dict[str, Any] | None, parsed: dict[str, Any] | None) -> bool:
    """Whether a run landed or parsed anything (so the warehouse may be out of date)."""
    landed, parsed = landed or {}, parsed or {}
    return bool(
        int(landed.get("new", 0) or 0)
        + int(landed.get("revised", 0) or 0)
        + int(landed.get("quarantined", 0) or 0)
        + int(parsed.get("parsed", 0) or 0)
    )


# ---- retries -----------------------------------------------------------------------------------


def validation_verdict(result: dict[str, Any]) -> tuple[str, str]:
    """``("pass" | "retry" | "fail", message)`` of a gate result: an expectation that could not be
    evaluated is infrastructure (worth a retry); a blocking failure is the data's (never retried)."""
    if result.get("success"):
        return (
            "pass",
            f"gate passed: {result.get('expectations')} expectations, {result.get('warnings')} warnings",
        )
    broken = [f for f in result.get("failures", []) if f.get("error")] or (
        [result] if result.get("error") else []
    )
    if broken:
        return "retry", f"{len(broken)} expectation(s) could not run: {str(broken[0].get('error'))[:500]}"
    return "fail", (
        f"blocking expectations failed: {result.get('blocking_failed')}; "
        f"results in {result.get('results_path')} — the previous serving copy stays"
    )


def validation_from_dict(values: dict[str, Any] | None) -> Any:
    """The gate's ``ValidationResult`` rebuilt from its dict (an XCom); ``None`` when it cannot
    be (``publish`` then validates again itself)."""
    from gongkai.validate import ValidationResult

    if not values:
        return None
    names = {f.name for f in dataclasses.fields(ValidationResult)}
    try:
        return ValidationResult(**{k: v for k, v in values.items() if k in names})
    except TypeError:
        return None


# ---- reprocess selection -----------------------------------------------------------------------


# the reprocess form's ``select``: ``all``, or report years (4 digits) and agency codes
SELECTION_PATTERN = r"^\s*(all|[0-9A-Za-z][0-9A-Za-z_-]*([\s,]+[0-9A-Za-z][0-9A-Za-z_-]*)*)\s*$"


def reprocess_selection(params: dict[str, Any]) -> dict[str, Any]:
    """The reprocess form as ``{"years", "agencies"}`` (``None``: no filter). ``params["select"]``
    is ``all`` or years and agency codes separated by commas or spaces; ``years``/``agencies``/
    ``all`` (lists, a flag) are accepted too. Nothing chosen is a :class:`UserError`."""
    years: list[int] = []
    agencies: list[str] = []
    if params.get("select") is not None:
        text = str(params["select"]).strip()
        if text.lower() == "all":
            return {"years": None, "agencies": None}
        for token in re.split(r"[\s,]+", text):
            if re.fullmatch(r"(19|20)\d\d", token):
                years.append(int(token))
            elif token:
                agencies.append(token)
    else:
        if params.get("all"):
            return {"years": None, "agencies": None}
        try:
            years = [int(y) for y in (params.get("years") or [])]
        except (TypeError, ValueError) as exc:
            raise UserError(f"report years must be integers, got {params.get('years')!r}") from exc
        agencies = [str(a).strip() for a in (params.get("agencies") or []) if str(a).strip()]
    if not years and not agencies:
        raise UserError("choose 'all', or at least one report year or agency code")
    return {"years": sorted(set(years)) or None, "agencies": list(dict.fromkeys(agencies)) or None}


def select_documents(
    settings: Settings, years: list[int] | None, agencies: list[str] | None
) -> list[str] | None:
    """Document ids a reprocess run re-extracts and re-parses (``None`` = every document): those
    with a version whose parsed report year is in ``years`` and whose agency code is in
    ``agencies`` (each filter only when given)."""
    if not years and not agencies:
        return None
    from gongkai import staging

    if not settings.staging_db.exists():
        return []
    where, args = [], []
    if years:
        where.append(f"p.report_year IN ({', '.join('?' * len(years))})")
        args += [int(y) for y in years]
    if agencies:
        where.append(f"d.agency_code IN ({', '.join('?' * len(agencies))})")
        args += [str(a) for a in agencies]
    sql = (
        "SELECT DISTINCT d.document_id FROM documents d "
        "LEFT JOIN parse_results p USING (document_id, version) "
        f"WHERE {' AND '.join(where)} ORDER BY 1"
    )
    with staging.connect(settings.staging_db, read_only=True) as con:
        return [r[0] for r in con.execute(sql, args).fetchall()]

"""The bodies of the DAG tasks: call a pipeline step with ``Settings.from_env()``, log what it did
by name, and turn its dataclass into an XCom-ready dict. The run rules (skips, retry classes, the
reprocess selection) come from ``gongkai.orchestration.rules``, shared with `gongkai run`; this
module only maps them to Airflow outcomes (skip, fail without retry), so that the DAG files stay
pure wiring. Step modules and Airflow are imported inside each function."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from gongkai.config import Settings
from gongkai.orchestration import rules

log = logging.getLogger("gongkai.tasks")
NAMED = 20  # at most this many titles/URLs/ids per log line group


def as_dict(value: object) -> dict[str, Any]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return dict(value)  # type: ignore[call-overload]


def settings() -> Settings:
    s = Settings.from_env()
    s.ensure_dirs()
    return s


@contextmanager
def user_errors() -> Iterator[None]:
    """A user error (bad parameter, empty selection) fails the task at once: never retried."""
    from airflow.sdk.exceptions import AirflowFailException

    try:
        yield
    except (rules.UserError, ValueError) as exc:  # ValueError: the parameter parsers
        raise AirflowFailException(str(exc)) from exc


@contextmanager
def damage_fails(s: Settings) -> Iterator[None]:
    """A damaged database file (``gongkai.database``), met on opening it or on a later read, fails
    the task at once with the line that names it: retrying cannot mend a file."""
    from airflow.sdk.exceptions import AirflowFailException

    from gongkai.database import DatabaseDamaged, as_damaged

    try:
        yield
    except DatabaseDamaged as exc:
        raise AirflowFailException(str(exc)) from exc
    except Exception as exc:
        damaged = as_damaged(exc, {"staging": s.staging_db, "warehouse": s.warehouse_db})
        if damaged is None:
            raise
        raise AirflowFailException(str(damaged)) from exc


def is_final_try(context: Any) -> bool:
    """Whether this task instance has no retry left (from an Airflow task context)."""
    return int(context["ti"].try_number) > int(context["task"].retries or 0)


class StepIncomplete(RuntimeError):
    """A step met transient failures; raised to have Airflow retry it (with backoff)."""


# ---- acquisition ------------------------------------------------------------------------------


def list_hosts(portal: str | None = None) -> list[dict[str, Any]]:
    """Registry columns grouped by portal host, ``[{"host", "columns": [{"portal", "column"}]}]``:
    one mapped discovery and one mapped download per host, so hosts run in parallel while each
    stays polite."""
    from scrapers.run import group_by_host, list_columns

    with user_errors():
        s = settings()
        columns = list_columns(s, portal=portal or None)
        if not columns:
            raise rules.UserError(f"no portal columns registered (portal filter: {portal!r})")
    hosts = group_by_host(s, columns)
    for host, cols in sorted(hosts.items()):
        log.info("host %s: %d column(s): %s", host, len(cols), ", ".join(_label(c) for c in cols))
    return [{"host": host, "columns": cols} for host, cols in sorted(hosts.items())]


def _label(column: dict[str, Any]) -> str:
    return f"{column['portal']}/{column['column']}"


def discover_host(
    host: dict[str, Any], window: dict[str, str | None], *, final_try: bool = True
) -> dict[str, Any]:
    """Discover every column of one host in turn: ``{"host", "discoveries"}``. A discovery error
    is retried; on the last try the results are returned with their errors, which landing records
    as failure rows and the silence check sees."""
    from scrapers.run import discover_column

    since = date.fromisoformat(window["since"]) if window.get("since") else None
    until = date.fromisoformat(window["until"]) if window.get("until") else None
    s = settings()
    out = []
    for column in host["columns"]:
        result = as_dict(discover_column(s, column["portal"], column["column"], since, until))
        refs = result.get("refs") or []
        log.info(
            "%s (%s, %s..%s): %d list item(s) in %d request(s), %d report(s)%s",
            _label(column),
            result.get("mechanism"),
            since,
            until,
            result.get("listed", 0),
            result.get("list_requests", 0),
            len(refs),
            f", ERROR {result['error']}" if result.get("error") else "",
        )
        for ref in refs[:NAMED]:
            log.info("  report %s %r %s", ref.get("published"), ref.get("title"), ref.get("url"))
        out.append(result)
    errors = [f"{r['portal']}/{r['column']}: {r['error']}" for r in out if r.get("error")]
    if errors and not final_try:
        raise StepIncomplete(f"discovery on {host['host']} failed: {'; '.join(errors)[:1000]}")
    return {"host": host["host"], "discoveries": out}


def download_host(found: dict[str, Any], run_id: str, *, final_try: bool = True) -> dict[str, Any]:
    """Download one host's new reports (``found``: its discovery task's result) into the raw
    archive and the run's spool; no staging write. Transient download failures are retried (a
    retry resumes: finished documents are not fetched again); on the last try they, and a failure
    of the host as a whole, stay in the manifest as failures with reasons, for landing."""
    from scrapers import spool
    from scrapers.run import download_host as _download

    s = settings()
    result = as_dict(_download(s, found["host"], found["discoveries"], run_id, contain_errors=final_try))
    log.info(
        "host %s: %s document(s) downloaded (%s resumed from an earlier try): %s ok, %s not modified, "
        "%s failed (%s transient), %s quarantined; %s document request(s) in %ss -> %s",
        found["host"],
        *(result.get(k, 0) for k in ("documents", "resumed", "ok", "not_modified", "failed", "transient")),
        *(result.get(k, 0) for k in ("quarantined", "document_requests", "seconds", "manifest")),
    )
    manifest = spool.read_manifest(Path(result["manifest"]))
    named = 0
    for col in manifest["columns"]:
        d = col["discovery"]
        if col["documents"]:
            log.info("  %s/%s: %d document(s)", d["portal"], d["column"], len(col["documents"]))
        for e in col["documents"]:
            named += 1
            if named > NAMED * 5:
                break
            log.info(
                "    %s %s %r %s archive %s%s",
                e["document_id"][:12],
                e["status"],
                e["title"],
                e["url"],
                ", ".join(str(s.raw_dir / b[:2] / b) for b in e["blobs"]) or "-",
                f" ({e['reason']})" if e.get("reason") else "",
            )
    if result.get("error"):
        log.error(
            "host %s failed as a whole (its columns land as failures): %s", found["host"], result["error"]
        )
    if result.get("transient") and not final_try:
        raise StepIncomplete(f"{result['transient']} report(s) on {found['host']} failed transiently")
    return result


def land(run_id: str) -> dict[str, Any]:
    """Land every download manifest of the run (the one staging writer). Idempotent: a retry
    lands only what is not landed yet; failures stay rows with reasons (the downloads retried)."""
    from scrapers import spool
    from scrapers.run import land as _land

    s = settings()
    started = datetime.now(UTC).replace(tzinfo=None)
    paths = spool.manifests(s.home, run_id)
    log.info("landing %d manifest(s) of run %s: %s", len(paths), run_id, ", ".join(p.name for p in paths))
    unfinished = sorted(spool.run_dir(s.home, run_id).glob("*.part"))
    for p in unfinished:
        log.warning("  %s: a download that never finished (its reports are fetched by a later run)", p.name)
    result = as_dict(_land(s, run_id))
    log.info(
        "found %s, new %s, revised %s, unchanged %s, failed %s (quarantined %s, pending %s, given up %s); "
        "%s list + %s document requests; %s column(s), %s failed",
        *(result.get(k, 0) for k in ("found", "new", "revised", "unchanged", "failed", "quarantined")),
        result.get("pending", 0),
        len(result.get("gave_up", [])),
        result.get("list_requests", 0),
        result.get("document_requests", 0),
        result.get("columns", 0),
        result.get("columns_failed", 0),
    )
    _log_landed(s, started)
    for f in result.get("failures", [])[:NAMED]:
        log.warning("  failed %s: %s", f.get("url"), f.get("reason"))
    for g in result.get("gave_up", [])[:NAMED]:
        log.error("  given up %s %s: %s", g.get("document_id"), g.get("url"), g.get("reason"))
    return result


def _log_landed(s: Settings, since: datetime) -> None:
    """Name every document version landed since ``since``: id, title, URL and archive path."""
    from gongkai import staging

    with staging.connect(s.staging_db, read_only=True) as con:
        rows = con.execute(
            "SELECT document_id, version, agency_code, title, url, sha256, status FROM documents "
            "WHERE first_seen >= ? ORDER BY document_id, version",
            [since],
        ).fetchall()
    for doc, version, agency, title, url, sha, status in rows[: NAMED * 5]:
        log.info(
            "  landed %s v%s [%s] %s %r %s archive %s",
            doc[:12],
            version,
            status,
            agency,
            title,
            url,
            s.raw_dir / sha[:2] / sha,
        )


def parse(*, reparse: bool = False, document_ids: list[str] | None = None) -> dict[str, Any]:
    from gongkai.parsing.step import parse_staged

    s = settings()
    started = datetime.now(UTC).replace(tzinfo=None)
    with damage_fails(s):
        result = as_dict(parse_staged(s, reparse=reparse, document_ids=document_ids))
    log.info(
        "parsed %s report(s): %s complete, %s partial, %s quarantined; %s cells, %s checks (%s failed)",
        *(result.get(k, 0) for k in ("parsed", "complete", "partial", "quarantined", "cells", "checks")),
        result.get("checks_failed", 0),
    )
    _log_parsed(s, started)
    return result


def _log_parsed(s: Settings, since: datetime) -> None:
    from gongkai import staging

    with staging.connect(s.staging_db, read_only=True) as con:
        rows = con.execute(
            "SELECT p.document_id, p.version, d.title, p.generation, p.report_year, p.status, p.n_cells, "
            "p.reasons FROM parse_results p LEFT JOIN documents d USING (document_id, version) "
            "WHERE p.parsed_at >= ? ORDER BY 1, 2",
            [since],
        ).fetchall()
    for doc, version, title, generation, year, status, cells, reasons in rows[: NAMED * 5]:
        log.info(
            "  %s v%s %r: %s %s, %s, %s cells%s",
            doc[:12],
            version,
            title,
            generation,
            year,
            status,
            cells,
            f", reasons {reasons}" if status != "complete" else "",
        )


def announce_staging(landed: dict[str, Any] | None, parsed: dict[str, Any] | None, *, force: bool) -> dict:
    """Whether this run changed staging (then the staging asset is updated and the publish DAG
    runs); skipped otherwise, so a run that found nothing triggers no build."""
    from airflow.sdk.exceptions import AirflowSkipException

    if not (force or rules.staging_changed(landed, parsed)):
        raise AirflowSkipException("nothing landed or parsed: staging unchanged, no publish run")
    state = rules.parse_state(settings())
    log.info("staging changed (force=%s): %s", force, state)
    return {"force_build": force, **state}


# ---- warehouse: build, gate, publish -----------------------------------------------------------


def build(*, force: bool = False) -> dict[str, Any]:
    """dbt build, unless nothing changed since the last publish (then skipped, and so are the gate
    and publishing: the warehouse stays byte-identical)."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from gongkai.build import dbt_build

    s = settings()
    reason = rules.build_skip_reason(s, force=force)
    if reason:
        raise AirflowSkipException(reason)
    # what this build reads: staging cannot change during the build (its writers share the pool),
    # but it can between this build and the publish, so publish records this state, not its own
    state = rules.parse_state(s)
    with damage_fails(s):
        result = {**as_dict(dbt_build(s)), "parse_state": state}
    log.info(
        "dbt build (%s) in %ss: %s models, %s seeds, tests %s passed / %s warned / %s failed -> %s",
        *(result.get(k) for k in ("mode", "elapsed_s", "models", "seeds", "tests_passed", "tests_warned")),
        result.get("tests_failed"),
        result.get("warehouse_db"),
    )
    if result.get("set_aside"):
        log.warning(
            "the warehouse was damaged (%s): set aside as %s and rebuilt from staging",
            result.get("damage"),
            result.get("set_aside"),
        )
    if not result.get("success"):
        for f in result.get("failures", []):
            log.error("  %s %s: %s", f.get("status"), f.get("node"), str(f.get("message"))[:300])
        raise AirflowFailException(f"dbt build failed: {result.get('failures')}")
    return result


def validate(built: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the GX gate; a blocking failure fails the task (no retry) and nothing is published.
    ``built``: the build task's result, whose ``parse_state`` is handed on to publish."""
    from airflow.sdk.exceptions import AirflowFailException

    from gongkai.validate import run_validation

    result = as_dict(run_validation(settings(), stage_parquet=True))  # Parquet written meanwhile
    verdict, message = rules.validation_verdict(result)
    log.info("%s (run %s, results %s)", message, result.get("run_id"), result.get("results_path"))
    for f in result.get("failures", [])[:NAMED]:
        log.warning("  %s", {k: f.get(k) for k in ("suite", "expectation", "column", "blocking", "error")})
    if verdict == "retry":  # an expectation could not be evaluated: infrastructure, worth a retry
        raise StepIncomplete(message)
    if verdict == "fail":
        raise AirflowFailException(message)
    return {**result, "parse_state": (built or {}).get("parse_state")}


def publish(validation: dict[str, Any]) -> dict[str, Any]:
    from airflow.sdk.exceptions import AirflowFailException

    from gongkai import publish as publishing

    s = settings()
    # the parse state the warehouse was built from (a daily run may have parsed more since)
    state = (validation or {}).get("parse_state") or rules.parse_state(s)
    result = as_dict(publishing.publish(s, validation=rules.validation_from_dict(validation)))
    if not result.get("published"):
        raise AirflowFailException(f"not published: {result.get('reason')}")
    rules.mark_published(s, state)
    failed_targets = {k: v for k, v in (result.get("targets") or {}).items() if not v.get("ok")}
    if failed_targets:  # the DuckDB snapshot is current; a further target lags: fail and alert
        raise RuntimeError(f"published, but serving target(s) failed: {failed_targets}")
    log.info("published %s and %s from %s", s.serving_db, s.parquet_dir, state)
    return result


# ---- health ------------------------------------------------------------------------------------


def check_portal_silence(discoveries: list[dict[str, Any]], days: float) -> dict[str, Any]:
    """Record which portals answered; fail (→ failure callback, e-mail) when one has been
    silent for ``days`` days. The warehouse tasks do not depend on this one."""
    from airflow.sdk.exceptions import AirflowFailException

    from gongkai.orchestration.silence import record_discoveries, silent_portals

    health = record_discoveries(settings(), list(discoveries), now=datetime.now(UTC))
    for h in health:
        log.info("portal %s: heard %s, last heard %s", h.portal, h.heard, h.last_heard)
    silent = silent_portals(health, days)
    if silent:
        names = ", ".join(f"{p['portal']} ({p['silent_days']} days)" for p in silent)
        raise AirflowFailException(f"portal(s) returned nothing for ≥ {days} days: {names}")
    return {"portals": [dataclasses.asdict(h) for h in health]}


# ---- reprocess ---------------------------------------------------------------------------------


def reprocess_selection(params: dict[str, Any]) -> dict[str, Any]:
    """The reprocess form as a selection plus the document ids it selects; an empty selection is
    the user's error (no retry)."""
    with user_errors():
        sel = rules.reprocess_selection(params)
        ids = rules.select_documents(settings(), sel["years"], sel["agencies"])
        if ids is not None and not ids:
            raise rules.UserError(
                f"no parsed report matches years {sel['years']} and agencies {sel['agencies']}: nothing to reprocess"
            )
    log.info(
        "reprocess %s document(s): years %s, agencies %s%s",
        "every" if ids is None else len(ids),
        sel["years"],
        sel["agencies"],
        f": {', '.join(i[:12] for i in ids[:NAMED])}" if ids else "",
    )
    return {**sel, "document_ids": ids}


def reextract(document_ids: list[str] | None) -> dict[str, Any]:
    from scrapers.run import reextract as _reextract

    result = as_dict(_reextract(settings(), document_ids=document_ids))
    log.info(
        "re-extracted %s report(s) from the archive: %s changed text, %s unchanged, %s failed",
        *(result.get(k, 0) for k in ("found", "revised", "unchanged", "failed")),
    )
    for f in result.get("failures", [])[:NAMED]:
        log.warning("  failed %s: %s", f.get("url"), f.get("reason"))
    return result


def staging_updates(events: Any, *, force: bool) -> dict[str, Any]:
    """What a publish run was triggered by: the staging-asset updates since the previous one
    (``events``: Airflow's ``triggering_asset_events``), and whether any asked for a rebuild."""
    updates = [e for group in (events or {}).values() for e in group]
    runs = sorted({f"{getattr(e, 'source_dag_id', '?')}/{getattr(e, 'source_run_id', '?')}" for e in updates})
    force = force or any(bool((getattr(e, "extra", None) or {}).get("force_build")) for e in updates)
    log.info("publishing for %d staging update(s) (force=%s) from: %s", len(updates), force, ", ".join(runs))
    return {"updates": len(updates), "runs": runs, "force_build": force}


def daily_runs_settled() -> Any:
    """Sensor poke of the publish DAG: done when no ``gongkai_daily`` run is queued or running, so
    a backfill's staging updates are built and published once, after its last run lands."""
    from airflow.sdk import PokeReturnValue
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    from gongkai.orchestration.resources import DAILY_DAG

    active = RuntimeTaskInstance.get_dr_count(dag_id=DAILY_DAG, states=["queued", "running"])
    if active:
        log.info("%d %s run(s) still queued or running: building after them", active, DAILY_DAG)
    return PokeReturnValue(is_done=active == 0)

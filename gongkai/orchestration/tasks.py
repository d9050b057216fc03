"""The bodies of the DAG tasks: call a pipeline step with ``Settings.from_env()`` and turn its
dataclass into an XCom-ready dict. Airflow-specific outcomes (skip, fail without retry) are raised
here so that the DAG files stay pure wiring. Step modules are imported inside each function."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from gongkai.config import Settings

WAREHOUSE_POOL = "gongkai_duckdb"  # 1 slot: every DuckDB writer task runs in it
WAREHOUSE_ASSET_URI = "file:///gongkai/serving/warehouse.duckdb"


def as_dict(value: object) -> dict[str, Any]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return dict(value)  # type: ignore[call-overload]


def settings() -> Settings:
    s = Settings.from_env()
    s.ensure_dirs()
    return s


def list_columns(portal: str | None = None) -> list[dict[str, Any]]:
    from scrapers.run import list_columns as _list_columns

    columns = _list_columns(settings(), portal=portal or None)
    if not columns:
        raise ValueError(f"no portal columns registered (portal filter: {portal!r})")
    return columns


def is_final_try(context: Any) -> bool:
    """Whether this task instance has no retry left (from an Airflow task context)."""
    return int(context["ti"].try_number) > int(context["task"].retries or 0)


class StepIncomplete(RuntimeError):
    """A step met transient failures; raised to have Airflow retry it (with backoff)."""


def discover(
    column: dict[str, Any], window: dict[str, str | None], *, final_try: bool = True
) -> dict[str, Any]:
    """One column's discovery. A discovery error is retried; on the last try the result is
    returned with its error, which fetch+land records as a failure row and the silence check sees."""
    from scrapers.run import discover_column

    since = date.fromisoformat(window["since"]) if window.get("since") else None
    until = date.fromisoformat(window["until"]) if window.get("until") else None
    result = as_dict(discover_column(settings(), column["portal"], column["column"], since, until))
    if result.get("error") and not final_try:
        raise StepIncomplete(f"discovery of {column['portal']}/{column['column']} failed: {result['error']}")
    return result


def transient_failures(summary: dict[str, Any]) -> int:
    """Reports that failed for a reason a retry may cure (not quarantined, not HTTP 404)."""
    gone = sum(1 for f in summary.get("failures", []) if str(f.get("reason", "")).startswith("HTTP 404"))
    return max(0, int(summary.get("failed", 0)) - int(summary.get("quarantined", 0)) - gone)


def fetch_and_land(
    discoveries: list[dict[str, Any]], run_id: str | None, *, final_try: bool = True
) -> dict[str, Any]:
    """Download and land what was discovered. Landing is per report and idempotent, so a retry
    fetches only what failed; on the last try failures stay rows with reasons."""
    from scrapers.run import fetch_and_land as _fetch_and_land

    result = as_dict(_fetch_and_land(settings(), list(discoveries), run_id=run_id))
    if transient_failures(result) and not final_try:
        raise StepIncomplete(
            f"{transient_failures(result)} report(s) failed transiently: {result['failures'][:5]}"
        )
    return result


def reextract(years: list[int] | None, agencies: list[str] | None) -> dict[str, Any]:
    from scrapers.run import reextract as _reextract

    return as_dict(_reextract(settings(), years=years or None, agencies=agencies or None))


def parse(*, reparse: bool = False, document_ids: list[str] | None = None) -> dict[str, Any]:
    from gongkai.parsing.step import parse_staged

    return as_dict(parse_staged(settings(), reparse=reparse, document_ids=document_ids))


def parse_state(s: Settings) -> dict[str, Any]:
    """What the warehouse is built from: the count and newest timestamp of parse results."""
    from gongkai import staging

    if not s.staging_db.exists():
        return {}
    with staging.connect(s.staging_db, read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "parse_results" not in tables:
            return {}
        n, newest = con.execute("SELECT count(*), max(parsed_at) FROM parse_results").fetchone()
    return {"parse_results": int(n), "newest": str(newest)}


def _published_marker(s: Settings):
    return s.home / "orchestration" / "published_parse_state.json"


def warehouse_current(s: Settings) -> bool:
    """Whether the serving copy was published from exactly what staging holds now."""
    import json

    marker = _published_marker(s)
    if not (s.serving_db.exists() and s.warehouse_db.exists() and marker.exists()):
        return False
    return json.loads(marker.read_text()) == parse_state(s)


def build(
    *, landed: dict[str, Any] | None = None, parsed: dict[str, Any] | None = None, force: bool = False
) -> dict[str, Any]:
    """dbt build. In a daily run that brought nothing new and with a published warehouse
    already there, skip (and so skip validate/publish): the warehouse stays byte-identical."""
    from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

    from gongkai.build import dbt_build

    s = settings()
    if not force:
        if not parse_state(s).get("parse_results"):
            raise AirflowSkipException("staging holds no parsed report yet: nothing to build")
        if warehouse_current(s):
            raise AirflowSkipException(
                "nothing new since the last publish: warehouse and serving copy unchanged"
            )
    result = as_dict(dbt_build(s))
    if not result.get("success"):
        raise AirflowFailException(f"dbt build failed: {result.get('failures')}")
    return result


def validate() -> dict[str, Any]:
    """Run the GX gate; a blocking failure fails the task (no retry) and nothing is published."""
    from airflow.sdk.exceptions import AirflowFailException

    from gongkai.validate import run_validation

    result = as_dict(run_validation(settings(), stage_parquet=True))  # Parquet written meanwhile
    if not result.get("success"):
        broken = [f for f in result.get("failures", []) if f.get("error")] or (
            [result] if result.get("error") else []
        )
        if broken:  # an expectation could not be evaluated: infrastructure, worth a retry
            raise StepIncomplete(
                f"{len(broken)} expectation(s) could not run: {str(broken[0].get('error'))[:500]}"
            )
        raise AirflowFailException(
            f"blocking expectations failed: {result.get('blocking_failed')}; "
            f"results in {result.get('results_path')} — the previous serving copy stays"
        )
    return result


def publish(validation: dict[str, Any]) -> dict[str, Any]:
    from airflow.sdk.exceptions import AirflowFailException

    from gongkai import publish as publishing
    from gongkai import validate as validating

    s = settings()
    try:
        fields = {f.name for f in dataclasses.fields(validating.ValidationResult)}
        result_obj = validating.ValidationResult(**{k: v for k, v in validation.items() if k in fields})
    except (AttributeError, TypeError):
        result_obj = None  # publish validates again itself
    state = parse_state(s)  # read before publishing: staging writers are held off by the pool
    result = as_dict(publishing.publish(s, validation=result_obj))
    if not result.get("published"):
        raise AirflowFailException(f"not published: {result.get('reason')}")
    import json

    _published_marker(s).parent.mkdir(parents=True, exist_ok=True)
    _published_marker(s).write_text(json.dumps(state))
    return result


def check_portal_silence(discoveries: list[dict[str, Any]], days: float) -> dict[str, Any]:
    """Record which portals answered; fail (→ failure callback, e-mail) when one has been
    silent for ``days`` days. The warehouse tasks do not depend on this one."""
    from airflow.sdk.exceptions import AirflowFailException

    from gongkai.orchestration.silence import record_discoveries, silent_portals

    health = record_discoveries(settings(), list(discoveries), now=datetime.now(UTC))
    silent = silent_portals(health, days)
    if silent:
        names = ", ".join(f"{p['portal']} ({p['silent_days']} days)" for p in silent)
        raise AirflowFailException(f"portal(s) returned nothing for ≥ {days} days: {names}")
    return {"portals": [dataclasses.asdict(h) for h in health]}


def select_documents(years: list[int] | None, agencies: list[str] | None) -> list[str] | None:
    """Document ids to re-parse for a reprocess run (``None`` = all): latest versions whose
    report year (from the parsed report) or agency code match."""
    if not years and not agencies:
        return None
    from gongkai import staging

    s = settings()
    if not s.staging_db.exists():
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
    with staging.connect(s.staging_db, read_only=True) as con:
        return [r[0] for r in con.execute(sql, args).fetchall()]


def reprocess_selection(params: dict[str, Any]) -> dict[str, Any]:
    """Validate the reprocess form: ``all`` or at least one year/agency."""
    years = [int(y) for y in (params.get("years") or [])]
    agencies = [str(a).strip() for a in (params.get("agencies") or []) if str(a).strip()]
    if params.get("all"):
        return {"years": None, "agencies": None}
    if not years and not agencies:
        raise ValueError("choose 'all', or at least one report year or agency code")
    return {"years": years or None, "agencies": agencies or None}

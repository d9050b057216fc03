"""The checkpoint: run every suite on its frame with Great Expectations and collect one outcome per
expectation (merged across chunks), then render Data Docs.

GX runs in an ephemeral context with a pandas datasource (one dataframe asset per suite); each
chunk is one ``ValidationDefinition.run``. The outcomes, not GX's objects, are what the gate keeps.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from expectations.frames import read_chunks
from expectations.suites import Suite

SEVERITY = {"critical": "blocking", "warning": "warning", "info": "warning"}
SAMPLE = 10


@dataclass
class Outcome:
    """One expectation of one suite, over all chunks of its frame."""

    suite: str
    family: str
    table: str
    expectation: str
    column: str | None
    severity: str  # blocking | warning
    rule: str
    success: bool = True
    element_count: int = 0
    unexpected_count: int = 0
    sample: list[Any] = field(default_factory=list)
    error: str | None = None

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SuiteRun:
    suite: str
    family: str
    table: str
    rows: int = 0
    chunks: int = 0
    seconds: float = 0.0
    error: str | None = None


def _column_of(kwargs: dict[str, Any]) -> str | None:
    if "column" in kwargs:
        return str(kwargs["column"])
    if "column_list" in kwargs:
        return ",".join(kwargs["column_list"])
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _context(data_docs_dir: Path | None) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    for name in list(context.get_config().data_docs_sites or {}):
        context.delete_data_docs_site(name)
    if data_docs_dir is not None:
        context.add_data_docs_site(
            site_name="gongkai",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def run_checkpoint(
    con: duckdb.DuckDBPyConnection,
    suites: list[Suite],
    *,
    run_name: str,
    chunk_rows: int = 2_000_000,
    data_docs_dir: Path | None = None,
) -> tuple[list[Outcome], list[SuiteRun]]:
    """Validate every suite; a frame that cannot be read is a failed (blocking) outcome, not a crash."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    context = _context(data_docs_dir)
    source = context.data_sources.add_pandas("gate_frames")
    outcomes: list[Outcome] = []
    runs: list[SuiteRun] = []
    for suite in suites:
        started = time.perf_counter()
        run = SuiteRun(suite.name, suite.family, suite.frame.table)
        gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
        mine: list[Outcome] = []
        by_id: dict[str, Outcome] = {}
        for exp in suite.expectations:
            added = gx_suite.add_expectation(exp)
            cfg = added.configuration
            mine.append(
                by_id.setdefault(
                    str(added.id),
                    Outcome(
                        suite=suite.name,
                        family=suite.family,
                        table=suite.frame.table,
                        expectation=cfg.type,
                        column=_column_of(cfg.kwargs),
                        severity=SEVERITY.get(str(getattr(exp.severity, "value", exp.severity)), "blocking"),
                        rule=exp.description or cfg.type,
                    ),
                )
            )
        batch = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("frame")
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)
        )
        try:
            for frame in read_chunks(con, suite.frame, chunk_rows):
                run.chunks += 1
                run.rows += len(frame)
                result = definition.run(
                    batch_parameters={"dataframe": frame},
                    result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE},
                    run_id=RunIdentifier(run_name=f"{run_name}-{run.chunks}"),
                )
                for res in result.results:
                    _merge(by_id[str(res.expectation_config.id)], res)
        except Exception as exc:  # a broken frame (missing table, bad SQL) fails the gate with a reason
            run.error = f"{type(exc).__name__}: {exc}"[:2000]
            for outcome in mine:
                outcome.success = outcome.success and outcome.severity != "blocking"
                outcome.error = run.error
            mine.append(
                Outcome(
                    suite=suite.name,
                    family=suite.family,
                    table=suite.frame.table,
                    expectation="frame_is_readable",
                    column=None,
                    severity="blocking",
                    rule=f"the {suite.frame.table} frame can be read",
                    success=False,
                    error=run.error,
                )
            )
        run.seconds = round(time.perf_counter() - started, 3)
        outcomes.extend(mine)
        runs.append(run)
    if data_docs_dir is not None:
        from expectations.data_docs import build_offline_data_docs

        try:
            build_offline_data_docs(context, data_docs_dir)
        except Exception:  # the docs are a view of the results, which are already kept
            logging.getLogger(__name__).exception("rendering Data Docs failed")
    return outcomes, runs


def _merge(outcome: Outcome, res: Any) -> None:
    """Fold one chunk's GX ExpectationValidationResult into the outcome."""
    result = res.result or {}
    outcome.success = outcome.success and bool(res.success)
    outcome.element_count += int(result.get("element_count") or 0)
    outcome.unexpected_count += int(result.get("unexpected_count") or 0)
    if res.exception_info and res.exception_info.get("raised_exception"):
        outcome.success = False
        outcome.error = str(res.exception_info.get("exception_message"))[:2000]
    if "observed_value" in result and not res.success and len(outcome.sample) < SAMPLE:
        outcome.sample.append(_jsonable(result["observed_value"]))
    room = SAMPLE - len(outcome.sample)
    if room > 0:
        outcome.sample.extend(_jsonable(result.get("partial_unexpected_list") or [])[:room])

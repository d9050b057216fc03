"""The checkpoint: run every suite on its frame with Great Expectations and collect one outcome per
expectation (merged across chunks), then render Data Docs.

GX runs in an ephemeral context with a pandas datasource (one dataframe asset per frame of a suite:
a compact table suite has a rows frame and a values frame, see ``expectations.compact``); each frame
or chunk is one ``ValidationDefinition.run``. The outcomes, not GX's objects, are what the gate keeps.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from expectations.frames import Frame, covered_rows, read_chunks
from expectations.suites.base import Suite

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
    carried_from: str | None = None  # the run whose outcome this is (its tables unchanged since)

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SuiteRun:
    suite: str
    family: str
    table: str
    rows: int = 0  # rows the suite's frames stand for
    chunks: int = 0  # GX runs (frames, chunks)
    frame_rows: int = 0  # rows handed to GX
    seconds: float = 0.0
    error: str | None = None
    carried_from: str | None = None


def carried(suites: list[Suite], results_path: str, run_id: str) -> tuple[list[Outcome], list[SuiteRun]]:
    """The outcomes of ``suites`` as the run ``run_id`` recorded them (its JSON file), marked as
    carried; empty when that file cannot be read (the caller validates them instead)."""
    import json

    names = {s.name for s in suites}
    try:
        payload = json.loads(Path(results_path).read_text(encoding="utf-8"))
        rows = [r for r in payload["results"] if r.get("suite") in names]
        summary = {r["suite"]: r for r in payload["summary"] if r.get("suite") in names}
        fields = set(Outcome.__dataclass_fields__)
        outcomes = [Outcome(**{k: v for k, v in r.items() if k in fields}) for r in rows]
    except (OSError, ValueError, KeyError, TypeError):
        return [], []
    if {o.suite for o in outcomes} != names:
        return [], []
    for outcome in outcomes:
        outcome.carried_from = outcome.carried_from or run_id
    runs = [
        SuiteRun(
            s.name,
            s.family,
            s.frame.table,
            rows=int(summary.get(s.name, {}).get("rows") or 0),
            carried_from=summary.get(s.name, {}).get("carried_from") or run_id,
        )
        for s in suites
    ]
    return outcomes, runs


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
    context = _context(data_docs_dir)
    # one dataframe asset and batch definition for every frame (the frame is the run's batch
    # parameter): each asset added re-serialises the context's config, ~30 ms apiece
    batch = (
        context.data_sources.add_pandas("gate_frames")
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("frame")
    )
    outcomes: list[Outcome] = []
    runs: list[SuiteRun] = []
    ahead = _Prefetch(con, [part.frame for suite in suites for part in suite.parts()], chunk_rows)
    try:
        for suite in suites:
            _run_suite(context, batch, con, suite, ahead, outcomes, runs, run_name, chunk_rows)
    finally:
        ahead.close()
    if data_docs_dir is not None:
        from expectations.data_docs import build_offline_data_docs

        try:
            build_offline_data_docs(context, data_docs_dir)
        except Exception:  # the docs are a view of the results, which are already kept
            logging.getLogger(__name__).exception("rendering Data Docs failed")
    return outcomes, runs


class _Prefetch:
    """Reads the compact frames (SQL in DuckDB, then Arrow -> pandas), in the order they are validated,
    on other cursors of the same read-only connection while GX validates the frame before: reading
    and validating overlap instead of adding up. At most ``LOOKAHEAD`` frames are read ahead, so
    memory stays bounded. Partitioned frames (read in chunks) are read on demand, not ahead."""

    LOOKAHEAD = 2

    def __init__(self, con: duckdb.DuckDBPyConnection, frames: list[Frame], chunk_rows: int) -> None:
        self.con = con
        self.frames = frames
        self.chunk_rows = chunk_rows
        self.pool = ThreadPoolExecutor(max_workers=max(1, self.LOOKAHEAD))
        self.futures: dict[int, Future[Any]] = {}
        self.submitted = 0
        self.taken = 0
        self._fill()

    def _read(self, frame: Frame) -> tuple[int | None, list[Any]]:
        cursor = self.con.cursor()  # same database instance: sees the attached staging database too
        try:
            return covered_rows(cursor, frame), list(read_chunks(cursor, frame, self.chunk_rows))
        finally:
            cursor.close()

    def _fill(self) -> None:
        while self.submitted < len(self.frames) and self.submitted < self.taken + self.LOOKAHEAD:
            frame = self.frames[self.submitted]
            if frame.partition_key is None:
                self.futures[self.submitted] = self.pool.submit(self._read, frame)
            self.submitted += 1

    def take(self) -> tuple[int | None, list[Any]] | None:
        """The next frame, read ahead (re-raising its error); None when it is read on demand."""
        future = self.futures.pop(self.taken, None)
        self.taken += 1
        self._fill()
        return None if future is None else future.result()

    def close(self) -> None:
        for future in self.futures.values():
            future.cancel()
        self.pool.shutdown(wait=True)


def _run_suite(
    context: Any,
    batch: Any,
    con: duckdb.DuckDBPyConnection,
    suite: Suite,
    ahead: _Prefetch,
    outcomes: list[Outcome],
    runs: list[SuiteRun],
    run_name: str,
    chunk_rows: int,
) -> None:
    import great_expectations as gx

    started = time.perf_counter()
    run = SuiteRun(suite.name, suite.family, suite.frame.table)
    mine: list[Outcome] = []
    plans = []
    for part in suite.parts():
        gx_name = f"{suite.name}.{part.label}" if part.label else suite.name
        gx_suite = context.suites.add(gx.ExpectationSuite(name=gx_name))
        by_id: dict[str, Outcome] = {}
        for exp in part.expectations:
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
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=gx_name, data=batch, suite=gx_suite)
        )
        plans.append((part, definition, by_id))
    done = 0
    try:
        for part, definition, by_id in plans:
            done += 1
            _run_part(con, part.frame, definition, by_id, run, run_name, chunk_rows, ahead.take())
    except Exception as exc:  # a broken frame (missing table, bad SQL) fails the gate with a reason
        for _ in plans[done:]:  # the suite's other frames were perhaps read ahead: drop them
            try:
                ahead.take()
            except Exception:  # already failing for the first error
                pass
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


def _run_part(
    con: duckdb.DuckDBPyConnection,
    frame: Frame,
    definition: Any,
    by_id: dict[str, Outcome],
    run: SuiteRun,
    run_name: str,
    chunk_rows: int,
    read: tuple[int | None, list[Any]] | None = None,
) -> None:
    """Validate one frame (``read``: covered rows and chunks read ahead; else read here, in chunks
    when it is a partitioned row frame) and fold the results into the outcomes."""
    from great_expectations.core.run_identifier import RunIdentifier

    covers, chunks = (
        read if read is not None else (covered_rows(con, frame), read_chunks(con, frame, chunk_rows))
    )
    # a values frame is small (distinct values): ask for every unexpected index to weight the counts
    result_format = {
        "result_format": "COMPLETE" if frame.weight else "SUMMARY",
        "partial_unexpected_count": SAMPLE,
    }
    rows = 0
    for df in chunks:
        run.chunks += 1
        run.frame_rows += len(df)
        rows += int(df[frame.weight].sum()) if frame.weight else len(df)
        result = definition.run(
            batch_parameters={"dataframe": df},
            result_format=result_format,
            run_id=RunIdentifier(run_name=f"{run_name}-{run.chunks}"),
        )
        weights = df[frame.weight] if frame.weight else None
        for res in result.results:
            _merge(by_id[str(res.expectation_config.id)], res, weights)
    if covers is not None:  # the frame holds only the rows that can fail: count the rows it stands for
        rows = covers
        for outcome in by_id.values():
            outcome.element_count = covers
    run.rows = max(run.rows, rows)


def _merge(outcome: Outcome, res: Any, weights: Any = None) -> None:
    """Fold one chunk's GX ExpectationValidationResult into the outcome (``weights``: rows per frame row)."""
    result = res.result or {}
    outcome.success = outcome.success and bool(res.success)
    if weights is not None and "unexpected_index_list" in result:
        outcome.element_count += int(weights.sum())
        outcome.unexpected_count += int(weights.iloc[list(result["unexpected_index_list"])].sum())
    else:
        outcome.element_count += int(result.get("element_count") or 0)
        outcome.unexpected_count += int(result.get("unexpected_count") or 0)
    if res.exception_info and res.exception_info.get("raised_exception"):
        outcome.success = False
        outcome.error = str(res.exception_info.get("exception_message"))[:2000]
    if "observed_value" in result and not res.success and len(outcome.sample) < SAMPLE:
        outcome.sample.append(_jsonable(result["observed_value"]))
    new = _jsonable(result.get("partial_unexpected_list") or [])
    if weights is not None:  # a value may recur in several combinations of a values frame: show it once
        new = [v for i, v in enumerate(new) if v not in new[:i] and v not in outcome.sample]
    room = SAMPLE - len(outcome.sample)
    if room > 0:
        outcome.sample.extend(new[:room])

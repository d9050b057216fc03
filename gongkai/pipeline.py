"""The whole job in one process, without Airflow: scrape → parse → dbt build → validate → publish.

The DAGs run the same step functions as separate tasks, under the same run rules
(``gongkai.orchestration.rules``): the warehouse steps are skipped when nothing changed since the
last publish, and a publish records the parse state it was built from. This is what `gongkai run`
and the tests that need a complete warehouse call.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gongkai.config import Settings
from gongkai.orchestration import rules


@dataclass
class PipelineResult:
    """What each step returned (as dicts), whether the serving copy was updated, and why the
    warehouse steps were skipped (``None`` when they ran)."""

    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    published: bool = False
    skipped: str | None = None

    @property
    def ok(self) -> bool:
        """Published, or nothing to publish because the serving copy is current."""
        return self.published or self.skipped is not None


def _record(result: PipelineResult, name: str, started: float, value: object) -> None:
    result.seconds[name] = round(time.perf_counter() - started, 2)
    result.steps[name] = dataclasses.asdict(value) if dataclasses.is_dataclass(value) else dict(value)  # type: ignore[arg-type]


def run_pipeline(
    settings: Settings,
    *,
    since: date | None = None,
    until: date | None = None,
    portal: str | None = None,
    scrape: bool = True,
    force: bool = False,
) -> PipelineResult:
    """Run every step in order. ``scrape=False`` rebuilds from what staging already holds;
    ``force`` builds and publishes even when the serving copy is current."""
    from gongkai.build import dbt_build
    from gongkai.parsing.step import parse_staged
    from gongkai.publish import publish
    from gongkai.validate import run_validation

    settings.ensure_dirs()
    result = PipelineResult()
    if scrape:
        from scrapers.run import scrape as scrape_portals

        t = time.perf_counter()
        _record(result, "scrape", t, scrape_portals(settings, portal=portal, since=since, until=until))
    t = time.perf_counter()
    _record(result, "parse", t, parse_staged(settings))
    result.skipped = rules.build_skip_reason(settings, force=force)
    if result.skipped:
        return result
    t = time.perf_counter()
    build = dbt_build(settings)
    _record(result, "build", t, build)
    if not build.success:
        return result
    t = time.perf_counter()
    validation = run_validation(settings, stage_parquet=True)  # Parquet written meanwhile
    _record(result, "validate", t, validation)
    t = time.perf_counter()
    state = rules.parse_state(settings)
    published = publish(settings, validation=validation)
    _record(result, "publish", t, published)
    result.published = bool(published.published)
    if result.published:
        rules.mark_published(settings, state)
    return result

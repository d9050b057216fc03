"""Backfill dates mean publication days: the range the Airflow UI's backfill form sends for
*From* 2019-01-10 *To* 2019-01-12 selects exactly the runs of those three Shanghai days, whatever
the browser's UTC offset, on the real DAG's serialised timetable (as the api-server sees it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gongkai.config import REPO_ROOT
from gongkai.orchestration.windows import (
    DATE_MAPPING_DOC,
    Window,
    backfill_days,
    browser_range,
    run_label,
    run_window,
)

TYPED = (date(2019, 1, 10), date(2019, 1, 12))
THREE_DAYS = [date(2019, 1, 10), date(2019, 1, 11), date(2019, 1, 12)]


@pytest.fixture(scope="module")
def served_daily():
    """``gongkai_daily`` after a serialisation round trip, as the api-server builds backfills."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization

    bag = DagBag(dag_folder=str(REPO_ROOT / "dags"))
    assert not bag.import_errors, bag.import_errors
    return DagSerialization.deserialize_dag(DagSerialization.serialize_dag(bag.dags["gongkai_daily"]))


@pytest.mark.parametrize("hours", [-10, -5, 0, 1, 5.5, 8, 9, 12, 13])
def test_backfill_form_range_selects_the_typed_days_in_any_browser_zone(served_daily, hours) -> None:
    start, end = browser_range(*TYPED, timedelta(hours=hours))
    infos = list(served_daily.iter_dagrun_infos_between(start, end))
    windows = [run_window({}, i.data_interval.start, i.data_interval.end) for i in infos]
    assert [d for w in windows for d in w.days()] == THREE_DAYS
    assert [w.days() for w in windows] == [[d] for d in THREE_DAYS]  # one run per day
    assert backfill_days(start, end) == THREE_DAYS  # the documented rule agrees with Airflow


def test_a_utc_browser_range_with_midnight_runs_would_drop_the_first_day() -> None:
    """Why the anchor moved: with runs labelled at Shanghai midnight, the UTC browser's range
    holds the midnights that start the 11th, 12th and 13th."""
    start, end = browser_range(*TYPED, timedelta(0))
    assert (start.isoformat(), end.isoformat()) == (
        "2019-01-10T00:00:00+00:00",
        "2019-01-12T23:59:59.999000+00:00",
    )
    midnights = [datetime(2019, 1, d, 16, tzinfo=UTC) for d in range(8, 14)]  # Shanghai 9th..14th
    picked = [(m + timedelta(hours=8)).date() for m in midnights if start <= m <= end]
    assert picked == [date(2019, 1, 11), date(2019, 1, 12), date(2019, 1, 13)]


def test_run_labels_and_shell_form(served_daily) -> None:
    assert run_label(date(2019, 1, 10)).isoformat() == "2019-01-10T10:00:00+00:00"
    infos = list(
        served_daily.iter_dagrun_infos_between(
            datetime(2019, 1, 10, tzinfo=UTC), datetime(2019, 1, 12, 23, 59, 59, tzinfo=UTC)
        )
    )
    assert [i.logical_date.isoformat() for i in infos] == [
        "2019-01-10T10:00:00+00:00",
        "2019-01-11T10:00:00+00:00",
        "2019-01-12T10:00:00+00:00",
    ]
    # a bare --to-date is 00:00 UTC of that day: the documented caveat
    bare = list(
        served_daily.iter_dagrun_infos_between(
            datetime(2019, 1, 10, tzinfo=UTC), datetime(2019, 1, 12, tzinfo=UTC)
        )
    )
    assert len(bare) == 2
    assert "--to-date 2019-01-12T23:59:59" in DATE_MAPPING_DOC
    assert "Dates → publication days" in (served_daily.doc_md or "")


def test_the_run_for_a_day_starts_after_the_day_ends(served_daily) -> None:
    (info,) = list(
        served_daily.iter_dagrun_infos_between(run_label(date(2019, 1, 10)), run_label(date(2019, 1, 10)))
    )
    assert info.data_interval.end == datetime(2019, 1, 11, 10, tzinfo=UTC)  # 18:00 Shanghai next day
    assert run_window({}, info.data_interval.start, info.data_interval.end) == Window(
        date(2019, 1, 10), date(2019, 1, 11)
    )


def test_unbounded_window_has_no_day_list() -> None:
    with pytest.raises(ValueError, match="unbounded"):
        Window(date(2019, 1, 1), None).days()

"""How scheduler dates map to publication days: the daily timetable and the date window a DAG run
scrapes (the run's publication day in Asia/Shanghai, or the ``since``/``until`` params that
override it, e.g. for the first full-history load).

**One run per publication day, labelled by that day.** The run that scrapes the reports published
on day *D* (Asia/Shanghai) has its logical date at *D* 18:00 Shanghai = *D* 10:00 UTC and its data
interval up to 18:00 of the next day, when it starts (portals publish in office hours, so a day's
reports are complete by then). The anchor is chosen for the backfill form: the Airflow UI sends a
typed range *From* D1 → *To* D2 as the start of D1 and the end of D2 *in the browser's time zone*,
and a backfill takes the runs whose logical date lies in that range. With logical dates at 10:00
UTC that range holds exactly the runs of D1…D2 for every browser offset from UTC−10:00 to
UTC+13:59 (all inhabited time zones but UTC−11/−12) — Shanghai, UTC and New York alike. A midnight
anchor could not: a UTC browser's range ``[D1 00:00Z, D2 23:59Z]`` holds the Shanghai midnights
that *start* D1+1…D2+1, dropping the first day typed.

Only publication dates are derived from scheduler time; report years always come from the
report text. Nothing here imports Airflow at module level."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

PORTAL_TZ = ZoneInfo("Asia/Shanghai")
PORTAL_TZ_NAME = "Asia/Shanghai"
RUN_HOUR = 18  # Asia/Shanghai: a day's run is labelled at D 18:00 (= D 10:00 UTC) and starts D+1 18:00
DAILY_CRON = f"0 {RUN_HOUR} * * *"
BROWSER_OFFSETS_OK = (timedelta(hours=-10), timedelta(hours=14))  # [low, high): backfill form exact

DATE_MAPPING_DOC = """
### Dates → publication days

Each run scrapes the reports **published on one day in Asia/Shanghai**, the day of its *logical
date* (shown as 18:00 Shanghai / 10:00 UTC of that day); it starts at 18:00 the next day.

* **Backfill form**: type the first and last publication day, e.g. *From* 2019-01-10 *To*
  2019-01-12 (no time): three runs, for the reports published on 10, 11 and 12 January — whatever
  your browser's or the UI's time zone (any offset from UTC−10:00 to UTC+13:59).
* **Shell / REST API**: give the start of the first day and the end of the last, e.g.
  `airflow backfill create --dag-id gongkai_daily --from-date 2019-01-10 --to-date 2019-01-12T23:59:59`
  (a bare `--to-date 2019-01-12` means 00:00 UTC of that day and leaves the 12th out).
* **Trigger with params**: `since` (first day) and `until` (the day *after* the last) override the
  run's day, e.g. the first full-history load.

Report years always come from the report text, never from these dates.
"""


@dataclass(frozen=True)
class Window:
    """Half-open ``[since, until)`` window of publication dates; ``None`` is unbounded."""

    since: date | None
    until: date | None

    def as_params(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    def days(self) -> list[date]:
        """Every publication day in a bounded window."""
        if self.since is None or self.until is None:
            raise ValueError("an unbounded window has no finite list of days")
        return [self.since + timedelta(days=i) for i in range((self.until - self.since).days)]


def daily_timetable() -> Any:
    """The ``gongkai_daily`` schedule: one data interval per publication day, anchored at 18:00
    Asia/Shanghai (imports Airflow: call it from a DAG file)."""
    from airflow.sdk import CronDataIntervalTimetable

    return CronDataIntervalTimetable(DAILY_CRON, timezone=PORTAL_TZ_NAME)


def run_label(day: date) -> datetime:
    """The logical date (UTC) of the run that scrapes publication day ``day``."""
    return datetime.combine(day, time(RUN_HOUR), PORTAL_TZ).astimezone(ZoneInfo("UTC"))


def local_date(moment: datetime) -> date:
    """The portal-local (Asia/Shanghai) calendar date of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: scheduler times must carry a timezone")
    return moment.astimezone(PORTAL_TZ).date()


def backfill_days(from_date: datetime, to_date: datetime) -> list[date]:
    """The publication days whose runs a backfill over ``[from_date, to_date]`` creates (Airflow
    takes the runs whose logical date lies in the closed range)."""
    if from_date.tzinfo is None or to_date.tzinfo is None:
        raise ValueError("backfill bounds must carry a timezone")
    first = local_date(from_date) - timedelta(days=1)
    days = []
    for i in range((to_date - from_date).days + 3):
        day = first + timedelta(days=i)
        if from_date <= run_label(day) <= to_date:
            days.append(day)
    return days


def browser_range(first: date, last: date, offset: timedelta) -> tuple[datetime, datetime]:
    """What the Airflow UI's backfill form sends for *From* ``first`` *To* ``last`` typed without
    a time in a browser (or UI time zone) at UTC ``offset``: the start of ``first`` and the end of
    ``last`` there, as UTC instants."""
    from datetime import timezone

    tz = timezone(offset)
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(last, time(23, 59, 59, 999000), tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def parse_iso_date(value: object, name: str) -> date | None:
    """``None``/empty → ``None``; an ISO date (or datetime) string → its date; else a clear error."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValueError(f"param {name!r} must be an ISO date like 2019-01-10, got {value!r}") from exc


def run_window(
    params: dict[str, object] | None,
    interval_start: datetime | None,
    interval_end: datetime | None,
) -> Window:
    """The window a run scrapes. Params ``since``/``until`` override the data interval; without
    them a run scrapes the Shanghai days its data interval starts on, up to (not including) the
    day it ends on — one publication day for a daily run."""
    params = params or {}
    since = parse_iso_date(params.get("since"), "since")
    until = parse_iso_date(params.get("until"), "until")
    if since is None and until is None:
        since = local_date(interval_start) if interval_start else None
        until = local_date(interval_end) if interval_end else None
    if since is not None and until is not None and since >= until:
        if since == until:  # a zero-width interval (manual trigger at a boundary): one day
            until = since + timedelta(days=1)
        else:
            raise ValueError(f"empty window: since {since} is after until {until}")
    return Window(since, until)

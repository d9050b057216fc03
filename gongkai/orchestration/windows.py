"""The date window a DAG run scrapes: the run's data interval as Asia/Shanghai dates, or the
``since``/``until`` params that override it (the first full-history load).

Only publication dates are derived from scheduler time; report years always come from the
report text (a UTC logical date is one day behind Asia/Shanghai around midnight)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

PORTAL_TZ = ZoneInfo("Asia/Shanghai")


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


def local_date(moment: datetime) -> date:
    """The portal-local (Asia/Shanghai) calendar date of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: scheduler times must carry a timezone")
    return moment.astimezone(PORTAL_TZ).date()


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
    """The window a run scrapes. Params ``since``/``until`` override the data interval."""
    params = params or {}
    since = parse_iso_date(params.get("since"), "since")
    until = parse_iso_date(params.get("until"), "until")
    if since is None and until is None:
        since = local_date(interval_start) if interval_start else None
        until = local_date(interval_end) if interval_end else None
    if since is not None and until is not None and since >= until:
        if since == until:  # a zero-width interval (manual trigger at a boundary): one day
            until = date.fromordinal(since.toordinal() + 1)
        else:
            raise ValueError(f"empty window: since {since} is after until {until}")
    return Window(since, until)

"""Portal-silence alert: a portal whose discovery returned nothing usable for ``N`` days is
reported, so a broken scraper does not look like a quiet day.

A portal is *heard* in a run when at least one of its columns' discovery got a successful
listing response (HTTP 2xx) — whether or not that day brought a new report. The last time each
portal was heard is kept in ``<home>/orchestration/portal_health.json`` (shared by workers
through the data volume).

Portal drift, per column: a column whose listing used to show items and now shows none, or whose
page no longer parses as its list mechanism (``ListPageError``: the mechanism or the page
structure changed), is *drifted*. Each column's last listing is kept in
``<home>/orchestration/column_health.json``; :func:`record_columns` alerts (log + e-mail, via
``alerts``) the first run a column drifts, and again after it recovered and drifted anew."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from gongkai.config import Settings
from gongkai.staging import scrape_status


@dataclass
class PortalHealth:
    portal: str
    heard: bool  # in this run
    last_heard: str | None  # ISO timestamp, UTC
    first_checked: str
    silent_days: float


def health_file(settings: Settings) -> Path:
    return settings.home / "orchestration" / "portal_health.json"


def discovery_heard(discovery: dict[str, Any]) -> bool:
    """Whether one column's discovery reached the portal: an error-free result with a 2xx
    listing request (or, when it carries no request log, any article refs)."""
    if discovery.get("error"):
        return False
    requests = discovery.get("fetch_log") or discovery.get("requests") or []
    statuses = [r.get("status") for r in requests if isinstance(r, dict)]
    if statuses:
        return any(isinstance(s, int) and 200 <= s < 300 for s in statuses)
    return bool(discovery.get("refs") or discovery.get("found"))


def record_discoveries(
    settings: Settings, discoveries: list[dict[str, Any]], *, now: datetime
) -> list[PortalHealth]:
    """Update the health file with this run's discoveries; return every portal's health. Each
    column's listing is recorded too (:func:`record_columns`), which alerts a column that drifted."""
    record_columns(settings, discoveries, now=now)
    path = health_file(settings)
    state: dict[str, dict[str, str | None]] = json.loads(path.read_text()) if path.exists() else {}
    heard: dict[str, bool] = {}
    for d in discoveries:
        portal = str(d.get("portal") or "?")
        heard[portal] = heard.get(portal, False) or discovery_heard(d)
    stamp = now.isoformat()
    out: list[PortalHealth] = []
    for portal, ok in sorted(heard.items()):
        entry = state.setdefault(portal, {"first_checked": stamp, "last_heard": None})
        if ok:
            entry["last_heard"] = stamp
        since = entry["last_heard"] or entry["first_checked"] or stamp
        silent = 0.0 if ok else (now - datetime.fromisoformat(since)).total_seconds() / 86400
        out.append(
            PortalHealth(portal, ok, entry["last_heard"], str(entry["first_checked"]), round(silent, 2))
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".health")
    with os.fdopen(fd, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, path)
    return out


def silent_portals(health: list[PortalHealth], days: float) -> list[dict[str, Any]]:
    """Portals not heard for at least ``days`` days (or never heard since first checked that long ago)."""
    return [asdict(h) for h in health if not h.heard and h.silent_days >= days]


@dataclass
class ColumnHealth:
    portal: str
    column: str
    status: str  # this run: ok | empty | drift | unreachable | error (gongkai.staging.scrape_status)
    listed: int  # list items seen in this run
    last_listed: str | None  # ISO timestamp of the last run that listed items
    drifted: bool  # it listed items before and now lists none, or its page no longer parses
    error: str | None = None


def column_health_file(settings: Settings) -> Path:
    return settings.home / "orchestration" / "column_health.json"


def record_columns(
    settings: Settings, discoveries: list[dict[str, Any]], *, now: datetime, notify: bool = True
) -> list[ColumnHealth]:
    """Update the column-health file with this run's discoveries and return each column's health.
    With ``notify``, a column that has just drifted (it was fine in its previous run) is alerted."""
    from gongkai.orchestration.alerts import alert, describe_drift

    path = column_health_file(settings)
    state: dict[str, dict[str, Any]] = json.loads(path.read_text()) if path.exists() else {}
    stamp = now.isoformat()
    out: list[ColumnHealth] = []
    for d in discoveries:
        key = f"{d.get('portal')}/{d.get('column')}"
        entry = state.setdefault(key, {"last_listed": None, "drifted": False})
        listed = int(d.get("listed") or 0)
        status = scrape_status(d.get("error"), listed)
        if listed:
            entry["last_listed"] = stamp
        drifted = status == "drift" or (status == "empty" and entry["last_listed"] is not None)
        health = ColumnHealth(
            str(d.get("portal")), str(d.get("column")), status, listed, entry["last_listed"], drifted,
            d.get("error"),
        )
        if drifted and not entry["drifted"] and notify:
            alert(*describe_drift(asdict(health)))
        entry["drifted"] = drifted
        out.append(health)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".columns")
    with os.fdopen(fd, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    os.replace(tmp, path)
    return out


def drifted_columns(health: list[ColumnHealth]) -> list[dict[str, Any]]:
    """The columns that drifted in this run (whether or not already alerted)."""
    return [asdict(h) for h in health if h.drifted]

"""Portal-silence alert: a portal whose discovery returned nothing usable for ``N`` days is
reported, so a broken scraper does not look like a quiet day.

A portal is *heard* in a run when at least one of its columns' discovery got a successful
listing response (HTTP 2xx) — whether or not that day brought a new report. The last time each
portal was heard is kept in ``<home>/orchestration/portal_health.json`` (shared by workers
through the data volume)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from gongkai.config import Settings

DEFAULT_SILENCE_DAYS = 3


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
    """Update the health file with this run's discoveries; return every portal's health."""
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

"""Discovery by interval: the report articles of one column published in ``[since, until)``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from gongkai.config import Settings
from scrapers import jpaas, jpage, xxgk
from scrapers.http import FetchError, HttpClient
from scrapers.recognise import is_report_item
from scrapers.registry import Column, Portal

ADAPTERS = {"jpage": jpage.iter_pages, "jpaas": jpaas.iter_pages, "xxgk": xxgk.iter_pages}


@dataclass
class DiscoveryResult:
    """What one column's discovery found (JSON-serialisable: dates as ISO strings)."""

    portal: str
    column: str
    mechanism: str
    since: str | None
    until: str | None
    refs: list[dict] = field(default_factory=list)  # report articles: url, title, published, agency...
    listed: int = 0  # list items seen (reports and others, deduplicated)
    list_requests: int = 0
    newest: str | None = None  # newest date listed (for the column watermark)
    complete: bool = False  # paging reached `since` (or the end) without error
    error: str | None = None
    fetch_log: list[dict] = field(default_factory=list)


def make_client(settings: Settings, portal: Portal) -> HttpClient:
    """A polite client for ``portal``; ``settings.extra`` may tune max_download_bytes, retry_backoff."""
    return HttpClient(
        allowed_hosts=portal.allowed_hosts(settings),
        interval=settings.request_interval,
        max_bytes=int(settings.extra.get("max_download_bytes", 50 * 1024 * 1024)),
        backoff=float(settings.extra.get("retry_backoff", 0.25)),
    )


def discover(
    settings: Settings,
    portal: Portal,
    column: Column,
    since: date | None,
    until: date | None,
    *,
    stop_before: date | None = None,
    client: HttpClient | None = None,
) -> DiscoveryResult:
    """Page through ``column`` newest first; stop once a page reaches items older than the lower
    bound: ``since``, or, for an open interval, ``stop_before`` (the column's watermark: every
    report listed before it is landed already)."""
    client = client or make_client(settings, portal)
    base = portal.base_url(settings)
    lower = since or stop_before  # an explicit interval is always listed in full
    result = DiscoveryResult(
        portal.name,
        column.id,
        column.mechanism,
        since.isoformat() if since else None,
        until.isoformat() if until else None,
    )
    seen: set[str] = set()
    before = len(client.log)
    try:
        for items in ADAPTERS[column.mechanism](client, portal, column, base):
            for item in items:
                if item.url in seen:
                    continue  # PC + mobile copies of a list, overlapping pages
                seen.add(item.url)
                result.listed += 1
                if item.published and (result.newest is None or item.published.isoformat() > result.newest):
                    result.newest = item.published.isoformat()
                if (
                    item.published is None
                    or (since and item.published < since)
                    or (until and item.published >= until)
                ):
                    continue
                if lower and item.published < lower:
                    continue
                if not is_report_item(item.title, item.category):
                    continue
                result.refs.append(
                    {
                        "url": item.url,
                        "title": item.title,
                        "published": item.published.isoformat(),
                        "portal": portal.name,
                        "column_id": column.id,
                        "agency_code": column.agency_code,
                        "agency_name": column.agency_name,
                        "is_synthetic": portal.synthetic,
                    }
                )
            dated = [i.published for i in items if i.published]
            if lower and dated and min(dated) < lower:
                break  # newest first: every later page is older still
        result.complete = True
    except FetchError as exc:
        result.error = f"FetchError: {exc}"
    except Exception as exc:  # an unexpected page layout: a failure row with its reason, not a crash
        result.error = f"{type(exc).__name__}: {exc}"
    result.fetch_log = [dataclasses.asdict(r) for r in client.log[before:]]
    result.list_requests = sum(1 for r in result.fetch_log if not r["url"].endswith("/robots.txt"))
    return result

"""Discovery by interval: the report articles of one column published in ``[since, until)``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from gongkai.config import Settings
from scrapers import jpaas, jpage, xxgk
from scrapers.http import DEADLINE, FetchError, HttpClient
from scrapers.identity import canonical_url, fetch_url
from scrapers.listing import ListPageError
from scrapers.recognise import is_report_item
from scrapers.registry import Column, Portal

MAX_LIST_PAGES = 500  # list pages per column and run (a full backfill of a big column is ~100)
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
    """A polite client for ``portal`` (settings: request_interval, max_download_bytes, retry_backoff)."""
    return HttpClient(
        allowed_hosts=portal.allowed_hosts(settings),
        interval=settings.request_interval,
        max_bytes=settings.max_download_bytes,
        backoff=settings.retry_backoff,
        deadline=float(getattr(settings, "request_deadline_s", DEADLINE)),
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
    max_pages = int(getattr(settings, "max_list_pages", MAX_LIST_PAGES))
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
        for page_no, items in enumerate(ADAPTERS[column.mechanism](client, portal, column, base), 1):
            if page_no > max_pages:
                raise ListPageError(f"more than {max_pages} list pages: stopped at the page cap")
            if page_no > 1 and items and all(canonical_url(item.url) in seen for item in items):
                raise ListPageError(f"page {page_no} repeats items already listed: the portal ignores paging")
            for item in items:
                key = canonical_url(item.url)  # one article under several URL spellings
                if key in seen:
                    continue  # PC + mobile copies of a list, overlapping pages, tracking query strings
                seen.add(key)
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
                        "url": fetch_url(item.url),
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
            if lower and dated and dated[-1] < lower:
                # newest first, except items pinned to the top: the page's last item decides
                break
        if result.listed == 0 and stop_before is not None:
            raise ListPageError(
                "the column listed nothing although it listed reports before (watermark "
                f"{stop_before.isoformat()}): its list mechanism or page structure changed"
            )
        result.complete = True
    except ListPageError as exc:
        result.error = f"ListPageError: {exc}"
    except FetchError as exc:
        blocked = "blocked (bot defence?): " if exc.status in (403, 412, 521) else ""
        result.error = f"FetchError: {blocked}{exc}"
    except Exception as exc:  # an unexpected page layout: a failure row with its reason, not a crash
        result.error = f"{type(exc).__name__}: {exc}"
    result.fetch_log = [dataclasses.asdict(r) for r in client.log[before:]]
    result.list_requests = sum(1 for r in result.fetch_log if not r["url"].endswith("/robots.txt"))
    return result

"""xxgk adapter: the information-disclosure module's list for one unit (``area``), paged by
``currpage``; report rows carry 组配分类 = 政府信息公开年报. ``annual_report_url`` is the module's
direct lookup of one unit's report for one year."""

from __future__ import annotations

import re
from collections.abc import Iterator

from scrapers.http import HttpClient
from scrapers.listing import ListItem, parse_items
from scrapers.registry import Column, Portal


def iter_pages(client: HttpClient, portal: Portal, column: Column, base: str) -> Iterator[list[ListItem]]:
    page_no = 1
    while True:
        url = f"{base}/module/xxgk/search.jsp?area={column.area}&currpage={page_no}"
        page = client.get(url).content.decode("utf-8", "replace")
        items = parse_items(page, base)
        yield items
        m = re.search(r'data-pages="(\d+)"', page)
        pages = int(m.group(1)) if m else page_no
        if not items or page_no >= pages:
            return
        page_no += 1


def annual_report_url(base: str, column: Column, year: int) -> str:
    return f"{base}/module/xxgk/xxgkAnnualReport.jsp?fbtime={year}&area={column.area}"

"""xxgk adapter: the information-disclosure module's list for one unit (``area``), paged by
``currpage``; report rows carry 组配分类 = 政府信息公开年报. ``annual_report_url`` is the module's
direct lookup of one unit's report for one year.

The number of pages is read as real pages print it (``共N页``), else from the pager's last
``currpage=N`` link, else from ``共N条`` and the first page's size; when a page says none of these,
pages are read until one brings nothing new. Every page is read: a list is complete only then.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from scrapers.http import HttpClient
from scrapers.listing import ListItem, ListPageError, check_list_page, parse_items
from scrapers.registry import Column, Portal

SEARCH = "/module/xxgk/search.jsp"


def page_count(page: str, first_page_size: int) -> int | None:
    """How many pages the list has, as the page says it (``None`` when it does not)."""
    m = re.search(r'data-pages="(\d+)"', page) or re.search(r"共\s*(?:&nbsp;|\s)*(\d+)\s*(?:&nbsp;|\s)*页", page)
    if m:
        return int(m.group(1))
    pager = [int(n) for n in re.findall(r"currpage=(\d+)", page)]
    if pager:
        return max(pager)
    total = re.search(r"共\s*(?:&nbsp;|\s)*(\d+)\s*(?:&nbsp;|\s)*条", page)
    if total and first_page_size:
        return max(1, math.ceil(int(total.group(1)) / first_page_size))
    return None


def search_url(base: str, portal: Portal, column: Column, page_no: int) -> str:
    params = {"jdid": portal.webid, "area": column.area, "currpage": page_no}
    return f"{base}{SEARCH}?{urlencode(params)}"


def iter_pages(client: HttpClient, portal: Portal, column: Column, base: str) -> Iterator[list[ListItem]]:
    page_no, pages, first_size = 1, None, 0
    seen: set[str] = set()
    while True:
        url = search_url(base, portal, column, page_no)
        page = client.get(url, referer=base + "/").content.decode("utf-8", "replace")
        check_list_page(page, url)
        items = parse_items(page, base)
        if page_no == 1:
            first_size = len(items)
            pages = page_count(page, first_size)
            if not items and pages is None and not re.search(r"共\s*0\s*条|暂无", page):
                raise ListPageError(f"mechanism changed: no xxgk list rows or pager on {url}")
        new = [i for i in items if i.url not in seen]
        seen.update(i.url for i in items)
        if pages is None and not new and page_no > 1:
            return  # no page count: stop at the first page with nothing new
        yield items
        if pages is not None:
            if page_no >= pages:
                return
            if not items:
                raise ListPageError(f"xxgk page {page_no} of {pages} is empty ({url})")
        elif not items:
            return
        page_no += 1


def annual_report_url(base: str, column: Column, year: int) -> str:
    return f"{base}/module/xxgk/xxgkAnnualReport.jsp?fbtime={year}&area={column.area}"

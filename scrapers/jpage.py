"""jpage adapter: Hanweb column page with an embedded ``<datastore>``, further pages by POST to
the page's ``proxyUrl`` (``/module/jpage/dataproxy.jsp`` in Zhejiang)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from scrapers.http import HttpClient
from scrapers.listing import ListItem, parse_items
from scrapers.registry import Column, Portal

_RECORDS = re.compile(r"<record><!\[CDATA\[(.*?)\]\]></record>", re.S)


def _int(pattern: str, text: str, default: int) -> int:
    m = re.search(pattern, text)
    return int(m.group(1)) if m else default


def _ajax_param(page: str, portal: Portal, column: Column) -> dict[str, str]:
    m = re.search(r"ajaxParam\s*:\s*(\{.*?\})", page, re.S)
    params: dict[str, str] = {}
    if m:
        try:
            params = {k: str(v) for k, v in json.loads(m.group(1)).items()}
        except json.JSONDecodeError:
            pairs = re.findall(r"(\w+)\s*:\s*['\"]?([^,'\"}]*)", m.group(1))
            params = {k: v.strip() for k, v in pairs}
    defaults = {
        "col": "1",
        "appid": "1",
        "webid": portal.webid,
        "path": "/",
        "columnid": column.id,
        "sourceContentType": "1",
        "unitid": column.unitid,
        "webname": portal.webname,
        "permissiontype": "0",
    }
    return {**defaults, **params}


def iter_pages(client: HttpClient, portal: Portal, column: Column, base: str) -> Iterator[list[ListItem]]:
    """Pages of list items, newest first. The first comes from the column page itself."""
    col_url = f"{base}/col/col{column.id}/index.html"
    page = client.get(col_url).content.decode("utf-8", "replace")
    records = list(dict.fromkeys(_RECORDS.findall(page)))  # the list may be embedded twice (PC + mobile)
    yield parse_items("".join(records), base)
    total = _int(r"totalRecord\s*[:=]\s*(\d+)", page, len(records))
    per_page = _int(r"perPage\s*[:=]\s*(\d+)", page, 15)
    proxy = re.search(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", page)
    proxy_url = base + (proxy.group(1) if proxy else "/module/jpage/dataproxy.jsp")
    form = _ajax_param(page, portal, column)
    got = len(records)
    step = 3 * per_page
    while got < total and records:
        start, end = got + 1, got + step
        resp = client.request(
            "POST",
            f"{proxy_url}?startrecord={start}&endrecord={end}&perpage={per_page}",
            data=form,
            referer=col_url,
        )
        xml = resp.content.decode("utf-8", "replace")
        records = _RECORDS.findall(xml)
        total = _int(r"<totalrecord>(\d+)</totalrecord>", xml, total)
        got = end
        yield parse_items("".join(records), base)

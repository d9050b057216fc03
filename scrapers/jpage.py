"""jpage adapter: Hanweb column page with an embedded ``<datastore>``, further pages by POST to
the page's ``proxyUrl`` (``/module/jpage/dataproxy.jsp`` in Zhejiang).

A page may carry several jpage units (a sidebar list, a PC and a mobile copy of the list). The
column's unit is the one whose ``unitid`` the registry names, else whose ``ajaxParam`` names the
column, else the largest. A page with no datastore and no pager is not a jpage column (any more):
that is an error with the reason, never an empty, complete list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from scrapers.http import HttpClient
from scrapers.listing import ListItem, ListPageError, check_list_page, parse_items
from scrapers.registry import Column, Portal

_RECORDS = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_STORE = re.compile(r"<script[^>]*type=['\"]text/xml['\"][^>]*>\s*<datastore>(.*?)</datastore>", re.S | re.I)
_PAGER = re.compile(r"\.jpage\s*\(|totalRecord\s*[:=]")


@dataclass
class JpageUnit:
    """One jpage list on a column page: its embedded records and its pager settings."""

    unitid: str = ""
    records: list[str] = field(default_factory=list)
    total: int | None = None
    per_page: int = 15
    proxy_url: str = "/module/jpage/dataproxy.jsp"
    ajax: dict[str, str] = field(default_factory=dict)


def _int(pattern: str, text: str, default: int | None) -> int | None:
    m = re.search(pattern, text)
    return int(m.group(1)) if m else default


def _object_after(text: str, key: str) -> str | None:
    """The ``{...}`` literal following ``key:`` (balanced braces)."""
    m = re.search(rf"{key}\s*:\s*\{{", text)
    if not m:
        return None
    depth, start = 0, m.end() - 1
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start : i + 1]
    return None


def _ajax_param(pager: str) -> dict[str, str]:
    literal = _object_after(pager, "ajaxParam")
    if not literal:
        return {}
    try:
        return {k: str(v) for k, v in json.loads(literal).items()}
    except json.JSONDecodeError:  # a JS object literal: unquoted keys, single-quoted values
        pairs = re.findall(r"['\"]?(\w+)['\"]?\s*:\s*['\"]?([^,'\"}]*)", literal)
        return {k: v.strip() for k, v in pairs}


def _pagers(page: str) -> list[tuple[str, str]]:
    """``(unit id or "", pager script text)`` for each jpage initialisation on the page."""
    starts = [m.start() for m in re.finditer(r"\.jpage\s*\(", page)]
    if not starts:
        starts = [m.start() for m in re.finditer(r"totalRecord\s*[:=]", page)]
    out = []
    for i, at in enumerate(starts):
        text = page[max(0, at - 40) : starts[i + 1] if i + 1 < len(starts) else len(page)]
        unit = re.search(r"#([\w-]+)['\"]\s*\)\s*\.jpage", text) or re.search(r"unitid['\"]?\s*:\s*['\"]?(\d+)", text)
        out.append((unit.group(1) if unit else "", text))
    return out


def page_units(page: str) -> list[JpageUnit]:
    """Every jpage unit on a column page (datastores joined with their pager by unit id, else in order)."""
    stores: list[tuple[str, list[str]]] = []
    for m in _STORE.finditer(page):
        before = page[max(0, m.start() - 300) : m.start()]
        ids = re.findall(r"<div[^>]*\bid=['\"]([\w-]+)['\"][^>]*>\s*$", before)
        stores.append((ids[-1] if ids else "", _RECORDS.findall(m.group(1))))
    units: list[JpageUnit] = []
    used: set[int] = set()
    for i, (unit_id, text) in enumerate(_pagers(page)):
        unit = JpageUnit(unitid=unit_id)
        unit.total = _int(r"totalRecord\s*[:=]\s*['\"]?(\d+)", text, None)
        unit.per_page = _int(r"perPage\s*[:=]\s*['\"]?(\d+)", text, 15) or 15
        proxy = re.search(r"proxyUrl\s*[:=]\s*['\"]([^'\"]+)['\"]", text)
        if proxy:
            unit.proxy_url = proxy.group(1)
        unit.ajax = _ajax_param(text)
        unit.unitid = unit.unitid or unit.ajax.get("unitid", "")
        match = next((j for j, (sid, _) in enumerate(stores) if sid and sid == unit.unitid and j not in used), None)
        if match is None and i < len(stores) and i not in used and not stores[i][0]:
            match = i
        if match is not None:
            used.add(match)
            unit.records = stores[match][1]
        units.append(unit)
    for j, (sid, records) in enumerate(stores):  # datastores without a pager (a one-page list)
        if j not in used and not any(u.unitid and u.unitid == sid for u in units):
            units.append(JpageUnit(unitid=sid, records=records, total=len(records)))
    return units


def choose_unit(units: list[JpageUnit], column: Column) -> JpageUnit | None:
    """The column's list among the page's jpage units (see the module docstring); a registry unitid
    that is on the page no more, among several units none of which names the column, is an error."""
    if not units:
        return None
    for unit in units:
        if column.unitid and unit.unitid == column.unitid:
            return unit
    for unit in units:
        if unit.ajax.get("columnid") == column.id:
            return unit
    if column.unitid and len(units) > 1:  # the registry's unit is gone: a guess could be a sidebar
        found = ", ".join(u.unitid or "?" for u in units)
        raise ListPageError(f"unitid {column.unitid} is not on the column page (units: {found}): probe it again")
    return max(units, key=lambda u: (u.total or 0, len(u.records)))


def _form(unit: JpageUnit, portal: Portal, column: Column) -> dict[str, str]:
    defaults = {
        "col": "1",
        "appid": "1",
        "webid": portal.webid,
        "path": "/",
        "columnid": column.id,
        "sourceContentType": "1",
        "unitid": unit.unitid or column.unitid,
        "webname": portal.webname,
        "permissiontype": "0",
    }
    return {**defaults, **unit.ajax}


def iter_pages(client: HttpClient, portal: Portal, column: Column, base: str) -> Iterator[list[ListItem]]:
    """Pages of list items, newest first. The first comes from the column page itself."""
    col_url = f"{base}/col/col{column.id}/index.html"
    page = client.get(col_url, referer=base + "/").content.decode("utf-8", "replace")
    check_list_page(page, col_url)
    unit = choose_unit(page_units(page), column)
    if unit is None:
        hint = " (the page carries jpaas queryData: the column moved to jpaas)" if "queryData" in page else ""
        raise ListPageError(f"mechanism changed: no jpage datastore or pager on {col_url}{hint}")
    yield parse_items("".join(unit.records), base)
    total = unit.total if unit.total is not None else len(unit.records)
    proxy_url = unit.proxy_url if unit.proxy_url.startswith("http") else base + unit.proxy_url
    form = _form(unit, portal, column)
    got = len(unit.records)
    step = 3 * unit.per_page
    while got < total:
        start, end = got + 1, got + step
        url = f"{proxy_url}?startrecord={start}&endrecord={end}&perpage={unit.per_page}"
        xml = client.request("POST", url, data=form, referer=col_url).content.decode("utf-8", "replace")
        check_list_page(xml, url)
        records = _RECORDS.findall(xml)
        total = _int(r"<totalrecord>\s*(\d+)\s*</totalrecord>", xml, total) or 0
        if not records:
            if got < total:
                raise ListPageError(f"dataproxy returned no records for {start}-{end} of {total} ({url})")
            return
        got += len(records)  # a server that caps a reply below the range: ask again from there
        yield parse_items("".join(records), base)

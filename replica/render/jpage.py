"""jpage: the column page with its embedded ``<datastore>`` and ``/module/jpage/dataproxy.jsp``.

Real-shaped pages (``column.real``) carry a sidebar jpage unit before the list, the pager init
as a JavaScript object literal (``ajaxParam:{col:1,…,unitid:'…'}``), and a mobile copy of the
list in different markup; ``dataproxy.jsp`` answers an empty recordset when ``unitid`` does not
belong to ``columnid`` (as real servers do).
"""

from __future__ import annotations

import html
import json

from replica import faults as fault_hooks
from replica.render import Response, html_page
from replica.render.lists import li
from replica.render.model import ListColumn, ordered
from replica.site import Article

PER_PAGE_SEEDS = 5  # the seeds site: 5 a page, 3 pages embedded and per dataproxy call
PER_PAGE_REAL = 15
SIDEBAR_UNIT = "5918227"


def per_page(col: ListColumn) -> int:
    return PER_PAGE_REAL if col.real else PER_PAGE_SEEDS


def _style(col: ListColumn) -> str:
    return col.list_style if col.real else "legacy"


def records(items: list[Article], style: str, base: str = "") -> str:
    return "".join(f"<record><![CDATA[{li(a, style, base)}]]></record>\n" for a in items)


def _store(col: ListColumn, unit: str, items: list[Article], style: str, base: str) -> str:
    nextgroup = (
        f'<a href="/module/jpage/dataproxy.jsp?page=1&appid=1&webid={col.webid}&path=/&columnid={col.id}'
        f'&unitid={unit}&webname=replica&permissiontype=0"></a>'
    )
    return (
        f'<script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>'
        f"<recordset>{records(items, style, base)}</recordset></datastore></script>"
    )


def column_page(col: ListColumn, items: list[Article], faults: set[str], base: str) -> Response:
    items = ordered(items)
    total = fault_hooks.list_total(faults, len(items))
    n = per_page(col)
    unit = col.unitid
    style = _style(col)
    store = _store(col, unit, items[: 3 * n], style, base)
    extra = fault_hooks.extra_list_html(faults, unit, store)
    if not col.real:
        ajax = json.dumps(
            {
                "col": 1,
                "appid": 1,
                "webid": 1,
                "path": "/",
                "columnid": col.id,
                "sourceContentType": 1,
                "unitid": unit,
                "webname": "replica",
                "permissiontype": 0,
            },
            ensure_ascii=False,
        )
        pager = (
            f"<script>$(function(){{ $('#{unit}').jpage({{ dataStore: null, totalRecord: {total}, "
            f"perPage: {n}, proxyUrl: '/module/jpage/dataproxy.jsp', ajaxParam: {ajax} }}); }});</script>"
        )
        return html_page(f'<div id="{unit}">{store}</div>{pager}{extra}', html.escape(col.title))
    sidebar_items = [a for a in items if not a.is_report][:5]  # another unit's list, first on the page
    sidebar = (
        f'<div class="side-hot" id="{SIDEBAR_UNIT}">{_store(col, SIDEBAR_UNIT, sidebar_items, "plain", base)}</div>'
        f"<script>$(function(){{ $('#{SIDEBAR_UNIT}').jpage({{ dataStore: null, totalRecord:{len(sidebar_items)}, "
        f"openCookies:false, perPage:5, proxyUrl:'/module/jpage/dataproxy.jsp', "
        f"ajaxParam:{{col:1,appid:1,webid:{col.webid},path:'/',columnid:1229000099,sourceContentType:1,"
        f"unitid:'{SIDEBAR_UNIT}',webname:'热点信息',permissiontype:0}}, barPosition:'bottom' }}); }});</script>"
    )
    pager = (
        f"<script>$(function(){{ $('#{unit}').jpage({{ dataStore: null, totalRecord:{total}, "
        f"openCookies:false, perPage:{n}, proxyUrl:'/module/jpage/dataproxy.jsp', "
        f"ajaxParam:{{col:1,appid:1,webid:{col.webid},path:'/',columnid:{col.id},sourceContentType:1,"
        f"unitid:'{unit}',webname:'{html.escape(col.title)}',permissiontype:0}}, barPosition:'bottom' }}); }});</script>"
    )
    mobile = f'<div class="m-list" id="m{unit}">{_store(col, "m" + unit, items[:n], "mobile", base)}</div>'
    body = (
        f'<div class="nav">首页 &gt; 政府信息公开 &gt; {html.escape(col.title)}</div>{sidebar}'
        f'<div class="list-main"><div id="{unit}">{store}</div>{pager}</div>{mobile}{extra}'
    )
    return html_page(body, html.escape(col.title))


def dataproxy(
    col: ListColumn | None, items: list[Article], q: dict, form: dict, faults: set[str], base: str
) -> Response:
    if col is None:
        return Response(404, b"no such column")
    items = ordered(items)
    n = per_page(col)
    unitid = (form.get("unitid") or [""])[0]
    if col.real and unitid and unitid.strip("'\"") != col.unitid:
        items = []  # columnid and unitid go together; a foreign unitid gets nothing
    start = int((q.get("startrecord") or ["1"])[0])
    end = int((q.get("endrecord") or [str(start + 3 * n - 1)])[0])
    start = fault_hooks.list_offset(faults, start - 1) + 1
    chunk = items[start - 1 : end]
    total_pages = -(-len(items) // n)
    xml = (
        f"<?xml version='1.0' encoding='UTF-8'?><datastore>"
        f"<totalrecord>{fault_hooks.list_total(faults, len(items))}</totalrecord>"
        f"<totalpage>{total_pages}</totalpage><nextgroup/><recordset>{records(chunk, _style(col), base)}"
        f"</recordset></datastore>"
    )
    return Response(200, xml.encode("utf-8"), "text/xml; charset=UTF-8")

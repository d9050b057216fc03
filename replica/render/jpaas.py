"""jpaas: the column page's ``queryData`` units and the api-gateway JSON list.

Real-shaped pages carry ``queryData`` single-quoted on a ``<script url=… queryData=…>`` (a
navigation unit first, then the list unit) and the API checks ``tplSetId``/``tagId``/``webId``
(a wrong one gets ``success:false``); both ``bulidstatic`` (the real misspelling) and
``buildstatic`` are accepted.
"""

from __future__ import annotations

import html
import json

from replica import faults as fault_hooks
from replica.render import Response, html_page
from replica.render.lists import li
from replica.render.model import ListColumn, ordered
from replica.site import Article

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
PAGE_SIZE_SEEDS = 10
PAGE_SIZE_REAL = 15
NAV_TAG = "头部导航"


def _script(query: dict) -> str:
    q = "{" + ",".join(f"'{k}':'{v}'" for k, v in query.items()) + "}"
    return (
        f'<script type="text/javascript" src="/module/jpaas/unitbuild.js" url="{API}" '
        f'queryData="{html.escape(q, quote=False)}"></script>'
    )


def column_page(col: ListColumn) -> Response:
    if not col.real:
        query = json.dumps(
            {
                "webId": "1",
                "tplSetId": col.tpl_set_id or "tpl",
                "tagId": col.tag_id or "list",
                "pageId": col.id,
                "pageSize": PAGE_SIZE_SEEDS,
            },
            ensure_ascii=False,
        )
        body = f'<div class="jpaas-list" queryData="{html.escape(query, quote=True)}"></div>'
        return html_page(body, html.escape(col.title))
    common = {"webId": col.webid, "tplSetId": col.tpl_set_id, "pageType": "column"}
    nav = _script({**common, "tagId": NAV_TAG, "editType": "null", "pageId": col.id})
    lst = _script({**common, "tagId": col.tag_id, "editType": "null", "pageId": col.id})
    body = (
        f'<meta name="ColId" content="{col.id}"><div class="header">{nav}</div>'
        f'<div class="main"><div class="position">首页 &gt; {html.escape(col.title)}</div>'
        f'<div id="{html.escape(col.tag_id)}" class="list-con">{lst}</div></div>'
    )
    return html_page(body, html.escape(col.title))


def api(col: ListColumn | None, items: list[Article], q: dict, faults: set[str]) -> Response:
    def fail(message: str) -> Response:
        return Response(
            200,
            json.dumps({"success": False, "message": message}, ensure_ascii=False).encode(),
            "application/json; charset=UTF-8",
        )

    def arg(name: str) -> str:
        return (q.get(name) or [""])[0]

    if col is None:
        return fail("bad request")
    parse_type = arg("parseType")
    if parse_type != "bulidstatic" and not (col.real and parse_type == "buildstatic"):
        return fail("bad request")
    if col.real:
        if arg("tplSetId") != col.tpl_set_id or arg("webId") != col.webid:
            return fail("模板不存在")
        if arg("tagId") == NAV_TAG:
            frag = '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/col/col1229500001/index.html">政府信息公开</a></li></ul>'
            return Response(
                200,
                json.dumps({"success": True, "data": {"html": frag}}, ensure_ascii=False).encode(),
                "application/json; charset=UTF-8",
            )
        if arg("tagId") != col.tag_id:
            return fail("标签不存在")
    param = json.loads(arg("paramJson") or "{}")
    default = PAGE_SIZE_REAL if col.real else PAGE_SIZE_SEEDS
    page_no, size = int(param.get("pageNo", 1)), int(param.get("pageSize", default))
    items = ordered(items)
    lo = fault_hooks.list_offset(faults, (page_no - 1) * size)
    chunk = items[lo : page_no * size]
    style = "cf" if col.real else "legacy"
    lis = "".join(li(a, style) for a in chunk)
    total = fault_hooks.list_total(faults, len(items))
    frag = f'<div class="list" count="{total}" pageSize="{size}"><ul>{lis}</ul></div>'
    if col.real:
        frag = (
            f'<div class="page-content"><ul>{lis}</ul></div>'
            f'<div class="pagination" count="{total}" pagesize="{size}" pageno="{page_no}"></div>'
        )
    return Response(
        200,
        json.dumps({"success": True, "data": {"html": frag}}, ensure_ascii=False).encode("utf-8"),
        "application/json; charset=UTF-8",
    )

"""jpaas adapter: the column page's ``queryData`` attribute, then the api-gateway JSON pages
(``parseType=bulidstatic`` -- the misspelling is the real one)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from scrapers.http import HttpClient
from scrapers.listing import ListItem, parse_items
from scrapers.registry import Column, Portal

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def iter_pages(client: HttpClient, portal: Portal, column: Column, base: str) -> Iterator[list[ListItem]]:
    col_url = f"{base}/col/col{column.id}/index.html"
    query: dict = {}
    if not (column.tpl_set_id and column.tag_id):  # not in the registry: read the column page's queryData
        page = client.get(col_url).content.decode("utf-8", "replace")
        m = re.search(r'queryData="([^"]*)"', page)
        query = json.loads(html.unescape(m.group(1))) if m else {}
    size = int(query.get("pageSize", 10))
    page_no, seen = 1, 0
    while True:
        params = {
            "parseType": "bulidstatic",
            "webId": query.get("webId", portal.webid),
            "tplSetId": query.get("tplSetId", column.tpl_set_id),
            "pageType": "column",
            "tagId": query.get("tagId", column.tag_id),
            "editType": "null",
            "pageId": query.get("pageId", column.id),
            "paramJson": json.dumps({"pageNo": page_no, "pageSize": size}, separators=(",", ":")),
        }
        resp = client.get(f"{base}{API}?{urlencode(params)}", referer=col_url)
        payload = json.loads(resp.content.decode("utf-8"))
        if not payload.get("success"):
            raise ValueError(f"jpaas error: {payload.get('message')}")
        frag = payload["data"]["html"]
        count = re.search(r'count="(\d+)"', frag)
        total = int(count.group(1)) if count else 0
        items = parse_items(frag, base)
        yield items
        seen = page_no * size
        if not items or seen >= total:
            return
        page_no += 1

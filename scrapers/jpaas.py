"""jpaas adapter: the column page's ``queryData`` attribute, then the api-gateway JSON pages
(``parseType=bulidstatic`` -- the misspelling is the real one).

Real pages carry ``queryData`` single-quoted on the ``<script url=…/build/unit …>`` that loads
``unitbuild.js`` (which turns ``'`` into ``"`` before ``JSON.parse``); a page may hold several units
(navigation, sidebar, the list), and the list is the unit whose ``tagId`` the registry names, else
one named like a list (分页列表, 信息列表, …). Real ``tplSetId`` values are 21 characters; registry
values are used as given, and when the API rejects them the page's own values are read instead.
"""

from __future__ import annotations

import ast
import html
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from scrapers.http import HttpClient
from scrapers.listing import ListItem, ListPageError, check_list_page, parse_items
from scrapers.registry import Column, Portal

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
TPL_SET_ID = re.compile(r"^[A-Za-z0-9]{21}$")
_QUERY = re.compile(r"""\bquerydata\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_LIST_TAG = re.compile(r"列表|list|分页|栏目|信息", re.I)
_NOT_LIST_TAG = re.compile(r"导航|nav|banner|头部|底部|footer|header|menu|菜单|位置|面包屑", re.I)


def parse_query_data(raw: str) -> dict:
    """One ``queryData`` value: JSON, or the single-quoted object real pages carry."""
    text = html.unescape(raw).strip()
    for attempt in (text, text.replace("'", '"')):
        try:
            value = json.loads(attempt)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise ListPageError(f"unreadable jpaas queryData {text[:80]!r}: {exc}") from exc
    if not isinstance(value, dict):
        raise ListPageError(f"unreadable jpaas queryData {text[:80]!r}")
    return value


def page_units(page: str) -> list[dict]:
    """Every jpaas unit's ``queryData`` on a column page, in page order."""
    return [parse_query_data(m.group(1) if m.group(1) is not None else m.group(2)) for m in _QUERY.finditer(page)]


def choose_unit(units: list[dict], column: Column) -> dict | None:
    """The column's list unit: the registry's ``tagId``, else a list-like ``tagId`` on this column."""
    if not units:
        return None
    if column.tag_id:
        named = [u for u in units if str(u.get("tagId")) == column.tag_id]
        if named:
            return named[0]
    own = [u for u in units if str(u.get("pageId", column.id)) == column.id] or units

    def score(unit: dict) -> int:
        tag = str(unit.get("tagId", ""))
        if _NOT_LIST_TAG.search(tag):
            return -1
        return 4 * ("分页" in tag) + 2 * ("当前栏目" in tag) + bool(_LIST_TAG.search(tag))

    return max(own, key=score)  # the first of the best-scored units


def _read_page_query(client: HttpClient, column: Column, col_url: str, base: str) -> dict:
    page = client.get(col_url, referer=base + "/").content.decode("utf-8", "replace")
    check_list_page(page, col_url)
    unit = choose_unit(page_units(page), column)
    if unit is None:
        hint = " (the page carries a jpage datastore: the column is jpage)" if "<datastore>" in page else ""
        raise ListPageError(f"mechanism changed: no jpaas queryData on {col_url}{hint}")
    return unit


def _unit_page(client: HttpClient, base: str, col_url: str, query: dict, page_no: int, size: int) -> dict:
    params = {
        "parseType": "bulidstatic",
        "webId": query["webId"],
        "tplSetId": query["tplSetId"],
        "pageType": query.get("pageType") or "column",
        "tagId": query["tagId"],
        "editType": query.get("editType") or "null",
        "pageId": query["pageId"],
        "paramJson": json.dumps({"pageNo": page_no, "pageSize": size}, separators=(",", ":")),
    }
    url = f"{base}{API}?{urlencode(params)}"
    text = client.get(url, referer=col_url).content.decode("utf-8", "replace")
    check_list_page(text, url)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ListPageError(f"jpaas reply is not JSON ({text[:60]!r}) at {url}") from exc
    return payload


def _html_of(payload: dict) -> str | None:
    data = payload.get("data") if payload.get("success") else None
    frag = data.get("html") if isinstance(data, dict) else None
    if not frag or not isinstance(frag, str):
        return None
    return frag


def iter_pages(client: HttpClient, portal: Portal, column: Column, base: str) -> Iterator[list[ListItem]]:
    col_url = f"{base}/col/col{column.id}/index.html"
    from_registry = bool(column.tpl_set_id and column.tag_id)
    if from_registry:  # no column-page request on a daily run
        query: dict = {"webId": portal.webid, "tplSetId": column.tpl_set_id, "tagId": column.tag_id, "pageId": column.id}
    else:
        query = _read_page_query(client, column, col_url, base)
    query = {**{"webId": portal.webid, "pageId": column.id}, **{k: v for k, v in query.items() if v not in (None, "")}}
    for key in ("tplSetId", "tagId"):
        if not query.get(key):
            raise ListPageError(f"jpaas queryData on {col_url} has no {key}")
    size = int(query.get("pageSize") or 15)
    page_no = 1
    while True:
        payload, frag, items, count = _list_page(client, base, col_url, query, page_no, size)
        if page_no == 1 and from_registry and (frag is None or (not items and count is None)):
            # the registry's ids are stale or wrong: the page's own ones, once
            query = {**query, **_read_page_query(client, column, col_url, base)}
            from_registry = False
            payload, frag, items, count = _list_page(client, base, col_url, query, page_no, size)
        if frag is None:
            raise ListPageError(
                f"jpaas unit {query.get('tagId')!r} (tplSetId {query.get('tplSetId')!r}) answered no list: "
                f"{payload.get('message') or payload.get('code') or 'empty html'}"
            )
        if not items and (count is None or (page_no == 1 and count > 0)):
            raise ListPageError(
                f"jpaas unit {query.get('tagId')!r} page {page_no}: no list items read "
                f"(count {count if count is not None else 'missing'}): the list markup changed"
            )
        yield items
        if not items or page_no * size >= (count or 0):
            return
        page_no += 1


def _list_page(client: HttpClient, base: str, col_url: str, query: dict, page_no: int, size: int):
    """``(payload, html or None, items, count or None)`` of one unit API page."""
    payload = _unit_page(client, base, col_url, query, page_no, size)
    frag = _html_of(payload)
    if frag is None:
        return payload, None, [], None
    m = re.search(r'\bcount\s*=\s*["\']?(\d+)', frag)
    return payload, frag, parse_items(frag, base), int(m.group(1)) if m else None

"""xxgk: the information-disclosure module's ``search.jsp`` list and ``xxgkAnnualReport.jsp``.

Real-shaped lists (``column.real``) answer GET or POST, need ``jdid`` (the site id), print the
page count as ``共N页`` and mark rows up as zj.gov.cn or fuyang do; the seeds site keeps its simple
table with ``data-pages``.
"""

from __future__ import annotations

from replica import faults as fault_hooks
from replica.render import Response, html_page
from replica.render.lists import xxgk_row
from replica.render.model import ListColumn, ordered
from replica.site import Article

PAGE_SIZE = 10  # seeds site
PAGE_SIZE_REAL = 15


def search(col: ListColumn | None, items: list[Article], q: dict, faults: set[str]) -> Response:
    if col is None:
        return Response(404, b"no such unit")
    if col.real and (q.get("jdid") or [""])[0] != col.webid:
        return html_page("<p>参数错误</p>", "信息公开")
    items = ordered(items)
    size = PAGE_SIZE_REAL if col.real else PAGE_SIZE
    page = int((q.get("currpage") or ["1"])[0])
    lo = fault_hooks.list_offset(faults, (page - 1) * size)
    chunk = items[lo : page * size]
    pages = -(-fault_hooks.list_total(faults, len(items)) // size)
    if not col.real:
        rows = "".join(xxgk_row(a, "legacy") for a in chunk)
        body = (
            '<table class="xxgk-list"><tr><th>标题</th><th>组配分类</th><th>发布日期</th></tr>'
            f'{rows}</table><div class="page" data-total="{len(items)}" data-pages="{pages}">共{len(items)}条</div>'
        )
        return html_page(body, "信息公开")
    rows = "".join(xxgk_row(a, col.list_style) for a in chunk)
    wrap = (
        f'<div class="zcwj-con-right_list">{rows}</div>'
        if col.list_style == "zj"
        else f'<ul class="content_right_ul">{rows}</ul>'
    )
    nxt = (
        f'<a href="?jdid={col.webid}&area={col.area}&currpage={page + 1}">下一页</a>' if page < pages else ""
    )
    pager = f'<div class="xxgk_page">&nbsp;&nbsp;共{pages}页&nbsp;&nbsp;共{len(items)}条&nbsp;{nxt}</div>'
    return html_page(wrap + pager, "信息公开")


def annual_report(col: ListColumn | None, year: str) -> Article | None:
    """The unit's report for ``year`` (by its title), else None."""
    for a in col.articles if col else []:
        if a.is_report and year and year in a.title:
            return a
    return None

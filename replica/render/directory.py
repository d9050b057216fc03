"""Directory pages: the portal's listing of its reporting units and their annual-report columns.

Invented markup (Haishu's real directory markup is unverified): a column page with one ``<li>``
per unit; a jpage/jpaas unit links its column page, an xxgk unit links the module's list with its
``area`` code, as the xxgk unit tree of real portals does (``infotypeId``, ``jdid``, ``area``,
``divid``).
"""

from __future__ import annotations

import html

from replica.render import Response, html_page
from replica.render.model import Directory

ANNUAL_REPORT_INFOTYPE = "A0701"


def page(d: Directory) -> Response:
    rows = []
    for col in d.entries:
        name = html.escape(d.names.get(col.id, col.title), quote=True)
        if col.mechanism == "xxgk":
            href = (
                f"/module/xxgk/search.jsp?infotypeId={ANNUAL_REPORT_INFOTYPE}&amp;jdid={col.webid}"
                f"&amp;area={col.area}&amp;divid=div{d.id}"
            )
        else:
            href = f"/col/col{col.id}/index.html"
        rows.append(f'<li><a href="{href}" title="{name}" target="_blank">{name}</a></li>')
    body = (
        f'<div class="position">首页 &gt; 政府信息公开 &gt; {html.escape(d.title)}</div>'
        f'<div class="unit-tree" id="div{d.id}"><h3>{html.escape(d.title)}</h3><ul>{"".join(rows)}</ul></div>'
    )
    return html_page(body, html.escape(d.title))

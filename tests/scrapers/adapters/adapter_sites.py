"""Real-shaped portal columns served from the saved fixtures (see fixtures/README.md): the list
entries of a column and the handlers that render them per mechanism, as the real servers do."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, timedelta

from fixture_server import FixtureServer, Request, fixture_text

WEBNAME = "宁波市海曙区人民政府"
TPL_SET_ID = "Hs7kQ2mWn4PdL9xYtR3aB"  # 21 characters, like the real ones (the value is invented)
BROWSER_ONLY = "403 unless the request looks like a browser"


@dataclass(frozen=True)
class Entry:
    id: int
    title: str
    published: date
    report: bool = False

    def values(self, base: str = "") -> dict[str, object]:
        p = self.published
        return {
            "BASE": base,
            "Y": p.year,
            "M": p.month,
            "D": p.day,
            "ID": self.id,
            "HEX": f"{self.id:032x}",
            "TITLE": self.title,
            "DATE": p.isoformat(),
            "WRITTEN": (p - timedelta(days=3)).isoformat(),
        }


def column_entries(n: int, *, agency: str = "宁波市海曙区人民政府", pinned: Entry | None = None) -> list[Entry]:
    """``n`` list entries newest first, one report per year (published in January), the rest notices;
    ``pinned`` (an old item) is put on top, out of date order, as real lists sort by orderid."""
    out: list[Entry] = []
    day = date(2024, 12, 20)
    for i in range(n):
        if day.month == 1 and day.day <= 20:  # every January has one such day (20-day steps)
            out.append(Entry(58940000 + i, f"{agency}{day.year - 1}年政府信息公开工作年度报告", day, True))
        else:
            out.append(Entry(58940000 + i, f"关于做好第{i}批政务公开工作的通知", day))
        day -= timedelta(days=20)
    return ([pinned] if pinned else []) + out


def records(entries: list[Entry], variant: str, base: str = "") -> str:
    return "\n".join(fixture_text(f"jpage/record_{variant}.xml", **e.values(base)) for e in entries)


def browser_like(req: Request) -> bool:
    return "mozilla" in req.headers.get("user-agent", "").lower() and bool(req.headers.get("referer"))


def forbidden() -> tuple[int, str, dict[str, str]]:
    return 403, "<html><body><h1>403 Forbidden</h1></body></html>", {}


# ---------------------------------------------------------------- jpage
def serve_jpage(
    server: FixtureServer,
    entries: list[Entry],
    *,
    variant: str = "yuhang",
    embedded: int = 45,
    cap: int | None = 20,
    column_id: str = "1229102208",
) -> None:
    """The column page (sidebar unit first, PC list, a mobile copy in other markup) and a
    ``dataproxy.jsp`` that answers only for the right columnid/unitid and caps a reply at ``cap``."""

    def column(req: Request):
        if not browser_like(req):
            return forbidden()
        first = entries[:embedded]
        sidebar = [Entry(60000000 + i, f"海曙区第{i}次常务会议", date(2024, 12, 1 + i)) for i in range(5)]
        page = fixture_text(
            "jpage/column.html",
            RECORDS=records(first, variant, server.base_url),
            TOTAL=len(entries),
            SIDEBAR_RECORDS=records(sidebar, "sidebar"),
            SIDEBAR_TOTAL=37,
            MOBILE_ITEMS="\n".join(fixture_text("jpage/mobile_item.html", **e.values()) for e in entries[:15]),
        )
        return 200, page, {}

    def dataproxy(req: Request):
        if not browser_like(req) or req.method != "POST":
            return forbidden()
        own = req.form.get("columnid") == column_id and req.form.get("unitid") == "7006473"
        chosen = entries if own else []
        start, end = int(req.query["startrecord"]), int(req.query["endrecord"])
        per = int(req.query.get("perpage", 15))
        if cap:
            end = min(end, start + cap - 1)
        chunk = chosen[start - 1 : end]
        xml = fixture_text(
            "jpage/dataproxy.xml",
            TOTAL=len(chosen),
            PAGES=math.ceil(len(chosen) / per),
            NEXT=end // per + 1,
            RECORDS=records(chunk, "spaced", server.base_url),
        )
        return 200, xml, {"Content-Type": "text/xml;charset=UTF-8"}

    server.route(f"/col/col{column_id}/index.html", column)
    server.route("/module/jpage/dataproxy.jsp", dataproxy)


# ---------------------------------------------------------------- jpaas
JPAAS_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def jpaas_reply(entries: list[Entry], page_no: int, size: int, total: int) -> str:
    items = "".join(fixture_text("jpaas/item.html", **e.values()).strip() for e in entries)
    frag = fixture_text("jpaas/unit_html.html", ITEMS=items, ROWS=size, COUNT=total, PAGE=page_no).strip()
    return fixture_text("jpaas/unit_reply.json", HTML=json.dumps(frag, ensure_ascii=False)[1:-1])


def serve_jpaas(
    server: FixtureServer, entries: list[Entry], *, column_id: str = "1229565861", ignore_page_no: bool = False
) -> None:
    """The column page (three units, the list one in the middle) and the unit API, which answers
    only for the page's webId/tplSetId/tagId (a wrong one gets the real error envelope)."""

    def column(req: Request):
        if not browser_like(req):
            return forbidden()
        return 200, fixture_text("jpaas/column.html"), {}

    def unit(req: Request):
        if not browser_like(req):
            return forbidden()
        q = req.query
        good = (
            q.get("parseType") == "bulidstatic"
            and q.get("webId") == "2963"
            and q.get("tplSetId") == TPL_SET_ID
            and q.get("tagId") == "当前栏目列表1"
            and q.get("pageId") == column_id
        )
        if not good:
            return 200, fixture_text("jpaas/unit_error.json"), {"Content-Type": "application/json"}
        param = json.loads(q.get("paramJson") or '{"pageNo":1,"pageSize":15}')
        page_no, size = int(param["pageNo"]), int(param["pageSize"])
        if ignore_page_no:
            page_no = 1
        chunk = entries[(page_no - 1) * size : page_no * size]
        return 200, jpaas_reply(chunk, page_no, size, len(entries)), {"Content-Type": "application/json"}

    server.route(f"/col/col{column_id}/index.html", column)
    server.route(JPAAS_API, unit)


# ---------------------------------------------------------------- xxgk
def serve_xxgk(server: FixtureServer, entries: list[Entry], layout: str, per_page: int = 15) -> None:
    """``search.jsp`` in one of three real layouts (table rows, div/span rows, nested spans)."""

    def search(req: Request):
        if not browser_like(req):
            return forbidden()
        page = int(req.query.get("currpage", 1))
        pages = max(1, math.ceil(len(entries) / per_page))
        chunk = entries[(page - 1) * per_page : page * per_page]
        rows = "\n".join(fixture_text(f"xxgk/row_{layout}.html", **e.values()) for e in chunk)
        body = fixture_text(
            f"xxgk/search_{layout}.html",
            ROWS=rows,
            TOTAL=len(entries),
            PAGES=pages,
            PAGE=page,
            PREV=max(1, page - 1),
            NEXT=min(pages, page + 1),
        )
        return 200, body, {}

    server.route("/module/xxgk/search.jsp", search)

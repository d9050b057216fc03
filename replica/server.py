"""The portal replica: a real HTTP server speaking the Hanweb JCMS layouts (jpage, jpaas, xxgk),
serving :func:`replica.site.build_site`, with switchable faults.

Faults (names for ``faults``): latency, 5xx, 429, reset, truncated, gbk, non_report,
duplicate_listing, oversize, corrupt_docx, dead_url, revised, attachment_down. Transient faults (5xx, 429, reset,
truncated) hit the first request of a path only, so a client that retries gets through.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from replica.site import Article, Attachment, ColumnSite, build_site

FAULTS = frozenset(
    {
        "latency",
        "5xx",
        "429",
        "reset",
        "truncated",
        "gbk",
        "non_report",
        "duplicate_listing",
        "oversize",
        "corrupt_docx",
        "dead_url",
        "revised",
        "attachment_down",  # every /attach/ file answers 503 (an outage that outlasts the retries)
    }
)
JPAGE_PER_PAGE = 5  # records per page; the page embeds and each dataproxy call returns 3 pages
JPAAS_PAGE_SIZE = 10
XXGK_PAGE_SIZE = 10
GBK_SEED = "001_ea52101856a8af1f"
REVISED_SEED = "001_ea52101856a8af1f"
OVERSIZE_SEED = "001_ea52101856a8af1f"
CORRUPT_SEED = "002_ac397f543ad98429"
REVISION_NOTE = "<p>更正说明：本报告发布后于2019年3月1日修订了个别文字表述。</p>"


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:20] + '"'


def _http_date(d: date) -> str:
    from datetime import datetime

    return format_datetime(datetime(d.year, d.month, d.day, 9, tzinfo=UTC), usegmt=True)


@dataclass
class Site:
    columns: dict[str, ColumnSite]
    faults: set[str] = field(default_factory=set)
    hits: Counter = field(default_factory=Counter)
    requests: Counter = field(default_factory=Counter)  # by kind: list | article | attachment | other
    lock: threading.Lock = field(default_factory=threading.Lock)
    throttled: int = 0

    def __post_init__(self) -> None:
        self.articles: dict[str, Article] = {}
        self.attachments: dict[str, Attachment] = {}
        for cs in self.columns.values():
            for a in cs.articles:
                self.articles[a.path] = a
                for att in a.attachments:
                    self.attachments[att.filename] = att
        self.extras: dict[str, list[Article]] = {"non_report": [], "dead_url": []}
        for cs in self.columns.values():
            col = cs.column
            if col.mechanism == "jpage" and col.id == "1229102208":
                notice = Article(
                    f"/art/2018/12/20/art_{col.id}_98.html",
                    "关于报送2018年度政府信息公开工作年度报告的通知",
                    date(2018, 12, 20),
                    col.agency_name,
                    "<p>请各单位于2019年1月31日前报送年度报告。</p>",
                    column_id=col.id,
                )
                lookalike = Article(
                    f"/art/2019/1/15/art_{col.id}_97.html",
                    "海曙区2018年政府信息公开工作年度报告（图解）",
                    date(2019, 1, 15),
                    col.agency_name,
                    '<p>图解内容见下方图片。</p><p><img src="/picture/0/tujie.png"></p>',
                    column_id=col.id,
                )
                self.extras["non_report"] += [notice, lookalike]
                self.articles[notice.path] = notice
                self.articles[lookalike.path] = lookalike
            if col.id == "1229045478":
                self.extras["dead_url"].append(
                    Article(
                        f"/art/2017/1/15/art_{col.id}_99.html",
                        "2016年度镇海区经济合作局政府信息公开工作年度报告",
                        date(2017, 1, 15),
                        col.agency_name,
                        "",
                        column_id=col.id,
                    )
                )
        self.oversize = Attachment(
            "附件2：统计表（高清扫描件）.pdf", "0f" * 16 + ".pdf", b"%PDF-1.4\n", declared_size=10**10
        )
        self.attachments[self.oversize.filename] = self.oversize

    def listing(self, col_id: str) -> list[Article]:
        cs = self.columns[col_id]
        items = list(cs.articles)
        for fault, extra in self.extras.items():
            if fault in self.faults:
                items += [a for a in extra if a.column_id == col_id]
        items.sort(key=lambda a: (a.published, a.path), reverse=True)
        return items

    def first_hit(self, key: str) -> bool:
        with self.lock:
            self.hits[key] += 1
            return self.hits[key] == 1


def _li(a: Article) -> str:
    t = html.escape(a.title, quote=True)
    return f'<li><a href="{a.path}" title="{t}" target="_blank">{t}</a><span>{a.published.isoformat()}</span></li>'


def _records(items: list[Article]) -> str:
    return "".join(f"<record><![CDATA[{_li(a)}]]></record>\n" for a in items)


class Handler(BaseHTTPRequestHandler):
    server_version = "JCMS-replica/1.0"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # header and body go out in separate writes
    site: Site  # set on the subclass by start_replica

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        pass

    # ------------------------------------------------------------ plumbing
    def _send(
        self,
        status: int,
        body: bytes = b"",
        ctype: str = "text/html; charset=UTF-8",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _conditional(self, body: bytes, ctype: str, published: date) -> None:
        etag = _etag(body)
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", ctype, {"ETag": etag})
            return
        self._send(200, body, ctype, {"ETag": etag, "Last-Modified": _http_date(published)})

    def _transient_fault(self, kind: str, key: str) -> bool:
        """Apply 5xx / 429 / reset to the first request of ``key``; True when a fault was sent."""
        faults = self.site.faults
        if "latency" in faults:
            time.sleep(0.02)
        if kind == "list" and "5xx" in faults and self.site.first_hit("5xx " + key):
            self._send(503, b"<h1>503 Service Unavailable</h1>")
            return True
        if kind == "article" and "429" in faults and self.site.first_hit("429 " + key):
            with self.site.lock:
                self.site.throttled += 1
                throttle = self.site.throttled <= 2
            if throttle:
                self._send(429, b"Too Many Requests", headers={"Retry-After": "1"})
                return True
        if kind == "article" and "reset" in faults and self.site.first_hit("reset " + key):
            self.close_connection = True
            return True
        return False

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8")) if length else {}
        if parts.path.endswith("/jpage/dataproxy.jsp"):
            self.site.requests["list"] += 1
            if self._transient_fault("list", self.path + repr(sorted(form.items()))):
                return
            q = parse_qs(parts.query)
            self._dataproxy(q, form)
            return
        self.site.requests["other"] += 1
        self._send(404, b"not found")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        q = parse_qs(parts.query)
        site = self.site
        if path == "/robots.txt":
            site.requests["other"] += 1
            self._send(200, b"User-agent: *\nDisallow: /private/\nDisallow: /module/search/\n", "text/plain")
            return
        m = re.fullmatch(r"/col/col(\w+)/index\.html", path)
        if m and m.group(1) in site.columns:
            site.requests["list"] += 1
            if self._transient_fault("list", self.path):
                return
            self._column_page(site.columns[m.group(1)])
            return
        if path == "/api-gateway/jpaas-publish-server/front/page/build/unit":
            site.requests["list"] += 1
            if self._transient_fault("list", self.path):
                return
            self._jpaas(q)
            return
        if path == "/module/xxgk/search.jsp":
            site.requests["list"] += 1
            if self._transient_fault("list", self.path):
                return
            self._xxgk(q)
            return
        if path == "/module/xxgk/xxgkAnnualReport.jsp":
            site.requests["list"] += 1
            self._xxgk_annual(q)
            return
        if path == "/module/download/downfile.jsp":
            site.requests["attachment"] += 1
            name = (q.get("filename") or [""])[0]
            self._send(302, b"", headers={"Location": f"/attach/0/{name}"})
            return
        if path.startswith("/attach/0/"):
            site.requests["attachment"] += 1
            self._attachment(path.rsplit("/", 1)[1])
            return
        if path in site.articles:
            site.requests["article"] += 1
            if self._transient_fault("article", path):
                return
            self._article(site.articles[path])
            return
        site.requests["other"] += 1
        self._send(404, b"<h1>404 Not Found</h1>")

    # ------------------------------------------------------------ jpage
    def _column_page(self, cs: ColumnSite) -> None:
        col = cs.column
        items = self.site.listing(col.id)
        if col.mechanism == "jpaas":
            query = json.dumps(
                {
                    "webId": "1",
                    "tplSetId": col.tpl_set_id or "tpl",
                    "tagId": col.tag_id or "list",
                    "pageId": col.id,
                    "pageSize": JPAAS_PAGE_SIZE,
                },
                ensure_ascii=False,
            )
            body = (
                f'<html><head><meta charset="utf-8"><title>{html.escape(col.title)}</title></head><body>'
                f'<div class="jpaas-list" queryData="{html.escape(query, quote=True)}"></div></body></html>'
            )
            self._send(200, body.encode("utf-8"))
            return
        if col.mechanism == "xxgk":
            self._send(302, b"", headers={"Location": f"/module/xxgk/search.jsp?area={col.area}&currpage=1"})
            return
        unit = col.unitid
        first = items[: 3 * JPAGE_PER_PAGE]
        nextgroup = (
            f'<a href="/module/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid={col.id}'
            f'&unitid={unit}&webname=replica&permissiontype=0"></a>'
        )
        store = (
            f'<script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup>'
            f"<recordset>{_records(first)}</recordset></datastore></script>"
        )
        mobile = (
            f'<div class="m-list" id="m{unit}">{store}</div>'
            if "duplicate_listing" in self.site.faults
            else ""
        )
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
            f"<script>$(function(){{ $('#{unit}').jpage({{ dataStore: null, totalRecord: {len(items)}, "
            f"perPage: {JPAGE_PER_PAGE}, proxyUrl: '/module/jpage/dataproxy.jsp', ajaxParam: {ajax} }}); }});</script>"
        )
        body = (
            f'<html><head><meta charset="utf-8"><title>{html.escape(col.title)}</title></head><body>'
            f'<div id="{unit}">{store}</div>{pager}{mobile}</body></html>'
        )
        self._send(200, body.encode("utf-8"))

    def _dataproxy(self, q: dict, form: dict) -> None:
        col_id = (form.get("columnid") or [""])[0]
        if col_id not in self.site.columns:
            self._send(404, b"no such column")
            return
        items = self.site.listing(col_id)
        start = int((q.get("startrecord") or ["1"])[0])
        end = int((q.get("endrecord") or [str(start + 3 * JPAGE_PER_PAGE - 1)])[0])
        if "duplicate_listing" in self.site.faults:
            start = max(1, start - 1)  # overlap one record with the previous page
        chunk = items[start - 1 : end]
        total_pages = -(-len(items) // JPAGE_PER_PAGE)
        xml = (
            f"<?xml version='1.0' encoding='UTF-8'?><datastore><totalrecord>{len(items)}</totalrecord>"
            f"<totalpage>{total_pages}</totalpage><nextgroup/><recordset>{_records(chunk)}</recordset></datastore>"
        )
        self._send(200, xml.encode("utf-8"), "text/xml; charset=UTF-8")

    # ------------------------------------------------------------ jpaas
    def _jpaas(self, q: dict) -> None:
        col_id = (q.get("pageId") or [""])[0]
        if col_id not in self.site.columns or (q.get("parseType") or [""])[0] != "bulidstatic":
            self._send(
                200, json.dumps({"success": False, "message": "bad request"}).encode(), "application/json"
            )
            return
        param = json.loads((q.get("paramJson") or ["{}"])[0])
        page_no, size = int(param.get("pageNo", 1)), int(param.get("pageSize", JPAAS_PAGE_SIZE))
        items = self.site.listing(col_id)
        lo = (page_no - 1) * size
        if "duplicate_listing" in self.site.faults and lo > 0:
            lo -= 1
        chunk = items[lo : page_no * size]
        lis = "".join(_li(a) for a in chunk)
        frag = f'<div class="list" count="{len(items)}" pageSize="{size}"><ul>{lis}</ul></div>'
        self._send(
            200,
            json.dumps({"success": True, "data": {"html": frag}}, ensure_ascii=False).encode("utf-8"),
            "application/json; charset=UTF-8",
        )

    # ------------------------------------------------------------ xxgk
    def _xxgk_column(self, area: str) -> ColumnSite | None:
        return next((cs for cs in self.site.columns.values() if cs.column.area == area), None)

    def _xxgk(self, q: dict) -> None:
        cs = self._xxgk_column((q.get("area") or [""])[0])
        if cs is None:
            self._send(404, b"no such unit")
            return
        page = int((q.get("currpage") or ["1"])[0])
        items = self.site.listing(cs.column.id)
        lo = (page - 1) * XXGK_PAGE_SIZE
        if "duplicate_listing" in self.site.faults and lo > 0:
            lo -= 1
        chunk = items[lo : page * XXGK_PAGE_SIZE]
        rows = "".join(
            f'<tr><td class="bt"><a href="{a.path}" title="{html.escape(a.title, quote=True)}">{html.escape(a.title)}</a></td>'
            f'<td class="zpfl">{"政府信息公开年报" if a.is_report else "工作动态"}</td>'
            f'<td class="fbrq">{a.published.isoformat()}</td></tr>'
            for a in chunk
        )
        pages = -(-len(items) // XXGK_PAGE_SIZE)
        body = (
            f'<html><head><meta charset="utf-8"><title>信息公开</title></head><body>'
            f'<table class="xxgk-list"><tr><th>标题</th><th>组配分类</th><th>发布日期</th></tr>{rows}</table>'
            f'<div class="page" data-total="{len(items)}" data-pages="{pages}">共{len(items)}条</div></body></html>'
        )
        self._send(200, body.encode("utf-8"))

    def _xxgk_annual(self, q: dict) -> None:
        cs = self._xxgk_column((q.get("area") or [""])[0])
        year = (q.get("fbtime") or [""])[0]
        for a in cs.articles if cs else []:
            if a.is_report and year and year in a.title:
                self._send(302, b"", headers={"Location": a.path})
                return
        self._send(404, b"<h1>no report</h1>")

    # ------------------------------------------------------------ articles and files
    def _article(self, a: Article) -> None:
        faults = self.site.faults
        body_html = a.body_html
        if "revised" in faults and a.seed == REVISED_SEED:
            body_html += REVISION_NOTE
        links = [
            f'<p><a href="/module/download/downfile.jsp?classid=0&amp;filename={att.filename}">{html.escape(att.name)}</a></p>'
            for att in a.attachments
        ]
        if "oversize" in faults and a.seed == OVERSIZE_SEED:
            links.append(
                f'<p><a href="/module/download/downfile.jsp?classid=0&amp;filename={self.site.oversize.filename}">'
                f"{html.escape(self.site.oversize.name)}</a></p>"
            )
        gbk = "gbk" in faults and a.seed == GBK_SEED
        charset = "gbk" if gbk else "utf-8"
        t = html.escape(a.title, quote=True)
        page = (
            f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{t}</title>"
            f'<meta name="ArticleTitle" content="{t}"><meta name="PubDate" content="{a.published.isoformat()} 09:00">'
            f'<meta name="ContentSource" content="{html.escape(a.source, quote=True)}"></head><body>'
            f'<div class="title">{t}</div><div class="info">发布日期：{a.published.isoformat()}</div>'
            f'<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">{body_html}'
            f'<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>'
            f'<div class="attachments">{"".join(links)}</div></body></html>'
        )
        data = page.encode("gb18030") if gbk else page.encode("utf-8")
        self._conditional(data, f"text/html; charset={'GBK' if gbk else 'UTF-8'}", a.published)

    def _attachment(self, filename: str) -> None:
        att = self.site.attachments.get(filename)
        if "attachment_down" in self.site.faults:
            self._send(503, b"<h1>503 Service Unavailable</h1>")
            return
        if att is None:
            self._send(404, b"<h1>404 Not Found</h1>")
            return
        ext = filename.rsplit(".", 1)[-1]
        ctype = {
            "pdf": "application/pdf",
            "doc": "application/msword",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }.get(ext, "application/octet-stream")
        data = att.data
        if "corrupt_docx" in self.site.faults and ext == "docx" and att is self._corrupt_target():
            data = data[: len(data) // 3]
        if att.declared_size:
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(att.declared_size))
            self.end_headers()
            self.close_connection = True
            try:
                self.wfile.write(data + b"\0" * 65536)
            except OSError:
                pass
            return
        if "truncated" in self.site.faults and self.site.first_hit("trunc " + filename):
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return
        self._conditional(data, ctype, date(2019, 1, 1))

    def _corrupt_target(self) -> Attachment | None:
        for a in self.site.articles.values():
            if a.seed == CORRUPT_SEED and a.attachments:
                return a.attachments[0]
        return None


class ReplicaServer:
    """A running replica (background thread). ``base_url`` e.g. ``http://127.0.0.1:40123``."""

    def __init__(self, httpd: ThreadingHTTPServer, site: Site) -> None:
        self.httpd = httpd
        self.site = site
        host, port = httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="gongkai-replica", daemon=True
        )
        self.thread.start()

    def set_faults(self, faults: set[str]) -> None:
        unknown = set(faults) - FAULTS
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        with self.site.lock:
            self.site.faults = set(faults)
            self.site.hits.clear()
            self.site.throttled = 0

    @property
    def requests(self) -> Counter:
        return self.site.requests

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def start_replica(
    port: int = 0, *, faults: set[str] | None = None, synthetic: int = 0, host: str = "127.0.0.1"
) -> ReplicaServer:
    """Start the replica on ``port`` (0 = a free port) and return it running."""
    site = Site(build_site(synthetic=synthetic))
    handler = type("BoundHandler", (Handler,), {"site": site})
    httpd = ThreadingHTTPServer((host, port), handler)
    httpd.daemon_threads = True
    server = ReplicaServer(httpd, site)
    server.set_faults(set(faults or ()))
    return server

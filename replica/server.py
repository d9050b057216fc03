"""The portal replica: a real HTTP server speaking the Hanweb JCMS layouts (jpage, jpaas, xxgk).

Two sites (``site=``): ``seeds`` (the registry's five columns with the five real seed reports,
:func:`replica.site.build_site`) and ``district`` (a Haishu-like district and two smaller portals,
:func:`replica.district.build_district`, with real-site shapes). This module only routes requests
and sends replies: what is served comes from ``replica.render.*``; faults are in
:mod:`replica.faults`.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from replica import faults as fault_hooks
from replica.faults import FAULTS
from replica.render import NOT_FOUND, Response, article, directory, html_page, jpaas, jpage, xxgk
from replica.render.model import Directory, ListColumn
from replica.site import Article
from replica.state import Site

SITES = ("seeds", "district")
ROBOTS = b"User-agent: *\nDisallow: /private/\nDisallow: /module/search/\n"
CHALLENGE = (
    b'<html><head><title>safeline</title></head><body><div id="sl-challenge">'
    b"\xe8\xaf\xb7\xe7\xa8\x8d\xe5\x80\x99\xef\xbc\x8c\xe6\xad\xa3\xe5\x9c\xa8\xe9\xaa\x8c\xe8\xaf\x81\xe6\x82\xa8\xe7\x9a\x84\xe6\xb5\x8f\xe8\xa7\x88\xe5\x99\xa8"
    b'</div><script src="/.safeline/challenge.js"></script></body></html>'
)  # 请稍候，正在验证您的浏览器


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:20] + '"'


def _http_date(d: date) -> str:
    return format_datetime(datetime(d.year, d.month, d.day, 9, tzinfo=UTC), usegmt=True)


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

    def _reply(self, r: Response) -> None:
        self._send(r.status, r.body, r.ctype, r.headers)

    def _conditional(self, body: bytes, ctype: str, modified: date) -> None:
        etag = _etag(body)
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", ctype, {"ETag": etag})
            return
        self._send(200, body, ctype, {"ETag": etag, "Last-Modified": _http_date(modified)})

    def _transient_fault(self, kind: str, key: str) -> bool:
        return fault_hooks.before_request(self, kind, key)

    @property
    def file_host(self) -> str:
        """The replica's stand-in for the provincial OSS file host: ``localhost:<port>``."""
        return f"localhost:{self.server.server_address[1]}"

    @property
    def base(self) -> str:
        return f"http://{self.headers.get('Host') or '127.0.0.1'}"

    def _on_file_host(self) -> bool:
        return (self.headers.get("Host") or "").split(":")[0] == "localhost"

    def _refused(self) -> bool:
        """Real portals answer 403 to list requests without a browser User-Agent and a Referer,
        and a bot challenge (200, HTML) to some with the ``bot_challenge`` fault."""
        if not self.site.real:
            return False
        ua = self.headers.get("User-Agent") or ""
        if "Mozilla" not in ua or not self.headers.get("Referer"):
            self._send(403, b"<h1>403 Forbidden</h1>")
            return True
        if "bot_challenge" in self.site.faults and self.site.first_hit("challenge " + self.path):
            self._send(200, CHALLENGE)
            return True
        return False

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode("utf-8")) if length else {}
        site = self.site
        if parts.path.endswith("/jpage/dataproxy.jsp"):
            site.requests["list"] += 1
            if self._refused() or self._transient_fault("list", self.path + repr(sorted(form.items()))):
                return
            col = site.columns.get((form.get("columnid") or [""])[0])
            if col is not None and col.mechanism != "jpage":
                col = None
            items = site.listing(col.id) if col else []
            self._reply(jpage.dataproxy(col, items, parse_qs(parts.query), form, site.faults, self.base))
            return
        if parts.path == "/module/xxgk/search.jsp" and site.real:
            site.requests["list"] += 1
            if self._refused():
                return
            self._xxgk({**parse_qs(parts.query), **form})
            return
        site.requests["other"] += 1
        self._send(404, b"not found")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        q = parse_qs(parts.query)
        site = self.site
        if self._on_file_host() and site.real:
            self._file_host_get(path)
            return
        if path == "/robots.txt":
            site.requests["other"] += 1
            self._send(200, ROBOTS, "text/plain")
            return
        m = re.fullmatch(r"/col/col([\w-]+)/index\.html", path)
        if m and m.group(1) in site.directories:
            site.requests["list"] += 1
            d = site.directories[m.group(1)]
            shown = [c for c in d.entries if c.id not in site.hidden_units]
            self._reply(directory.page(Directory(d.id, d.title, d.portal, shown, d.names)))
            return
        if m and m.group(1) in site.columns:
            site.requests["list"] += 1
            if self._transient_fault("list", self.path):
                return
            self._column_page(site.columns[m.group(1)])
            return
        if path == jpaas.API:
            site.requests["list"] += 1
            if self._refused() or self._transient_fault("list", self.path):
                return
            col = site.columns.get((q.get("pageId") or [""])[0])
            if col is not None and col.mechanism != "jpaas" and "mechanism_changed" not in site.faults:
                col = None
            items = site.listing(col.id) if col else []
            self._reply(jpaas.api(col, items, q, site.faults))
            return
        if path == "/module/xxgk/search.jsp":
            site.requests["list"] += 1
            if self._refused() or self._transient_fault("list", self.path):
                return
            self._xxgk(q)
            return
        if path == "/module/xxgk/xxgkAnnualReport.jsp":
            site.requests["list"] += 1
            self._xxgk_annual(q)
            return
        if path == "/module/download/downfile.jsp":
            site.requests["attachment"] += 1
            self._reply(article.downfile(q, file_host=self.file_host, webid_of=self._webid_of_file))
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
        if path in site.redirects:
            site.requests["article"] += 1
            self._send(301, b"", headers={"Location": site.redirects[path]})
            return
        site.requests["other"] += 1
        self._reply(NOT_FOUND)

    def _file_host_get(self, path: str) -> None:
        self.site.requests["attachment"] += 1
        m = re.fullmatch(r"/jcms_files/jcms1/web\d+/site/attach/0/([\w.]+)", path)
        if not m:
            self._reply(NOT_FOUND)
            return
        self._attachment(m.group(1))

    def _webid_of_file(self, filename: str) -> str:
        a = self.site.files.get(filename)
        col = self.site.columns.get(a.column_id) if a else None
        return col.webid if col else "1"

    # ------------------------------------------------------------ lists
    def _column_page(self, col: ListColumn) -> None:
        site = self.site
        mechanism = col.mechanism
        if "mechanism_changed" in site.faults and mechanism == "jpage" and col.real:
            mechanism = "jpaas"  # the column moved to jpaas: its page has no datastore any more
        if mechanism == "jpaas":
            self._reply(jpaas.column_page(col))
        elif mechanism == "xxgk":
            loc = f"/module/xxgk/search.jsp?infotypeId=A0701&jdid={col.webid}&area={col.area}&currpage=1"
            self._send(
                302,
                b"",
                headers={
                    "Location": loc if col.real else f"/module/xxgk/search.jsp?area={col.area}&currpage=1"
                },
            )
        else:
            self._reply(jpage.column_page(col, site.listing(col.id), site.faults, self.base))

    def _xxgk(self, q: dict) -> None:
        col = self.site.by_area.get((q.get("area") or [""])[0])
        items = self.site.listing(col.id) if col else []
        self._reply(xxgk.search(col, items, q, self.site.faults))

    def _xxgk_annual(self, q: dict) -> None:
        col = self.site.by_area.get((q.get("area") or [""])[0])
        a = xxgk.annual_report(col, (q.get("fbtime") or [""])[0])
        if a is None:
            self._reply(html_page("<h1>no report</h1>", status=404))
        elif self.site.real:  # real portals serve the report page itself
            self._article(a)
        else:
            self._send(302, b"", headers={"Location": a.path})

    # ------------------------------------------------------------ articles and files
    def _article(self, a: Article) -> None:
        col = self.site.columns.get(a.column_id)
        data, ctype = article.render(
            a,
            self.site.faults,
            real=self.site.real,
            webid=col.webid if col else "1",
            file_host=self.file_host,
        )
        self._conditional(data, ctype, a.modified or a.published)

    def _attachment(self, filename: str) -> None:
        att = self.site.attachment(filename)
        ctype = article.ctype_of(filename)
        if fault_hooks.serve_attachment(self, att, filename, ctype):
            return
        if att is None:
            self._reply(NOT_FOUND)
            return
        self._conditional(fault_hooks.attachment_bytes(self.site, att), ctype, date(2019, 1, 1))


class ReplicaServer:
    """A running replica (background thread). ``base_url`` e.g. ``http://127.0.0.1:40123``."""

    def __init__(self, httpd: ThreadingHTTPServer, site: Site, name: str) -> None:
        self.httpd = httpd
        self.site = site
        self.name = name
        host, port = httpd.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self.file_host = f"localhost:{port}"
        self.thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="gongkai-replica", daemon=True
        )
        self.thread.start()

    def set_faults(self, faults: set[str]) -> None:
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults: {sorted(unknown)}")
        with self.site.lock:
            self.site.faults = set(faults)
            self.site.hits.clear()
            self.site.throttled = 0

    def hide_units(self, column_ids: set[str]) -> None:
        """Leave these units out of the directory pages (a unit that vanished from the portal)."""
        with self.site.lock:
            self.site.hidden_units = set(column_ids)

    @property
    def requests(self) -> Counter:
        return self.site.requests

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def _seed_directories(columns: dict[str, ListColumn]) -> dict[str, Directory]:
    """The seeds site's directory pages: each registry portal's first directory lists its columns."""
    from gongkai.config import REPO_ROOT
    from scrapers.registry import load_portals

    out: dict[str, Directory] = {}
    for p in load_portals(REPO_ROOT / "scrapers" / "portals.yaml").values():
        m = re.search(r"/col/col(\d+)/", p.directories[0]) if p.directories else None
        if m:
            entries = [c for c in columns.values() if c.portal == p.name]
            for c in entries:
                c.webid = p.webid
            out[m.group(1)] = Directory(
                m.group(1), "政府信息公开年报", p.name, entries, {c.id: c.source for c in entries}
            )
    return out


def build(site: str = "seeds", *, synthetic: int = 0) -> Site:
    """The content of a replica site (``seeds`` or ``district``)."""
    if site == "seeds":
        from replica.site import build_site

        columns = {}
        for cs in build_site(synthetic=synthetic).values():
            c = cs.column
            columns[c.id] = ListColumn(
                c.id,
                c.mechanism,
                c.title,
                cs.articles,
                portal=c.portal,
                unitid=c.unitid,
                area=c.area,
                tpl_set_id=c.tpl_set_id,
                tag_id=c.tag_id,
                source=c.agency_name,
            )
        return Site(columns, _seed_directories(columns))
    if site == "district":
        from replica.district import district_site

        return district_site()
    raise ValueError(f"unknown replica site {site!r} (one of: {', '.join(SITES)})")


def start_replica(
    port: int = 0,
    *,
    faults: set[str] | None = None,
    synthetic: int = 0,
    host: str = "127.0.0.1",
    site: str = "seeds",
) -> ReplicaServer:
    """Start the replica of ``site`` on ``port`` (0 = a free port) and return it running."""
    content = build(site, synthetic=synthetic)
    handler = type("BoundHandler", (Handler,), {"site": content})
    httpd = ThreadingHTTPServer((host, port), handler)
    httpd.daemon_threads = True
    server = ReplicaServer(httpd, content, site)
    server.set_faults(set(faults or ()))
    return server

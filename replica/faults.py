"""The replica's switchable faults: what each one does, in one place.

A fault is a name in :data:`FAULTS` (name -> what it does). The server calls the hooks below at
fixed points; each hook looks at ``site.faults`` and either changes what is served or sends a
response itself (returning True). To add a fault: add its name to :data:`FAULTS` and its effect to
the hook for the point where it acts:

- :func:`before_request` - every list/article request, before it is served (transient errors);
- :func:`extra_articles` / :func:`list_offset` / :func:`extra_list_html` - list contents;
- :func:`article_body` / :func:`article_links` / :func:`article_encoding` - article pages;
- :func:`serve_attachment` - attachment files.

Transient faults (5xx, 429, reset, truncated) hit the first request of a path only, so a client
that retries gets through.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import struct
import time
import zlib
from datetime import date, timedelta
from typing import Any

from replica.site import ASSET_DIR, Article, Attachment

Handler = Any  # replica.server.Handler (not imported: the server imports this module)
Site = Any  # replica.state.Site

FAULTS: dict[str, str] = {
    "latency": "every list/article request waits 20 ms",
    "5xx": "the first request of each list page answers 503",
    "429": "the first request of the first two article pages answers 429 with Retry-After: 1",
    "reset": "the first request of each article page closes the connection without a reply",
    "truncated": "the first download of each attachment sends half its bytes",
    "gbk": "one seed's article page is GBK-encoded (header and meta say so)",
    "non_report": "a 报送通知 and a 图解 look-alike are added to Haishu's list",
    "duplicate_listing": "a mobile copy of the jpage list; each next page overlaps the previous by one",
    "oversize": "one article links a file that announces 10 GB",
    "corrupt_docx": "one .docx attachment is cut to a third of its bytes",
    "dead_url": "a listed article that answers 404",
    "revised": "one seed's article page gains a correction note (a new version)",
    "attachment_down": "every /attach/ file answers 503 (an outage that outlasts the retries)",
    "list_down": "every list request answers 503 (every column fails)",
    "short_read": "one seed's article page and one .docx are sent without Content-Length and cut in half",
    "tracking_query": "one seed's article is listed twice, once as ?from=timeline",
    "reposted": "one seed's report is posted again at a second URL a day later (same text)",
    "body_and_attachment": "one HTML seed's article also links its .docx form (the same text twice)",
    "zip_bomb": "one .docx attachment is a zip bomb (a few hundred KB unpacking to 472 MB of XML)",
    "endless_pages": "lists claim 10^8 records and every further page repeats the first",
    "drip": "one seed's article page is sent one byte every 10 s",
    "bot_challenge": "district: the first request of each list URL gets a 200 HTML bot-challenge page",
    "mechanism_changed": "district: jpage columns serve a jpaas page (no datastore): the mechanism changed",
    "moved_url": "one seed's article is also listed under its old URL, which answers 301 to the new one",
}

GBK_SEED = "001_ea52101856a8af1f"
REVISED_SEED = "001_ea52101856a8af1f"
OVERSIZE_SEED = "001_ea52101856a8af1f"
CORRUPT_SEED = "002_ac397f543ad98429"
SHORT_READ_PAGE_SEED = "001_ea52101856a8af1f"  # an HTML article page
SHORT_READ_FILE_SEED = "002_ac397f543ad98429"  # a .docx attachment
TRACKED_SEED = "001_ea52101856a8af1f"
REPOSTED_SEED = "004_5aaa9839169bd157"
TWIN_SEED = "001_ea52101856a8af1f"
BOMB_SEED = "002_ac397f543ad98429"
BOMB_XML_BYTES = 472 * 1024 * 1024
DRIP_SEED = "004_5aaa9839169bd157"
MOVED_SEED = "000_f4d536c944cec0f0"
DRIP_SECONDS = 10.0
ENDLESS_TOTAL = 10**8
REVISION_NOTE = "<p>更正说明：本报告发布后于2019年3月1日修订了个别文字表述。</p>"
NON_REPORT_COLUMN = "1229102208"
DEAD_URL_COLUMN = "1229045478"
OVERSIZE = Attachment(
    "附件2：统计表（高清扫描件）.pdf", "0f" * 16 + ".pdf", b"%PDF-1.4\n", declared_size=10**10
)


def extra_articles(columns: dict) -> dict[str, list[Article]]:
    """Articles listed only while a fault is on: fault name -> articles (each with its column_id)."""
    extras: dict[str, list[Article]] = {
        "non_report": [],
        "dead_url": [],
        "tracking_query": [],
        "reposted": [],
        "moved_url": [],
    }
    for col in columns.values():  # replica.render.model.ListColumn
        for a in col.articles:
            if a.seed == TRACKED_SEED:  # the same path: the server answers it as the article itself
                extras["tracking_query"].append(dataclasses.replace(a, path=a.path + "?from=timeline"))
            if a.seed == MOVED_SEED:  # listed again under its old URL, which answers 301 to it
                extras["moved_url"].append(dataclasses.replace(a, path=a.path[: -len(".html")] + "_old.html"))
            if a.seed == REPOSTED_SEED:
                head, tail = a.path.rsplit("_", 1)
                extras["reposted"].append(
                    dataclasses.replace(
                        a,
                        path=f"{head}_{tail.split('.')[0]}9.html",
                        published=a.published + timedelta(days=1),
                    )
                )
        if col.mechanism == "jpage" and col.id == NON_REPORT_COLUMN:
            extras["non_report"] += [
                Article(
                    f"/art/2018/12/20/art_{col.id}_98.html",
                    "关于报送2018年度政府信息公开工作年度报告的通知",
                    date(2018, 12, 20),
                    col.source,
                    "<p>请各单位于2019年1月31日前报送年度报告。</p>",
                    column_id=col.id,
                ),
                Article(
                    f"/art/2019/1/15/art_{col.id}_97.html",
                    "海曙区2018年政府信息公开工作年度报告（图解）",
                    date(2019, 1, 15),
                    col.source,
                    '<p>图解内容见下方图片。</p><p><img src="/picture/0/tujie.png"></p>',
                    column_id=col.id,
                ),
            ]
        if col.id == DEAD_URL_COLUMN:
            extras["dead_url"].append(
                Article(
                    f"/art/2017/1/15/art_{col.id}_99.html",
                    "2016年度镇海区经济合作局政府信息公开工作年度报告",
                    date(2017, 1, 15),
                    col.source,
                    "",
                    column_id=col.id,
                )
            )
    return extras


# ------------------------------------------------------------------ requests
def before_request(handler: Handler, kind: str, key: str) -> bool:
    """Transient faults on the first request of ``key``; True when a fault response was sent."""
    site = handler.site
    faults = site.faults
    if "latency" in faults:
        time.sleep(0.02)
    if kind == "list" and "5xx" in faults and site.first_hit("5xx " + key):
        handler._send(503, b"<h1>503 Service Unavailable</h1>")
        return True
    if kind == "article" and "429" in faults and site.first_hit("429 " + key):
        with site.lock:
            site.throttled += 1
            throttle = site.throttled <= 2
        if throttle:
            handler._send(429, b"Too Many Requests", headers={"Retry-After": "1"})
            return True
    if kind == "article" and "reset" in faults and site.first_hit("reset " + key):
        handler.close_connection = True
        return True
    if kind == "list" and "list_down" in faults:
        handler._send(503, b"<h1>503 Service Unavailable</h1>")
        return True
    article = site.articles.get(key) if kind == "article" else None
    if article is not None and "short_read" in faults and article.seed == SHORT_READ_PAGE_SEED:
        _send_cut_short(handler, *_rendered_article(handler, article))
        return True
    if article is not None and "drip" in faults and article.seed == DRIP_SEED:
        _drip(handler, *_rendered_article(handler, article))
        return True
    return False


def _rendered_article(handler: Handler, a: Article) -> tuple[bytes, str]:
    """The bytes and content type the server would send for ``a`` (rendered, not sent)."""
    sent: dict = {}
    handler._conditional = lambda body, ctype, published: sent.update(body=body, ctype=ctype)  # type: ignore[method-assign]
    try:
        handler._article(a)
    finally:
        del handler._conditional
    return sent["body"], sent["ctype"]


def _send_cut_short(handler: Handler, body: bytes, ctype: str) -> None:
    """Half of ``body``, no Content-Length, then the connection closes: the client cannot tell."""
    handler.send_response(200)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body[: len(body) // 2])
    handler.close_connection = True


def _drip(handler: Handler, body: bytes, ctype: str) -> None:
    """``body`` one byte every :data:`DRIP_SECONDS` (each read returns before any read timeout)."""
    handler.send_response(200)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.close_connection = True
    try:
        for i in range(len(body)):
            handler.wfile.write(body[i : i + 1])
            time.sleep(DRIP_SECONDS)
    except OSError:
        pass  # the client gave up


def moved_redirects(extras: dict[str, list[Article]]) -> dict[str, str]:
    """Old path -> new path of the ``moved_url`` articles (answered with 301 whatever the faults:
    the old URL is only listed while the fault is on)."""
    return {a.path: a.path.removesuffix("_old.html") + ".html" for a in extras.get("moved_url", [])}


def list_total(faults: set[str], n: int) -> int:
    """The record count a list claims (``n`` unless a fault lies about it)."""
    return ENDLESS_TOTAL if "endless_pages" in faults else n


# ------------------------------------------------------------------ lists
def list_offset(faults: set[str], lo: int) -> int:
    """The first (0-based) item of a list page that starts at ``lo``."""
    if "endless_pages" in faults:
        return 0  # every page starts again at the top
    if "duplicate_listing" in faults and lo > 0:
        return lo - 1  # overlap one record with the previous page
    return lo


def extra_list_html(faults: set[str], unit: str, store: str) -> str:
    """HTML added after a jpage list (``store`` is its embedded datastore)."""
    if "duplicate_listing" in faults:
        return f'<div class="m-list" id="m{unit}">{store}</div>'
    return ""


# ------------------------------------------------------------------ articles
def article_body(faults: set[str], a: Article, body_html: str) -> str:
    if "revised" in faults and a.seed == REVISED_SEED:
        return body_html + REVISION_NOTE
    return body_html


def article_links(faults: set[str], a: Article) -> list[Attachment]:
    """Attachments linked on the page besides the article's own."""
    links = []
    if "oversize" in faults and a.seed == OVERSIZE_SEED:
        links.append(OVERSIZE)
    if "body_and_attachment" in faults and a.seed == TWIN_SEED:
        links.append(twin_attachment())
    return links


@functools.cache
def twin_attachment() -> Attachment:
    """The .docx form of :data:`TWIN_SEED`, linked under its HTML body."""
    data = (ASSET_DIR / f"{TWIN_SEED}.docx").read_bytes()
    return Attachment("附件：年度报告（Word版）.docx", "bd" * 16 + ".docx", data)


@functools.cache
def zip_bomb() -> bytes:
    """A .docx whose ``word/document.xml`` unpacks to :data:`BOMB_XML_BYTES` bytes of XML.

    Built in well under a second: one 1 MiB chunk is deflated once (ending in a full flush, so
    its compressed bytes do not depend on what came before) and repeated; the zip around it is
    written by hand because :mod:`zipfile` cannot store data that is already compressed."""
    chunk = b"<w:p><w:r><w:t>0</w:t></w:r></w:p>" * (1024 * 1024 // 35)
    repeats = BOMB_XML_BYTES // len(chunk)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    data = block * repeats + deflate.flush()
    crc = 0
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    members = [
        (b"[Content_Types].xml", b'<?xml version="1.0"?><Types/>', None),
        (b"word/document.xml", data, crc),
    ]
    out, central = io.BytesIO(), io.BytesIO()
    for name, body, member_crc in members:
        size = len(chunk) * repeats if member_crc is not None else len(body)
        crc32 = member_crc if member_crc is not None else zlib.crc32(body)
        method = 8 if member_crc is not None else 0
        offset = out.tell()
        out.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc32, len(body), size, len(name), 0)
        )
        out.write(name + body)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0,
                crc32,
                len(body),
                size,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
    cd = central.getvalue()
    out.write(
        cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(cd), out.tell(), 0)
    )
    return out.getvalue()


def article_encoding(faults: set[str], a: Article) -> str:
    return "gbk" if "gbk" in faults and a.seed == GBK_SEED else "utf-8"


# ------------------------------------------------------------------ attachments
def serve_attachment(handler: Handler, att: Attachment | None, filename: str, ctype: str) -> bool:
    """Send a faulty answer for an attachment; True when one was sent."""
    site: Site = handler.site
    faults = site.faults
    if "attachment_down" in faults:
        handler._send(503, b"<h1>503 Service Unavailable</h1>")
        return True
    if att is None:
        twin = twin_attachment()
        if "body_and_attachment" in faults and filename == twin.filename:
            handler._conditional(twin.data, ctype, date(2019, 1, 1))
            return True
        return False
    data = attachment_bytes(site, att)
    if "short_read" in faults and any(att is t for t in _seed_files(site, SHORT_READ_FILE_SEED)):
        _send_cut_short(handler, data, ctype)
        return True
    if att.declared_size:
        handler.send_response(200)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(att.declared_size))
        handler.end_headers()
        handler.close_connection = True
        try:
            handler.wfile.write(data + b"\0" * 65536)
        except OSError:
            pass
        return True
    if "truncated" in faults and site.first_hit("trunc " + filename):
        handler.send_response(200)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data[: len(data) // 2])
        handler.close_connection = True
        return True
    return False


def attachment_bytes(site: Site, att: Attachment) -> bytes:
    """The bytes served for ``att`` while the faults are on."""
    if "corrupt_docx" in site.faults and att.filename.endswith(".docx") and att is _corrupt_target(site):
        return att.data[: len(att.data) // 3]
    if "zip_bomb" in site.faults and any(att is t for t in _seed_files(site, BOMB_SEED)):
        return zip_bomb()
    return att.data


def _seed_files(site: Site, seed: str) -> list[Attachment]:
    return [att for a in site.articles.values() if a.seed == seed for att in a.attachments]


def _corrupt_target(site: Site) -> Attachment | None:
    for a in site.articles.values():
        if a.seed == CORRUPT_SEED and a.attachments:
            return a.attachments[0]
    return None

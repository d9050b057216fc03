"""Article pages and attachment files.

Templates (``Article.template``): ``zoom`` (jpage era: ``div#zoom`` inside the ZJEG markers),
``art-con`` (``div.art-con[ergodic=article]``, no markers, a sidebar with its own file link) and
``zc_article_con`` (``div.zc_article_con`` > ``div.TRS_Editor``). Real-shaped pages (``real``)
put the 附件 links inside the body; the seeds site keeps them in a separate div.

Attachment links (``Attachment.link``): ``downfile`` → 302 to ``/attach/0/<name>`` here;
``oss`` → ``downfile.jsp?classid=-1`` 302 to the file host; ``direct-oss`` → the file host's URL
in the page; ``dead`` → a ``downfile.jsp`` link whose file answers 404.
"""

from __future__ import annotations

import html
from datetime import date

from replica import faults as fault_hooks
from replica.render import Response
from replica.render.model import file_host_path
from replica.site import Article, Attachment

CTYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "wps": "application/kswps",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "et": "application/octet-stream",
}
GUIDE = Attachment(
    "海曙区政府信息公开指南.pdf", "9a" * 16 + ".pdf", b""
)  # the sidebar's file (filled in server)


def link_href(att: Attachment, webid: str, file_host: str) -> str:
    if att.link == "direct-oss":
        return f"http://{file_host}{file_host_path(webid, att)}"
    classid = "-1" if att.link == "oss" else "0"
    return f"/module/download/downfile.jsp?classid={classid}&amp;filename={att.filename}"


def render(a: Article, faults: set[str], *, real: bool, webid: str, file_host: str) -> tuple[bytes, str]:
    """(page bytes, content type) of article ``a``."""
    a.materialise()
    body_html = fault_hooks.article_body(faults, a, a.body_html)
    atts = [*a.attachments, *fault_hooks.article_links(faults, a)]
    links = "".join(
        f'<p>附件：<a href="{link_href(att, webid, file_host)}">{html.escape(att.name)}</a></p>'
        for att in atts
    )
    charset = fault_hooks.article_encoding(faults, a)
    t = html.escape(a.title, quote=True)
    shown = a.modified or a.published
    head = (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>{t}</title>"
        f'<meta name="ArticleTitle" content="{t}"><meta name="PubDate" content="{shown.isoformat()} 09:00">'
        f'<meta name="ContentSource" content="{html.escape(a.source, quote=True)}">'
    )
    if a.template == "art-con":
        sidebar = f'<div class="side"><a href="/module/download/downfile.jsp?classid=0&amp;filename={GUIDE.filename}">{GUIDE.name}</a></div>'
        page = (
            f'{head}<meta content="{a.column_id}" name="i_columnid"></head><body><div class="header">海曙区人民政府</div>'
            f'{sidebar}<div class="article"><h1>{t}</h1><div class="info">发布日期：{shown.isoformat()} 来源：{html.escape(a.source)}</div>'
            f'<div class="art-con" ergodic="article">{body_html}{links}</div></div>'
            f'<div class="footer">主办：宁波市海曙区人民政府办公室</div></body></html>'
        )
    elif a.template == "zc_article_con":
        page = (
            f'{head}</head><body><div class="header">海曙区人民政府</div><h1>{t}</h1>'
            f'<div class="zc_article_con"><div class="TRS_Editor">{body_html}</div>{links}</div>'
            f'<div class="footer">主办：宁波市海曙区人民政府办公室</div></body></html>'
        )
    else:
        inside = links if real else ""
        outside = "" if real else f'<div class="attachments">{links.replace("附件：", "")}</div>'
        page = (
            f'{head}</head><body><div class="title">{t}</div><div class="info">发布日期：{shown.isoformat()}</div>'
            f'<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">{body_html}{inside}'
            f'<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>{outside}</body></html>'
        )
    gbk = charset == "gbk"
    data = page.encode("gb18030") if gbk else page.encode("utf-8")
    return data, f"text/html; charset={'GBK' if gbk else 'UTF-8'}"


def ctype_of(filename: str) -> str:
    return CTYPES.get(filename.rsplit(".", 1)[-1], "application/octet-stream")


def attachment_date(att: Attachment) -> date:
    return date(2019, 1, 1)


def downfile(q: dict, *, file_host: str, webid_of) -> Response:
    """``downfile.jsp``: 302 to the file (``classid=-1``: on the file host)."""
    name = (q.get("filename") or [""])[0]
    if (q.get("classid") or ["0"])[0] == "-1":
        return Response(
            302,
            headers={
                "Location": f"http://{file_host}/jcms_files/jcms1/web{webid_of(name)}/site/attach/0/{name}"
            },
        )
    return Response(302, headers={"Location": f"/attach/0/{name}"})

"""Where an article page keeps its report: the body container and the attachment links that belong
to the article (not to the page chrome around it).

jpage-era JCMS pages wrap the body in ``<!--ZJEG_RSS.content.begin-->`` markers inside ``div#zoom``;
jpaas and other templates use other containers (``div.art-con[ergodic=article]``,
``div.zc_article_con``, ``div.TRS_Editor``, ``div.zhengw``, ``div.con_wen``, ``div#ivs_content``,
``div.article-body``). Attachment links count when they sit in the body, in an attachment block
(``class``/``id`` like ``attach``, ``fujian``, ``fj``) or are labelled 附件; when no body container is
known, every file link on the page counts (as before).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from scrapers.extract.html import ZJEG_BODY, html_root

_ATTACH_EXT = re.compile(r"\.(docx?|pdf|xlsx?|wps|et)(?:$|[?&#])", re.I)
BODY_IDS = ("zoom", "ivs_content", "article-content", "artibody")
BODY_CLASSES = (
    "art-con",
    "zc_article_con",
    "TRS_Editor",
    "zhengw",
    "con_wen",
    "article-body",
    "article-content",
    "art_con",
    "main-txt",
)
_ATTACH_BLOCK = re.compile(r"attach|fujian|\bfj|xgfj|fjxz|enclosure|appendix", re.I)


def _has_class(cls: str) -> str:
    return f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]"


def body_element(root):
    """The article body element of a parsed page, or ``None`` when no known container is there."""
    for ident in BODY_IDS:
        el = root.get_element_by_id(ident, None)
        if el is not None:
            return el
    found = root.xpath("//*[@ergodic='article']")
    if found:
        return found[0]
    for cls in BODY_CLASSES:
        found = root.xpath(_has_class(cls))
        if found:
            return found[0]
    return None


def body_html(page: str) -> str:
    """What to extract the report text from: the page itself when it has the ZJEG markers or
    ``div#zoom`` (the extractor finds those), else the known body container, else the page."""
    import lxml.html

    if ZJEG_BODY.search(page):
        return page
    try:
        root = html_root(page)
    except (ValueError, lxml.etree.ParserError):
        return page
    if root is None:  # nested too deep for lxml: the extractor reads the page without a tree
        return page
    el = body_element(root)
    if el is None or el.get("id") == "zoom":
        return page
    return f"<html><body>{lxml.html.tostring(el, encoding='unicode', with_tail=False)}</body></html>"


def is_file_link(href: str) -> bool:
    return "downfile.jsp" in href or "/attach/" in href or bool(_ATTACH_EXT.search(href))


def _labelled_attachment(a) -> bool:
    if "附件" in a.text_content():
        return True
    prev = a.getprevious()
    before = (prev.tail if prev is not None else a.getparent().text) or ""
    parent_text = (a.getparent().text or "") if a.getparent() is not None else ""
    return "附件" in before[-20:] or parent_text.strip().startswith("附件")


def _in_attachment_block(a) -> bool:
    for el in a.iterancestors():
        if el.tag in ("body", "html"):
            return False
        if _ATTACH_BLOCK.search(f"{el.get('class', '')} {el.get('id', '')}"):
            return True
    return False


def attachment_links(page: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, link text) of the article's attachments, in page order."""
    import lxml.html

    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    try:
        root = html_root(page)
    except (ValueError, lxml.etree.ParserError):
        return out
    if root is None:  # nested too deep for lxml: every file link of the page, as BeautifulSoup reads it
        return _every_file_link(page, base_url)
    body = body_element(root)
    inside = set(body.iter("a")) if body is not None else None
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or not is_file_link(href):
            continue
        if inside is not None and a not in inside and not _labelled_attachment(a) and not _in_attachment_block(a):
            continue  # page chrome: a sidebar guide, a related article's file
        url = urljoin(base_url, href)
        if url not in seen:
            seen.add(url)
            out.append((url, a.text_content().strip()))
    return out


def _every_file_link(page: str, base_url: str) -> list[tuple[str, str]]:
    """(absolute URL, link text) of every file link of the page, in page order."""
    from bs4 import BeautifulSoup

    out: dict[str, str] = {}
    for a in BeautifulSoup(page, "lxml").find_all("a", href=True):
        href = str(a["href"]).strip()
        if href and is_file_link(href):
            out.setdefault(urljoin(base_url, href), a.get_text().strip())
    return list(out.items())

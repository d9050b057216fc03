"""HTML article pages: charset detection, the body container, blocks and tables as seed-layout lines."""

from __future__ import annotations

import re
from importlib.metadata import version as _pkg_version

from scrapers.extract.common import Extracted, ExtractionError, finish, rows_text

_BLOCK_TAGS = {
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "section",
    "article",
    "center",
    "blockquote",
}


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode a page: declared/meta charset first, UTF-8, then GB18030 (a superset of GBK/GB2312)."""
    candidates: list[str] = []
    if declared:
        candidates.append(declared)
    m = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", data[:2048], re.I)
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        enc = "gb18030" if enc.lower() in ("gbk", "gb2312", "gb18030") else enc
        try:
            return data.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("gb18030", errors="replace")


def html_root(text: str, *, fragment: bool = False):
    """lxml's tree of a page (of a body fragment, under one ``div``), or None when libxml2 gave up
    part of it: it stops reading at 256 nested elements (unclosed ``<span>``/``<font>`` of a damaged
    page), and a tree cut there would silently lose the rest. Raises what lxml raises on no markup."""
    import lxml.html

    parser = lxml.html.HTMLParser()
    if fragment:
        root = lxml.html.fragment_fromstring(text or "<p></p>", create_parent="div", parser=parser)
    else:
        root = lxml.html.document_fromstring(text, parser=parser)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        return None
    return root


def _parse_fragment(fragment: str):
    import lxml.etree

    try:
        return html_root(fragment, fragment=True)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ExtractionError(f"unreadable HTML: {exc}") from exc


# the article body of a jpage-era JCMS page, between its markers
ZJEG_BODY = re.compile(r"<!--ZJEG_RSS\.content\.begin-->(.*?)<!--ZJEG_RSS\.content\.end-->", re.S)


def content_fragment(page: str) -> str:
    """The article body: between the ZJEG_RSS markers, else ``div#zoom``, else the whole page."""
    m = ZJEG_BODY.search(page)
    if m:
        return m.group(1)
    import lxml.etree
    import lxml.html

    try:
        root = html_root(page)
    except (ValueError, lxml.etree.ParserError):
        return page
    if root is None:  # nested too deep for lxml: the body as the tolerant parser of listings reads it
        return _deep_body(page)
    zoom = root.get_element_by_id("zoom", None)
    if zoom is None:
        body = root.find("body")
        return lxml.html.tostring(body, encoding="unicode") if body is not None else page
    return lxml.html.tostring(zoom, encoding="unicode", with_tail=False)


def _deep_body(page: str) -> str:
    """``div#zoom``, else the body, of a page lxml cannot read whole (BeautifulSoup has no depth limit)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "lxml")
    return str(soup.find(id="zoom") or soup.body or soup)


# a page too deep for lxml is read as text: a block's or a cell's end is a line break, other tags go
_LINE_END_TAG = re.compile(
    r"<(?:br\b|/(?:p|div|h[1-6]|li|tr|td|th|table|section|article|center|blockquote|title)\s*)[^>]*>", re.I
)
_TAG = re.compile(r"<[^>]*>")


def _flat_text(fragment: str) -> str:
    """The text of HTML read without a tree: one line per block or table cell (cells one per line, a
    layout the parser reads), runs of blank lines made one."""
    import html as html_lib

    text = html_lib.unescape(_TAG.sub("", _LINE_END_TAG.sub("\n", fragment)))
    return re.sub(r"\n\s*\n\s*", "\n\n", "\n".join(line.strip() for line in text.split("\n"))).strip()


_SKIP_TAGS = {"script", "style", "meta", "head", "title", "link", "img", "input", "button"}


def _text(el) -> str:
    """An element's text with ``<br>`` as a line break."""
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return el.text_content()


def _html_cell(td) -> str:
    paras = [c for c in td if isinstance(c.tag, str) and c.tag in ("p", "div")]
    if paras:
        return "\n".join(_text(p) for p in paras)
    return _text(td)


def _loose_text(text: str | None, lines: list[str]) -> bool:
    if text and text.strip():
        lines.append(text.strip("\r\n"))
        return True
    return False


def html_blocks_to_lines(node, lines: list[str]) -> bool:
    """Append ``node``'s children as lines; return whether the last thing written was a table."""
    last_table = False
    if _loose_text(node.text, lines):
        last_table = False
    for child in node:
        tag = child.tag if isinstance(child.tag, str) else None  # comments, processing instructions
        if tag is None or tag in _SKIP_TAGS or tag == "br":
            pass
        elif tag == "table":
            rows = []
            for tr in child.iter("tr"):
                if next(tr.iterancestors("table"), None) is not child:
                    continue  # a nested table's row
                rows.append(
                    [_html_cell(td) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
                )
            lines.extend(rows_text(rows))
            last_table = True
        elif next(child.iter("table"), None) is not None or (
            tag in _BLOCK_TAGS
            and any(isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in child.iterdescendants())
        ):
            last_table = html_blocks_to_lines(child, lines)
        else:
            lines.append(_text(child))
            last_table = False
        if _loose_text(child.tail, lines):
            last_table = False
    return last_table


def extract_html(data: bytes | str) -> Extracted:
    """A page's body as seed-layout lines (extractor ``html:lxml``); a page nested deeper than lxml
    reads is taken as text, one line per block or cell, so that nothing of it is lost
    (``html:text``)."""
    page = data if isinstance(data, str) else decode_html(data)
    fragment = content_fragment(page)
    root = _parse_fragment(fragment)
    if root is None:
        return Extracted(_flat_text(fragment), "html:text", f"gongkai-{_pkg_version('gongkai')}")
    lines: list[str] = []
    ends_in_table = html_blocks_to_lines(root, lines)
    return Extracted(finish(lines, ends_in_table), "html:lxml", f"lxml-{_pkg_version('lxml')}")

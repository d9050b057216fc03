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


def _parse_fragment(fragment: str):
    import lxml.html

    try:
        return lxml.html.fragment_fromstring(fragment or "<p></p>", create_parent="div")
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ExtractionError(f"unreadable HTML: {exc}") from exc


def content_fragment(page: str) -> str:
    """The article body: between the ZJEG_RSS markers, else ``div#zoom``, else the whole page."""
    m = re.search(r"<!--ZJEG_RSS\.content\.begin-->(.*?)<!--ZJEG_RSS\.content\.end-->", page, re.S)
    if m:
        return m.group(1)
    import lxml.html

    try:
        root = lxml.html.document_fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return page
    zoom = root.get_element_by_id("zoom", None)
    if zoom is None:
        body = root.find("body")
        return lxml.html.tostring(body, encoding="unicode") if body is not None else page
    return lxml.html.tostring(zoom, encoding="unicode", with_tail=False)


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
    page = data if isinstance(data, str) else decode_html(data)
    lines: list[str] = []
    ends_in_table = html_blocks_to_lines(_parse_fragment(content_fragment(page)), lines)
    return Extracted(finish(lines, ends_in_table), "html:lxml", f"lxml-{_pkg_version('lxml')}")

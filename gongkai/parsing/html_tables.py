"""HTML layouts: the ``<td>``/``<th>`` cells of each table in document order (``colspan``/``rowspan``
cells appear once, ``&nbsp;`` is blank); the text outside the tables is read as plain lines.

A plain table (lower-case tags, double-quoted attributes, cells of text and the common entities) is
read with regular expressions; anything else goes through lxml."""

from __future__ import annotations

import html as html_lib
import re

from gongkai.parsing.lines import text_lines
from gongkai.parsing.tokens import KINDS, MEMO_MAX, Cell, Token, classify, make_cell, worth_keeping
from gongkai.parsing.traditional import to_simplified
from gongkai.parsing.values import MAX_DIGITS, normalize

# ``<table\b.*?</table\s*>`` (re.S), unrolled and possessive so that it does not backtrack: what a
# table is. ``table_spans`` finds its matches as an opening tag and the first closing tag after it
# (this regex, tried at every opening tag of a text that never closes one again, would read up to
# the text's end each time: quadratic time)
TABLE_RE = re.compile(r"<table\b[^<]*+(?:<(?!/table\s*>)[^<]*+)*+</table\s*>", re.I)
_TABLE_OPEN_RE = re.compile(r"<table\b", re.I)
_TABLE_CLOSE_RE = re.compile(r"</table\s*>", re.I)
_BLOCK_END_RE = re.compile(r"<br\s*/?>|</(?:p|div|h[1-6]|li|tr|title)\s*>", re.I)
_TAG_RE = re.compile(r"<[^>]+>")


# A plain table: read with one regex instead of lxml.
_ATTRS = r'(?:\s+[a-z-]+="[^"<>&]*+")*+\s*+'
_CELL_CHARS = r"[^<>&\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]*+"
_ENTITY = r"&(?:nbsp|amp|lt|gt|quot|#x27|#39);"
_CELL = rf"<(t[dh]){_ATTRS}>({_CELL_CHARS}(?:{_ENTITY}{_CELL_CHARS})*)</\1>"
# The same cells without groups, and every repeat possessive (giving back a cell, a row or white
# space can never make the table match, as what follows each is a different tag): half the work.
_CELL_TEXT = rf"{_CELL_CHARS}(?:{_ENTITY}{_CELL_CHARS})*+"
_ANY_CELL = rf"(?:<td{_ATTRS}>{_CELL_TEXT}</td>|<th{_ATTRS}>{_CELL_TEXT}</th>)"
_PLAIN_TABLE_RE = re.compile(
    rf"<table{_ATTRS}>(?:\s*+<tbody>)?(?:\s*+<tr{_ATTRS}>(?:\s*+{_ANY_CELL})*+\s*+</tr>)*+"
    rf"(?:\s*+</tbody>)?\s*+</table>"
)
_PLAIN_CELL_RE = re.compile(_CELL)


# In a plain table every ``<`` opens a tag and cell text holds none, so once the table is known to
# be plain its cells' texts are read with a much simpler pattern than ``_CELL`` (same cells).
_PLAIN_TEXT_RE = re.compile(r"<t[dh][^>]*>([^<]*)")
_SPANNING_CELL_RE = re.compile(r"<t[dh][^<]*\n")  # a cell whose tag or text goes over a line break


def _html_table(segment: str, first_line: int, out: list[Token]) -> None:
    if _PLAIN_TABLE_RE.fullmatch(segment):
        memo = _HTML_CELLS
        append = out.append
        if _SPANNING_CELL_RE.search(segment) is None:  # every cell on one line: read line by line
            line = first_line
            for text in segment.split("\n"):
                if "<t" in text:
                    for raw in _PLAIN_TEXT_RE.findall(text):
                        got = memo.get(raw) or _plain_html_cell(raw)
                        append((*got, line))
                line += 1
            return
        line = first_line
        pos = 0
        for m in _PLAIN_CELL_RE.finditer(segment):
            start = m.start()
            line += segment.count("\n", pos, start)
            pos = start
            raw = m.group(2)
            got = memo.get(raw) or _plain_html_cell(raw)
            append((*got, line))
        return
    import lxml.html

    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.fragment_fromstring(segment, parser=parser)
    except Exception:  # malformed markup: fall back to its text, line by line
        root = None
    if root is None or any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        # (libxml2 stops reading at 256 nested elements: a tree cut there would lose cells)
        _table_text(segment, first_line, out)
        return
    for tr in root.iter("tr"):
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            raw = td.text_content()
            out.append(_html_cell(raw, first_line + (td.sourceline or 1) - 1))


_CELL_OPEN_RE = re.compile(r"<t[dh]\b[^>]*>", re.I)
_CELL_END_RE = re.compile(r"</t[dh]\s*>|<t[dh]\b|</?tr\b|</table\b", re.I)


def _table_text(segment: str, first_line: int, out: list[Token]) -> None:
    """The cells of a table that lxml cannot read, without a tree: each ``<td>``/``<th>`` up to the
    next cell or row tag is a cell (an empty one a blank cell), on the line its tag opens."""
    line, counted = first_line, 0
    for m in _CELL_OPEN_RE.finditer(segment):
        line += segment.count("\n", counted, m.start())
        counted = m.start()
        end = _CELL_END_RE.search(segment, m.end())
        raw = segment[m.end() : end.start() if end else len(segment)]
        out.append(_html_cell(html_lib.unescape(_TAG_RE.sub("", raw)), line))


_HTML_CELLS: dict[str, Cell] = {}  # the markup of a plain cell's text → its cell


def _plain_html_cell(raw: str) -> Cell:
    """The cell of a plain ``<td>`` whose markup between the tags is ``raw`` (memoised unless a number)."""
    if raw.isdigit() and raw.isascii() and len(raw) <= MAX_DIGITS:  # a bare number: as _html_cell_text reads it
        got: Cell = (raw, raw, *(KINDS.get(raw) or classify(raw)))
        if got[3].value and len(raw) > 4:  # type: ignore[union-attr]  # not kept (see _keep)
            return got
    else:
        got = _html_cell_text(html_lib.unescape(raw) if "&" in raw else raw)
    if len(_HTML_CELLS) < MEMO_MAX and worth_keeping((got,)):
        _HTML_CELLS[raw] = got
    return got


def _html_cell_text(raw: str) -> Cell:
    """The cell of an HTML ``<td>`` whose text content is ``raw``."""
    return make_cell(raw, _cell_text(raw))


def _html_cell(raw: str, line: int) -> Token:
    got = _html_cell_text(raw)
    return (*got, line)


_CELL_TEXTS: dict[str, str] = {}


def _cell_text(raw: str) -> str:
    """Normalised, Simplified, one-line text of an HTML cell (memoised: cell texts repeat)."""
    if raw.isascii():
        return raw.replace("\n", " ")
    got = _CELL_TEXTS.get(raw)
    if got is None:
        got = to_simplified(normalize(raw)).replace("\n", " ")
        if len(_CELL_TEXTS) < 100_000:
            _CELL_TEXTS[raw] = got
    return got


def table_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each HTML table of the text: the spans of ``TABLE_RE``'s matches, found in one
    pass over the text."""
    spans: list[tuple[int, int]] = []
    pos = 0
    while (opening := _TABLE_OPEN_RE.search(text, pos)) is not None:
        closing = _TABLE_CLOSE_RE.search(text, opening.end())
        if closing is None:  # no table closes after this one opens: none after it does either
            break
        spans.append((opening.start(), closing.end()))
        pos = closing.end()
    return spans


def html_tokens(text: str, tables: list[tuple[int, int]], out: list[Token]) -> None:
    pos = 0
    line = 1
    for start, end in tables:
        _html_prose(text[pos:start], line, out)
        line += text.count("\n", pos, start)
        _html_table(text[start:end], line, out)
        line += text.count("\n", start, end)
        pos = end
    _html_prose(text[pos:], line, out)


def _line_breaks_of(tag: re.Match[str]) -> str:
    """What a tag leaves of itself: the line breaks inside it (so that every line keeps its number)."""
    return "\n" * tag.group().count("\n")


def _html_prose(segment: str, first_line: int, out: list[Token]) -> None:
    if not segment.strip():
        return
    # keep line numbers: block ends become newlines only where the source had none
    segment = _BLOCK_END_RE.sub(lambda m: m.group(0) if "\n" in m.group(0) else "", segment)
    text = html_lib.unescape(_TAG_RE.sub(_line_breaks_of, segment))
    text_lines(text, to_simplified(text), first_line, out)


_HTML_RE = re.compile(r"<t(?:able|d)\b", re.I)


def is_html(text: str) -> bool:
    return _HTML_RE.search(text) is not None



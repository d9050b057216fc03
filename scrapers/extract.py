"""Text extraction per format, into the seed text layout.

Paragraphs become lines; a table becomes, per row, one TAB-prefixed line per cell followed by a
blank line (as in ``fixtures/reports``). Every result carries the extractor's name and version.
A file that cannot be read raises :class:`ExtractionError` (the caller quarantines it).
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import threading
from collections import OrderedDict
from dataclasses import dataclass
from importlib.metadata import version as _pkg_version

FORMATS = ("html", "docx", "doc", "pdf", "xls", "xlsx")


class ExtractionError(Exception):
    """The bytes could not be turned into text (corrupt, encrypted, unsupported, tool missing)."""


@dataclass(frozen=True)
class Extracted:
    text: str
    extractor: str
    extractor_version: str


def sniff_format(data: bytes, hint: str | None = None) -> str:
    """The format of ``data`` from its magic bytes, falling back to a file-extension ``hint``."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: Word 97 or Excel 97
        return "xls" if hint == "xls" else "doc"
    if data.startswith(b"PK\x03\x04"):
        return hint if hint in ("docx", "xlsx") else "docx"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<meta", b"<div", b"<p")):
        return "html"
    return hint or "other"


def _rows_text(rows: list[list[str]]) -> list[str]:
    out: list[str] = []
    for row in rows:
        out.extend("\t" + cell for cell in row)
        out.append("")
    return out


def _finish(lines: list[str], ends_in_table: bool) -> str:
    if ends_in_table and lines and lines[-1] == "":
        lines = lines[:-1]
    return "\n".join(lines)


# ---------------------------------------------------------------- HTML
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
            lines.extend(_rows_text(rows))
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
    return Extracted(_finish(lines, ends_in_table), "html:lxml", f"lxml-{_pkg_version('lxml')}")


# ---------------------------------------------------------------- .docx
def extract_docx(data: bytes) -> Extracted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # zipfile.BadZipFile, KeyError, lxml errors: all mean "not a readable docx"
        raise ExtractionError(f"unreadable .docx: {type(exc).__name__}: {exc}") from exc
    lines: list[str] = []
    last_table = False
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            lines.append(item.text)
            last_table = False
        elif isinstance(item, Table):
            rows = []
            for row in item.rows:
                seen: set[int] = set()
                cells = []
                for cell in row.cells:  # merged cells repeat: keep each once
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append("\n".join(p.text for p in cell.paragraphs))
                rows.append(cells)
            lines.extend(_rows_text(rows))
            last_table = True
    return Extracted(_finish(lines, last_table), "docx:python-docx", _pkg_version("python-docx"))


# ---------------------------------------------------------------- .doc (Word 97)
def _tool_version(tool: str) -> str:
    out = subprocess.run([tool, "-h"], capture_output=True, text=True, check=False)
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)", out.stdout + out.stderr)
    return m.group(1) if m else "unknown"


def _entry_text(el) -> str:
    return "".join(el.itertext()).strip("\n ")


def _docbook_lines(node, lines: list[str]) -> bool:
    """Append antiword DocBook ``node`` as lines; return whether the last thing written was a table."""
    last_table = False
    for el in node:
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("informaltable", "table"):
            rows = [[_entry_text(e) for e in row.iter("entry")] for row in el.iter("row")]
            lines.extend(_rows_text(rows))
            last_table = True
        elif el.tag == "para" and next(el.iter("informaltable", "table"), None) is None:
            text = "".join(el.itertext()).strip("\n ")
            lines.append(text)
            last_table = False
        elif el.tag not in ("bookinfo", "title"):
            last_table = _docbook_lines(el, lines)
    return last_table


def extract_doc(data: bytes) -> Extracted:
    """Legacy Word via antiword's DocBook output (keeps table structure); catdoc as a fallback."""
    from lxml import etree

    antiword = shutil.which("antiword")
    if antiword is None:
        return _extract_doc_catdoc(data)
    proc = subprocess.run(
        [antiword, "-x", "db", "-m", "UTF-8.txt", "-"],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout.strip():
        raise ExtractionError(f"antiword failed: {proc.stderr.decode('utf-8', 'replace').strip()[:200]}")
    xml = re.sub(rb"<!DOCTYPE[^>]*>", b"", proc.stdout, count=1, flags=re.S)
    root = etree.fromstring(xml, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    lines: list[str] = []
    last_table = _docbook_lines(root, lines)
    return Extracted(_finish(lines, last_table), "doc:antiword", _tool_version(antiword))


def _extract_doc_catdoc(data: bytes) -> Extracted:
    catdoc = shutil.which("catdoc")
    if catdoc is None:
        raise ExtractionError("no .doc extractor installed (antiword or catdoc; see scripts/setup.sh)")
    proc = subprocess.run([catdoc, "-d", "utf-8", "-w", "-"], input=data, capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise ExtractionError(f"catdoc failed: {proc.stderr.decode('utf-8', 'replace')[:200]}")
    text = proc.stdout.decode("utf-8", "replace")
    lines: list[str] = []
    for line in text.split("\n"):
        if "\t" in line:
            lines.extend(_rows_text([line.split("\t")]))
        else:
            lines.append(line)
    return Extracted("\n".join(lines), "doc:catdoc", _tool_version(catdoc))


# ---------------------------------------------------------------- .pdf
def _join_continued_row(lines: list[str], rows: list[list[str]]) -> list[list[str]]:
    """A row split by a page break: the next page's table starts with a row whose cells other
    than the first are empty. Append it to the previous page's last row (already in ``lines``)."""
    if not rows or len(rows[0]) < 2 or any(c.strip() for c in rows[0][1:]) or not rows[0][0].strip():
        return rows
    ncols = len(rows[0])
    tail = lines[-(ncols + 1) : -1] if len(lines) > ncols else []
    if len(tail) != ncols or not all(t.startswith("\t") for t in tail) or lines[-1] != "":
        return rows
    for i, cell in enumerate(rows[0]):
        lines[len(lines) - ncols - 1 + i] += cell
    return rows[1:]


def extract_pdf(data: bytes) -> Extracted:
    """pdfplumber: tables cell by cell, other text line by line, merged in top-to-bottom order."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise ExtractionError(f"unreadable .pdf: {type(exc).__name__}: {exc}") from exc
    lines: list[str] = []
    last_table = False
    try:
        with pdf:
            for page in pdf.pages:
                tables = page.find_tables()
                boxes = [t.bbox for t in tables]

                def outside(obj, boxes=boxes) -> bool:
                    cx = (obj["x0"] + obj["x1"]) / 2
                    cy = (obj["top"] + obj["bottom"]) / 2
                    return not any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in boxes)

                items: list[tuple[float, object]] = []
                text_page = page.filter(outside) if boxes else page
                for tl in text_page.extract_text_lines(return_chars=False):
                    items.append((tl["top"], tl["text"]))
                for table in tables:
                    rows = [[(c or "").replace("\n", "") for c in row] for row in table.extract()]
                    items.append((table.bbox[1], rows))
                for n, (_, item) in enumerate(sorted(items, key=lambda x: x[0])):
                    if n == 0 and last_table and not isinstance(item, str):
                        item = _join_continued_row(lines, item)  # type: ignore[arg-type]
                    if isinstance(item, str):
                        lines.append(item)
                        last_table = False
                    else:
                        lines.extend(_rows_text(item))  # type: ignore[arg-type]
                        last_table = True
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(f"unreadable .pdf: {type(exc).__name__}: {exc}") from exc
    return Extracted(_finish(lines, last_table), "pdf:pdfplumber", _pkg_version("pdfplumber"))


# ---------------------------------------------------------------- spreadsheets
def extract_xlsx(data: bytes) -> Extracted:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ExtractionError(f"unreadable .xlsx: {type(exc).__name__}: {exc}") from exc
    lines: list[str] = []
    for ws in wb.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        lines.extend(_rows_text([r for r in rows if any(r)]))
    return Extracted(_finish(lines, True), "xlsx:openpyxl", _pkg_version("openpyxl"))


def extract_xls(data: bytes) -> Extracted:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception as exc:
        raise ExtractionError(f"unreadable .xls: {type(exc).__name__}: {exc}") from exc
    lines: list[str] = []
    for sheet in book.sheets():
        rows = [[str(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
        lines.extend(_rows_text([r for r in rows if any(r)]))
    return Extracted(_finish(lines, True), "xls:xlrd", _pkg_version("xlrd"))


EXTRACTORS = {
    "html": extract_html,
    "docx": extract_docx,
    "doc": extract_doc,
    "pdf": extract_pdf,
    "xls": extract_xls,
    "xlsx": extract_xlsx,
}


_CACHE: OrderedDict[tuple[str, str], Extracted] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def extract(data: bytes, fmt: str) -> Extracted:
    """Extract ``data`` of format ``fmt`` (one of :data:`FORMATS`).

    Results are memoised by content hash (the same attachment is often linked from several
    articles, and PDF layout analysis is slow); failures are not cached.
    """
    fn = EXTRACTORS.get(fmt)
    if fn is None:
        raise ExtractionError(f"unsupported format: {fmt}")
    key = (hashlib.sha256(data).hexdigest(), fmt)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    result = fn(data)
    with _CACHE_LOCK:
        _CACHE[key] = result
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result

"""Text extraction per format, into the seed text layout (one module per format).

Paragraphs become lines; a table becomes, per row, one TAB-prefixed line per cell followed by a
blank line (as in ``fixtures/reports``). Every result carries the extractor's name and version.
A file that cannot be read, or that is over an input limit (a .docx/.xlsx that unpacks to more
than :data:`MAX_UNZIPPED_BYTES`), raises :class:`ExtractionError` (the caller quarantines it).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from scrapers.extract.common import MAX_UNZIPPED_BYTES, Extracted, ExtractionError, check_zip
from scrapers.extract.doc import extract_doc
from scrapers.extract.docx import extract_docx
from scrapers.extract.html import content_fragment, decode_html, extract_html, html_blocks_to_lines
from scrapers.extract.pdf import extract_pdf
from scrapers.extract.sheets import extract_xls, extract_xlsx
from scrapers.extract.sniff import sniff_format

__all__ = [
    "EXTRACTORS",
    "FORMATS",
    "MAX_UNZIPPED_BYTES",
    "Extracted",
    "ExtractionError",
    "check_zip",
    "content_fragment",
    "decode_html",
    "extract",
    "extract_doc",
    "extract_docx",
    "extract_html",
    "extract_pdf",
    "extract_xls",
    "extract_xlsx",
    "html_blocks_to_lines",
    "sniff_format",
]

FORMATS = ("html", "docx", "doc", "pdf", "xls", "xlsx")
EXTRACTORS = {
    "html": extract_html,
    "docx": extract_docx,
    "doc": extract_doc,
    "pdf": extract_pdf,
    "xls": extract_xls,
    "xlsx": extract_xlsx,
}
_ZIPPED = {"docx", "xlsx"}

_CACHE: OrderedDict[tuple[str, str, int], Extracted] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def extract(data: bytes, fmt: str, *, max_unzipped: int = MAX_UNZIPPED_BYTES) -> Extracted:
    """Extract ``data`` of format ``fmt`` (one of :data:`FORMATS`).

    Results are memoised by content hash and limit (the same attachment is often linked from
    several articles, and PDF layout analysis is slow); failures are not cached.
    """
    fn = EXTRACTORS.get(fmt)
    if fn is None:
        raise ExtractionError(f"unsupported format: {fmt}")
    key = (hashlib.sha256(data).hexdigest(), fmt, max_unzipped if fmt in _ZIPPED else 0)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    result = fn(data, max_unzipped) if fmt in _ZIPPED else fn(data)
    with _CACHE_LOCK:
        _CACHE[key] = result
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result

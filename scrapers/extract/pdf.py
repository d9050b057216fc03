"""PDF via pdfplumber: tables cell by cell, other text line by line, in top-to-bottom order."""

from __future__ import annotations

import io
from importlib.metadata import version as _pkg_version

from scrapers.extract.common import Extracted, ExtractionError, finish, rows_text

MAX_PDF_PAGES = 300  # an annual report has 5-40 pages


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
    images = 0
    try:
        with pdf:
            if len(pdf.pages) > MAX_PDF_PAGES:  # layout analysis costs seconds per page
                raise ExtractionError(f"refused .pdf: {len(pdf.pages)} pages (limit {MAX_PDF_PAGES})")
            for page in pdf.pages:
                images += len(page.images)
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
                        lines.extend(rows_text(item))  # type: ignore[arg-type]
                        last_table = True
    except ExtractionError:
        raise
    except Exception as exc:
        raise ExtractionError(f"unreadable .pdf: {type(exc).__name__}: {exc}") from exc
    if images and not any(line.strip() for line in lines):
        raise ExtractionError(f"image-only PDF (scanned, no text layer): {images} image(s); OCR not attempted")
    return Extracted(finish(lines, last_table), "pdf:pdfplumber", _pkg_version("pdfplumber"))

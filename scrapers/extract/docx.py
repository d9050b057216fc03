"""Word 2007+ (.docx) via python-docx: paragraphs and tables in document order."""

from __future__ import annotations

import io
from importlib.metadata import version as _pkg_version

from scrapers.extract.common import (
    MAX_UNZIPPED_BYTES,
    Extracted,
    ExtractionError,
    check_zip,
    finish,
    rows_text,
)


def extract_docx(data: bytes, max_unzipped: int = MAX_UNZIPPED_BYTES) -> Extracted:
    check_zip(data, "docx", max_unzipped)  # before anything is unpacked or imported
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
            lines.extend(rows_text(rows))
            last_table = True
    return Extracted(finish(lines, last_table), "docx:python-docx", _pkg_version("python-docx"))

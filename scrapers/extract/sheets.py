"""Spreadsheets: .xlsx via openpyxl, .xls via xlrd; each non-empty row as TAB cells."""

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


def extract_xlsx(data: bytes, max_unzipped: int = MAX_UNZIPPED_BYTES) -> Extracted:
    import openpyxl

    check_zip(data, "xlsx", max_unzipped)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ExtractionError(f"unreadable .xlsx: {type(exc).__name__}: {exc}") from exc
    lines: list[str] = []
    for ws in wb.worksheets:
        rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        lines.extend(rows_text([r for r in rows if any(r)]))
    return Extracted(finish(lines, True), "xlsx:openpyxl", _pkg_version("openpyxl"))


def extract_xls(data: bytes) -> Extracted:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception as exc:
        raise ExtractionError(f"unreadable .xls: {type(exc).__name__}: {exc}") from exc
    lines: list[str] = []
    for sheet in book.sheets():
        rows = [[str(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
        lines.extend(rows_text([r for r in rows if any(r)]))
    return Extracted(finish(lines, True), "xls:xlrd", _pkg_version("xlrd"))

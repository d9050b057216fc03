"""A file's format from its magic bytes."""

from __future__ import annotations


def sniff_format(data: bytes, hint: str | None = None) -> str:
    """The format of ``data`` from its magic bytes, falling back to a file-extension ``hint``."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # OLE2: Word 97 or Excel 97 (.wps/.et too), by its streams
        if "WordDocument".encode("utf-16-le") in data:
            return "doc"
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") + b"\x00\x00" in data:
            return "xls"
        return "xls" if hint == "xls" else "doc"
    if data.startswith(b"PK\x03\x04"):
        return hint if hint in ("docx", "xlsx") else "docx"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<?xml", b"<meta", b"<div", b"<p")):
        return "html"
    return hint or "other"

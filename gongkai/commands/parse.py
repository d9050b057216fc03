"""`gongkai parse PATH`: parse one report file (``-`` for stdin) and print its JSON.

The file may be a text (UTF-8, UTF-16 with its byte-order mark, GB18030/GBK) or a document as the
portals publish them (.pdf, .doc, .docx, .xls, .xlsx, an .html page): a document is told by its
magic bytes and read by the scrapers' extractors, so it parses as it would in the pipeline. A file
that cannot be read (empty, corrupt, binary of no known format) is one line and exit code 2."""

from __future__ import annotations

import codecs
from pathlib import Path

import click

from gongkai.errors import UserError

_DOCUMENTS = ("pdf", "doc", "docx", "xls", "xlsx", "html")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(data: bytes) -> str:
    """A text file's characters: by its byte-order mark, else UTF-8, else GB18030 (a superset of
    GBK and GB2312, what Chinese Windows writes), else UTF-8 with the undecodable bytes replaced."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def read_report(data: bytes, name: str) -> tuple[str, str | None]:
    """(text, extractor) of a report file named ``name``: a document's extracted text and the
    extractor that read it, or a text file's characters and None. Raises :class:`UserError` for a
    file that holds no readable report text."""
    from scrapers.extract import ExtractionError, extract, sniff_format

    if not data:
        raise UserError(f"{name}: empty file (0 bytes): nothing to parse")
    suffix = Path(name).suffix.lower().lstrip(".")
    suffix = "html" if suffix in ("htm", "shtml") else suffix
    fmt = sniff_format(data, suffix if suffix in _DOCUMENTS else None)
    if fmt in _DOCUMENTS:
        try:
            got = extract(data, fmt)
        except ExtractionError as exc:
            raise UserError(f"{name}: {exc}") from None
        return got.text, f"{got.extractor} {got.extractor_version}"
    text = decode_text(data)
    if "\x00" in text or text.count("\ufffd") * 20 > len(text):
        raise UserError(
            f"{name}: binary data of no known format (not text, nor {', '.join('.' + f for f in _DOCUMENTS)})"
        )
    return text, None


@click.command(name="parse")
@click.argument("path", type=click.File("rb"))
@click.option("--indent", type=int, default=None, help="Pretty-print with this indent.")
def command(path, indent: int | None) -> None:
    """Parse the report at PATH ('-' reads stdin) and print one JSON object (the parse contract).

    PATH is a text file or a .pdf/.doc/.docx/.xls/.xlsx/.html document (read as the pipeline reads
    attachments and pages)."""
    import json

    from gongkai.parsing import parse_text

    name = getattr(path, "name", "<stdin>")
    name = "stdin" if name in ("-", "<stdin>") else str(name)
    text, extractor = read_report(path.read(), name)
    if extractor:
        click.echo(f"gongkai parse: {name} read by {extractor}", err=True)
    result = parse_text(text)
    click.echo(json.dumps(result, ensure_ascii=False, indent=indent))

"""Minimal PDF writers for the district replica (no LibreOffice, no extra dependency).

- :func:`text_pdf`: a report's blocks as a text PDF. Chinese text uses the PDF standard CJK font
  ``STSong-Light`` with the ``UniGB-UCS2-H`` encoding (not embedded, as Acrobat-era government
  PDFs often were), so text extractors map it back to Unicode; each table row is drawn as a row
  of ruled cells, so table finders read it cell by cell.
- :func:`scanned_pdf`: an image-only PDF (a "scan": pages that are pictures, no text layer).
"""

from __future__ import annotations

import io
import zlib

from replica.layout import Block, Table

PAGE_W, PAGE_H, MARGIN = 595, 842, 50
SIZE, LEAD = 10, 14


def _hex(text: str) -> str:
    return "<" + "".join(f"{ord(c):04X}" for c in text if ord(c) < 0x10000) + ">"


def _wrap(text: str, width: float) -> list[str]:
    per_line = max(1, int(width // SIZE))
    return [text[i : i + per_line] for i in range(0, len(text), per_line)] or [""]


def _assemble(pages: list[bytes], resources: bytes, extra_objects: list[bytes] | None = None) -> bytes:
    """A PDF file from page content streams sharing one resource dictionary."""
    objs: list[bytes] = []  # object n is objs[n-1]
    n_extra = len(extra_objects or [])
    first_page = 3 + n_extra
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objs.extend(extra_objects or [])
    for i, content in enumerate(pages):
        stream = zlib.compress(content)
        objs.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources ".encode()
            + resources
            + f" /Contents {first_page + 2 * i + 1} 0 R >>".encode()
        )
        objs.append(
            f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream + b"\nendstream"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def text_pdf(blocks: list[Block]) -> bytes:
    """The blocks as a text PDF (paragraphs line by line, each table row as ruled cells)."""
    font = (
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
        b"/StemV 93 >> /DW 1000 >>] >>"
    )
    pages: list[bytes] = []
    ops: list[str] = []
    y = PAGE_H - MARGIN

    def need(height: float) -> None:
        nonlocal y, ops
        if y - height < MARGIN:
            pages.append("\n".join(ops).encode())
            ops = []
            y = PAGE_H - MARGIN

    def text_at(x: float, top: float, line: str) -> None:
        ops.append(f"BT /F1 {SIZE} Tf 1 0 0 1 {x:.1f} {top - SIZE:.1f} Tm {_hex(line)} Tj ET")

    width = PAGE_W - 2 * MARGIN
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                cw = width / max(1, len(row))
                cells = [[ln for p in cell for ln in _wrap(p, cw - 6)] for cell in row]
                height = max(len(c) for c in cells) * LEAD + 6
                need(height + 4)
                for i, lines in enumerate(cells):
                    x = MARGIN + i * cw
                    ops.append(f"0.5 w {x:.1f} {y - height:.1f} {cw:.1f} {height:.1f} re S")
                    for k, ln in enumerate(lines):
                        text_at(x + 3, y - 3 - k * LEAD, ln)
                y -= height + 4  # a gap: each row is its own ruled table
            y -= LEAD / 2
        else:
            for ln in _wrap(block, width):
                need(LEAD)
                if ln:
                    text_at(MARGIN, y, ln)
                y -= LEAD
    pages.append("\n".join(ops).encode())
    return _assemble(pages, b"<< /Font << /F1 3 0 R >> >>", [font])


def scanned_pdf(n_pages: int = 2, seed: int = 0) -> bytes:
    """An image-only PDF: each page one grey "scanned" picture, no text at all."""
    w, h = 420, 594
    pages = []
    images = []
    for p in range(n_pages):
        rows = bytearray()
        for yy in range(h):
            line = bytes(
                (235 - 90 * (((xx // 6 + yy // 14 + p + seed) % 7) == 0 and 40 < xx < w - 40 and yy % 14 < 8))
                for xx in range(w)
            )
            rows += line
        data = zlib.compress(bytes(rows), 6)
        images.append(
            f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray "
            f"/BitsPerComponent 8 /Filter /FlateDecode /Length {len(data)} >>\nstream\n".encode()
            + data
            + b"\nendstream"
        )
    refs = " ".join(f"/Im{i} {3 + i} 0 R" for i in range(n_pages))
    for i in range(n_pages):
        pages.append(f"q {PAGE_W} 0 0 {PAGE_H} 0 0 cm /Im{i} Do Q".encode())
    return _assemble(pages, f"<< /XObject << {refs} >> >>".encode(), images)

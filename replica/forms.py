"""Render a report's blocks (:mod:`replica.layout`) as an HTML article body or a .docx file."""

from __future__ import annotations

import html
import io

from replica.layout import Block, Table


def render_html_body(blocks: list[Block]) -> str:
    """The body as a Hanweb article has it: paragraphs as ``<p>``, tables cell by cell."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            out.append('<table border="1" cellspacing="0" style="border-collapse:collapse">')
            for row in block.rows:
                cells = "".join(
                    "<td>" + "".join(f"<p>{html.escape(p)}</p>" for p in cell) + "</td>" for cell in row
                )
                out.append(f"<tr>{cells}</tr>")
            out.append("</table>")
        else:
            out.append(f'<p style="white-space:pre-wrap">{html.escape(block)}</p>')
    return "\n".join(out)


def render_docx(blocks: list[Block]) -> bytes:
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, Table):
            ncols = max(len(row) for row in block.rows)
            table = document.add_table(rows=len(block.rows), cols=ncols)
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c, paras in enumerate(row):
                    cell = table.cell(r, c)
                    cell.paragraphs[0].text = paras[0]
                    for p in paras[1:]:
                        cell.add_paragraph(p)
        else:
            document.add_paragraph(block)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w_para(text: str) -> str:
    from xml.sax.saxutils import escape

    if not text:
        return "<w:p/>"
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def render_docx_fast(blocks: list[Block]) -> bytes:
    """The same text as :func:`render_docx`, written as a minimal WordprocessingML package directly
    (python-docx's cell access makes long tables slow). Identical bytes on every build."""
    import zipfile

    body: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            ncols = max(len(row) for row in block.rows)
            body.append(
                '<w:tbl><w:tblPr><w:tblW w:type="auto" w:w="0"/></w:tblPr>'
                "<w:tblGrid>" + '<w:gridCol w:w="2880"/>' * ncols + "</w:tblGrid>"
            )
            for row in block.rows:
                body.append(
                    "<w:tr>"
                    + "".join("<w:tc>" + "".join(_w_para(p) for p in paras) + "</w:tc>" for paras in row)
                    + "</w:tr>"
                )
            body.append("</w:tbl>")
        else:
            body.append(_w_para(block))
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _RELS,
        "word/document.xml": (
            f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?><w:document xmlns:w=\"{_W_NS}\"><w:body>"
            + "".join(body)
            + "<w:sectPr/></w:body></w:document>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, text in parts.items():
            dst.writestr(
                zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)),
                text.encode("utf-8"),
                compress_type=zipfile.ZIP_DEFLATED,
                compresslevel=1,
            )
    return out.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)

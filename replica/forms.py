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

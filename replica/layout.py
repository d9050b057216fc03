"""A report text as blocks (paragraphs and tables), read from and written back to the seed format.

Seed format (see ``fixtures/reports``): a paragraph is a line; a table row is one line per cell,
each prefixed by a TAB (a cell of several paragraphs continues on untabbed lines), followed by a
blank line. A table starts at a tabbed line that follows a blank line. ``render_text(parse_text(t))
== t`` for every seed, which is what lets the replica build faithful .docx/.doc/.pdf/HTML forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = list[str]  # the cell's paragraphs
Row = list[Cell]


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)


Block = str | Table  # a paragraph (one line) or a table


def _row_ends(lines: list[str], i: int) -> bool:
    """Whether the blank line at ``i`` ends a table row (rather than sitting inside a cell)."""
    j = i + 1
    if j >= len(lines) or lines[j].startswith("\t"):
        return True
    # untabbed text after the blank: a cell continuation only if a tabbed line follows before
    # the next blank line
    while j < len(lines) and lines[j] != "":
        if lines[j].startswith("\t"):
            return False
        j += 1
    return True


def parse_layout(text: str) -> list[Block]:
    lines = text.split("\n")
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("\t") and i > 0 and lines[i - 1] == "":
            table = Table()
            while i < len(lines) and lines[i].startswith("\t"):
                row: Row = []
                while i < len(lines):
                    line = lines[i]
                    if line.startswith("\t"):
                        row.append([line[1:]])
                    elif line == "" and _row_ends(lines, i):
                        break
                    else:
                        row[-1].append(line)
                    i += 1
                table.rows.append(row)
                i += 1  # the blank line after the row
            blocks.append(table)
            continue
        blocks.append(line)
        i += 1
    return blocks


def render_text(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    out.append("\t" + "\n".join(cell))
                out.append("")
        else:
            out.append(block)
    if blocks and isinstance(blocks[-1], Table):
        out.pop()  # a document ending in a table has no blank line after its last row
    return "\n".join(out)

"""Layout normalisation: any report text → one flat sequence of cell tokens in reading order.

Handles the layouts seen in real reports, line by line, without a document-level guess:

- tab-prefixed cell lines (``\\t条``; a line ``\\t`` is an explicit blank cell);
- pipe rows (``a | b | c |``; markdown separator rows are skipped);
- HTML tables (``<td>``/``<th>`` in document order; ``colspan``/``rowspan`` cells appear once;
  ``&nbsp;`` is blank); text outside the tables becomes plain lines;
- one cell per line or paragraph (blank lines are layout, not cells);
- a label followed by space-separated values on one line (PDF text).

Modules: ``tokens`` (the token and one cell's reading), ``lines`` (plain-text layouts),
``html_tables`` (HTML), ``traditional`` (Traditional → Simplified, only when detected; a token's
``raw`` keeps the original characters).
"""

from __future__ import annotations

from gongkai.parsing.html_tables import html_tokens, is_html, table_spans
from gongkai.parsing.lines import text_lines
from gongkai.parsing.tokens import Token
from gongkai.parsing.traditional import to_simplified

__all__ = ["is_html", "table_spans", "to_simplified", "tokenize"]


def tokenize(
    text: str,
    simplified: str | None = None,
    html: bool | None = None,
    tables: list[tuple[int, int]] | None = None,
) -> list[Token]:
    """Every cell of the text, in reading order (see the module docstring for the layouts).

    ``simplified`` is ``to_simplified(text)``, ``html`` is ``is_html(text)`` and ``tables`` is
    ``table_spans(text)`` when the caller already has them (for a text whose line ends are already
    ``\\n``)."""
    out: list[Token] = []
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        simplified = html = tables = None
    if html if html is not None else is_html(text):
        html_tokens(text, tables if tables is not None else table_spans(text), out)
    else:
        text_lines(text, simplified if simplified is not None else to_simplified(text), 1, out)
    return out

"""The report's prose: the lines outside its table, and the figures they state as contract cells."""

from __future__ import annotations

import html as html_lib
import re

from gongkai.parsing.ceilings import lowest_ceiling, problem
from gongkai.parsing.narrative import figures, own_area
from gongkai.parsing.traditional import to_simplified

_TAG_RE = re.compile(r"<[^>]+>")
_LINE_SPANNING_TAG_RE = re.compile(r"<[^>\n]*\n")  # a "<" whose tag (if any) goes on after a line break


def prose_lines(
    text: str, simplified: str, skip: tuple[int, int] | None, tables: list[tuple[int, int]] | None
) -> list[tuple[int, str, str]]:
    """(line number, Simplified text, original text) of every line outside the table;
    ``tables`` are the spans of the HTML tables of an HTML text, None for any other text."""
    if tables is not None:
        # blank out tables (keeping their newlines), then strip tags (line by line if one spans lines)
        pieces: list[str] = []
        pos = 0
        for start, end in tables:
            pieces += (text[pos:start], "\n" * text.count("\n", start, end))
            pos = end
        pieces.append(text[pos:])
        text = "".join(pieces)
        if _LINE_SPANNING_TAG_RE.search(text) is None:  # no tag goes over a line break
            text = html_lib.unescape(_TAG_RE.sub("", text))  # the same as line by line, at once
        else:
            text = "\n".join(html_lib.unescape(_TAG_RE.sub("", ln)) for ln in text.split("\n"))
        simplified = to_simplified(text)
    if simplified is text and skip and skip[0] >= 1 and skip[1] >= 0:
        # the common case, without splitting the table's lines: each line is its own original
        n = text.count("\n") + 1
        a, b = min(skip[0] - 1, n), min(skip[1], n)  # (a region past the text's end would be a bug)
        head = text.split("\n", a)[:a]
        tail = [] if b >= n else text.rsplit("\n", n - b)[1:] if b else text.split("\n")
        return [
            *zip(range(1, a + 1), head, head, strict=True),
            (0, "", ""),
            *zip(range(b + 1, n + 1), tail, tail, strict=True),
        ]
    norm = simplified.split("\n")
    originals = norm if simplified is text else text.split("\n")
    if len(norm) != len(originals):
        originals = norm
    n = len(norm)
    if skip and skip[0] >= 1 and skip[1] >= 0:  # the table region is not prose (and breaks paragraphs)
        a, b = min(skip[0] - 1, n), min(skip[1], n)
        return [
            *zip(range(1, a + 1), norm[:a], originals[:a], strict=True),
            (0, "", ""),
            *zip(range(b + 1, n + 1), norm[b:], originals[b:], strict=True),
        ]
    numbered = list(zip(range(1, n + 1), norm, originals, strict=True))
    if skip:
        return [*numbered[: skip[0] - 1], (0, "", ""), *numbered[skip[1] :]]
    return numbered


def narrative_cells(
    lines: list[tuple[int, str, str]], generation: str | None, year: int | None = None, agency: str | None = None
) -> tuple[list[dict], list[str]]:
    """The prose figures of ``lines`` as contract cells (``source: narrative``), and the reasons for
    figures left out (stated twice with different values, or implausible). ``year`` is the report
    year: a clause that names another year is not about the report's; ``agency`` the report's: a
    figure of a whole area ("全区…") is its own only when the agency governs that area."""
    prose = figures(lines, generation, year, own_area(agency))
    reasons = list(prose.conflicts)
    cells = []
    plain = lowest_ceiling()
    for indicator, row, value, raw, line, approximate in prose.figures:
        if type(value) is not int or not 0 <= value <= plain:  # else plausible for any indicator
            why = problem(indicator, value)
            if why is not None:
                reasons.append(f"implausible prose figure left out: {raw} (line {line}): {why}")
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
        cells.append(
            {
                "table": "narrative",
                "row": row,
                "column": None,
                "indicator": indicator,
                "applicant": None,
                "value": value,
                "raw": raw,
                "line": line,
                "source": "narrative",
                "approximate": approximate,
            }
        )
    return cells, reasons

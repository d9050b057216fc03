"""Plain-text layouts, line by line: tab-prefixed cells, pipe rows, one cell per line, and a label
followed by space-separated values (PDF text)."""

from __future__ import annotations

import re

from gongkai.parsing.tokens import (
    KINDS,
    LABEL,
    MEMO_MAX,
    UNIT,
    Cell,
    Token,
    classify,
    make_cell,
    norm_line,
    worth_keeping,
)
from gongkai.parsing.values import BLANKS, UNIT_CELLS, parse_cell

SEP_CELL_RE = re.compile(r"^:?-{3,}:?$")
_DIGIT_RE = re.compile(r"\d")
_WIDE_DIGITS = {0xFF10 + i: 0x30 + i for i in range(10)}  # ０-９ → 0-9 (what NFKC makes of them)


def _plain_line(raw: str, text: str, out: list[Cell]) -> None:
    """A line that is neither tab- nor pipe-separated: one cell, or a label + space-separated values."""
    stripped = text.strip()
    if not stripped:
        return
    if len(stripped) > 48 or not _DIGIT_RE.search(stripped):
        # prose or a label: values are short and hold a digit (blanks are handled by _cell)
        if len(stripped) > 3:
            out.append((stripped, raw.strip(), LABEL, None))
            return
        out.append(make_cell(raw, stripped))
        return
    if " " in stripped:
        parts = stripped.split()
        n_values = 0
        for part in reversed(parts):
            if parse_cell(part) is None or part in UNIT_CELLS or not _DIGIT_RE.search(part):
                break
            n_values += 1
        if not n_values and len(parts) >= 3 and parts[-1] in BLANKS and parts[-2] in UNIT_CELLS:
            n_values = 1  # "…数 条 /": a blank value after the unit column
        if n_values or (len(parts) >= 2 and parts[-1] in UNIT_CELLS):
            head = parts[: len(parts) - n_values]
            raw_parts = raw.split()
            raw_tail = (
                raw_parts[len(raw_parts) - n_values :]
                if len(raw_parts) == len(parts)
                else parts[len(parts) - n_values :]
            )
            unit = head.pop() if len(head) > 1 and head[-1] in UNIT_CELLS else None  # "…数 条 169"
            if head:
                out.append(make_cell(" ".join(head), " ".join(head)))
            if unit:
                out.append((unit, unit, UNIT, None))
            for r, t in zip(raw_tail, parts[len(parts) - n_values :] if n_values else [], strict=True):
                out.append(make_cell(r, t))
            return
    out.append(make_cell(raw, stripped))


_LINE_MEMO: dict[str, list[Cell]] = {}


def text_lines(raw_text: str, text: str, first_line: int, out: list[Token]) -> None:
    """Tokens of plain text lines; ``text`` is ``raw_text`` in Simplified characters (not normalised).

    A line's cells depend on its text alone, so they are memoised per line (template lines repeat
    across reports); the tokens then only get their line number."""
    memo = _LINE_MEMO
    kinds = KINDS
    append = out.append
    no = first_line - 1
    if raw_text is text or raw_text == text:  # no Traditional characters: each line is its own raw
        for line in text.split("\n"):
            no += 1
            if not line:
                continue
            if line.isdigit():  # a bare number on its own line (never memoised as a line)
                if line.isascii():
                    kind, cell = kinds.get(line) or classify(line)
                    append((line, line, kind, cell, no))
                    continue
                t = line.translate(_WIDE_DIGITS)  # full-width digits: their NFKC, as _line_cells reads them
                if t.isascii() and len(t) <= 48:
                    kind, cell = kinds.get(t) or classify(t)
                    append((t, line, kind, cell, no))
                    continue
            if line[0] == "\t" and line.isascii() and line.count("\t") == 1:
                t = line[1:].strip()  # one tab-prefixed cell, mostly a value: never memoised as a line
                kind, cell = kinds.get(t) or classify(t)
                append((t, t, kind, cell, no))
                continue
            cells = memo.get(line)
            if cells is None:
                if line[0] == "|" and line[-1] == "|" and len(line) > 1 and "\t" not in line:
                    cells = _pipe_row(line)
                if cells is None:
                    cells = _line_cells(line, line)
                if len(line) <= 160 and len(memo) < MEMO_MAX and worth_keeping(cells):
                    memo[line] = cells
            for c in cells:
                append((*c, no))
        return
    raw_lines = raw_text.split("\n")
    lines = text.split("\n")
    same = len(raw_lines) == len(lines)
    for i, line in enumerate(lines):
        no += 1
        if not line:
            continue
        raw_line = raw_lines[i] if same else line
        if raw_line == line:
            cells = memo.get(line)
            if cells is None:
                cells = _line_cells(line, line)
                if len(line) <= 160 and len(memo) < MEMO_MAX and worth_keeping(cells):
                    memo[line] = cells
        else:
            cells = _line_cells(raw_line, line)
        for c in cells:
            append((*c, no))


_PIPE_CELLS: dict[str, Cell] = {}  # a pipe row's cell as written, between its bars → its cell


def _pipe_row(line: str) -> list[Cell] | None:
    """The cells of a ``| a | b |`` line (what ``_line_cells`` reads), cell by cell, or None for a
    separator row or one with a full-width bar, which ``_line_cells`` reads whole.

    NFKC never joins or splits across ``|`` (only ``｜`` becomes one), so normalising each cell is
    normalising the line; each cell is then memoised like a line (labels and blanks repeat)."""
    if "\uff5c" in line:
        return None
    memo = _PIPE_CELLS
    kinds = KINDS
    out: list[Cell] = []
    for r in line[1:-1].split("|"):
        got = memo.get(r)
        if got is None:
            t = norm_line(r).strip()
            kind, value = kinds.get(t) or classify(t)
            got = (t, r.strip(), kind, value)
            if (value is None or not value.value or len(t) <= 4) and len(memo) < MEMO_MAX:  # worth_keeping((got,))
                memo[r] = got
        if not out and SEP_CELL_RE.match(got[0]):
            return None  # perhaps a markdown separator row
        out.append(got)
    return out


def _line_cells(raw_line: str, line: str) -> list[Cell]:
    """(text, raw, kind, value) of each cell of one line."""
    out: list[Cell] = []
    if len(line) <= 160 or "\t" in line or "|" in line or "\uff5c" in line:
        line = norm_line(line)  # long untabbed lines are prose: no cell, no template label
    if line[:1] == "\t" and line.count("\t") == 1:  # the common case: one tab-prefixed cell
        t = line[1:].strip()
        kind, cell = KINDS.get(t) or classify(t)
        out.append((t, raw_line[1:].strip() if raw_line[:1] == "\t" else t, kind, cell))
    elif "\t" in line:
        parts = line.split("\t")
        raw_parts = raw_line.split("\t")
        if len(raw_parts) != len(parts):
            raw_parts = parts
        if not parts[0].strip():
            parts, raw_parts = parts[1:], raw_parts[1:]
        for r, t in zip(raw_parts, parts, strict=True):
            t = t.strip()
            kind, cell = KINDS.get(t) or classify(t)
            out.append((t, r.strip(), kind, cell))
    elif "|" in line and line.count("|") >= 2:
        s = line.strip()
        cells = s[1:] if s.startswith("|") else s
        cells = cells[:-1] if cells.endswith("|") else cells
        parts = cells.split("|")
        if SEP_CELL_RE.match(parts[0].strip()) and all(SEP_CELL_RE.match(p.strip()) for p in parts):
            return out
        rs = raw_line.strip()
        rs = rs[1:] if rs.startswith("|") else rs
        rs = rs[:-1] if rs.endswith("|") else rs
        raw_parts = rs.split("|")
        if len(raw_parts) != len(parts):
            raw_parts = parts
        kinds = KINDS
        append = out.append
        for r, t in zip(raw_parts, parts, strict=True):
            t = t.strip()  # make_cell(r, t), inlined: rows of many cells
            kind, cell = kinds.get(t) or classify(t)
            append((t, r.strip(), kind, cell))
    else:
        _plain_line(raw_line, line, out)
    return out



"""The cell token every layout reader makes, and the memoised reading of one cell's text.

A token is ``(text, raw, kind, cell, line)``, read by position (``TEXT`` … ``LINE``) or unpacked.
A plain tuple rather than a NamedTuple: a report makes some 260 of them, and a tuple subclass costs
twice as much to build. ``text`` is normalised (NFKC, Simplified) for matching; ``raw`` is the cell
as written; ``kind`` is label | value | unit; ``cell`` is set for values (value None = blank cell);
``line`` is 1-based.
"""

from __future__ import annotations

from typing import Final

from gongkai.parsing.values import MAX_DIGITS, UNIT_CELLS, CellValue, normalize, parse_cell

LABEL, VALUE, UNIT = "label", "value", "unit"
Token = tuple[str, str, str, CellValue | None, int]
TEXT: Final = 0
RAW: Final = 1
KIND: Final = 2
CELL: Final = 3
LINE: Final = 4
Cell = tuple[str, str, str, CellValue | None]  # (text, raw, kind, value) of a token without its line

_new = tuple.__new__  # builds a NamedTuple (CellValue) from a tuple in C


# Memo tables keep the lines and cells seen first (template lines come early and repeat); values
# and prose seldom repeat, so the tables are kept small.
MEMO_MAX = 20_000
KINDS: dict[str, tuple[str, CellValue | None]] = {}  # cell text → (kind, value); texts repeat a lot


def classify(text: str) -> tuple[str, CellValue | None]:
    got = KINDS.get(text)
    if got is None:
        if 4 < len(text) <= MAX_DIGITS and text.isdigit() and text.isascii():  # a long number: parse_cell's first case
            return (VALUE, _new(CellValue, (int(text), False, None)))  # not kept (see below)
        cell = parse_cell(text)
        if text in UNIT_CELLS:
            got = (UNIT, None)
        elif cell is not None:
            got = (VALUE, cell)
        else:
            got = (LABEL, None)
        if (cell is None or len(text) <= 4) and len(KINDS) < MEMO_MAX:
            KINDS[text] = got  # long numbers seldom repeat: not kept
    return got


def make_cell(raw: str, text: str) -> Cell:
    text = text.strip()
    kind, value = KINDS.get(text) or classify(text)
    return (text, raw.strip(), kind, value)


_NORM_CACHE: dict[str, str] = {}


def norm_line(line: str) -> str:
    """NFKC of one line, memoised (template labels and cells repeat across reports)."""
    if line.isascii():
        return line
    got = _NORM_CACHE.get(line)
    if got is None:
        got = normalize(line)
        if len(line) <= 160 and len(_NORM_CACHE) < 50_000:
            _NORM_CACHE[line] = got
    return got


def worth_keeping(cells: list[Cell] | tuple[Cell, ...]) -> bool:
    """Whether memoising these cells pays: not when they hold a long number (values vary; short
    ones repeat, as in ``KINDS``)."""
    for c in cells:
        value = c[3]
        if value is not None and value.value and len(c[0]) > 4:
            return False
    return True

"""Cell values: what a table cell or a prose figure says, as a number, a blank, or not a value.

Text is NFKC-normalised first (full-width digits, ``（一）`` → ``(一)``, ``：`` → ``:``). A value is a
whole cell such as ``169``, ``-76宗``, ``+70``, ``115,663,490元``, ``5万元``, ``120余``; a blank is an
empty cell or a placeholder (``/``, ``-``, ``—``, ``无``). The number returned is always the digits
written in the cell (never scaled), so no number is ever produced that is not in the text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import NamedTuple

UNITS = ("人次", "万元", "条", "件", "次", "篇", "个", "人", "元", "项", "宗", "家", "户", "场", "期", "份")
_UNIT_ALT = "|".join(UNITS)

# A whole cell holding one number (optionally signed, with thousands separators, approx. marker, unit).
_VALUE_RE = re.compile(
    rf"^(?P<approx_pre>约|近|逾|超过)?(?P<sign>[+-])?(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    rf"(?P<approx>余|多)?(?P<unit>{_UNIT_ALT})?(?P<approx_post>余|多|左右)?$"
)
BLANKS = frozenset({"", "/", "-", "—", "——", "———", "–", "无", "空", "―", "─"})
# A cell that is only a unit (the G1 统计表's 单位 column).
UNIT_CELLS = frozenset(UNITS)
_WS_RE = re.compile(r"\s+")
_SPLIT_DIGITS_RE = re.compile(r"\d\s+[\d.]|\.\s+\d")


def normalize(text: str) -> str:
    """NFKC (full-width → half-width) and the dash/space variants folded to one form."""
    return unicodedata.normalize("NFKC", text).replace("\u2014\u2014", "——").replace("\u00a0", " ")


def compact(text: str) -> str:
    """Normalised text with every whitespace character removed (for matching labels)."""
    return _WS_RE.sub("", normalize(text))


class CellValue(NamedTuple):  # a tuple: made by the hundred per report, and cheaply (see parse_cell)
    value: float | int | None  # None: a blank cell
    approximate: bool
    unit: str | None


_new = tuple.__new__
MAX_DIGITS = 15  # a longer number is read as infinite: no count comes near it (see ``ceilings``)


def parse_cell(text: str) -> CellValue | None:
    """The value of a whole cell, or None when the cell is not a value (a label, prose, a unit)."""
    if text.isdigit() and text.isascii() and len(text) <= MAX_DIGITS:
        # the common case, as _VALUE_RE would read it (built in C: twice as fast as CellValue(...))
        return _new(CellValue, (int(text), False, None))
    if _SPLIT_DIGITS_RE.search(text):
        return None  # "1 234" or "1\n22": never join digits the text keeps apart
    s = _WS_RE.sub("", text)
    if s in BLANKS:
        return CellValue(None, False, None)
    m = _VALUE_RE.match(s)
    if m is None:
        return None
    num = m["num"].replace(",", "")
    if len(num.partition(".")[0]) > MAX_DIGITS:
        value: float | int = math.inf
    else:
        value = float(num) if "." in num else int(num)
    if m["sign"] == "-":
        value = -value
    approx = bool(m["approx"] or m["approx_pre"] or m["approx_post"])
    return CellValue(value, approx, m["unit"])

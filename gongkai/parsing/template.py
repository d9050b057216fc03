"""Template structure and the matcher that reads template rows out of a token stream.

A template is an ordered list of rows. Each row is found by its label text (never by its
numbering, which varies between reports) and takes the next ``n`` value tokens as its cells.
Rows are matched forward only, so repeated labels (``被依法纠错数`` under 复议 and under 诉讼)
resolve by position, and rows a report leaves out (the 政府公报 row) are simply skipped. Numbers
that follow a row's last cell before the next label are counted (``TableMatch.surplus``): one may
have come from inside the row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import islice
from typing import NamedTuple

from gongkai.parsing.tokens import CELL, KIND, LABEL, LINE, TEXT, VALUE, Token

_PREFIX_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d+[.、](?!\d)|[①-⑳])?"
    r"(?:其中[:，,]?)?"
)


_NO_SPACE = str.maketrans("", "", " \t\u3000\xa0")


_SPLIT_CACHE: dict[str, tuple[str, str]] = {}


def split_label(text: str) -> tuple[str, str]:
    """(numbering prefix, core label) of a normalised label cell; the core stops at its first parenthesis."""
    got = _SPLIT_CACHE.get(text)
    if got is None:
        got = _split_label(text)
        if len(_SPLIT_CACHE) < 100_000:
            _SPLIT_CACHE[text] = got
    return got


def _split_label(text: str) -> tuple[str, str]:
    s = text.translate(_NO_SPACE) if " " in text or "\u3000" in text else text
    m = _PREFIX_RE.match(s)
    prefix = s[: m.end()] if m else ""
    core = s[m.end() :] if m else s
    if core.startswith("其中"):
        core = core[2:].lstrip(":")
    cut = core.find("(")
    if cut > 0:
        core = core[:cut]
    prefix = prefix.replace("其中", "").rstrip(":，,")
    return prefix, core


@dataclass(frozen=True)
class Row:
    label: str  # the crosswalk's row_label (template label, unique within its table)
    display: str  # how the template prints it (used by the synthetic renderers)
    keys: tuple[str, ...]  # core labels that identify it
    columns: tuple[str, ...] = ()  # column labels of its value cells; () for a heading row
    table: str = ""
    prefix: str | None = None  # required numbering prefix (labels that are also column headers)
    optional: bool = False  # a report may leave the row out
    values_optional: bool = False  # a parent row whose cells may be absent
    group: str | None = None  # optional rows that come together: one present → all expected

    @property
    def n(self) -> int:
        return len(self.columns)


@dataclass(frozen=True)
class Template:
    generation: str
    name: str
    rows: tuple[Row, ...]
    start_keys: tuple[str, ...]  # compact text that opens the table region
    _index: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)
    _candidates: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)
    _sizes: list[int] = field(default_factory=list, compare=False, repr=False)  # cells of each row
    _opens: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._sizes.extend(row.n for row in self.rows)
        for i, row in enumerate(self.rows):
            for key in row.keys:
                self._index.setdefault(key, []).append(i)

    def candidates(self, text: str) -> tuple[int, ...]:
        """Indices of the rows whose label is ``text`` (memoised: labels repeat across reports)."""
        got = self._candidates.get(text)
        if got is None:
            prefix, core = split_label(text)
            got = tuple(i for i in self._index.get(core, ()) if self.rows[i].prefix in (None, prefix))
            if len(self._candidates) < 100_000:
                self._candidates[text] = got
        return got

    def lookup(self, text: str, start: int) -> int | None:
        """Index of the first row at or after ``start`` whose label is ``text``."""
        for i in self.candidates(text):
            if i >= start:
                return i
        return None


class RowMatch(NamedTuple):  # one per matched row: a tuple, made in C (see match)
    row: Row
    label_token: Token
    values: list[Token]  # filled while the tokens after the label are read


_new = tuple.__new__


@dataclass
class TableMatch:
    matches: dict[int, RowMatch]
    start_line: int | None
    end_line: int | None
    # row index → how many numbers followed its full set of cells before the next label (a page
    # number in a PDF dump: it may have come mid-row and pushed the row's last cell out)
    surplus: dict[int, int] = field(default_factory=dict)


def find_start(template: Template, tokens: list[Token]) -> int | None:
    opens = template._opens  # label text → whether it holds a start key (memoised: labels repeat)
    first_row = None  # the first label that is a row's
    cands = template._candidates
    for i, tok in enumerate(tokens):
        if tok[KIND] == LABEL:
            text = tok[TEXT]
            hit = opens.get(text)
            if hit is None:
                c = text.translate(_NO_SPACE)
                hit = any(k in c for k in template.start_keys)
                if len(opens) < 20_000:
                    opens[text] = hit
            if hit:
                return i
            if first_row is None and (cands.get(text) or template.candidates(text)):
                first_row = i  # (template.lookup(text, 0) is not None)
    return first_row


def match(template: Template, tokens: list[Token]) -> TableMatch:
    """Assign value tokens to template rows (see the module docstring)."""
    start = find_start(template, tokens)
    matches: dict[int, RowMatch] = {}
    if start is None:
        return TableMatch(matches, None, None)
    rows = template.rows
    sizes = template._sizes
    cands = template._candidates
    nxt = 0
    cur: RowMatch | None = None
    cur_values: list[Token] = []
    room = 0  # how many more values the current row takes (0 without a current row)
    end = tokens[start]  # the last token read into the table
    n_tokens = len(tokens)
    skip = False
    surplus: dict[int, int] = {}
    cur_idx = -1
    for i, tok in enumerate(islice(tokens, start, None), start):
        kind = tok[KIND]
        if kind == VALUE:
            if room:
                cur_values.append(tok)
                room -= 1
                end = tok
            elif (
                cur is not None
                and cur_values
                and (cell := tok[CELL]) is not None
                and cell.value is not None
                and not (i + 1 < n_tokens and tokens[i + 1][KIND] == LABEL and tokens[i + 1][LINE] == tok[LINE])
            ):  # (a number that opens the next label's line is that line's own, e.g. a 序号 cell)
                surplus[cur_idx] = surplus.get(cur_idx, 0) + 1
            continue
        if kind != LABEL:
            continue
        if skip:  # the second half of a split label (always a label)
            skip = False
            continue
        text = tok[TEXT]
        found = cands.get(text)
        if found is None:
            found = template.candidates(text)
        idx = None
        for j in found:
            if j >= nxt:
                idx = j
                break
        if idx is None and i + 1 < n_tokens and tokens[i + 1][KIND] == LABEL and (cur is None or cur_values):
            # a label split over two cells/lines ("（一）主动公开政府" / "信息数"): template.lookup, inlined
            joined = text + tokens[i + 1][TEXT]
            found = cands.get(joined)
            if found is None:
                found = template.candidates(joined)
            for j in found:
                if j >= nxt:
                    idx = j
                    skip = True
                    break
        if idx is not None:
            cur_values = []
            room = sizes[idx]
            cur = _new(RowMatch, (rows[idx], tok, cur_values))
            cur_idx = idx
            matches[idx] = cur
            nxt = idx + 1
            end = tok
        elif cur is not None and cur_values:
            cur = None  # a foreign label ends the row; before any value it is a continuation
            room = 0
    if len(surplus) >= max(3, len(matches) // 2):
        surplus = {}  # after most rows: a column the template does not have (序号 on its own line), no stray
    return TableMatch(matches, tokens[start][LINE], end[LINE], surplus)

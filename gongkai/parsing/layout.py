"""Layout normalisation: any report text → one flat sequence of cell tokens in reading order.

Handles the layouts seen in real reports, line by line, without a document-level guess:

- tab-prefixed cell lines (``\\t条``; a line ``\\t`` is an explicit blank cell);
- pipe rows (``a | b | c |``; markdown separator rows are skipped);
- HTML tables (``<td>``/``<th>`` in document order; ``colspan``/``rowspan`` cells appear once;
  ``&nbsp;`` is blank); text outside the tables becomes plain lines;
- one cell per line or paragraph (blank lines are layout, not cells);
- a label followed by space-separated values on one line (PDF text).

Traditional Chinese is converted to Simplified (OpenCC) for matching only when detected; a token's
``raw`` keeps the original characters.
"""

from __future__ import annotations

import html as html_lib
import re
from functools import lru_cache

from gongkai.parsing.values import BLANKS, UNIT_CELLS, CellValue, normalize, parse_cell

LABEL, VALUE, UNIT = "label", "value", "unit"


# One cell of the text: (text, raw, kind, cell, line), read by position (``TEXT`` … ``LINE``) or
# unpacked. A plain tuple rather than a NamedTuple: a report makes some 260 of them, and a tuple
# subclass costs twice as much to build.
#   text: normalised (NFKC, Simplified) text used for matching; raw: the cell as written;
#   kind: label | value | unit; cell: set for values (value None = blank cell); line: 1-based line.
Token = tuple[str, str, str, CellValue | None, int]
TEXT, RAW, KIND, CELL, LINE = range(5)

_new = tuple.__new__  # builds a NamedTuple (CellValue) from a tuple in C


# ``<table\b.*?</table\s*>`` (re.S), unrolled and possessive so that it does not backtrack
TABLE_RE = re.compile(r"<table\b[^<]*+(?:<(?!/table\s*>)[^<]*+)*+</table\s*>", re.I)
_BLOCK_END_RE = re.compile(r"<br\s*/?>|</(?:p|div|h[1-6]|li|tr|title)\s*>", re.I)
_TAG_RE = re.compile(r"<[^>]+>")
_SEP_CELL_RE = re.compile(r"^:?-{3,}:?$")
_DIGIT_RE = re.compile(r"\d")


# Memo tables keep the lines and cells seen first (template lines come early and repeat); values
# and prose seldom repeat, so the tables are kept small.
_MEMO_MAX = 20_000
_KINDS: dict[str, tuple[str, CellValue | None]] = {}  # cell text → (kind, value); texts repeat a lot


def _classify(text: str) -> tuple[str, CellValue | None]:
    got = _KINDS.get(text)
    if got is None:
        if len(text) > 4 and text.isdigit() and text.isascii():  # a long number: parse_cell's first case
            return (VALUE, _new(CellValue, (int(text), False, None)))  # not kept (see below)
        cell = parse_cell(text)
        if text in UNIT_CELLS:
            got = (UNIT, None)
        elif cell is not None:
            got = (VALUE, cell)
        else:
            got = (LABEL, None)
        if (cell is None or len(text) <= 4) and len(_KINDS) < _MEMO_MAX:
            _KINDS[text] = got  # long numbers seldom repeat: not kept
    return got


Cell = tuple[str, str, str, CellValue | None]  # (text, raw, kind, value) of a token without its line


def _cell(raw: str, text: str) -> Cell:
    text = text.strip()
    kind, cell = _KINDS.get(text) or _classify(text)
    return (text, raw.strip(), kind, cell)


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
        out.append(_cell(raw, stripped))
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
                out.append(_cell(" ".join(head), " ".join(head)))
            if unit:
                out.append((unit, unit, UNIT, None))
            for r, t in zip(raw_tail, parts[len(parts) - n_values :] if n_values else [], strict=True):
                out.append(_cell(r, t))
            return
    out.append(_cell(raw, stripped))


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


_LINE_MEMO: dict[str, list[Cell]] = {}


def _lines(raw_text: str, text: str, first_line: int, out: list[Token]) -> None:
    """Tokens of plain text lines; ``text`` is ``raw_text`` in Simplified characters (not normalised).

    A line's cells depend on its text alone, so they are memoised per line (template lines repeat
    across reports); the tokens then only get their line number."""
    memo = _LINE_MEMO
    kinds = _KINDS
    append = out.append
    no = first_line - 1
    if raw_text is text or raw_text == text:  # no Traditional characters: each line is its own raw
        for line in text.split("\n"):
            no += 1
            if not line:
                continue
            cells = memo.get(line)
            if cells is None:
                if line[0] == "\t" and line.isascii() and line.count("\t") == 1:
                    t = line[1:].strip()  # one tab-prefixed cell, mostly a value: not memoised
                    kind, cell = kinds.get(t) or _classify(t)
                    append((t, t, kind, cell, no))
                    continue
                if line.isdigit() and line.isascii():  # a bare number on its own line
                    kind, cell = kinds.get(line) or _classify(line)
                    append((line, line, kind, cell, no))
                    continue
                if line[0] == "|" and line[-1] == "|" and len(line) > 1 and "\t" not in line:
                    cells = _pipe_row(line)
                if cells is None:
                    cells = _line_cells(line, line)
                if len(line) <= 160 and len(memo) < _MEMO_MAX and _keep(cells):
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
                if len(line) <= 160 and len(memo) < _MEMO_MAX and _keep(cells):
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
    kinds = _KINDS
    out: list[Cell] = []
    for r in line[1:-1].split("|"):
        got = memo.get(r)
        if got is None:
            t = norm_line(r).strip()
            kind, value = kinds.get(t) or _classify(t)
            got = (t, r.strip(), kind, value)
            if (value is None or not value.value or len(t) <= 4) and len(memo) < _MEMO_MAX:  # _keep((got,))
                memo[r] = got
        if not out and _SEP_CELL_RE.match(got[0]):
            return None  # perhaps a markdown separator row
        out.append(got)
    return out


def _keep(cells: list[Cell] | tuple[Cell, ...]) -> bool:
    """Whether memoising these cells pays: not when they hold a long number (values vary; short
    ones repeat, as in ``_KINDS``)."""
    for c in cells:
        value = c[3]
        if value is not None and value.value and len(c[0]) > 4:
            return False
    return True


def _line_cells(raw_line: str, line: str) -> list[Cell]:
    """(text, raw, kind, value) of each cell of one line."""
    out: list[Cell] = []
    if len(line) <= 160 or "\t" in line or "|" in line or "\uff5c" in line:
        line = norm_line(line)  # long untabbed lines are prose: no cell, no template label
    if line[:1] == "\t" and line.count("\t") == 1:  # the common case: one tab-prefixed cell
        t = line[1:].strip()
        kind, cell = _KINDS.get(t) or _classify(t)
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
            kind, cell = _KINDS.get(t) or _classify(t)
            out.append((t, r.strip(), kind, cell))
    elif "|" in line and line.count("|") >= 2:
        s = line.strip()
        cells = s[1:] if s.startswith("|") else s
        cells = cells[:-1] if cells.endswith("|") else cells
        parts = cells.split("|")
        if _SEP_CELL_RE.match(parts[0].strip()) and all(_SEP_CELL_RE.match(p.strip()) for p in parts):
            return out
        rs = raw_line.strip()
        rs = rs[1:] if rs.startswith("|") else rs
        rs = rs[:-1] if rs.endswith("|") else rs
        raw_parts = rs.split("|")
        if len(raw_parts) != len(parts):
            raw_parts = parts
        kinds = _KINDS
        append = out.append
        for r, t in zip(raw_parts, parts, strict=True):
            t = t.strip()  # _cell(r, t), inlined: rows of many cells
            kind, cell = kinds.get(t) or _classify(t)
            append((t, r.strip(), kind, cell))
    else:
        _plain_line(raw_line, line, out)
    return out


# A plain table (lower-case tags, double-quoted attributes, cells of text and the common entities
# only): read with one regex instead of lxml. Anything else goes through lxml.
_ATTRS = r'(?:\s+[a-z-]+="[^"<>&]*+")*+\s*+'
_CELL_CHARS = r"[^<>&\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]*+"
_ENTITY = r"&(?:nbsp|amp|lt|gt|quot|#x27|#39);"
_CELL = rf"<(t[dh]){_ATTRS}>({_CELL_CHARS}(?:{_ENTITY}{_CELL_CHARS})*)</\1>"
# The same cells without groups, and every repeat possessive (giving back a cell, a row or white
# space can never make the table match, as what follows each is a different tag): half the work.
_CELL_TEXT = rf"{_CELL_CHARS}(?:{_ENTITY}{_CELL_CHARS})*+"
_ANY_CELL = rf"(?:<td{_ATTRS}>{_CELL_TEXT}</td>|<th{_ATTRS}>{_CELL_TEXT}</th>)"
_PLAIN_TABLE_RE = re.compile(
    rf"<table{_ATTRS}>(?:\s*+<tbody>)?(?:\s*+<tr{_ATTRS}>(?:\s*+{_ANY_CELL})*+\s*+</tr>)*+"
    rf"(?:\s*+</tbody>)?\s*+</table>"
)
_PLAIN_CELL_RE = re.compile(_CELL)


# In a plain table every ``<`` opens a tag and cell text holds none, so once the table is known to
# be plain its cells' texts are read with a much simpler pattern than ``_CELL`` (same cells).
_PLAIN_TEXT_RE = re.compile(r"<t[dh][^>]*>([^<]*)")
_SPANNING_CELL_RE = re.compile(r"<t[dh][^<]*\n")  # a cell whose tag or text goes over a line break


def _html_table(segment: str, first_line: int, out: list[Token]) -> None:
    if _PLAIN_TABLE_RE.fullmatch(segment):
        memo = _HTML_CELLS
        append = out.append
        if _SPANNING_CELL_RE.search(segment) is None:  # every cell on one line: read line by line
            line = first_line
            for text in segment.split("\n"):
                if "<t" in text:
                    for raw in _PLAIN_TEXT_RE.findall(text):
                        got = memo.get(raw) or _plain_html_cell(raw)
                        append((*got, line))
                line += 1
            return
        line = first_line
        pos = 0
        for m in _PLAIN_CELL_RE.finditer(segment):
            start = m.start()
            line += segment.count("\n", pos, start)
            pos = start
            raw = m.group(2)
            got = memo.get(raw) or _plain_html_cell(raw)
            append((*got, line))
        return
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(segment)
    except Exception:  # malformed markup: fall back to its text, line by line
        text = html_lib.unescape(_TAG_RE.sub("\n", segment))
        _lines(text, to_simplified(text), first_line, out)
        return
    for tr in root.iter("tr"):
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            raw = td.text_content()
            out.append(_html_cell(raw, first_line + (td.sourceline or 1) - 1))


_HTML_CELLS: dict[str, Cell] = {}  # the markup of a plain cell's text → its cell


def _plain_html_cell(raw: str) -> Cell:
    """The cell of a plain ``<td>`` whose markup between the tags is ``raw`` (memoised unless a number)."""
    if raw.isdigit() and raw.isascii():  # a bare number: what _html_cell_text would make of it
        got: Cell = (raw, raw, *(_KINDS.get(raw) or _classify(raw)))
        if got[3].value and len(raw) > 4:  # type: ignore[union-attr]  # not kept (see _keep)
            return got
    else:
        got = _html_cell_text(html_lib.unescape(raw) if "&" in raw else raw)
    if len(_HTML_CELLS) < _MEMO_MAX and _keep((got,)):
        _HTML_CELLS[raw] = got
    return got


def _html_cell_text(raw: str) -> Cell:
    """The cell of an HTML ``<td>`` whose text content is ``raw``."""
    return _cell(raw, _cell_text(raw))


def _html_cell(raw: str, line: int) -> Token:
    got = _html_cell_text(raw)
    return (*got, line)


_CELL_TEXT: dict[str, str] = {}


def _cell_text(raw: str) -> str:
    """Normalised, Simplified, one-line text of an HTML cell (memoised: cell texts repeat)."""
    if raw.isascii():
        return raw.replace("\n", " ")
    got = _CELL_TEXT.get(raw)
    if got is None:
        got = to_simplified(normalize(raw)).replace("\n", " ")
        if len(_CELL_TEXT) < 100_000:
            _CELL_TEXT[raw] = got
    return got


def table_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each HTML table of the text (``TABLE_RE`` matches)."""
    return [m.span() for m in TABLE_RE.finditer(text)]


def _html(text: str, tables: list[tuple[int, int]], out: list[Token]) -> None:
    pos = 0
    line = 1
    for start, end in tables:
        _html_prose(text[pos:start], line, out)
        line += text.count("\n", pos, start)
        _html_table(text[start:end], line, out)
        line += text.count("\n", start, end)
        pos = end
    _html_prose(text[pos:], line, out)


def _html_prose(segment: str, first_line: int, out: list[Token]) -> None:
    if not segment.strip():
        return
    # keep line numbers: block ends become newlines only where the source had none
    segment = _BLOCK_END_RE.sub(lambda m: m.group(0) if "\n" in m.group(0) else "", segment)
    text = html_lib.unescape(_TAG_RE.sub("", segment))
    _lines(text, to_simplified(text), first_line, out)


_HTML_RE = re.compile(r"<t(?:able|d)\b", re.I)


def is_html(text: str) -> bool:
    return _HTML_RE.search(text) is not None


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
        _html(text, tables if tables is not None else table_spans(text), out)
    else:
        _lines(text, simplified if simplified is not None else to_simplified(text), 1, out)
    return out


# ---- Traditional Chinese --------------------------------------------------------------------------

_TRAD_SAMPLE = (
    "政府信息公开情况统计表主动公开收到申请数答复数不同意公开行政复议诉讼举报投诉费用机构建设保障经费"
    "专职兼职人员会议培训本年新收上年结转办理结果予以部分不予无法提供处理总计结转下年度继续规章规范性文件"
    "许可处罚强制收费采购数量项目决定维持纠正其他结果尚未审结直接起诉复议后条件次个万元报告单位填报年度"
    "网站微博微信公报回应解读新闻发布会访谈稿件事件当面传真网络信函按时延期属于范围同意涉及国家商业秘密"
    "个人隐私危及安全经济社会稳定条例所指法律法规规定情形行政机关存在告知更改补充途径纠错驳回原告请求"
    "专门查阅点从事工作专项管理服务事项对外制作总数量上一年增减处理集中金额自然人法人组织企业科研公益"
    "法律其他三类内部事务过程执法案卷查询掌握相关没有现成需要另行制作补正后内容仍明确信访重复出版物"
    "无正当理由大量反复确认重新出具已获取逾期缴纳通知制发废止现行有效"
)


@lru_cache(maxsize=1)
def _traditional_re() -> re.Pattern[str]:
    from opencc import OpenCC

    trad = OpenCC("s2t").convert(_TRAD_SAMPLE)
    t2s = _t2s()
    # only characters that are never Simplified (``覆`` is both, so it is left out)
    chars = sorted({t for s, t in zip(_TRAD_SAMPLE, trad, strict=False) if s != t and t2s.convert(t) != t})
    return re.compile("[" + "".join(chars) + "]")


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def has_traditional(text: str) -> bool:
    return _traditional_re().search(text) is not None


def to_simplified(text: str) -> str:
    """Simplified form of ``text`` when it holds Traditional characters, else ``text`` itself."""
    if not has_traditional(text):
        return text
    return _t2s().convert(text)

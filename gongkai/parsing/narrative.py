"""Figures stated in the report's prose ("全年主动公开信息312条", "共受理申请9起", "未收到…申请").

Prose is read clause by clause (a clause ends at ，。；！？ or a blank line; a line break inside a
paragraph joins). A figure is kept only when the words before it in its clause name exactly one
known indicator (``wording.classify``); clauses that list several things ("等", several channels, "平台")
are left alone rather than guessed. Outcomes (维持, 纠错, 尚未审结) take their subject (复议 or 诉讼)
from earlier in the sentence. Numbers are written in digits or Chinese numerals (一件, 两起, 十二件);
"余/多/约/近/逾/超过" and "万" make a figure approximate. A zero is read only from an explicit
clause ("未收到…申请", "未发生…行政复议、行政诉讼", "无…案件", "未收取…费用"). The value is always
the number written in the clause: figures are never summed. A figure of another year (the clause
names one, or says 上年度/去年), of a part of the year (季度, 上半年, 月份) or the end of a range
("3至5件") is not the report's: left out, as is a whole area's ("全区共受理申请300件" in a bureau's
report; a district government's 全区 figures are its own) or a part's ("区级部门受理200件"). Each
indicator is stated once: the first figure wins, a later different one is reported
(``Prose.conflicts``).

An indicator is emitted only when the crosswalk seed has a ``narrative`` row for it in the
report's generation (so the warehouse can conform it).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

from gongkai.parsing.crosswalk import load as load_crosswalk
from gongkai.parsing.tokens import MEMO_MAX, norm_line
from gongkai.parsing.wording import LABELS, NEGATION_AFTER, classify, zero_indicators

_CN_DIGITS = "零〇一二两三四五六七八九十百千"


def _code_point_class(chars: str) -> str:
    """``chars`` (in code point order, none of them special in a class) as the body of a regex
    character class, runs written as ranges."""
    out: list[str] = []
    for c in chars:
        if len(out) >= 3 and out[-2] == "-" and ord(out[-1]) + 1 == ord(c):
            out[-1] = c
        elif out and ord(out[-1]) + 1 == ord(c):
            out += ("-", c)
        else:
            out.append(c)
    return "".join(out)


# every character of the Basic Multilingual Plane that ``\d`` matches, as code points: the regex
# engine tests a class of code points in one table lookup, the \d category per character far slower
_BMP_DECIMALS = _code_point_class("".join(c for c in map(chr, range(0x10000)) if c.isdecimal()))
# a number (digits or Chinese numerals: told apart, and the word before checked, in ``_value``)
# and its unit. The pattern starts with a class of code points (a superset of the number's first
# character: the lookbehind checks that one), so that the scan for it is fast; a number followed by
# no unit (a year, a date) fails at the lookahead, before the optional groups. The one-character
# units are a class too: tried at once, and none of them starts 万元 or 人次
_FIRST = rf".{_CN_DIGITS}{_BMP_DECIMALS}\U00010000-\U0010ffff"
# (a number starts where a run of its characters starts: tried at every character of a long run
# without a unit, the scan would read the rest of the run each time)
_NUMBER_REST = (
    rf"(?<=[\d.{_CN_DIGITS}])(?<![\d.{_CN_DIGITS}].)[\d.{_CN_DIGITS}]*+(?=[万余多条件次篇起宗份人名元])"
)
_AFTER_NUMBER = r"(?P<wan>万(?!元))?(?P<approx>余|多)?(?P<unit>万元|人次|[条件次篇起宗份人名元])(?![例性称])"
_FIGURE = re.compile(rf"(?P<num>[{_FIRST}]{_NUMBER_REST}){_AFTER_NUMBER}")
# a subject that is not the report's agency: a whole area (全区) or a part of one (各部门, 区级部门,
# 各镇, 镇街, 镇（街道）, 下属单位): after its first character (全各级直属街, ``_SUBJECT_FIRST``), the
# rest by what that character was; ``num`` then holds the word from that character on
_SUBJECT_AFTER = (
    "(?:(?<=全)(?:国|省|市|区|县|镇|乡|街道)|(?<=各)(?:部门|单位|级部门|镇|乡|街道|科室|区县|县)"
    "|(?<=[区市县][级直])部门|(?<=[下直所]属)单位|(?<=镇街)|(?<=镇[(（]街)道)"
)
_SUBJECT_FIRST = "全各级直属街"
# a figure, a negation (``wording.NEGATION``: its empty group ``negation`` set) or a subject (its
# empty group ``subject`` set), in one scan that starts at a class of first characters (none of the
# three holds a character another starts with, so their matches are those of each alone)
_FIGURE_OR_NEGATION = re.compile(
    rf"(?P<num>[未没无{_SUBJECT_FIRST}{_FIRST}](?:{_NUMBER_REST}|{NEGATION_AFTER}(?P<negation>)"
    rf"|{_SUBJECT_AFTER}(?P<subject>)))(?(negation)|(?(subject)|{_AFTER_NUMBER}))"
)
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_APPROX_BEFORE = ("约", "近", "逾", "超过")
_NOT_BEFORE_DIGITS = frozenset("第")
_NOT_BEFORE_NUMERALS = frozenset("第每逐数几某单同统唯")
# in the joined prose a line break only comes as a blank line: each of its breaks ends a clause
_CLAUSE_SEP = re.compile("[，。；！？,;!?\n]")
_SENTENCE_SEP = "。；！？;!?\n"
_SENTENCE_MAX = 1000  # characters; the longest sentence of the seeds and test texts has 252
_NUMBERING = re.compile(r"^\s*(?:\d+[.、](?!\d)|\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+、)\s*")
_NUMBER_START = frozenset("0123456789０１２３４５６７８９(（一二三四五六七八九十")
_NUMBERING_START = frozenset("(一二三四五六七八九十")  # with a digit or a space: what may start one
# the indicator of a figure by the clause's words before it (as written: "约…" and a parenthetical
# are dropped on reading), memoised unless a subject named earlier counts: the words repeat a lot
# (a long context, which cannot, is not kept)
_CLASSIFIED: dict[tuple[str, str, str | None], str | None] = {}
_UNKNOWN = "\x00unknown"  # not yet classified (an identity sentinel)
# what a clause with a negation says is zero (``zero_indicators``), memoised: such clauses repeat
_ZEROS: dict[str, tuple[tuple[str, int], ...]] = {}
_NEEDS_TOPIC = re.compile("维持|驳回|纠错|纠正|撤销|确认违法|其他结果|其他情形|结案|终止|审结|审理|办结")
_CELL_LINE = re.compile(r"[\d.,%+\-/—–\s]+")
_HEADING_END = ("情况", "概述", "概况", "数量", "事项", "措施", "问题", "工作")
# what a line of prose is (identity sentinels): a paragraph break (blank, or a table cell on its
# own), a numbered line, or any other line
_BREAK, _NUMBERED, _PLAIN = "break", "numbered", "plain"
# a line → (its Simplified text normalised and stripped, the line stripped, what it is), memoised:
# template lines and the sentences of prose repeat
_LINES: dict[str, tuple[str, str, str]] = {}


class Figure(NamedTuple):
    indicator: str
    row: str
    value: int | float
    raw: str
    line: int
    approximate: bool


_new = tuple.__new__


class Prose(NamedTuple):
    figures: list[Figure]
    conflicts: list[str]  # reasons: an indicator stated twice with different values


@lru_cache(maxsize=4)
def emitted(generation: str | None) -> frozenset[str]:
    """Indicators with a narrative crosswalk row in ``generation`` (any generation when None)."""
    by_label = {label: ind for ind, label in LABELS.items()}
    return frozenset(
        by_label[k[2]]
        for k in load_crosswalk()
        if k[1] == "narrative" and k[2] in by_label and (generation is None or k[0] == generation)
    )


def chinese_number(text: str) -> int | None:
    """The value of a Chinese numeral (``十二`` → 12, ``两`` → 2), or None when it is not one."""
    if text in ("零", "〇"):
        return 0
    if text[0] in "零〇" or len(text) > 8:
        return None
    return _cn2an(text)


@lru_cache(maxsize=4096)
def _cn2an(text: str) -> int | None:
    import cn2an  # imported on first use: most reports write digits

    try:
        value = cn2an.cn2an(text.replace("两", "二"), "strict")  # 两 is 二 before a unit
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if float(value).is_integer() else None


def _topic(sentence: str) -> str | None:
    """The subject named last in the sentence so far: reviews, litigation or requests."""
    best, where = None, -1
    for word, topic in (("复议", "reviews"), ("诉讼", "litigation"), ("起诉", "litigation"), ("申请", "requests")):
        i = sentence.rfind(word)
        if i > where:
            best, where = topic, i
    return best


def _value(
    num: str, wan: str | None, approx: str | None, text: str, at: int
) -> tuple[int | float, bool] | None:
    """(value, approximate) of a ``_FIGURE`` match (its groups; it starts at ``at`` of ``text``), or
    None when it is not a number ("第3条", "每一次", a run mixing digits and numerals)."""
    before = text[at - 1] if at else ""
    approximate = approx is not None or text.endswith(_APPROX_BEFORE, max(0, at - 2), at)
    if num[0].isdigit():
        if before in _NOT_BEFORE_DIGITS or _DECIMAL.fullmatch(num) is None:
            return None
        if wan:
            return int(Decimal(num) * 10000), True
        return (float(num) if "." in num else int(num)), approximate
    if before in _NOT_BEFORE_NUMERALS or not num.isalpha():  # digits or a dot among the numerals
        return None
    value = chinese_number(num)
    if value is None:
        return None
    if wan:
        return value * 10000, True
    return value, approximate


_CHAR_LEN: dict[str, int] = {}  # a character → the length of its normalised form (1 for nearly all)
_NOT_ONE = re.compile(rb"[^\x01]")


def _offsets(raws: list[str]) -> tuple[str, list[int]]:
    """The raw text and, for each character of its normalised form, its offset in the raw text."""
    original = "".join(raws)
    char_len = _CHAR_LEN
    missing = set(original).difference(char_len)
    if len(char_len) + len(missing) > 20_000:  # the memo is full: a table of this text's own
        char_len = {c: len(norm_line(c)) for c in set(original)}
    else:
        for c in missing:
            char_len[c] = len(norm_line(c))  # (never 0, and at most 18)
    lens = bytes(map(char_len.__getitem__, original))
    omap: list[int] = []
    done = 0
    for m in _NOT_ONE.finditer(lens):  # the few characters that do not normalise to one
        i = m.start()
        omap += range(done, i)
        omap += [i] * lens[i]
        done = i + 1
    omap += range(done, len(original))
    return original, omap


def _sentence_before(joined: str, at: int) -> str:
    """The sentence up to offset ``at`` (it starts after the last 。；！？ or line break), at most its
    last ``_SENTENCE_MAX`` characters (so that text without stops costs linear time)."""
    lo = max(0, at - _SENTENCE_MAX)
    return joined[max(max(joined.rfind(c, lo, at) for c in _SENTENCE_SEP) + 1, lo) : at]


def _indicator(context: str, unit: str, generation: str | None, joined: str, at: int) -> str | None:
    """The indicator of the figure at ``at`` of ``joined`` whose clause reads ``context`` up to it
    (None: not one); memoised by (context, unit, generation) unless the sentence's subject counts."""
    key = (context, unit, generation)
    if context.endswith(_APPROX_BEFORE):  # "约", "近"…: part of the figure, not of its words
        context = context[: -2 if context.endswith("超过") else -1]
    if "(" in context and context.count("(") > context.count(")"):
        context = context[context.rfind("(") + 1 :]  # a parenthetical: its own words only
        if "其中" not in context and "直接起诉" not in context and "复议后" not in context:
            indicator = None
            if len(_CLASSIFIED) < MEMO_MAX and len(key[0]) <= 160:
                _CLASSIFIED[key] = indicator
            return indicator
    if _NEEDS_TOPIC.search(context):  # the subject may be named earlier in the sentence
        return classify(context, unit, _topic(_sentence_before(joined, at)), generation)
    indicator = classify(context, unit, None, generation)
    if len(_CLASSIFIED) < MEMO_MAX and len(key[0]) <= 160:
        _CLASSIFIED[key] = indicator
    return indicator


# Whose figure it is: the subject named last in a figure's sentence. A whole area ("全区共受理申请
# 300件") other than the agency's own, or a part of one (``_SUBJECT_AFTER``) makes the figure not the
# report's; the agency's own words ("其中我局受理3件"; not 其中 alone, which parts the figure before
# it) or the end of the sentence (not a ；, which lists more of the same subject) make the figures
# after them the report's again.
_OWN_OR_STOP = re.compile(
    "我局|本局|我委|本委|我办|本办|我中心|本中心|本机关|我机关|本单位|我单位|本部门|我部门|[。！？!?\n]"
)
_AREA_OF = re.compile("(省|市|区|县|镇|乡|街道)(?:人民政府|政府|办事处)?$")
# words before an area or a part that make it an object, not the subject ("我局围绕全区中心工作，
# 共受理申请5件", "督促各单位及时公开…")
_OBJECT_AFTER = (
    "围绕", "按照", "根据", "结合", "服务", "落实", "贯彻", "对照", "助力", "推动", "面向", "指导", "督促",
    "要求", "组织", "协调", "帮助", "培训", "联合", "会同", "配合", "检查", "考核", "通报", "发放给", "向",
    "对", "与", "和", "及", "为", "在", "给",
)  # fmt: skip


def own_area(agency: str | None) -> str | None:
    """The whole area whose figures a report of ``agency`` states as its own: "全区" for a district
    government (宁波市海曙区人民政府), "全镇" for a town (咸祥镇); None for a department (a 局, a
    中心…) or an unknown agency, whose report quotes a "全区…" figure as context, not as its own."""
    m = _AREA_OF.search(agency or "")
    return "全" + m.group(1) if m else None


def _subject_start(joined: str, at: int) -> int:
    """Where the subject word whose match starts at ``at`` begins (区级部门, 下属单位 and 镇街 are
    matched from their second character, 镇（街道） from its third)."""
    c = joined[at]
    return at if c in "全各" else at - 2 if c == "街" and joined[at - 1] in "(（" else at - 1


_YEAR = re.compile(r"((?:19|20)\d\d)年")
_RANGE = frozenset("至到-~～—–")
_RANGE_ENDS = frozenset("0123456789０１２３４５６７８９" + _CN_DIGITS)


def _other_year(context: str, year: int) -> bool:
    """Whether the words before a figure name a year other than the report's ("2014年受理申请10件")."""
    return any(int(y) != year for y in _YEAR.findall(context))


def _line(text: str) -> tuple[str, str, str]:
    """How a Simplified line reads (see ``_LINES``), memoised."""
    t = stripped = text.strip()
    if t and not t.isascii():
        t = norm_line(t)
    if not t or (len(t) <= 16 and _CELL_LINE.fullmatch(t)):  # a table cell on its own line is no prose
        got = (t, stripped, _BREAK)
    elif t[0] in _NUMBER_START and _NUMBERING.match(t):
        got = (t, stripped, _NUMBERED)
    else:
        got = (t, stripped, _PLAIN)
    if len(text) <= 160 and len(_LINES) < MEMO_MAX:
        _LINES[text] = got
    return got


def _quote_start(joined: str, start: int) -> int:
    """Where the quote of the clause at ``start`` begins: after its numbering ("1.", "(二)", "三、")."""
    c = joined[start]
    if c in _NUMBERING_START or c.isdecimal() or c.isspace():  # else no numbering: not looked for
        lead = _NUMBERING.match(joined[start : start + 12])
        if lead:
            return start + lead.end()
    return start


def figures(
    lines: list[tuple[int, str, str]],
    generation: str | None = None,
    year: int | None = None,
    area: str | None = None,
) -> Prose:
    """Narrative figures in prose ``lines``: (1-based line number, Simplified text, original text).

    The lines are joined into one text (a blank line between paragraphs, a numbered line or a
    heading starting a new clause) and read in one pass: only the clauses that hold a figure or a
    negation are looked at. The figures found, in text order, are then kept: those of an emitted
    indicator, each indicator's first. A figure whose clause names a year other than ``year`` (the
    report's, when known) is that year's: left out. So is a figure whose sentence names as its last
    subject a whole area other than ``area`` (``own_area`` of the report's agency: "全区共受理申请
    300件" in a bureau's report) or a part of one ("各镇（街道）共受理申请157件")."""
    srcs: list[str] = []  # Simplified text of each line, stripped
    raws: list[str] = []  # the same lines as written
    line_nos: list[int] = []
    prev_blank = True
    memo = _LINES
    add_src, add_raw, add_no = srcs.append, raws.append, line_nos.append
    for no, text, orig in lines:
        got = memo.get(text)
        t, r, kind = _line(text) if got is None else got
        if kind is _BREAK:
            if not prev_blank:
                add_src("\n\n")
                add_raw("\n\n")
                add_no(no)
            prev_blank = True
            continue
        if orig is not text:
            r = orig.strip()
        if kind is _NUMBERED:
            if not prev_blank:  # a numbered line starts a new clause (headings carry no punctuation)
                t, r = "\n\n" + t, "\n\n" + r
            if len(t) <= 34 and t.endswith(_HEADING_END):
                t, r = t + "\n\n", r + "\n\n"  # a heading: what follows is a new clause
        add_src(t)
        add_raw(r)
        add_no(no)
        prev_blank = False
    joined = "".join(srcs)  # normalised line by line
    original = "".join(raws)
    ostarts = list(accumulate(map(len, raws[:-1]), initial=0))  # where each line starts in ``original``
    omap: list[int] | None = None  # offset in ``joined`` → offset in ``original``
    if len(joined) != len(original):  # NFKC or Simplified conversion changed lengths
        original, omap = _offsets(raws)
        if len(omap) != len(joined):  # the conversions do not map char by char: quote the converted text
            original, omap = joined, None
    reverse = joined[::-1]  # the separator before an offset is the first one after it here
    n = len(joined)
    # (offset of the figure in ``joined``, indicator, value, approximate, where its quote starts and ends)
    found: list[tuple[int, str, int | float, bool, int, int]] = []
    sep_search = _CLAUSE_SEP.search
    with_figure: set[int] = set()
    negations: list[int] = []  # where each negation starts: read once all figures are
    prev_clause, prev_end, quote_from = -1, 0, 0
    prev_at = 0  # the previous figure's offset: a separator before it is not looked for again
    # the last subject named that is not the report's agency: where the text after it was last read
    # for the agency's own words or a sentence's end (-1: no such subject), and whether it is a part
    # of the area (a zero of the whole area is the agency's too, a part's is not)
    other_read, part = -1, False
    for m in _FIGURE_OR_NEGATION.finditer(joined):
        num, negation, subject, wan, approx, unit = m.groups()
        at = m.start()
        if other_read >= 0:  # (each character is read once: linear on text without a stop)
            other_read = -1 if _OWN_OR_STOP.search(joined, other_read, at) else at
        if negation is not None:
            if other_read < 0 or not part:
                negations.append(at)
            continue
        if subject is not None:
            word = _subject_start(joined, at)
            if num == area:
                other_read = -1
            elif not joined.endswith(_OBJECT_AFTER, max(0, word - 3), word):
                other_read, part = m.end(), num[0] != "全"
            continue
        # the clause starts after the separator before ``at``, if one comes after the previous figure
        before = sep_search(reverse, n - at, n - prev_at)
        start = n - before.start() if before else prev_clause if prev_at else 0
        prev_at = at
        if start != prev_clause:
            prev_clause, prev_end, quote_from = start, start, -1
        context = joined[prev_end:at]
        end = prev_end = m.end()
        indicator = _CLASSIFIED.get((context, unit, generation), _UNKNOWN)
        if indicator is _UNKNOWN:
            indicator = _indicator(context, unit, generation, joined, at)
        if indicator is None:
            continue
        if year is not None and "年" in context and _other_year(context, year):
            continue
        if context and context[-1] in _RANGE and at >= 2 and joined[at - 2] in _RANGE_ENDS:
            continue  # the upper end of a range ("3至5件"): neither end is the figure
        if other_read >= 0:  # another's figure: the agency has not been named, nor a sentence ended
            continue
        if wan is None and num.isdecimal():  # digits (the common case, as ``_value`` reads them)
            if at and joined[at - 1] == "第":
                continue
            value: int | float = int(num)
            # (a 约/近/逾/超过 right before the figure lies within ``context``, which starts after a
            # separator or a unit)
            approximate = approx is not None or context.endswith(_APPROX_BEFORE)
        else:
            read = _value(num, wan, approx, joined, at)
            if read is None:
                continue
            value, approximate = read
        if quote_from < 0:  # the clause's first figure: quoted from after its numbering
            with_figure.add(start)
            quote_from = _quote_start(joined, start)
        found.append((at, indicator, value, approximate, quote_from, end))
    negated = False
    seen: set[int] = set()
    start = prev_at = 0
    for at in negations:
        before = sep_search(reverse, n - at, n - prev_at)  # (as for figures)
        start = n - before.start() if before else start
        prev_at = at
        if start in with_figure or start in seen:
            continue
        seen.add(start)
        after = sep_search(joined, at)
        end = after.start() if after else n
        clause = joined[start:end]
        zeros = _ZEROS.get(clause)
        if zeros is None:
            zeros = tuple(zero_indicators(clause, _FIGURE.search(clause) is not None))
            if len(clause) <= 160 and len(_ZEROS) < MEMO_MAX:
                _ZEROS[clause] = zeros
        for indicator, zero_at in zeros:
            found.append((start + zero_at, indicator, 0, False, _quote_start(joined, start), end))
            negated = True
    if negated:
        found.sort(key=itemgetter(0))
    allowed = emitted(generation)
    kept: dict[str, Figure] = {}
    conflicts: list[str] = []
    for at, indicator, value, approximate, a, b in found:
        if indicator not in allowed:
            continue
        first = kept.get(indicator)
        if first is not None and first.value == value:
            continue  # stated again, alike
        if omap is not None:
            a, b, at = omap[a], omap[b - 1] + 1, omap[at]
        line_idx = bisect_right(ostarts, at) - 1
        if not value:
            a = max(a, ostarts[line_idx])  # a zero clause: quoted from its own line on
        raw, line = original[a:b].strip(), line_nos[line_idx]
        if first is None:
            kept[indicator] = _new(Figure, (indicator, LABELS[indicator], value, raw, line, approximate))
        else:
            conflicts.append(
                f"prose states {indicator} twice: {first.raw} (line {first.line}) and {raw} "
                f"(line {line}); the first is kept"
            )
    return _new(Prose, (list(kept.values()), conflicts))

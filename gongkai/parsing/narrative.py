"""Figures stated in the report's prose ("全年主动公开信息312条", "共受理申请9起", "未收到…申请").

Prose is read clause by clause (a clause ends at ，。；！？ or a blank line; a line break inside a
paragraph joins). A figure is kept only when the words before it in its clause name exactly one
known indicator (``classify``); clauses that list several things ("等", several channels, "平台")
are left alone rather than guessed. Outcomes (维持, 纠错, 尚未审结) take their subject (复议 or 诉讼)
from earlier in the sentence. Numbers are written in digits or Chinese numerals (一件, 两起, 十二件);
"余/多/约/近/逾/超过" and "万" make a figure approximate. A zero is read only from an explicit
clause ("未收到…申请", "未发生…行政复议、行政诉讼", "无…案件", "未收取…费用"). The value is always
the number written in the clause: figures are never summed. Each indicator is stated once: the
first figure wins, a later different one is reported (``Prose.conflicts``).

An indicator is emitted only when the crosswalk seed has a ``narrative`` row for it in the
report's generation (so the warehouse can conform it).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from gongkai.parsing.crosswalk import load as load_crosswalk
from gongkai.parsing.tokens import MEMO_MAX, norm_line

_CN_DIGITS = "零〇一二两三四五六七八九十百千"
# a number (digits or Chinese numerals: told apart, and the word before checked, in ``_value``)
# and its unit; the pattern starts with a character class, so that the scan for it is fast
_FIGURE = re.compile(
    rf"(?P<num>[\d.{_CN_DIGITS}]++)(?P<wan>万(?!元))?(?P<approx>余|多)?"
    r"(?P<unit>万元|人次|条|件|次|篇|起|宗|份|人|名|元)(?![例性称])"
)
_DECIMAL = re.compile(r"\d+(?:\.\d+)?")
_APPROX_BEFORE = ("约", "近", "逾", "超过")
_NOT_BEFORE_DIGITS = frozenset("第")
_NOT_BEFORE_NUMERALS = frozenset("第每逐数几某单同统唯")
# in the joined prose a line break only comes as a blank line: each of its breaks ends a clause
_CLAUSE_SEP = re.compile("[，。；！？,;!?\n]")
_SENTENCE_SEP = "。；！？;!?\n"
_NUMBERING = re.compile(r"^\s*(?:\d+[.、](?!\d)|\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+、)\s*")
# 未收到 … 没有发生 … 无(因|任何|…案件); written to start with a character class (a fast scan)
_NEGATION = re.compile(
    r"[未没无](?:(?<=未)(?:收到|接到|受理|发生|出现|产生|收取)|(?<=没)有(?:收到|发生|收取)"
    r"|(?<=无)(?<!无无)(?=因|任何|[^，。；,;]{0,24}案件))"
)
_ZERO_CLAUSE_END = re.compile(r"(?:情况|案件|事件|费用|申请)(?:发生)?$")
_PART_OF = re.compile(r"(?<!其)中(?!的)\S{2,}")  # "在“不同意公开”答复中…": within what was named
_NUMBER_START = frozenset("0123456789０１２３４５６７８９(（一二三四五六七八九十")
# classify() of a context that needs no subject, memoised: the words before a figure repeat a lot
_CLASSIFIED: dict[tuple[str, str, str | None], str | None] = {}
_UNKNOWN = object()
_NEEDS_TOPIC = re.compile("维持|驳回|纠错|纠正|撤销|确认违法|其他结果|其他情形|结案|终止|审结|审理|办结")
_CELL_LINE = re.compile(r"[\d.,%+\-/—–\s]+")
_HEADING_END = ("情况", "概述", "概况", "数量", "事项", "措施", "问题", "工作")

LABELS = {
    "proactive_total": "正文：主动公开政府信息",
    "proactive_channel_website": "正文：政府网站公开政府信息",
    "proactive_channel_weibo": "正文：政务微博公开政府信息",
    "proactive_channel_wechat": "正文：政务微信公开政府信息",
    "proactive_channel_other": "正文：其他方式公开政府信息",
    "proactive_channel_gazette": "正文：政府公报公开政府信息",
    "responses_hotspots": "正文：回应公众关注热点或重大舆情",
    "policy_interpretations": "正文：政策解读稿件",
    "responses_weibo_wechat": "正文：微博微信回应事件",
    "responses_other": "正文：其他方式回应事件",
    "requests_received": "正文：收到政府信息公开申请",
    "requests_carried_in": "正文：上年结转政府信息公开申请",
    "requests_closed": "正文：申请办结",
    "requests_closed_on_time": "正文：按时办结",
    "requests_closed_extended": "正文：延期办结",
    "results_total": "正文：申请答复",
    "results_granted": "正文：予以公开",
    "results_partial": "正文：部分公开",
    "results_denied": "正文：不予公开",
    "results_already_public": "正文：属于已主动公开范围",
    "results_not_this_agency": "正文：不属于本机关公开",
    "results_info_not_exist": "正文：申请信息不存在",
    "unavailable_not_held": "正文：本机关不掌握相关政府信息",
    "not_processed_petition": "正文：信访举报投诉类申请",
    "not_processed_duplicate": "正文：重复申请",
    "results_other": "正文：其他处理",
    "carried_over": "正文：结转下年度继续办理",
    "reviews_total": "正文：行政复议",
    "reviews_upheld": "正文：行政复议结果维持",
    "reviews_corrected": "正文：行政复议结果纠正",
    "reviews_other": "正文：行政复议其他结果",
    "reviews_pending": "正文：行政复议尚未审结",
    "litigation_total": "正文：行政诉讼",
    "litigation_upheld": "正文：行政诉讼维持或驳回",
    "litigation_corrected": "正文：行政诉讼被依法纠错",
    "litigation_other": "正文：行政诉讼其他情形",
    "litigation_direct_total": "正文：未经复议直接起诉",
    "litigation_after_review_total": "正文：复议后起诉",
    "complaints": "正文：举报投诉",
    "fees": "正文：依申请公开收取费用",
    "staff_total": "正文：从事政府信息公开工作人员",
    "staff_full_time": "正文：专职人员",
    "staff_part_time": "正文：兼职人员",
}
_CHANNELS = (
    ("微博", "proactive_channel_weibo"),
    ("微信", "proactive_channel_wechat"),
    ("公报", "proactive_channel_gazette"),
    ("网站", "proactive_channel_website"),
    ("其他方式", "proactive_channel_other"),
)
_COUNT_UNITS = frozenset("件起宗份条")
_COMPARISON = ("同比", "比上年", "较上年", "上年同期", "去年", "比去年", "增长", "下降", "减少", "增加")
_COMPARISON_RE = re.compile("|".join(_COMPARISON))
_PROACTIVE_END = re.compile(
    r"(?:主动)?(?:公开|发布)(?:了)?(?:各类|各项)?(?:政府|政务)?信息(?:共计?|总计|合计|累计|总数)?(?:为|达到?)?$"
)
_OUTCOMES = (
    (("尚未审结", "未审结", "正在审理", "审理中"), "pending"),
    (("维持", "驳回"), "upheld"),
    (("纠错", "纠正", "撤销", "确认违法"), "corrected"),
    (("其他结果", "其他情形", "其他方式结案", "终止"), "other"),
)


class Figure(NamedTuple):
    indicator: str
    row: str
    value: int | float
    raw: str
    line: int
    approximate: bool


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


def _outcome(context: str) -> str | None:
    for words, outcome in _OUTCOMES:
        if any(w in context for w in words):
            return outcome
    return None


def _appeal(context: str, topic: str | None, generation: str | None) -> str | None:
    """An administrative review or lawsuit figure; ``topic`` is 复议/诉讼 named earlier in the sentence."""
    outcome = _outcome(context)
    if "复议后起诉" in context or "经复议后" in context:
        return None if outcome else "litigation_after_review_total"
    if "直接起诉" in context or "未经复议" in context:
        return None if outcome else "litigation_direct_total"
    review = "复议" in context
    lawsuit = "诉讼" in context or "起诉" in context or "应诉" in context
    if review and lawsuit:
        return None
    subject = "reviews" if review else "litigation" if lawsuit else None
    if subject is None:
        if outcome is None or topic is None:
            return None
        subject = topic
    if outcome is None:
        return f"{subject}_total"
    if subject == "litigation" and outcome == "pending":
        return None  # only the 2019+ tables split pending lawsuits, by block
    return f"{subject}_{outcome}"


def classify(context: str, unit: str, topic: str | None = None, generation: str | None = None) -> str | None:
    """The indicator a clause's figure states, or None when the clause is not about exactly one.

    ``context`` is the clause up to the figure; ``topic`` the appeal (``reviews``/``litigation``) or
    ``requests`` subject named earlier in the sentence."""
    if "等" in context:
        return None
    if "上年结转" in context or "上年度结转" in context or "上一年度结转" in context:
        return "requests_carried_in" if unit in _COUNT_UNITS else None
    if _COMPARISON_RE.search(context):
        return None
    if unit in ("人", "名"):
        if "专兼职" in context or ("专职" in context and "兼职" in context):
            return None
        if "专职" in context:
            return "staff_full_time"
        if "兼职" in context:
            return "staff_part_time"
        if "工作人员" in context and "信息公开" in context:
            return "staff_total"
        return None
    if unit == "万元":
        return "fees" if ("收取" in context or "收费" in context) and "费用" in context else None
    if unit in ("元", "人次"):
        return None
    if unit == "条":
        if "申请" in context:
            return "requests_received" if _received(context) else None
        return _proactive(context)
    if unit == "次":
        if "微博微信回应" in context:
            return "responses_weibo_wechat"
        if "其他方式回应" in context:
            return "responses_other"
        if "回应公众关注热点" in context or "重大舆情" in context:
            return "responses_hotspots"
        if "投诉" in context and "信访" not in context:
            return "complaints"
        return None
    if unit == "篇":
        if "政策解读" in context:
            return "policy_interpretations"
        return _proactive(context)
    if unit == "件" and "申请" not in context and "信息" in context:
        got = _proactive(context)  # "主动公开政府信息312件"
        if got:
            return got
    # 件 起 宗 份
    if "结转下年" in context or "转入下年" in context or "结转至下" in context or "下年度继续办理" in context:
        return "carried_over"
    if "信访" in context and "投诉" in context:
        return "not_processed_petition"
    if "复议" in context or "诉讼" in context or "起诉" in context or "应诉" in context:
        return _appeal(context, None, generation)
    if "举报投诉" in context or "投诉举报" in context or "投诉" in context:
        return "complaints"
    if topic in ("reviews", "litigation") and _outcome(context):
        return _appeal(context, topic, generation)
    return _request(context, topic, generation)


def _proactive(context: str) -> str | None:
    """A proactive-disclosure figure: the total, or one channel when the clause names one."""
    if "平台" in context or "两微" in context or "回应" in context or "微博微信" in context:
        return None
    channels = [code for word, code in _CHANNELS if word in context]
    if len(channels) == 1 and ("公开" in context or "发布" in context):
        return channels[0]
    if channels:
        return None
    if "主动公开" in context and ("政府信息" in context or "政务信息" in context):
        return "proactive_total"
    return "proactive_total" if _PROACTIVE_END.search(context) else None


def _received(context: str) -> bool:
    return any(w in context for w in ("受理", "收到", "接到", "新收", "接收")) and "办结" not in context


def _request(context: str, topic: str | None, generation: str | None) -> str | None:
    """A figure about disclosure requests: received, closed, replied, or one result category."""
    if _PART_OF.search(context):
        return None  # "在“不同意公开”答复中…达50件": a part of what was named, not the named thing
    if "部分公开" in context:
        return "results_partial"
    if "不予公开" in context or "不同意公开" in context:
        return "results_denied"
    if "已主动公开" in context:
        return "results_already_public"
    if "予以公开" in context or "同意公开" in context or "全部公开" in context:
        return "results_granted"
    if "不属于本" in context or "不掌握" in context:
        return "results_not_this_agency" if generation == "G1" else "unavailable_not_held"
    if "信息不存在" in context:
        return "results_info_not_exist"
    if "重复申请" in context:
        return "not_processed_duplicate"
    if "其他处理" in context:
        return "results_other"
    if "按时办结" in context:
        return "requests_closed_on_time"
    if "延期办结" in context:
        return "requests_closed_extended"
    if "办结" in context:
        return "requests_closed" if "申请" in context or topic == "requests" else None
    if "申请" not in context:
        return None
    if _received(context):
        return "requests_received"
    if "答复" in context and "按时" not in context and "延期" not in context:
        return "results_total"
    return None


def _zero(clause: str) -> list[tuple[str, int]]:
    """(indicator, offset of the negation) of each indicator an explicit clause says is zero
    ("未收到政府信息公开申请", "未发生…行政复议、行政诉讼的情况", "无…案件", "未收取任何费用")."""
    neg = _NEGATION.search(clause)
    if neg is None or _FIGURE.search(clause) or "其他" in clause[neg.end() :]:
        return []
    after = clause[neg.end() :]
    word = neg.group()
    out = []
    if word in ("未收到", "没有收到", "未接到", "未受理"):
        if "投诉" in after and "信访" not in after and "申请" not in after:
            out.append(("complaints", neg.start()))
        elif "申请" in after and not any(w in after for w in ("复议", "诉讼", "投诉", "费")):
            out.append(("requests_received", neg.start()))
        return out
    if not _ZERO_CLAUSE_END.search(after):
        return []
    if "复议" in after:
        out.append("reviews_total")
    if "诉讼" in after:
        out.append("litigation_total")
    if "投诉" in after and "信访" not in after:
        out.append("complaints")
    if ("费用" in after or "收费" in after) and not out:
        out.append("fees")
    return [(indicator, neg.start()) for indicator in out]


def figures(lines: list[tuple[int, str, str]], generation: str | None = None) -> Prose:
    """Narrative figures in prose ``lines``: (1-based line number, Simplified text, original text)."""
    out = _read(lines, generation)
    allowed = emitted(generation)
    kept: dict[str, Figure] = {}
    conflicts: list[str] = []
    for f in out:
        if f.indicator not in allowed:
            continue
        first = kept.get(f.indicator)
        if first is None:
            kept[f.indicator] = f
        elif first.value != f.value:
            conflicts.append(
                f"prose states {f.indicator} twice: {first.raw} (line {first.line}) and {f.raw} "
                f"(line {f.line}); the first is kept"
            )
    return Prose(list(kept.values()), conflicts)


def _topic(sentence: str) -> str | None:
    """The subject named last in the sentence so far: reviews, litigation or requests."""
    best, where = None, -1
    for word, topic in (("复议", "reviews"), ("诉讼", "litigation"), ("起诉", "litigation"), ("申请", "requests")):
        i = sentence.rfind(word)
        if i > where:
            best, where = topic, i
    return best


def _value(m: re.Match[str], text: str) -> tuple[int | float, bool] | None:
    """(value, approximate) of a ``_FIGURE`` match in ``text``, or None when it is not a number
    ("第3条", "每一次", a run mixing digits and numerals)."""
    num = m["num"]
    at = m.start()
    before = text[at - 1] if at else ""
    approximate = bool(m["approx"]) or text.endswith(_APPROX_BEFORE, max(0, at - 2), at)
    if num[0].isdigit():
        if before in _NOT_BEFORE_DIGITS or _DECIMAL.fullmatch(num) is None:
            return None
        if m["wan"]:
            return int(Decimal(num) * 10000), True
        return (float(num) if "." in num else int(num)), approximate
    if before in _NOT_BEFORE_NUMERALS or not num.isalpha():  # digits or a dot among the numerals
        return None
    value = chinese_number(num)
    if value is None:
        return None
    if m["wan"]:
        return value * 10000, True
    return value, approximate


def _offsets(raws: list[str]) -> tuple[str, list[int]]:
    """The raw text and, for each character of its normalised form, its offset in the raw text."""
    original = "".join(raws)
    omap: list[int] = []
    for i, c in enumerate(original):
        omap.extend([i] * len(norm_line(c)))
    return original, omap


def _sentence_before(joined: str, at: int) -> str:
    """The sentence up to offset ``at`` (it starts after the last 。；！？ or line break)."""
    return joined[max(joined.rfind(c, 0, at) for c in _SENTENCE_SEP) + 1 : at]


def _read(lines: list[tuple[int, str, str]], generation: str | None) -> list[Figure]:
    """Every figure of the prose, in text order. The lines are joined into one text (a blank line
    between paragraphs, a numbered line or a heading starting a new clause) and read in one pass:
    only the clauses that hold a figure or a negation are looked at."""
    srcs: list[str] = []  # Simplified text of each line, stripped
    raws: list[str] = []  # the same lines as written
    line_nos: list[int] = []
    prev_blank = True
    for no, text, orig in lines:
        t = norm_line(text.strip())
        if not t or (len(t) <= 16 and _CELL_LINE.fullmatch(t)):  # a table cell on its own line is no prose
            if not prev_blank:
                srcs.append("\n\n")
                raws.append("\n\n")
                line_nos.append(no)
            prev_blank = True
            continue
        r = orig.strip()
        if t[0] in _NUMBER_START:
            numbered = _NUMBERING.match(t)
            if numbered:
                if not prev_blank:  # a numbered line starts a new clause (headings carry no punctuation)
                    t, r = "\n\n" + t, "\n\n" + r
                if len(t) <= 34 and t.endswith(_HEADING_END):
                    t, r = t + "\n\n", r + "\n\n"  # a heading: what follows is a new clause
        srcs.append(t)
        raws.append(r)
        line_nos.append(no)
        prev_blank = False
    src = "".join(srcs)
    original = "".join(raws)
    ostarts: list[int] = []
    pos = 0
    for r in raws:
        ostarts.append(pos)
        pos += len(r)
    joined = src  # normalised line by line
    omap: list[int] | None = None  # offset in ``joined`` → offset in ``original``
    if len(joined) != len(original):  # NFKC or Simplified conversion changed lengths
        original, omap = _offsets(raws)
        if len(omap) != len(joined):  # the conversions do not map char by char: quote the converted text
            original, omap = joined, None
    reverse = joined[::-1]  # the separator before an offset is the first one after it here
    n = len(joined)
    out: list[tuple[int, Figure]] = []

    def emit(indicator: str, value: int | float, approximate: bool, a: int, b: int, at: int) -> None:
        order = at
        if omap is not None:
            a, b, at = omap[a], omap[b - 1] + 1, omap[at]
        line_idx = bisect_right(ostarts, at) - 1
        if not value:
            a = max(a, ostarts[line_idx])  # a zero clause: quoted from its own line on
        raw = original[a:b].strip()
        out.append((order, Figure(indicator, LABELS[indicator], value, raw, line_nos[line_idx], approximate)))

    def clause_of(at: int) -> tuple[int, int, int]:
        """(start, end, start after its numbering) of the clause holding offset ``at``."""
        before = _CLAUSE_SEP.search(reverse, n - at)
        start = n - before.start() if before else 0
        after = _CLAUSE_SEP.search(joined, at)
        end = after.start() if after else n
        lead = _NUMBERING.match(joined[start : start + 12])
        return start, end, start + lead.end() if lead else start

    with_figure: set[int] = set()
    prev_clause, prev_end = -1, 0
    for m in _FIGURE.finditer(joined):
        start, end, body = clause_of(m.start())
        if start != prev_clause:
            prev_clause, prev_end = start, start
        context = joined[prev_end : m.start()]
        if context.endswith(_APPROX_BEFORE):  # "约", "近"…: part of the figure, not of its words
            context = context[: -2 if context.endswith("超过") else -1]
        prev_end = m.end()
        if context.count("(") > context.count(")"):
            context = context[context.rfind("(") + 1 :]  # a parenthetical: its own words only
            if "其中" not in context and "直接起诉" not in context and "复议后" not in context:
                continue
        unit = m["unit"]
        key = (context, unit, generation)
        indicator = _CLASSIFIED.get(key, _UNKNOWN)
        if indicator is _UNKNOWN:
            if _NEEDS_TOPIC.search(context):  # the subject may be named earlier in the sentence
                indicator = classify(context, unit, _topic(_sentence_before(joined, m.start())), generation)
            else:
                indicator = classify(context, unit, None, generation)
                if len(_CLASSIFIED) < MEMO_MAX:
                    _CLASSIFIED[key] = indicator
        if indicator is None:
            continue
        got = _value(m, joined)
        if got is None:
            continue
        with_figure.add(start)
        emit(indicator, got[0], got[1], body, m.end(), m.start("num"))
    seen: set[int] = set()
    for m in _NEGATION.finditer(joined):
        start, end, body = clause_of(m.start())
        if start in with_figure or start in seen:
            continue
        seen.add(start)
        for indicator, at in _zero(joined[start:end]):
            emit(indicator, 0, False, body, end, start + at)
    out.sort(key=lambda x: x[0])
    return [f for _, f in out]

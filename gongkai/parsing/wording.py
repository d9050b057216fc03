"""What the words of one prose clause say: which indicator a figure states (``classify``), and
which indicators an explicit clause says are zero (``zero_indicators``). Read by ``narrative``."""

from __future__ import annotations

import re

# 未收到 … 没有发生 … 无(因|任何|…案件); written to start with a character class (a fast scan):
# ``NEGATION_AFTER`` is what follows that first character (``narrative`` scans for it with figures)
NEGATION_AFTER = (
    r"(?:(?<=未)(?:收到|接到|受理|发生|出现|产生|收取)|(?<=没)有(?:收到|发生|收取)"
    r"|(?<=无)(?<!无无)(?=因|任何|[^，。；,;]{0,24}案件))"
)
NEGATION = re.compile("[未没无]" + NEGATION_AFTER)
_ZERO_CLAUSE_END = re.compile(r"(?:情况|案件|事件|费用|申请|复议|诉讼)(?:发生)?$")
_PART_OF = re.compile(r"(?<!其)中(?!的)\S{2,}")  # "在“不同意公开”答复中…": within what was named

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
# words of a comparison, or of a figure of another year ("上年度共受理申请10件"; 上年结转 is read first)
# and of a part of the year ("第三季度受理申请3件", "上半年", "每月")
_COMPARISON = (
    "同比", "上年", "上一年", "前一年", "去年", "增长", "下降", "减少", "增加",
    "季度", "上半年", "下半年", "月份", "每月", "当月", "本月",
)  # fmt: skip
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


def zero_indicators(clause: str, has_figure: bool) -> list[tuple[str, int]]:
    """(indicator, offset of the negation) of each indicator an explicit clause says is zero
    ("未收到政府信息公开申请", "未发生…行政复议、行政诉讼(的情况)", "无…案件", "未收取任何费用")."""
    neg = NEGATION.search(clause)
    if neg is None or has_figure or "其他" in clause[neg.end() :]:
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
    named: list[str] = []
    if "复议" in after:
        named.append("reviews_total")
    if "诉讼" in after:
        named.append("litigation_total")
    if "投诉" in after and "信访" not in after:
        named.append("complaints")
    if ("费用" in after or "收费" in after) and not named:
        named.append("fees")
    return [(indicator, neg.start()) for indicator in named]

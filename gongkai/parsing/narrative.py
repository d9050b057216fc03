"""Figures stated in the report's prose ("在区政府信息公开网站发布政府信息169条").

Prose is read clause by clause (a clause ends at ，。；！？ or a blank line; a line break inside a
paragraph joins). A figure is kept only when its clause names exactly one known indicator;
clauses that list several things ("等", several channels, "平台") are left alone rather than guessed.
"余/多/约/近" make a figure approximate. The value is always the digits written in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from gongkai.parsing.layout import norm_line
from gongkai.parsing.values import normalize

_FIGURE = re.compile(r"(?P<pre>约|近|逾|超过)?(?P<num>\d+(?:\.\d+)?)(?P<approx>余|多)?(?P<unit>条|件|次|篇)")
_UNIT_CHAR = re.compile(r"\d(?:余|多)?[条件次篇]")
_CLAUSE_SEP = re.compile(r"[，。；！？,;!?]|\n\s*\n")
_NUMBERING = re.compile(r"^\s*(?:\d+[.、](?!\d)|\([一二三四五六七八九十\d]+\)|[一二三四五六七八九十]+、)\s*")

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
    "reviews_total": "正文：行政复议",
    "litigation_total": "正文：行政诉讼",
    "complaints": "正文：举报投诉",
}
_CHANNELS = (
    ("微博", "proactive_channel_weibo"),
    ("微信", "proactive_channel_wechat"),
    ("公报", "proactive_channel_gazette"),
    ("网站", "proactive_channel_website"),
    ("其他方式", "proactive_channel_other"),
)


@dataclass(frozen=True, slots=True)
class Figure:
    indicator: str
    row: str
    value: int | float
    raw: str
    line: int
    approximate: bool


def classify(context: str, unit: str) -> str | None:
    """The indicator a clause's figure states, or None when the clause is not about exactly one."""
    if "等" in context:
        return None
    if unit == "条":
        if "平台" in context or "两微" in context:
            return None
        if "回应" in context:
            return None
        channels = [code for word, code in _CHANNELS if word in context]
        if "微博微信" in context:
            return None
        if len(channels) == 1 and ("公开" in context or "发布" in context):
            return channels[0]
        if not channels and "主动公开" in context and ("政府信息" in context or "政务信息" in context):
            return "proactive_total"
        return None
    if unit == "次":
        if "微博微信回应" in context:
            return "responses_weibo_wechat"
        if "其他方式回应" in context:
            return "responses_other"
        if "回应公众关注热点" in context or "重大舆情" in context:
            return "responses_hotspots"
        return None
    if unit == "篇":
        return "policy_interpretations" if "政策解读" in context else None
    if unit == "件":
        if "收到" in context and "申请" in context and "复议" not in context and "诉讼" not in context:
            return "requests_received"
        if "举报投诉" in context:
            return "complaints"
        if (
            "行政复议" in context
            and "诉讼" not in context
            and ("维持" not in context and "纠错" not in context)
        ):
            return "reviews_total"
        if (
            "行政诉讼" in context
            and "复议" not in context
            and ("维持" not in context and "纠错" not in context)
        ):
            return "litigation_total"
    return None


def figures(lines: list[tuple[int, str, str]]) -> list[Figure]:
    """Narrative figures in prose ``lines``: (1-based line number, Simplified text, original text)."""
    out: list[Figure] = []
    para: list[tuple[int, str, str]] = []
    for item in [*lines, (0, "", "")]:
        if item[1].strip():
            para.append(item)
            continue
        if para:
            if any(_UNIT_CHAR.search(t) for _, t, _ in para):
                _paragraph(para, out)
            para = []
    return out


def _paragraph(para: list[tuple[int, str, str]], out: list[Figure]) -> None:
    srcs: list[str] = []  # Simplified text of each line, stripped
    raws: list[str] = []  # the same lines as written
    for _, text, orig in para:
        t, r = text.strip(), orig.strip()
        if srcs and _NUMBERING.match(norm_line(t)):
            t, r = (
                "\n\n" + t,
                "\n\n" + r,
            )  # a numbered line starts a new clause (headings carry no punctuation)
        srcs.append(t)
        raws.append(r)
    original = "".join(raws)
    src = "".join(srcs)
    joined = norm_line(src) if len(src) <= 160 else normalize(src)
    ostarts: list[int] = []
    pos = 0
    for r in raws:
        ostarts.append(pos)
        pos += len(r)
    omap: list[int] | None = None  # offset in ``joined`` → offset in ``original``
    if len(src) != len(original):
        original = src  # Simplified conversion changed lengths: quote the converted text
    if len(joined) != len(src):
        pieces: list[str] = []
        omap = []
        for i, c in enumerate(src):
            n = norm_line(c)
            pieces.append(n)
            omap.extend([i] * len(n))
        joined = "".join(pieces)
    clause_start = 0
    for sep in [*_CLAUSE_SEP.finditer(joined), None]:
        end = sep.start() if sep else len(joined)
        clause = joined[clause_start:end]
        prev_end = 0
        for m in _FIGURE.finditer(clause):
            context = clause[prev_end : m.start()]
            prev_end = m.end()
            if context.count("(") > context.count(")"):
                continue  # a figure inside a parenthetical note
            indicator = classify(context, m["unit"])
            if indicator is None:
                continue
            num = m["num"]
            value: int | float = float(num) if "." in num else int(num)
            lead = _NUMBERING.match(clause)
            a = clause_start + (lead.end() if lead else 0)
            b = clause_start + m.end()
            at = clause_start + m.start("num")
            if omap is not None:
                a, b, at = omap[a], omap[b - 1] + 1, omap[at]
            raw = original[a:b].strip()
            line_idx = bisect_right(ostarts, at) - 1
            out.append(
                Figure(
                    indicator, LABELS[indicator], value, raw, para[line_idx][0], bool(m["pre"] or m["approx"])
                )
            )
        if sep is None:
            break
        clause_start = sep.end()

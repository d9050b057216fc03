"""Traditional Chinese: detected by characters that are never Simplified, converted with OpenCC for
matching only (a token's ``raw`` keeps the original characters)."""

from __future__ import annotations

import re
from functools import lru_cache

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


_RUN_MAX = 500  # characters: OpenCC's time grows with the square of a run without a separator


def to_simplified(text: str) -> str:
    """Simplified form of ``text`` when it holds Traditional characters, else ``text`` itself.

    OpenCC converts the runs between its separators (punctuation, white space) one by one; a run
    longer than ``_RUN_MAX`` (no clause of prose is) is converted in pieces of that length."""
    if not has_traditional(text):
        return text
    t2s = _t2s()
    if len(text) <= _RUN_MAX:
        return t2s.convert(text)
    parts = t2s.split_chars_re.split(text)  # runs, with the separators between them at odd indices
    if max(map(len, parts[::2])) <= _RUN_MAX:
        return t2s.convert(text)
    return "".join(
        part if i % 2 else "".join(t2s.convert(part[j : j + _RUN_MAX]) for j in range(0, len(part), _RUN_MAX))
        for i, part in enumerate(parts)
    )

"""Report metadata read from the text: generation (by template markers), report year, agency."""

from __future__ import annotations

import re
import unicodedata

from gongkai.parsing.tokens import KIND, LABEL, RAW, TEXT, Token

# Markers are matched on whitespace-free NFKC text, so header words split over lines still count.
_G3 = (
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "本年收费金额",
    "申请人无正当理由逾期不补正",
    "逾期未按收费通知要求缴纳费用",
)
_G2 = (
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量",
    "结转下年度继续办理",
    "采购总金额",
    "尚未审结",
    "未经复议直接起诉",
)
_G1 = (
    "统计指标",
    "主动公开政府信息数",
    "收到申请数",
    "申请答复数",
    "不同意公开答复数",
    "行政复议数量",
    "行政诉讼数量",
    "举报投诉数量",
    "从事政府信息公开工作人员数",
)


def detect_generation(flat: str) -> str | None:
    """G1/G2/G3 by the template markers present in ``flat`` (whitespace-free text), or None."""
    g2 = len([m for m in _G2 if m in flat])
    if g2 >= 1 and len([m for m in _G3 if m in flat]) >= 2:  # (no G2 marker: no need to look for G3 ones)
        return "G3"
    if g2 >= 2:
        return "G2"
    if len([m for m in _G1 if m in flat]) >= 3:
        return "G1"
    return None


# 表三 row labels of the 2019 and 2021 templates (the same in both): a page of 表三 without the
# header markers still shows which family its table belongs to
_T3_ROWS = (
    "本机关不掌握相关政府信息",
    "没有现成信息需要另行制作",
    "补正后申请内容仍不明确",
    "信访举报投诉类申请",
    "要求提供公开出版物",
    "无正当理由大量反复申请",
    "要求行政机关确认或重新出具已获取信息",
    "属于三类内部事务信息",
    "属于四类过程性信息",
    "保护第三方合法权益",
)


def national_table_rows(flat: str) -> bool:
    """Whether ``flat`` holds rows of the national 表三 (2019/2021 templates) though not their headers."""
    return len([r for r in _T3_ROWS if r in flat]) >= 3


_YEAR = r"(?P<year>(?:19|20)\d{2})"
_TITLE_AGENCY_FIRST = re.compile(
    rf"^(?P<agency>[^\d\s:：，,。]{{2,40}}?){_YEAR}年度?(?:政府)?(?:信息公开|政务公开)"
)
_TITLE_YEAR_FIRST = re.compile(
    rf"^{_YEAR}年度?(?P<agency>[^\d\s:：，,。]{{2,40}}?)(?:政府)?(?:信息公开|政务公开)"
)
_TITLE_YEAR_ONLY = re.compile(rf"^{_YEAR}年度?(?:政府)?(?:信息公开|政务公开)")
# a year after the title ("…年度报告（2021年）") and a year in Chinese numerals ("二〇二一年")
_TITLE_YEAR_AFTER = re.compile(
    rf"^(?P<agency>[^\d\s:：，,。]{{2,40}}?)??(?:政府)?(?:信息公开|政务公开)\S*报告[(（]{_YEAR}年度?[)）]$"
)
_CN_YEAR = re.compile("[一二][〇○零九][〇○零一二三四五六七八九]{2}(?=年)")
_CN_YEAR_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_FILLER = re.compile(r"填报单位(?:\(盖章\))?[:：](?P<agency>[^\s(（]{2,40})")
_PERIOD = re.compile(rf"[(（]{_YEAR}年(?:度[)）]|1月1日至(?P=year)年12月31日[)）])")
_REPORT_ON = re.compile(rf"{_YEAR}年度?政府信息公开工作年度报告")
_STAT_PERIOD = re.compile(rf"{_YEAR}年(?:1月1日|度)?(?:起)?(?:至|到|-|—)(?:(?P=year)年)?12月31日")
_THIS_YEAR = re.compile(rf"本年度[(（]?{_YEAR}年")
_META_DATE = re.compile(r"(?:成文日期|发布日期|发文日期|发布时间)[:：]?(?P<year>20\d{2})[-年./]")
_AGENCY_LINE = re.compile(
    r"^[^\d\s:：，,。]{2,40}(?:人民政府|政府|局|委员会|委|办公室|办|中心|镇|街道|乡|厅|院|所|队|站)$"
)


def _as_written(tok: Token, agency: str) -> str:
    """The agency in the report's own characters (Traditional stays Traditional)."""
    text, raw = tok[TEXT], tok[RAW]
    i = text.find(agency)
    if i >= 0 and len(raw) == len(text):
        return raw[i : i + len(agency)]
    return agency


def title_lines(tokens: list[Token], limit: int = 8) -> list[Token]:
    return [t for t in tokens[:limit] if t[KIND] == LABEL]


_PUBLISHER = re.compile(r"发布机构[:：](?P<agency>[^\s:：，,。\d]{2,30}?)(?=成文日期|发布日期|索引号|主题|文号|$)")
_NOT_AGENCY = re.compile(r"彩票|娱乐|博彩|棋牌|赌|贷款|代孕|官网|APP|app|\.com|www|平台|网址")


def report_year_and_agency(tokens: list[Token], flat: str) -> tuple[int | None, str | None]:
    """(report year, agency as written) from the title, else the table heading / 填报单位. A name
    that cannot be an agency (a mirror's spam brand in its place) is not taken."""
    year, agency = _from_title(title_lines(tokens), flat)
    if agency is not None and _NOT_AGENCY.search(agency):
        agency = None
    if agency is None:
        m = _PUBLISHER.search(flat[:3000])
        if m and not _NOT_AGENCY.search(m["agency"]) and _AGENCY_LINE.match(m["agency"]):
            agency = m["agency"]
    if agency is None:
        for tok in tokens:
            if tok[KIND] == LABEL and "填报单位" in tok[TEXT]:
                m = _FILLER.search(tok[TEXT].replace(" ", ""))
                if m and not _NOT_AGENCY.search(m["agency"]):
                    agency = _as_written(tok, m["agency"])
                    break
    return year, agency


def _from_title(head: list[Token], flat: str) -> tuple[int | None, str | None]:
    year: int | None = None
    agency: str | None = None
    for i, tok in enumerate(head):
        s = _digit_year(tok[TEXT].replace(" ", ""))
        m = _TITLE_YEAR_ONLY.match(s)
        if m:
            year = int(m["year"])
            if i > 0 and _AGENCY_LINE.match(head[i - 1][TEXT].replace(" ", "")):
                agency = _as_written(head[i - 1], head[i - 1][TEXT].replace(" ", ""))
            break
        m = _TITLE_AGENCY_FIRST.match(s) or _TITLE_YEAR_FIRST.match(s)
        if m:
            year, agency = int(m["year"]), _as_written(tok, m["agency"])
            break
        m = _TITLE_YEAR_AFTER.match(s)
        if m:
            year = int(m["year"])
            agency = _as_written(tok, m["agency"]) if m["agency"] else None
            break
    if year is None:
        m = _REPORT_ON.search(flat) or _PERIOD.search(flat)
        if m:
            year = int(unicodedata.normalize("NFKC", m["year"]))
    if year is None:  # a title split over lines ("…2018" / "年度政府信息公开工作报告")
        for i in range(len(head) - 1):
            s = "".join(t[TEXT] for t in head[i : i + 3]).replace(" ", "")
            m = _TITLE_AGENCY_FIRST.match(s) or _TITLE_YEAR_FIRST.match(s)
            if m:
                year = int(m["year"])
                if agency is None and "".join(t[TEXT] for t in head[i : i + 1]).replace(" ", "").startswith(
                    m["agency"]
                ):
                    agency = _as_written(head[i], m["agency"])
                break
    return year, agency


def _digit_year(title: str) -> str:
    """A title line with a year written in Chinese numerals ("二〇二一年") in digits."""
    if "年" not in title or _CN_YEAR.search(title) is None:
        return title
    return _CN_YEAR.sub(lambda m: m.group().translate(_CN_YEAR_DIGITS), title)


def year_from_body(flat: str) -> int | None:
    """The report year from a 统计期限 or 本年度 sentence of the whole-text ``flat``, or None."""
    m = _STAT_PERIOD.search(flat) or _THIS_YEAR.search(flat)
    return int(m["year"]) if m else None


def year_from_metadata(flat: str) -> int | None:
    """The year before the 成文日期/发布日期 of a page's metadata block (reports come out early in the
    next year), or None."""
    m = _META_DATE.search(flat)
    return int(m["year"]) - 1 if m else None

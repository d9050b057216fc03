"""Synthetic reports for tests and benchmarks: random valid values for a template, rendered in
each real layout (tab cells, one cell per line, pipe rows, HTML table).

``expected_cells`` is what a correct parser must read back; the renderers only write what the
template prints plus the chosen values (blank cells in the layout's usual spelling).
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field

from gongkai.parsing.ceilings import load as load_ceilings
from gongkai.parsing.crosswalk import lookup
from gongkai.parsing.g1 import UNITS as G1_UNITS
from gongkai.parsing.table import TEMPLATES
from gongkai.parsing.template import Row, Template

LAYOUTS = ("tab", "lines", "pipe", "html")
AGENCIES = (
    "宁波市海曙区人民政府",
    "鄞江镇人民政府",
    "镇海区新闻中心",
    "镇海区经济合作局",
    "咸祥镇人民政府",
    "宁波市鄞州区教育局",
    "宁波市镇海区卫生健康局",
    "横溪镇人民政府",
)
_FULLWIDTH = str.maketrans("0123456789+-", "０１２３４５６７８９＋－")


@dataclass
class SyntheticReport:
    generation: str
    year: int
    agency: str
    template: Template
    rows: list[Row]  # the rows this report prints (optional rows may be left out), in order
    values: dict[tuple[str, str], int | None] = field(default_factory=dict)  # (row label, column) → value
    prose_total: int | None = None

    def expected_cells(self) -> list[tuple[str, str, str, int | None]]:
        return [(r.table, r.label, c, self.values[(r.label, c)]) for r in self.rows for c in r.columns]


def generate(rng: random.Random, generation: str | None = None, blank_rate: float = 0.05) -> SyntheticReport:
    generation = generation or rng.choice(("G1", "G2", "G3"))
    template = TEMPLATES[generation]
    year = {
        "G1": rng.randint(2008, 2018),
        "G2": rng.choice((2019, 2020, 2022)),
        "G3": rng.randint(2021, 2024),
    }[generation]
    rows = []
    dropped_groups = {g for g in {r.group for r in template.rows if r.group} if rng.random() < 0.4}
    for row in template.rows:
        if row.values_optional:
            continue  # parent rows (不予公开, G3 其他处理) print no cells
        if (
            row.optional
            and row.columns
            and (row.group in dropped_groups if row.group else rng.random() < 0.4)
        ):
            continue  # e.g. no 政府公报 row, no section 九
        rows.append(row)
    report = SyntheticReport(generation, year, rng.choice(AGENCIES), template, rows)
    for row in rows:
        for col in row.columns:
            if rng.random() < blank_rate:
                v = None
            elif col == "本年增/减":
                v = rng.randint(-20, 20)
            elif rng.random() < 0.5:
                v = 0
            else:
                big = min(5_000_000, _ceiling(generation, row, col))  # large, but plausible
                v = rng.choice((rng.randint(1, 20), rng.randint(1, 2000), rng.randint(1, big)))
            report.values[(row.label, col)] = v
    if generation == "G1":
        report.prose_total = report.values.get(("主动公开政府信息数", "统计数"))
    return report


def _ceiling(generation: str, row: Row, column: str) -> int:
    m = lookup(generation, row.table, row.label, column)
    return int(load_ceilings().get(m.indicator, 5_000_000)) if m and m.indicator else 5_000_000


# ---- rendering ----------------------------------------------------------------------------------


def _value_text(v: int | None, layout: str, rng: random.Random, column: str) -> str:
    if v is None:
        return {
            "tab": "",
            "lines": rng.choice(("/", "—", "-", "无")),
            "pipe": rng.choice(("", "/")),
            "html": rng.choice(("&nbsp;", "")),
        }[layout]
    s = f"{v:+d}" if column == "本年增/减" and v != 0 and rng.random() < 0.5 else str(v)
    if layout == "lines" and rng.random() < 0.2:
        s = s.translate(_FULLWIDTH)
    elif layout == "pipe" and rng.random() < 0.2 and column in ("采购总金额", "本年收费金额（单位：万元）"):
        s += "万元"
    return html.escape(s) if layout == "html" and s != "&nbsp;" else s


def _grid(report: SyntheticReport, rng: random.Random, layout: str) -> list[list[str]]:
    """The table as rows of cell texts (headings included), in reading order."""
    out: list[list[str]] = []
    if report.generation == "G1":
        out.append(["统　计　指　标", "单位", "统计数"])
        for row in report.template.rows:
            if row.columns and row not in report.rows:
                continue
            if not row.columns:
                out.append([row.display, "——", ""])
            else:
                v = report.values[(row.label, "统计数")]
                out.append([row.display, G1_UNITS[row.label], _value_text(v, layout, rng, "统计数")])
        return out
    section_cols: dict[str, tuple[str, ...]] = {}
    for row in report.rows:
        if row.table == "表二":
            section_cols.setdefault(row.label.split("/")[0], row.columns)
    for row in report.template.rows:
        if row.columns and row not in report.rows and not row.values_optional:
            continue
        if row.table == "表二" and not row.columns and row.display.startswith("第二十条"):
            cols = section_cols.get(row.display)
            if cols is None:
                continue
            out.append([row.display, "信息内容", *cols])
        elif row.display.startswith("三、收到和处理"):
            out.append([row.display])
            out.append(["申请人情况", "自然人", "法人或其他组织", "总计"])
            out.append(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"])
        elif row.table == "表四":
            out.append([row.display])
            out.append(["行政复议", "行政诉讼"])
            out.append(
                ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"]
            )
            out.append(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)
            out.append([_value_text(report.values[(row.label, c)], layout, rng, c) for c in row.columns])
        elif not row.columns or row.values_optional:
            out.append([row.display])
        else:
            out.append(
                [
                    row.display,
                    *(_value_text(report.values[(row.label, c)], layout, rng, c) for c in row.columns),
                ]
            )
    return out


def _prose(report: SyntheticReport) -> list[str]:
    lines = [
        f"{report.agency}{report.year}年政府信息公开工作年度报告",
        "",
        f"本报告根据《中华人民共和国政府信息公开条例》编制，数据统计期限为{report.year}年1月1日至{report.year}年12月31日。",
        "",
    ]
    if report.prose_total is not None:
        lines += ["一、主动公开政府信息情况", f"全年共主动公开政府信息{report.prose_total}条。", ""]
    return lines


def render(report: SyntheticReport, layout: str, rng: random.Random | None = None) -> str:
    rng = rng or random.Random(0)
    grid = _grid(report, rng, layout)
    lines = _prose(report)
    if report.generation == "G1":
        lines += [
            "政府信息公开情况统计表",
            "",
            f"（{report.year}年1月1日至{report.year}年12月31日）",
            "",
            f"填报单位（盖章）：{report.agency}",
            "",
        ]
    if layout == "tab":
        for cells in grid:
            lines += ["\t" + c for c in cells]
            lines.append("")
    elif layout == "lines":
        for cells in grid:
            lines += [c for c in cells]
            if rng.random() < 0.3:
                lines.append("")
    elif layout == "pipe":
        for cells in grid:
            lines.append("| " + " | ".join(cells) + " |")
    elif layout == "html":
        lines = [f"<p>{html.escape(x)}</p>" if x else "" for x in lines]
        lines.append('<table border="1">')
        for cells in grid:
            tds = []
            for c in cells:
                attrs = ' colspan="5"' if c in ("法人或其他组织", "行政诉讼") else ""
                attrs = ' rowspan="2"' if c in ("申请人情况", "行政复议") and not attrs else attrs
                tds.append(f"<td{attrs}>{c if c == '&nbsp;' or c.startswith('&') else html.escape(c)}</td>")
            lines.append("<tr>" + "".join(tds) + "</tr>")
        lines.append("</table>")
    else:
        raise ValueError(f"unknown layout {layout!r}")
    lines += ["", "五、存在的主要问题及改进情况", "进一步加强政府信息公开工作。"]
    return "\n".join(lines) + "\n"


# ---- prose-only reports --------------------------------------------------------------------------

_BOILERPLATE = (
    "{year}年，我{unit}认真贯彻落实《中华人民共和国政府信息公开条例》，按照上级政务公开工作部署，"
    "进一步健全政府信息公开工作机制，明确分管领导和责任科室，加强保密审查，规范公开流程，"
    "着力提高政府信息公开的及时性、准确性和规范性，较好地保障了人民群众的知情权、参与权和监督权。",
    "围绕财政预决算、重大建设项目、公共资源配置、社会公益事业等重点领域，及时公开群众关心关注的信息，"
    "做好政策解读和舆情回应工作，利用政府网站、政务微信等平台拓展公开渠道，方便公众查询获取。",
    "存在的主要问题：一是公开内容的深度和广度有待拓展；二是工作人员业务水平有待提高；"
    "三是公开形式还不够丰富。下一步，我们将加强业务培训，完善工作制度，不断提升政府信息公开工作水平。",
)
_NUMERALS = ("一", "两", "三", "四", "五", "六", "七", "八", "九", "十", "十二", "二十")


def render_prose(rng: random.Random) -> tuple[str, dict[str, tuple[int, bool]]]:
    """A prose-only report of 2008–2018 (township or bureau, no 统计表, some 2 KB) and the figures a
    correct parser reads from it: indicator → (value, approximate)."""
    year = rng.randint(2008, 2018)
    agency = rng.choice(AGENCIES)
    unit = "镇" if agency.endswith("镇人民政府") else "局"
    total = rng.randint(20, 3000)
    website = rng.randint(1, total)
    received = rng.randint(0, 60)
    granted = rng.randint(0, received)
    reviews = rng.randint(1, len(_NUMERALS))
    approx = rng.random() < 0.5
    expected: dict[str, tuple[int, bool]] = {
        "proactive_total": (total, approx),
        "proactive_channel_website": (website, False),
        "results_granted": (granted, False),
        "reviews_total": (int(_chinese_value(_NUMERALS[reviews - 1])), False),
        "litigation_total": (0, False),
    }
    lines = [
        f"{agency}{year}年政府信息公开工作年度报告",
        "",
        f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        "",
        "一、概述",
        _BOILERPLATE[0].format(year=year, unit=unit),
        "",
        "二、主动公开政府信息情况",
        f"全年主动公开政府信息{total}{'余' if approx else ''}条，其中通过政府网站公开{website}条。",
        _BOILERPLATE[1],
        "",
        "三、依申请公开政府信息情况",
    ]
    if received:
        expected["requests_received"] = (received, False)
        lines.append(f"本年共受理政府信息公开申请{received}件，其中予以公开{granted}件，已全部按时答复。")
    else:
        expected["requests_received"] = (0, False)
        del expected["results_granted"]
        lines.append("本年度未收到政府信息公开申请。")
    lines += [
        "",
        "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
        f"全年因政府信息公开申请引起行政复议{_NUMERALS[reviews - 1]}起；未发生行政诉讼案件。",
        "",
        "五、存在的主要问题及改进措施",
        _BOILERPLATE[2],
        "",
    ]
    return "\n".join(lines), expected


def _chinese_value(numeral: str) -> int:
    return {"一": 1, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
            "十二": 12, "二十": 20}[numeral]  # fmt: skip


def damaged(size: int) -> dict[str, str]:
    """Texts of about ``size`` characters in the shapes a damaged extraction takes (long runs with no
    separator, one clause repeated with no punctuation or blank line, tags never closed, Traditional
    characters without punctuation), by name. Parsing each must take time linear in its length: most
    once made a part of the parser quadratic (see ``tests/parsing/test_parse_damaged_input.py``)."""
    def times(unit: str) -> str:
        return unit * max(1, size // len(unit))

    return {
        "digit run": times("1"),
        "numeral run": times("一二三四五六七八九十百千"),
        "figure lines, no blank line": times("共受理政府信息公开申请9件\n"),
        "figures, no punctuation": times("本年共受理政府信息公开申请53件其中予以公开10件"),
        "another's figures, no punctuation": "全市" + times("共受理申请53件予以公开10件未收到申请"),
        "outcomes, no punctuation": times("行政复议维持3件"),
        "negations, no punctuation": times("无因"),
        "tables never closed": times("<table>")[: size // 2] + times("<tr><td>1</td></tr>")[: size // 2],
        "Traditional, no punctuation": times("政府資訊公開申請"),
        "tab run": times("\t1"),
        "page marks": times("第 1 页 共 3 页\n- 3 -\n"),
    }

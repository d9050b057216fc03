"""Cell values, layouts and messy text variants, on real seed text where possible."""

from __future__ import annotations

import pytest

from gongkai.parsing import parse_text
from gongkai.parsing.values import normalize, parse_cell

SEED_003 = "003_49c6c62204b3e30b"
SEED_001 = "001_ea52101856a8af1f"


@pytest.mark.parametrize(
    ("cell", "value", "approximate"),
    [
        ("169", 169, False),
        ("-76宗", -76, False),
        ("+70", 70, False),
        ("115663490元", 115663490, False),
        ("5万元", 5, False),
        ("１２", 12, False),
        ("1,234", 1234, False),
        ("120余", 120, True),
        ("0.5", 0.5, False),
        ("", None, False),
        ("   ", None, False),
        ("/", None, False),
        ("-", None, False),
        ("—", None, False),
        ("——", None, False),
        ("无", None, False),
        ("－", None, False),
    ],
)
def test_cell_values(cell: str, value, approximate: bool):
    parsed = parse_cell(normalize(cell))
    assert parsed is not None and parsed.value == value and parsed.approximate is approximate


@pytest.mark.parametrize("text", ["统计数", "2018年", "第二十条第(一)项", "本年增/减", "1.当面申请数"])
def test_labels_are_not_values(text: str):
    assert parse_cell(normalize(text)) is None


def _values(result: dict) -> dict:
    return {(c["row"], c["column"]): c["value"] for c in result["cells"] if c["source"] == "table"}


def test_traditional_chinese_is_converted_for_matching_and_raw_kept(seed_texts):
    from opencc import OpenCC

    text = seed_texts[SEED_001]
    traditional = OpenCC("s2t").convert(text)
    assert traditional != text
    expected = parse_text(text)
    got = parse_text(traditional)
    assert (got["generation"], got["report_year"], got["status"]) == ("G1", 2018, "complete")
    assert _values(got) == _values(expected)
    assert got["agency"] == "寧波市海曙區人民政府"  # as written in the report


def test_half_width_numbering_and_full_width_digits(seed_texts):
    text = seed_texts[SEED_003]
    variant = (
        text.replace("（", "(")
        .replace("）", ")")
        .translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    )
    assert _values(parse_text(variant)) == _values(parse_text(text))


def test_label_and_values_on_one_line_pdf_style(seed_texts):
    """PDF text: a 表三 row's seven cells on the label's line, separated by spaces."""
    lines = seed_texts[SEED_003].split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if lines[i].startswith(("一、本年新收", "二、上年结转")):
            assert all(x.isdigit() for x in lines[i + 1 : i + 8])
            out.append(lines[i] + " " + " ".join(lines[i + 1 : i + 8]))
            out += [""] * 7  # keep line numbers
            i += 8
        else:
            out.append(lines[i])
            i += 1
    pdf = "\n".join(out)
    assert "一、本年新收政府信息公开申请数量 6 0 0 0 0 0 6" in pdf
    assert _values(parse_text(pdf)) == _values(parse_text(seed_texts[SEED_003]))


def test_split_header_words_and_vertical_headers_do_not_matter(seed_texts):
    text = seed_texts[SEED_003].replace("商业企业\n", "商业\n企业\n").replace("自然人\n", "自\n然\n人\n")
    assert _values(parse_text(text)) == _values(parse_text(seed_texts[SEED_003]))


def test_pipe_rows_with_units_signs_and_blanks():
    text = "\n".join(
        [
            "某某局2022年政府信息公开工作年度报告",
            "| 第二十条第（一）项 | | | |",
            "| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |",
            "| 规章 | 0 | / | 3 |",
            "| 规范性文件 | 2件 | 2 | 15 |",
            "| 第二十条第（五）项 | 上一年项目数量 | 本年增/减 | 处理决定数量 |",
            "| 行政许可 | 120 | -76宗 | 3,021 |",
            "| 其他对外管理服务事项 | 8 | +70 | 0 |",
            "| 第二十条第（九）项 | 采购项目数量 | 采购总金额 | |",
            "| 政府集中采购 | 12 | 115663490元 | |",
            "| 本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |",
            "| 上年结转政府信息公开申请数量 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        ]
    )
    r = parse_text(text)
    assert r["generation"] == "G2" and r["report_year"] == 2022 and r["agency"] == "某某局"
    v = _values(r)
    assert v[("第二十条第（一）项/规章", "本年新公开数量")] is None
    assert v[("第二十条第（一）项/规范性文件", "本年新制作数量")] == 2
    assert v[("第二十条第（五）项/行政许可", "本年增/减")] == -76
    assert v[("第二十条第（五）项/行政许可", "处理决定数量")] == 3021
    assert v[("第二十条第（五）项/其他对外管理服务事项", "本年增/减")] == 70
    assert v[("第二十条第（九）项/政府集中采购", "采购总金额")] == 115663490
    assert r["status"] == "partial"  # the text stops after 表三's second row
    assert any("breaks off" in reason for reason in r["reasons"])


def test_html_table_with_spans_and_nbsp(seed_texts):
    rows = [
        ("一、本年新收政府信息公开申请数量", ["6", "0", "0", "0", "0", "0", "6"]),
        ("二、上年结转政府信息公开申请数量", ["&nbsp;", "0", "0", "0", "0", "0", "0"]),
    ]
    html = [
        "<html><body><p>鄞江镇人民政府2019年政府信息公开工作年度报告</p>",
        "<table>",
        '<tr><td rowspan="2">申请人情况</td><td>自然人</td><td colspan="5">法人或其他组织</td><td>总计</td></tr>',
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>",
    ]
    html += [
        "<tr><td>" + label + "</td>" + "".join(f"<td>{v}</td>" for v in vals) + "</tr>"
        for label, vals in rows
    ]
    html += ["</table>", "<p>上年结转政府信息公开申请数量为0件。</p></body></html>"]
    r = parse_text("\n".join(html))
    v = _values(r)
    assert r["generation"] == "G2" and r["report_year"] == 2019
    assert v[("一、本年新收政府信息公开申请数量", "总计")] == 6
    assert v[("二、上年结转政府信息公开申请数量", "自然人")] is None
    cell = next(
        c for c in r["cells"] if c["row"] == "一、本年新收政府信息公开申请数量" and c["column"] == "自然人"
    )
    assert cell["line"] == 5


def test_text_without_a_template_is_partial_with_prose_figures():
    text = "某某局2018年政府信息公开工作年度报告\n\n2018年，我局共主动公开政府信息120余条，全年收到依申请公开3件。\n"
    r = parse_text(text)
    assert (r["status"], r["generation"], r["generation_source"]) == ("partial", "G1", "year")
    assert "no statistical table: G1 is the regime in force for 2018" in r["reasons"]
    figures = {c["indicator"]: (c["value"], c["approximate"]) for c in r["cells"]}
    assert figures == {"proactive_total": (120, True), "requests_received": (3, False)}


def test_a_seed_cut_inside_a_row_is_partial(seed_texts):
    text = seed_texts[SEED_003]
    cut = text[: text.index("（七）总计") + len("（七）总计\n\n6\n0\n")]
    r = parse_text(cut)
    assert r["status"] == "partial"
    assert any("（七）总计: 2 of 7 cells" in reason for reason in r["reasons"])
    assert any("breaks off" in reason for reason in r["reasons"])
    assert not any(c["row"] == "三、本年度办理结果/（七）总计" for c in r["cells"])


def test_g3_detected_by_template_not_year():
    import random

    from gongkai.parsing.synthetic import generate, render

    report = generate(random.Random(7), "G2")
    report.year = 2022  # a report on 2022 laid out on the 2019 template
    r = parse_text(render(report, "tab"))
    assert (r["generation"], r["report_year"], r["status"]) == ("G2", 2022, "complete")


@pytest.mark.parametrize("stem", ["000_f4d536c944cec0f0", "001_ea52101856a8af1f", "004_5aaa9839169bd157"])
def test_g1_rows_on_one_line_pdf_style(stem: str, seed_texts):
    """PDF text of the G1 统计表: "label unit value" on one line, a blank value printed as "/"."""
    lines = seed_texts[stem].split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i + 2 < len(lines) and all(x.startswith("\t") for x in lines[i : i + 3]):
            out += [" ".join(x.strip() or "/" for x in lines[i : i + 3]), "", ""]
            i += 3
        else:
            out.append(lines[i])
            i += 1
    pdf = "\n".join(out)
    got = parse_text(pdf)
    assert got["status"] == "complete"
    assert _values(got) == _values(parse_text(seed_texts[stem]))

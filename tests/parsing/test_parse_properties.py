"""Property-based tests: synthetic reports of every generation in every layout parse back exactly;
garbage and truncated reports never yield a number that is not in the text."""

from __future__ import annotations

import html
import random
import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.parsing import parse_text
from gongkai.parsing.html_tables import TABLE_RE
from gongkai.parsing.narrative import chinese_number
from gongkai.parsing.noise import clean
from gongkai.parsing.synthetic import LAYOUTS, generate, render, render_prose
from gongkai.parsing.values import compact, normalize

SECTION_9 = {"召开政府信息公开工作会议或专题会议数", "举办各类培训班数", "接受培训人员数"}
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _table_cells(result: dict) -> dict[tuple[str, str, str], object]:
    return {
        (c["table"], c["row"], c["column"]): c["value"] for c in result["cells"] if c["source"] == "table"
    }


@FAST
@given(
    seed=st.integers(0, 2**32 - 1),
    generation=st.sampled_from(("G1", "G2", "G3")),
    layout=st.sampled_from(LAYOUTS),
)
def test_synthetic_reports_parse_back_exactly(seed: int, generation: str, layout: str):
    report = generate(random.Random(seed), generation)
    result = parse_text(render(report, layout, random.Random(seed + 1)))
    assert result["generation"] == generation
    assert result["report_year"] == report.year
    assert result["agency"] == report.agency
    assert result["status"] == "complete", result["reasons"]
    assert _table_cells(result) == {(t, r, c): v for t, r, c, v in report.expected_cells()}
    assert all(c["indicator"] for c in result["cells"])


def _assert_numbers_come_from(text: str, result: dict) -> None:
    """Every cell's number is written in the text: a table cell's raw text is in it; a prose figure's
    last characters (the number and its unit, or the end of a clause that says "none") are."""
    detagged = html.unescape(re.sub(r"<[^>]+>", "", text))  # prose read from HTML
    untabled = html.unescape(re.sub(r"<[^>]+>", "", TABLE_RE.sub("", text)))  # HTML prose: tables left out
    versions = [compact(v) for v in (text, detagged, untabled, clean(text), clean(detagged), clean(untabled))]
    for cell in result["cells"]:
        table = cell["source"] == "table"
        where = compact(cell["raw"]) if table else compact(cell["raw"])[-6:]
        assert any(where in v for v in versions), cell  # prose may join a line break
        if cell["value"] is not None:
            figure = cell["raw"] if table or not cell["value"] else cell["raw"][-10:]
            assert abs(cell["value"]) in written_numbers(figure), cell


def written_numbers(raw: str) -> set[float]:
    """Every number ``raw`` writes: digits (also "2.5万" as 25000), Chinese numerals (十二 → 12),
    and 0 for a clause that says there was none (未收到, 未发生, 无…)."""
    text = normalize(raw).replace(",", "")
    out = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}
    out |= {float(Decimal(n) * 10000) for n in re.findall(r"(\d+(?:\.\d+)?)万(?!元)", text)}
    for n in re.findall(r"[零〇一二两三四五六七八九十百千]+", text):
        value = chinese_number(n)
        if value is not None:
            out |= {float(value), float(value) * 10000}
    if re.search(r"未|无|没有", text):
        out.add(0.0)
    return out


_PIECES = [
    "\t",
    "\n",
    "\n\n",
    " | ",
    "|",
    "0",
    "7",
    "169",
    "-76宗",
    "+70",
    "１２",
    "5万元",
    "/",
    "—",
    "无",
    "统计指标",
    "收到申请数",
    "（一）",
    "(二)",
    "件",
    "条",
    "行政复议数量",
    "本年新收政府信息公开申请数量",
    "第二十条第（一）项",
    "规章",
    "<table><tr><td>",
    "</td><td>",
    "</td></tr></table>",
    "&nbsp;",
    "主动公开政府信息",
    "共主动公开政府信息",
    "120余条",
    "2019年政府信息公开工作年度报告",
    "（七）总计",
    "總計",
    "未收到政府信息公开申请",
    "未发生行政复议、行政诉讼案件",
    "两起",
    "十二件",
    "一二件",
    "2万余条",
    "第十三条",
    "其中予以公开",
    "行政复议",
    "维持",
    "Page 9 - ",
    "P. 9",
    "[shōu]",
    "锟斤拷",
    "成文日期：2019-01-20",
    "统计期限自2016年1月1日起至2016年12月31日止",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=6), max_size=60))
def test_garbage_never_yields_a_number_not_in_the_text(pieces: list[str]):
    text = "".join(pieces)
    result = parse_text(text)
    assert result["status"] in ("complete", "partial", "quarantined")
    _assert_numbers_come_from(text, result)


@FAST
@given(cut=st.floats(0.0, 1.0))
def test_a_truncated_seed_is_partial_and_invents_nothing(cut: float, seed_texts: dict[str, str]):
    for text in seed_texts.values():
        full = _table_cells(parse_text(text))
        lines = text.split("\n")
        truncated = "\n".join(lines[: int(len(lines) * cut)])
        result = parse_text(truncated)
        _assert_numbers_come_from(truncated, result)
        got = _table_cells(result)
        # every cell read from the truncated text is the same cell of the full text
        assert all(full.get(k, "absent") == v for k, v in got.items())
        lost = {k[1] for k in full} - {k[1] for k in got}
        if lost and lost != SECTION_9:  # section 九 is optional: a report may end before it
            assert result["status"] in ("partial", "quarantined") and result["reasons"], lost


@FAST
@given(seed=st.integers(0, 2**32 - 1), layout=st.sampled_from(LAYOUTS), prose=st.integers(0, 99_999))
def test_a_table_value_always_wins_over_prose(seed: int, layout: str, prose: int):
    """Prose that contradicts the table never changes a table cell: the table cell is read as written,
    the prose figure is kept apart (``source: narrative``) and the check between them says so."""
    report = generate(random.Random(seed), "G1", blank_rate=0.0)
    table_total = report.values[("主动公开政府信息数", "统计数")]
    text = render(report, layout, random.Random(seed + 1))
    lines = text.split("\n")
    lines.insert(2, f"\n全年主动公开政府信息{prose}条。\n")
    result = parse_text("\n".join(lines))
    assert _table_cells(result) == {(t, r, c): v for t, r, c, v in report.expected_cells()}
    narrative = [c for c in result["cells"] if c["source"] == "narrative" and c["indicator"] == "proactive_total"]
    assert [c["value"] for c in narrative] == [prose]
    check = {c["name"]: c["holds"] for c in result["checks"]}["prose_vs_table[proactive_total]"]
    assert check is (prose == table_total)


@FAST
@given(seed=st.integers(0, 2**32 - 1))
def test_synthetic_prose_only_reports_parse_back_exactly(seed: int):
    text, expected = render_prose(random.Random(seed))
    result = parse_text(text)
    assert (result["status"], result["generation"], result["generation_source"]) == ("partial", "G1", "year")
    assert {c["indicator"]: (c["value"], c["approximate"]) for c in result["cells"]} == expected
    _assert_numbers_come_from(text, result)

"""Page furniture is one line: a run of table cells one per line (``860`` / ``/`` / ``0``, or a
number between two dash blanks) is never taken for a page mark, even in a text that has a footer.

``noise.clean`` keeps the line count, so every cell keeps its line number.
"""

from __future__ import annotations

import pytest

from gongkai.config import REPO_ROOT
from gongkai.parsing import parse_text
from gongkai.parsing.noise import clean

TEXTS = REPO_ROOT / "tests" / "golden" / "texts"

# One PDF page of a 2019-template 表三, one cell per line as the extraction gives it: a value, "/"
# for a cell that does not apply, another value; a dash blank around a figure; then a page footer.
_PAGE = (
    "鄞江镇人民政府2019年政府信息公开工作年度报告\n"
    "（四）无法提供\n"
    "\n"
    "1.本机关不掌握相关政府信息\n"
    "\n"
    "860\n"
    "/\n"
    "0\n"
    "0\n"
    "—\n"
    "12\n"
    "—\n"
    "872\n"
    "{footer}\n"
    "-76\n"
    "2.没有现成信息需要另行制作\n"
)
_CELLS = ["860", "/", "0", "0", "—", "12", "—", "872", "-76"]
_FOOTERS = [
    "第 3 页",
    "第3页 共12页",
    "第 3 页，共 12 页",
    "Page 3 / 12",
    "Page 3 of 12",
    "Page 3",
    "- 3 -",
    "3/12",
]


@pytest.mark.parametrize("footer", _FOOTERS)
def test_table_cells_one_per_line_survive_a_page_footer(footer: str):
    named = "页" in footer or "Page" in footer  # "- 3 -" and "3/12" go on a page that names its pages
    text = _PAGE.format(footer=footer) + ("" if named else "第 3 页\n")
    out = clean(text)
    assert out.count("\n") == text.count("\n")  # the line count is kept
    kept = out.split("\n")
    assert [x for x in kept if x in _CELLS] == _CELLS  # every cell, in order, on its own line
    gone = [i for i, x in enumerate(kept) if x != text.split("\n")[i]]
    assert gone == ([13] if named else [13, 16])  # only the footer lines went
    assert all(kept[i] == "" for i in gone)


@pytest.mark.parametrize(
    "furniture",
    [
        "3/12",
        "3 / 12",
        "Page 3 / 12",
        "Page 3 of 12",
        "PAGE 3",
        "Page 9 - 年度报告",
        "P. 9",
        "- 3 -",
        "— 3 —",
        "第 3 页",
        "第3页 共12页",
        "第 3 页 共 12 页",
        "第 3 页，共 12 页",
        "　第 3 页 / 共 12 页　",
    ],
)
def test_page_furniture_is_still_removed(furniture: str):
    text = f"某某镇2019年政府信息公开工作年度报告 第 1 页\n860\n{furniture}\n0\n"
    assert clean(text) == "某某镇2019年政府信息公开工作年度报告 第 1 页\n860\n\n0\n"


@pytest.mark.parametrize(
    ("lines", "kept"),
    [
        (["860", "/", "0"], ["860", "/", "0"]),  # a value, a cell that does not apply, a value
        (["3", "/", "", "12"], ["3", "/", "", "12"]),
        (["—", "12", "—"], ["—", "12", "—"]),  # a figure between two dash blanks
        (["-", "0", "-"], ["-", "0", "-"]),
        (["Page 3", "-76"], ["", "-76"]),  # a footer, then a negative change on the next page
        (["Page 3", "| 4 |"], ["", "| 4 |"]),
        (["P.", "9"], ["P.", "9"]),
        (["第", "3", "页"], ["第", "3", "页"]),  # a header read one character per line
        (["第 3 页", "共", "12", "页"], ["", "共", "12", "页"]),
    ],
)
def test_furniture_never_spans_lines(lines: list[str], kept: list[str]):
    text = "第 1 页\n" + "\n".join(lines) + "\n尾"
    assert clean(text) == "\n" + "\n".join(kept) + "\n尾"


def test_an_annotation_never_spans_lines():
    text = "收[shōu]到申请数\n公开[\nab\n]\n12"
    assert clean(text) == "收到申请数\n公开[\nab\n]\n12"


def test_a_page_of_table_three_with_a_slash_cell_keeps_its_cells_and_lines():
    """The G2 page fragment with a "/" cell in 本机关不掌握相关政府信息 (and the 总计 to match):
    the row is read whole, the blank is null, and every cell is on the line the text has it on."""
    text = (TEXTS / "fragment_g2_page.txt").read_text(encoding="utf-8")
    for old, new in [
        (
            "1.本机关不掌握相关政府信息\n\n6\n0\n0\n0\n0\n0\n6\n",
            "1.本机关不掌握相关政府信息\n\n860\n/\n0\n0\n0\n0\n860\n",
        ),
        ("（七）总计\n\n6\n0\n0\n0\n0\n0\n6\n", "（七）总计\n\n860\n0\n0\n0\n0\n0\n860\n"),
    ]:
        assert text.count(old) == 1
        text = text.replace(old, new)
    assert text.startswith("第 2 页 共 3 页\n")
    r = parse_text(text)
    table = [c for c in r["cells"] if c["source"] == "table"]
    row = {
        c["column"]: (c["value"], c["raw"])
        for c in table
        if c["row"] == "（四）无法提供/1.本机关不掌握相关政府信息"
    }
    assert row == {
        "自然人": (860, "860"),
        "商业企业": (None, "/"),  # "/" is blank, never 0
        "科研机构": (0, "0"),
        "社会公益组织": (0, "0"),
        "法律服务机构": (0, "0"),
        "其他": (0, "0"),
        "总计": (860, "860"),
    }
    assert not any("本机关不掌握相关政府信息" in x for x in r["reasons"])
    lines = text.split("\n")
    assert all(lines[c["line"] - 1].strip() == c["raw"] for c in table)  # no line number shifted
    total = {c["column"]: c["value"] for c in table if c["row"] == "三、本年度办理结果/（七）总计"}
    assert total["自然人"] == total["总计"] == 860

"""Damaged text costs time linear in its length: a long run with no separator, a clause repeated with
no punctuation, HTML tables that never close. Most shapes below once made one part of the parser
quadratic (a 1 MB text took from 21 s to hours), which on a bad day stalls the whole parse step.

The time limit is a guard against that, not a speed target: some 4 to 50 times what a linear parse of
each text takes here, and below what the quadratic one took (21 s to hours)."""

from __future__ import annotations

import random

import pytest

from gongkai.parsing import parse_text
from gongkai.parsing.html_tables import TABLE_RE, table_spans
from gongkai.parsing.synthetic import damaged, generate, render
from gongkai.parsing.traditional import _RUN_MAX, _t2s, to_simplified

SIZE = 1_000_000
DAMAGED = damaged(SIZE)


@pytest.mark.timeout(15)
@pytest.mark.parametrize("shape", sorted(DAMAGED))
def test_damaged_text_parses_in_linear_time(shape: str):
    text = DAMAGED[shape]
    result = parse_text(text)
    assert result["status"] in ("partial", "quarantined")
    for cell in result["cells"]:  # what it reads is still written in the text
        assert cell["raw"].strip() in text


def test_a_clause_repeated_without_punctuation_still_reads_its_figure():
    result = parse_text(DAMAGED["figure lines, no blank line"])
    (cell,) = [c for c in result["cells"] if c["indicator"] == "requests_received"]
    assert cell["value"] == 9 and cell["source"] == "narrative"
    assert not any("twice" in r for r in result["reasons"])  # the same figure stated again, alike


def test_table_spans_are_the_table_pattern_s_matches():
    rng = random.Random(5)
    texts = [render(generate(rng), "html", rng) for _ in range(10)]
    texts += [
        "<p>a</p><TABLE border=1><tr><td>1</td></tr></TABLE ><table><td>2</td></table>x",
        "<table><table><td>1</td></table></table>",  # nested: the inner closing tag ends it
        "<tablex><td>1</td></table><table>",  # not an opening tag; a last one never closed
        "<table><td>1</td></table  >" + "<table>" * 50,
        "</table><table>1</table\n>",
        "",
    ]
    for text in texts:
        assert table_spans(text) == [m.span() for m in TABLE_RE.finditer(text)]


def test_a_long_traditional_run_is_converted_in_pieces():
    t2s = _t2s()
    clause = "本機關收到政府資訊公開申請，予以公開。"
    assert to_simplified(clause * 100) == t2s.convert(clause * 100)  # runs are short: as OpenCC does it
    run = "政府資訊公開申請" * 200  # 1,600 characters with no separator
    assert to_simplified(run) == "".join(t2s.convert(run[i : i + _RUN_MAX]) for i in range(0, len(run), _RUN_MAX))
    assert to_simplified(run) == "政府资讯公开申请" * 200


def test_cells_keep_their_line_when_a_tag_spans_lines():
    from gongkai.parsing.layout import tokenize

    text = '<p\nclass="title">海曙区2021年政府信息公开工作年度报告</p>\n<table border=1>\n<tr><td>行政许可</td>' + (
        "<span>" * 300 + "<td>12</td></tr>\n<tr><td>行政处罚</td><td></td></tr></table>"
    )
    got = [(t[0], t[4]) for t in tokenize(text)]  # (text, line)
    assert got == [
        ("海曙区2021年政府信息公开工作年度报告", 2),
        ("行政许可", 4),
        ("12", 4),
        ("行政处罚", 5),
        ("", 5),  # a blank cell stays a cell
    ]


def _with_line_before(text: str, marker: str, offset: int, line: str) -> str:
    lines = text.split("\n")
    at = next(i for i, x in enumerate(lines) if x.startswith(marker)) + offset
    return "\n".join([*lines[:at], line, *lines[at:]])


def _table(result: dict) -> dict[tuple[str, str, str], object]:
    return {(c["table"], c["row"], c["column"]): c["value"] for c in result["cells"] if c["source"] == "table"}


def test_a_page_number_inside_a_row_leaves_that_row_out(seed_texts):
    """A bare page number in a PDF dump, between the cells of a 表三 row, would push the row's last
    cell out and shift the others: the row's 总计 no longer matches its parts, so it is left out."""
    seed = seed_texts["003_49c6c62204b3e30b"]  # 2019 report, one cell per line
    want = _table(parse_text(seed))
    got = parse_text(_with_line_before(seed, "（一）予以公开", 4, "3"))  # after its 3rd cell
    row = "三、本年度办理结果/（一）予以公开"
    assert [r for r in got["reasons"] if r.startswith("row misaligned")] == [
        f"row misaligned: 表三 {row}: 1 more number(s) than its 7 cells before the next row (line 96); "
        "a page number or a stray cell may have shifted them, so the row is left out"
    ]
    assert got["status"] == "partial"
    assert _table(got) == {k: v for k, v in want.items() if k[1] != row}  # nothing else moved


def test_a_page_number_after_a_row_that_adds_up_changes_nothing(seed_texts):
    seed = seed_texts["003_49c6c62204b3e30b"]
    got = parse_text(_with_line_before(seed, "（二）部分公开", 0, "3"))  # after 予以公开's 总计
    assert _table(got) == _table(parse_text(seed))
    assert not any(r.startswith("row misaligned") for r in got["reasons"])


def test_a_row_number_column_is_no_stray_number(seed_texts):
    """A 序号 cell opening each row's line (pipe rows), or on a line of its own before each row
    label (seed 003), also follows the previous row's cells: it never drops a row that reads right."""
    for generation in ("G1", "G3"):
        rng = random.Random(4)
        report = generate(rng, generation)
        rows = [line for line in render(report, "pipe", rng).split("\n")]
        numbered = "\n".join(
            f"| {i} {line}" if line.startswith("|") and not set(line) <= set("|-: ") else line
            for i, line in enumerate(rows)
        )
        result = parse_text(numbered)
        expected = {(t, r, c): v for t, r, c, v in report.expected_cells()}
        got = _table(result)
        assert not any(r.startswith("row misaligned") for r in result["reasons"])
        assert {k: v for k, v in got.items() if expected.get(k, "absent") != v} == {}  # nothing wrong
        if generation == "G1":  # (G3's parent rows and 表四's value line take the numbers: rows left out)
            assert got == expected and result["status"] == "complete"
    seed = seed_texts["003_49c6c62204b3e30b"]
    lines, n = [], 0
    for line in seed.split("\n"):
        if line.startswith(("（一）", "（二）", "1.", "2.", "3.", "4.", "5.", "6.", "一、", "二、", "四、")):
            n += 1
            lines.append(str(n))
        lines.append(line)
    assert n > 20
    numbered_result = parse_text("\n".join(lines))
    assert _table(numbered_result) == _table(parse_text(seed))
    assert not any(r.startswith("row misaligned") for r in numbered_result["reasons"])

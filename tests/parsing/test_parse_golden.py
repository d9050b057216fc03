"""The five real seeds parse exactly to their hand-checked golden files."""

from __future__ import annotations

import json

import pytest

from gongkai.config import REPO_ROOT
from gongkai.parsing import parse_text

GOLDEN_DIR = REPO_ROOT / "tests" / "golden"
SEEDS = sorted(p.stem for p in (REPO_ROOT / "fixtures" / "reports").glob("*.txt"))


def _cell(result: dict, row: str, column: str | None = None, source: str = "table") -> dict:
    found = [
        c
        for c in result["cells"]
        if c["row"] == row and c["source"] == source and (column is None or c["column"] == column)
    ]
    assert len(found) == 1, (row, column, found)
    return found[0]


def test_a_golden_file_for_every_seed():
    assert len(SEEDS) == 5
    assert sorted(p.stem for p in GOLDEN_DIR.glob("*.json")) == SEEDS


@pytest.mark.parametrize("stem", SEEDS)
def test_seed_matches_golden(stem: str, seed_texts: dict[str, str]):
    expected = json.loads((GOLDEN_DIR / f"{stem}.json").read_text(encoding="utf-8"))
    assert parse_text(seed_texts[stem]) == expected


@pytest.mark.parametrize("stem", SEEDS)
def test_every_table_cell_is_on_its_line(stem: str, seed_texts: dict[str, str]):
    """Each cell's raw text is exactly the cell written on its line (tab cell or whole line)."""
    lines = seed_texts[stem].split("\n")
    for cell in parse_text(seed_texts[stem])["cells"]:
        line = lines[cell["line"] - 1]
        if cell["source"] == "table":
            assert cell["raw"] == line.strip() or cell["raw"] in [x.strip() for x in line.split("\t")]
        elif cell["value"] == 0 and str(cell["value"]) not in cell["raw"]:  # a clause that says "none"
            assert cell["raw"] in line and any(w in cell["raw"] for w in ("未", "无", "没有"))
        else:
            assert str(cell["value"]) in line


def test_metadata_of_the_seeds(seed_texts: dict[str, str]):
    got = {stem[:3]: parse_text(t) for stem, t in seed_texts.items()}
    summary = {k: (r["generation"], r["report_year"], r["agency"], r["status"]) for k, r in got.items()}
    assert summary == {
        "000": ("G1", 2018, "镇海区新闻中心", "complete"),
        "001": ("G1", 2018, "宁波市海曙区人民政府", "complete"),
        "002": ("G1", 2018, "镇海区经济合作局", "complete"),
        "003": ("G2", 2019, "鄞江镇人民政府", "complete"),
        "004": ("G1", 2017, "咸祥镇", "complete"),
    }
    assert "+gazette" in got["001"]["template"] and "+gazette" not in got["000"]["template"]


def test_hand_checked_cells(seed_texts: dict[str, str]):
    by = {stem[:3]: parse_text(t) for stem, t in seed_texts.items()}
    # 000: the website cell is blank (null, not 0); prose gives 169 and the check cannot be judged
    website = _cell(by["000"], "政府网站公开政府信息数")
    assert (website["value"], website["raw"], website["line"]) == (None, "", 131)
    assert _cell(by["000"], "主动公开政府信息数")["value"] == 169
    prose = _cell(by["000"], "正文：政府网站公开政府信息", source="narrative")
    assert (prose["value"], prose["line"]) == (169, 22)
    check = {c["name"]: c for c in by["000"]["checks"]}["prose_vs_table[proactive_channel_website]"]
    assert check["holds"] is None and "blank" in check["detail"]
    # 001: gazette row present, requests and appeals non-zero
    assert _cell(by["001"], "政府公报公开政府信息数")["value"] == 172
    assert _cell(by["001"], "收到申请数")["value"] == 150
    assert _cell(by["001"], "不同意公开答复数/不是《条例》所指政府信息")["value"] == 50
    assert _cell(by["001"], "行政诉讼数量")["value"] == 12
    assert _cell(by["001"], "接受培训人员数")["value"] == 450
    # 002: the prose says 649, the table 260
    assert _cell(by["002"], "主动公开政府信息数")["value"] == 260
    check = {c["name"]: c for c in by["002"]["checks"]}["prose_vs_table[proactive_total]"]
    assert check["holds"] is False
    # 003 (G2): 本年新收 natural persons 6, 表四 reconsiderations upheld 2, after-review pending 2
    assert _cell(by["003"], "一、本年新收政府信息公开申请数量", "自然人")["value"] == 6
    assert _cell(by["003"], "（四）无法提供/1.本机关不掌握相关政府信息", "总计")["value"] == 6
    assert _cell(by["003"], "行政复议、行政诉讼", "行政复议/结果维持")["value"] == 2
    assert _cell(by["003"], "行政复议、行政诉讼", "行政诉讼/复议后起诉/尚未审结")["value"] == 2
    # 004: 专职人员数 is spaces → null; staff check cannot be judged
    assert _cell(by["004"], "从事政府信息公开工作人员数/专职人员数")["value"] is None
    assert {c["name"]: c["holds"] for c in by["004"]["checks"]}["g1_staff"] is None


@pytest.mark.parametrize("stem", SEEDS)
def test_golden_cells_agree_with_a_second_simple_reading(stem: str, seed_texts: dict[str, str]):
    """Read every value cell of the seed a second, naive way (G1: the tab line after each unit cell;
    G2 seed: every number-only line of the tables) and compare with the golden, line by line."""
    lines = seed_texts[stem].split("\n")
    golden = json.loads((GOLDEN_DIR / f"{stem}.json").read_text(encoding="utf-8"))
    table = [(c["line"], c["value"]) for c in golden["cells"] if c["source"] == "table"]
    naive: list[tuple[int, int | None]] = []
    if golden["generation"] == "G2":
        start = next(i for i, x in enumerate(lines) if x.startswith("第二十条第（一）项"))
        end = next(i for i, x in enumerate(lines) if x.startswith("五、存在的主要问题"))
        naive = [(i + 1, int(lines[i])) for i in range(start, end) if lines[i].strip().isdigit()]
    else:
        units = {"条", "件", "次", "篇", "个", "人", "人次", "万元"}
        for i, x in enumerate(lines):
            if x.startswith("\t") and x[1:].strip() in units:
                value = lines[i + 1].strip()
                naive.append((i + 2, int(value) if value else None))
    assert len(table) > 50
    assert table == naive

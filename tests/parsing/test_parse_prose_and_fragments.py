"""Prose-only reports, fragments, mirrors with noise, Traditional Chinese and a 2019 template in a
2022 report: each text in ``tests/golden/texts`` parses to its golden file, whose figures were
checked by hand against the text (the key ones are asserted below)."""

from __future__ import annotations

import json

import pytest

from gongkai.config import REPO_ROOT
from gongkai.parsing import parse_text
from gongkai.parsing.narrative import chinese_number
from gongkai.parsing.noise import clean

TEXTS = REPO_ROOT / "tests" / "golden" / "texts"
STEMS = sorted(p.stem for p in TEXTS.glob("*.txt"))


def _parse(stem: str) -> dict:
    return parse_text((TEXTS / f"{stem}.txt").read_text(encoding="utf-8"))


def _prose(result: dict) -> dict[str, tuple]:
    return {c["indicator"]: (c["value"], c["approximate"]) for c in result["cells"] if c["source"] == "narrative"}


@pytest.mark.parametrize("stem", STEMS)
def test_text_matches_its_golden(stem: str):
    assert len(STEMS) >= 11
    expected = json.loads((TEXTS / f"{stem}.json").read_text(encoding="utf-8"))
    assert _parse(stem) == expected


@pytest.mark.parametrize("stem", ["prose_township_2012", "traditional_township_2012"])
def test_township_prose_figures(stem: str):
    r = _parse(stem)
    assert (r["generation"], r["generation_source"], r["report_year"], r["status"]) == ("G1", "year", 2012, "partial")
    assert _prose(r) == {
        "staff_full_time": (1, False),
        "staff_part_time": (3, False),
        "proactive_total": (312, False),
        "proactive_channel_website": (286, False),
        "requests_received": (42, False),
        "results_granted": (30, False),
        "results_partial": (5, False),
        "results_denied": (2, False),
        "results_not_this_agency": (4, False),
        "fees": (0, False),  # 本年度未收取任何费用
        "reviews_total": (2, False),  # 两起
        "litigation_total": (0, False),  # 未发生行政诉讼案件
    }  # 上年结转2件 has no G1 indicator; 均维持 gives no number: neither is emitted


@pytest.mark.parametrize("stem", ["prose_bureau_2016", "traditional_bureau_2016"])
def test_bureau_prose_numerals_and_approximations(stem: str):
    r = _parse(stem)
    got = _prose(r)
    assert got["proactive_total"] == (1200, True)  # 1200余条
    assert got["proactive_channel_website"] == (800, True)  # 约800条
    assert got["proactive_channel_weibo"] == (12, False)  # 十二条
    assert got["results_partial"] == (1, False)  # 一起
    assert got["results_info_not_exist"] == (2, False)  # 两起
    assert got["requests_received"] == (9, False) and got["complaints"] == (1, False)
    assert got["reviews_total"] == got["litigation_total"] == (0, False)


@pytest.mark.parametrize("stem", ["prose_bureau_area_figures_2015", "traditional_bureau_area_figures_2015"])
def test_a_bureau_report_keeps_its_own_figures_not_the_districts(stem: str):
    """全区… figures in a bureau's report are the district's: before, 2.3万余条, 412 and 8 came out as
    the bureau's proactive total, requests and reviews."""
    got = _prose(_parse(stem))
    assert got["proactive_total"] == (156, False)  # not 全区…2.3万余条
    assert got["requests_received"] == (17, False)  # 其中我局受理申请17件, not 全区共受理…412件
    assert got["reviews_total"] == got["litigation_total"] == (0, False)  # 我局未发生…, not 全年全区…8起
    assert got["results_granted"] == (11, False) and got["results_info_not_exist"] == (1, False)
    assert not any(v in (23000, 412, 8) for v, _ in got.values())


def test_a_district_government_keeps_the_districts_figures_not_the_citys():
    r = _parse("prose_district_government_2014")
    assert r["agency"] == "宁波市江北区人民政府"
    got = _prose(r)
    assert got["requests_received"] == (357, False)  # 全区共受理…357件; 全市…2865件 left out
    assert got["proactive_total"] == (18426, False) and got["proactive_channel_website"] == (15210, False)
    assert (got["reviews_total"], got["litigation_total"]) == ((6, False), (3, False))
    assert not any("twice" in reason for reason in r["reasons"])  # before: 2865 kept, 357 a conflict


def test_a_district_government_keeps_its_totals_not_its_parts():
    """各镇（街道）… and 区级部门… are parts of the district: before, the towns' 64 requests and 41
    granted, stated first, came out as the district's."""
    got = _prose(_parse("prose_district_parts_2016"))
    assert got["proactive_total"] == (9862, False)  # not 区级部门…6120条 nor 各镇（街道）…3742条
    assert got["requests_received"] == (238, False) and got["results_granted"] == (152, False)
    assert (got["reviews_total"], got["litigation_total"], got["fees"]) == ((5, False), (2, False), (0, False))
    assert not any(v in (6120, 3742, 64, 41) for v, _ in got.values())


def test_a_town_keeps_its_own_whole_town_figures():
    got = _prose(_parse("prose_town_area_figures_2013"))
    assert got["proactive_total"] == (367, False)  # 全镇…367条; 全区…约1.6万条 left out
    assert got["requests_received"] == (11, False) and got["results_partial"] == (2, False)  # 十一件, 两件
    assert got["reviews_total"] == (0, False)


def test_a_text_that_is_not_a_report_is_quarantined():
    r = _parse("not_a_report")
    assert r["status"] == "quarantined" and r["generation"] is None and r["cells"] == []


def test_a_report_without_a_year_cannot_be_placed():
    r = _parse("prose_no_year")
    assert r["status"] == "quarantined" and r["generation"] is None
    assert "the report year is not stated, so the template regime cannot be told" in r["reasons"]


def test_year_from_the_metadata_block_is_marked():
    r = _parse("metadata_year_only")
    assert (r["report_year"], r["generation"], r["status"]) == (2014, "G1", "partial")
    assert any("成文日期/发布日期" in x for x in r["reasons"])
    assert _prose(r) == {"proactive_total": (87, False), "requests_received": (0, False)}


def test_mirror_noise_and_spam_agency():
    r = _parse("mirror_noise_2018")
    assert r["agency"] == "鄞江镇人民政府"  # from 发布机构, not the spam name in the title
    assert _prose(r)["proactive_total"] == (386, False)  # 主[zhǔ]动公开政府信息锟斤拷共386条
    assert _prose(r)["requests_received"] == (4, False)


def test_a_pdf_page_fragment_starting_mid_table():
    r = _parse("fragment_g1_page")
    assert (r["generation"], r["report_year"], r["status"]) == ("G1", 2018, "partial")
    rows = {c["row"]: c["value"] for c in r["cells"] if c["source"] == "table"}
    assert rows["收到申请数"] == 0 and rows["行政复议数量"] == 0 and rows["行政诉讼数量"] == 0
    assert "主动公开政府信息数" not in rows
    assert any(x.startswith("table starts mid-way at 依申请公开情况") for x in r["reasons"])


def test_the_2019_template_in_a_2022_report_stays_g2():
    r = _parse("template2019_in_2022")
    assert (r["generation"], r["generation_source"], r["report_year"], r["status"]) == (
        "G2", "template", 2022, "complete")  # fmt: skip


def test_chinese_numerals():
    assert [chinese_number(x) for x in ("一", "两", "十二", "二十", "一百零五", "零")] == [1, 2, 12, 20, 105, 0]
    assert chinese_number("一二") is None  # "one or two" is not a number


def test_noise_keeps_lines_and_digits():
    text = "收[shōu]到申请数\nPage 9 - 年度报告\nP. 9\n第 3 页 共 5 页\n12\n-76\n公开锟斤拷信息"
    assert clean(text) == "收到申请数\n\n\n\n12\n-76\n公开信息"


def test_a_hundred_thousand_digit_cell_is_left_out_with_a_reason(seed_texts):
    text = seed_texts["000_f4d536c944cec0f0"].replace("\t169\n", "\t" + "9" * 100_000 + "\n", 1)
    r = parse_text(text)
    assert r["status"] == "partial"
    assert not any(c["row"] == "主动公开政府信息数" and c["source"] == "table" for c in r["cells"])
    assert any(x.startswith("implausible cell left out: 统计表 主动公开政府信息数") for x in r["reasons"])
    json.dumps(r)  # nothing in the result is too large to write


def test_a_value_above_its_ceiling_is_never_emitted(seed_texts):
    text = seed_texts["000_f4d536c944cec0f0"].replace("\t169\n", "\t1000000000000000000000000000000\n", 1)
    r = parse_text(text)
    assert all(c["value"] is None or c["value"] < 10**9 for c in r["cells"])
    assert any("above the ceiling" in x for x in r["reasons"])


def test_a_huge_text_is_refused_with_a_reason():
    r = parse_text("主动公开政府信息120条。" * 400_000)
    assert r["status"] == "quarantined" and r["reasons"][0].startswith("text too long")


def test_a_g2_row_that_lost_its_blank_cells_keeps_only_a_proven_total():
    r = _parse("damaged_g2_lost_cells")
    cells = {(c["row"], c["column"]): c["value"] for c in r["cells"] if c["source"] == "table"}
    # "6 / 6": the 总计 at the row's end equals the parts, so it is certain; the applicant columns are not
    assert cells[("一、本年新收政府信息公开申请数量", "总计")] == 6
    assert ("一、本年新收政府信息公开申请数量", "自然人") not in cells
    assert cells[("（四）无法提供/1.本机关不掌握相关政府信息", "总计")] == 6
    # "0 / 0" proves nothing: the row is left out with a reason
    assert not any(k[0] == "（四）无法提供/3.补正后申请内容仍不明确" for k in cells)
    assert any(x.startswith("row incomplete: 表三 （四）无法提供/3.补正后申请内容仍不明确") for x in r["reasons"])
    assert sum(x.startswith("row lost cells") for x in r["reasons"]) == 2 and r["status"] == "partial"


def test_g1_pdf_rows_with_slashes_and_a_header_one_character_per_line():
    r = _parse("damaged_g1_pdf_slashes")
    assert (r["generation"], r["status"]) == ("G1", "complete")
    cells = {c["row"]: c for c in r["cells"] if c["source"] == "table"}
    full_time = cells["从事政府信息公开工作人员数/专职人员数"]
    assert (full_time["value"], full_time["raw"]) == (None, "/")  # "/" is blank, never 0
    assert cells["主动公开政府信息数"]["value"] == 315 and cells["政府信息公开专项经费"]["value"] == 5


def test_a_g2_page_without_its_headers():
    r = _parse("fragment_g2_page")
    assert (r["generation"], r["generation_source"], r["status"]) == ("G2", "year", "partial")
    cells = {(c["row"], c["column"]): c["value"] for c in r["cells"] if c["source"] == "table"}
    assert cells[("（四）无法提供/1.本机关不掌握相关政府信息", "总计")] == 6
    assert cells[("三、本年度办理结果/（七）总计", "总计")] == 6
    assert any("row incomplete: 表三 四、结转下年度继续办理" in x for x in r["reasons"])  # the page ends mid-row


def test_a_mirrored_g1_table_with_noise_reads_like_the_seed(seed_texts):
    seed = parse_text(seed_texts["002_ac397f543ad98429"])
    r = _parse("mirror_noise_g1_table")
    table = [(c["row"], c["value"]) for c in r["cells"] if c["source"] == "table"]
    assert table == [(c["row"], c["value"]) for c in seed["cells"] if c["source"] == "table"]
    assert r["agency"] == "区经济合作局"  # 填报单位, not the spam brand in the title


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("全年主动公开政府信息312件。", {"proactive_total": (312, False)}),
        ("在区政府网站发布信息120篇。", {"proactive_channel_website": (120, False)}),
        ("共受理政府信息公开申请九起，已全部按时答复。", {"requests_received": (9, False)}),
        ("全年无政府信息公开行政诉讼案件。", {"litigation_total": (0, False)}),
        ("全年主动公开信息2万余条。", {"proactive_total": (20000, True)}),
        ("全年主动公开信息近3000条，比上年增加200条。", {"proactive_total": (3000, True)}),
        ("因政府信息公开被申请行政复议3件，其中维持2件，纠错1件。",
         {"reviews_total": (3, False), "reviews_upheld": (2, False), "reviews_corrected": (1, False)}),
        ("共收到申请10件，其中自然人申请8件，法人申请2件。", {"requests_received": (10, False)}),
        ("依据《条例》第十三条答复。", {}),
        ("行政复议、行政诉讼共3件。", {}),  # a combined figure of two things is neither
        # another year's figure is not the report's (2016): named by its year or as 上年度/去年
        ("2015年受理申请10件，2016年受理申请8件。", {"requests_received": (8, False)}),
        ("上年度共受理申请10件，本年度受理申请8件。", {"requests_received": (8, False)}),
        ("去年受理申请10件，今年受理申请8件。", {"requests_received": (8, False)}),
        ("与2015年相比，受理申请减少2件。", {}),
        ("第三季度受理申请3件。", {}),  # a part of the year is not the year
        ("一季度受理申请3件，二季度受理申请5件。", {}),
        ("受理申请3至5件。", {}),  # a range: neither end is the figure
        ("本年未发生因政府信息公开引起的行政复议和行政诉讼。", {"reviews_total": (0, False), "litigation_total": (0, False)}),
        ("未发生因政府信息公开申请引起的行政复议、行政诉讼。", {"reviews_total": (0, False), "litigation_total": (0, False)}),
    ],
)
def test_prose_phrasings(sentence: str, expected: dict):
    text = f"某某镇人民政府2016年政府信息公开工作年度报告\n\n{sentence}\n"
    assert _prose(parse_text(text)) == expected


def test_litigation_split_where_the_text_splits_it():
    text = (
        "某某区人民政府2022年政府信息公开工作年度报告\n\n"
        "本年度发生政府信息公开行政诉讼3件，其中未经复议直接起诉2件，复议后起诉1件。\n"
    )
    assert _prose(parse_text(text)) == {
        "litigation_total": (3, False),
        "litigation_direct_total": (2, False),
        "litigation_after_review_total": (1, False),
    }


@pytest.mark.parametrize(
    ("head", "year"),
    [
        ("宁波市海曙区人民政府2018\n年度政府信息公开工作年度报告", 2018),  # the title split over lines
        ("政府信息公开工作年度报告\n\n本报告中所列数据的统计期限自2015年1月1日起至2015年12月31日止。", 2015),
        ("政府信息公开工作年度报告\n\n本年度（2013年）我局共主动公开政府信息50条。", 2013),
        ("宁波市海曙区人民政府政府信息公开工作年度报告（2016年）", 2016),  # the year after the title
        ("宁波市海曙区人民政府二〇一六年政府信息公开工作年度报告", 2016),  # in Chinese numerals
        ("宁波市海曙区人民政府二○一四年度政府信息公开工作年度报告", 2014),  # (with ○, U+25CB)
    ],
)
def test_report_year_from_split_titles_and_sentences(head: str, year: int):
    r = parse_text(head + "\n\n全年主动公开政府信息50条。\n")
    assert (r["report_year"], r["generation"], r["generation_source"]) == (year, "G1", "year")
    assert not any("成文日期" in x for x in r["reasons"])

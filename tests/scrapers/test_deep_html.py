"""A damaged page whose tags never close (``<font>`` after ``<font>``, as some Word exports and web
mirrors write them) nests deeper than lxml reads: libxml2 stops at 256 elements and the rest of the
page was silently dropped. Such a page is now read whole: its text line by line, its attachment
links with a parser that has no depth limit."""

from __future__ import annotations

import random
import re

from gongkai.parsing import parse_text
from gongkai.parsing.synthetic import generate, render
from scrapers.article import attachment_links, body_html
from scrapers.extract import extract

SEED = "003_49c6c62204b3e30b"  # a 2019 report, one cell per line: some 500 lines


def _damaged_page(text: str, tail: str = "") -> str:
    """The report as a web page whose every line opens a ``<font>`` that never closes."""
    body = "".join(f'<font face="宋体">{line}<br>' for line in text.split("\n") if line.strip())
    return f'<html><body><div class="nav">首页</div><div id="zoom">{body}{tail}</div></body></html>'


def test_a_page_nested_past_lxml_s_depth_is_extracted_whole(seed_texts) -> None:
    text = seed_texts[SEED]
    page = _damaged_page(text)
    assert page.count("<font") > 256
    got = extract(page.encode("utf-8"), "html")
    assert got.extractor == "html:text"
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    assert got.text.split("\n") == lines  # every line, in order, and nothing of the page chrome
    # and the parser reads the same report from it as from the seed's own text
    want, read = parse_text(text), parse_text(got.text)
    assert read["report_year"] == want["report_year"] == 2019
    cells = lambda r: [(c["table"], c["row"], c["column"], c["value"]) for c in r["cells"]]  # noqa: E731
    assert len(cells(want)) > 50 and cells(read) == cells(want)


def test_a_shallow_page_is_still_read_as_a_tree(seed_texts) -> None:
    para = seed_texts[SEED].split("\n")[0].strip()
    got = extract(f'<html><body><div id="zoom"><p><font>{para}</font></p></div></body></html>'.encode(), "html")
    assert (got.extractor, got.text) == ("html:lxml", para)


def test_attachments_past_lxml_s_depth_are_found(seed_texts) -> None:
    link = '<p>附件：<a href="/module/download/downfile.jsp?classid=0&amp;filename=report.docx">年度报告.docx</a></p>'
    page = _damaged_page(seed_texts[SEED], link)
    assert attachment_links(page, "http://www.haishu.gov.cn/art/2020/1/1/art_1_1.html") == [
        ("http://www.haishu.gov.cn/module/download/downfile.jsp?classid=0&filename=report.docx", "年度报告.docx")
    ]
    assert body_html(page) == page  # the extractor reads such a page itself


def test_an_html_table_nested_past_lxml_s_depth_keeps_every_cell() -> None:
    rng = random.Random(3)
    report = generate(rng, "G3")
    page = render(report, "html", rng)
    # a cell that opens 300 spans and closes none (the rows after it were lost to lxml's depth limit)
    page = re.sub(r"<td>", "<td>" + "<span>" * 300, page, count=1)
    result = parse_text(page)
    assert result["status"] == "complete", result["reasons"]
    got = {(c["table"], c["row"], c["column"]): c["value"] for c in result["cells"] if c["source"] == "table"}
    assert got == {(t, r, c): v for t, r, c, v in report.expected_cells()}

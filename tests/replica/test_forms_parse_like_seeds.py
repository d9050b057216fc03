"""Every form the replica serves parses to the same cells as the seed text itself
(compared on what the parser extracts: table, row, column, indicator, applicant, value)."""

from __future__ import annotations

import pytest

from replica.forms import render_html_body
from replica.layout import parse_layout
from replica.site import ASSET_DIR
from scrapers.extract import extract

parsing = pytest.importorskip("gongkai.parsing")

STEMS = [
    "000_f4d536c944cec0f0",
    "001_ea52101856a8af1f",
    "002_ac397f543ad98429",
    "003_49c6c62204b3e30b",
    "004_5aaa9839169bd157",
]


def _cells(text: str) -> list[tuple]:
    result = parsing.parse_text(text)
    return [
        (c["table"], c["row"], c["column"], c["indicator"], c["applicant"], c["value"])
        for c in result["cells"]
    ]


def _form_text(stem: str, form: str, seed: str) -> str:
    if form == "html":
        body = render_html_body(parse_layout(seed))
        page = f'<html><body><div id="zoom"><!--ZJEG_RSS.content.begin-->{body}<!--ZJEG_RSS.content.end--></div></body></html>'
        return extract(page.encode(), "html").text
    return extract((ASSET_DIR / f"{stem}.{form}").read_bytes(), form).text


@pytest.mark.parametrize("form", ["html", "docx", "doc", "pdf"])
def test_each_form_parses_to_the_seed_cells(seed_texts: dict[str, str], form: str) -> None:
    mismatched = []
    for stem in STEMS:
        expected = _cells(seed_texts[stem])
        assert expected, stem
        if _cells(_form_text(stem, form, seed_texts[stem])) != expected:
            mismatched.append(stem)
    assert mismatched == []

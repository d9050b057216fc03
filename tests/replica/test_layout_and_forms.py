"""The seed texts round-trip through the replica's forms: HTML and .docx exactly, .doc and .pdf
with every number in reading order (and table cells intact)."""

from __future__ import annotations

import re

import pytest

from replica.forms import render_html_body
from replica.layout import Table, parse_layout, render_text
from replica.site import ASSET_DIR
from scrapers.extract import extract

NUMBER = re.compile(r"\d+(?:\.\d+)?")
STEMS = [
    "000_f4d536c944cec0f0",
    "001_ea52101856a8af1f",
    "002_ac397f543ad98429",
    "003_49c6c62204b3e30b",
    "004_5aaa9839169bd157",
]


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)


def table_cells(text: str) -> list[str]:
    """The non-empty table cells' first lines, in order (a cell's text, whitespace removed)."""
    return [re.sub(r"\s", "", line) for line in text.split("\n") if line.startswith("\t") and line.strip()]


def layout_cells(text: str) -> list[str]:
    """The same as :func:`table_cells`, for the cells of the seed's real tables only (a seed may
    start a table's header row without a blank line before it: those lines are paragraphs)."""
    blocks = parse_layout(text)
    cells = [
        re.sub(r"\s", "", cell[0]) for b in blocks if isinstance(b, Table) for row in b.rows for cell in row
    ]
    return [c for c in cells if c]


def _page(body: str) -> bytes:
    return (
        '<html><head><meta charset="utf-8"></head><body><div id="zoom"><!--ZJEG_RSS.content.begin-->'
        f"{body}<!--ZJEG_RSS.content.end--></div></body></html>"
    ).encode()


@pytest.mark.parametrize("stem", STEMS)
def test_layout_round_trips_every_seed(seed_texts: dict[str, str], stem: str) -> None:
    text = seed_texts[stem]
    blocks = parse_layout(text)
    assert render_text(blocks) == text
    tables = [b for b in blocks if isinstance(b, Table)]
    if stem.startswith("003"):
        assert tables == []  # one cell per line, no table structure: paragraphs
    else:
        assert len(tables) == 1 and len(tables[0].rows) >= 60
        assert {len(r) for r in tables[0].rows} == {3}


@pytest.mark.parametrize("stem", STEMS)
def test_html_form_gives_the_seed_text_back(seed_texts: dict[str, str], stem: str) -> None:
    got = extract(_page(render_html_body(parse_layout(seed_texts[stem]))), "html")
    assert got.text == seed_texts[stem]
    assert got.extractor == "html:lxml" and got.extractor_version


@pytest.mark.parametrize("stem", STEMS)
def test_docx_form_gives_the_seed_text_back(seed_texts: dict[str, str], stem: str) -> None:
    got = extract((ASSET_DIR / f"{stem}.docx").read_bytes(), "docx")
    assert got.text == seed_texts[stem]
    assert got.extractor == "docx:python-docx"


@pytest.mark.parametrize("stem", STEMS)
def test_doc_form_keeps_every_number_and_cell_in_order(seed_texts: dict[str, str], stem: str) -> None:
    got = extract((ASSET_DIR / f"{stem}.doc").read_bytes(), "doc")
    assert got.extractor == "doc:antiword"
    assert numbers(got.text) == numbers(seed_texts[stem])
    assert [c for c in table_cells(got.text) if c] == layout_cells(seed_texts[stem])


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_form_keeps_every_number_in_order(seed_texts: dict[str, str], stem: str) -> None:
    got = extract((ASSET_DIR / f"{stem}.pdf").read_bytes(), "pdf")
    assert got.extractor == "pdf:pdfplumber"
    assert numbers(got.text) == numbers(seed_texts[stem])
    if not stem.startswith("003"):
        # the statistics table comes back as a table: its value cells in order
        assert [c for c in table_cells(got.text) if c.isdigit()] == [
            c for c in layout_cells(seed_texts[stem]) if c.isdigit()
        ]

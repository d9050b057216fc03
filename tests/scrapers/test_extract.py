"""Extraction details: encodings, format sniffing, spreadsheets, bad files."""

from __future__ import annotations

import io

import pytest

from replica.site import ASSET_DIR
from scrapers.extract import ExtractionError, decode_html, extract, sniff_format
from scrapers.fetch import attachment_links


def test_gbk_pages_are_decoded(seed_texts) -> None:
    para = seed_texts["001_ea52101856a8af1f"].split("\n")[0]
    page = f'<html><head><meta charset="gbk"></head><body><div id="zoom"><p>{para}</p></div></body></html>'
    assert decode_html(page.encode("gbk")) == page
    assert extract(page.encode("gb18030"), "html").text == para
    # an undeclared GB18030 page still decodes (UTF-8 fails, GB18030 is tried next)
    bare = page.replace('<meta charset="gbk">', "")
    assert decode_html(bare.encode("gb18030")) == bare


def test_format_is_sniffed_from_bytes_not_the_link() -> None:
    assert sniff_format((ASSET_DIR / "000_f4d536c944cec0f0.pdf").read_bytes(), "docx") == "pdf"
    assert sniff_format((ASSET_DIR / "000_f4d536c944cec0f0.doc").read_bytes(), None) == "doc"
    assert sniff_format((ASSET_DIR / "000_f4d536c944cec0f0.docx").read_bytes(), None) == "docx"
    assert sniff_format(b"<!DOCTYPE html><html></html>", "pdf") == "html"


@pytest.mark.parametrize("fmt", ["docx", "doc", "pdf"])
def test_corrupt_files_raise_a_clear_error(fmt: str) -> None:
    data = (ASSET_DIR / f"002_ac397f543ad98429.{fmt}").read_bytes()
    with pytest.raises(ExtractionError):
        extract(data[: len(data) // 3] if fmt != "doc" else b"\xd0\xcf\x11\xe0" + b"\0" * 600, fmt)
    with pytest.raises(ExtractionError, match="unsupported"):
        extract(b"whatever", "wps")


def test_xlsx_rows_become_tab_cells() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["统计指标", "单位", "统计数"])
    ws.append(["主动公开政府信息数", "条", 169])
    buf = io.BytesIO()
    wb.save(buf)
    got = extract(buf.getvalue(), "xlsx")
    assert got.text == "\t统计指标\n\t单位\n\t统计数\n\n\t主动公开政府信息数\n\t条\n\t169"
    assert got.extractor == "xlsx:openpyxl"


def test_attachment_links_in_page_order() -> None:
    page = (
        '<div id="zoom"><p>正文</p></div><div><a href="/module/download/downfile.jsp?classid=0&amp;filename=ab.docx">附件1</a>'
        '<a href="/art/2019/1/1/art_1_2.html">相关新闻</a><a href="/attach/0/cd.pdf">附件2</a>'
        '<a href="http://other.example.org/x.xls">附件3</a></div>'
    )
    links = attachment_links(page, "http://host/art/2019/1/1/art_1_1.html")
    assert links == [
        ("http://host/module/download/downfile.jsp?classid=0&filename=ab.docx", "附件1"),
        ("http://host/attach/0/cd.pdf", "附件2"),
        ("http://other.example.org/x.xls", "附件3"),
    ]


def test_an_xlsx_that_unpacks_past_the_cap_is_refused_before_parsing() -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(2000):
        ws.append(["主动公开政府信息数", "条", i])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    assert extract(data, "xlsx").text.count("主动公开政府信息数") == 2000
    with pytest.raises(ExtractionError, match=r"refused \.xlsx: unpacks to \d+ bytes \(limit 10000;"):
        extract(data, "xlsx", max_unzipped=10_000)


def _blank_pdf(pages: int) -> bytes:
    """A valid PDF of ``pages`` empty pages (objects and xref written by hand)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objs.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_a_pdf_with_too_many_pages_is_refused() -> None:
    from scrapers.extract.pdf import MAX_PDF_PAGES

    assert extract(_blank_pdf(3), "pdf").text == ""
    with pytest.raises(ExtractionError, match=rf"refused \.pdf: {MAX_PDF_PAGES + 1} pages"):
        extract(_blank_pdf(MAX_PDF_PAGES + 1), "pdf")

"""`gongkai parse` on what a user actually has: the portals' documents (.docx/.doc/.pdf/.html),
texts in UTF-16 or GBK, and files that hold no report (empty, corrupt, binary). A document parses to
the same figures as its seed text; a file that cannot be read is one line and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gongkai.cli import main
from gongkai.parsing import parse_text
from gongkai.parsing.report import EMPTY
from replica.site import ASSET_DIR

SEED = "003_49c6c62204b3e30b"  # the 2019 report of a G2 template, 202 cells


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def _figures(result: dict) -> list[tuple]:
    return [(c["table"], c["row"], c["column"], c["applicant"], c["value"]) for c in result["cells"]]


@pytest.fixture(scope="module")
def seed_result(seed_texts) -> dict:
    return parse_text(seed_texts[SEED])


@pytest.mark.parametrize(("fmt", "extractor"), [("docx", "docx:python-docx"), ("doc", "doc:"), ("pdf", "pdf:pdfplumber")])
def test_a_document_parses_to_its_seeds_figures(
    fmt: str, extractor: str, seed_result: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["parse", str(ASSET_DIR / f"{SEED}.{fmt}")], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert (result["generation"], result["report_year"], result["status"]) == ("G2", 2019, "complete")
    assert _figures(result) == _figures(seed_result)
    assert len(result["cells"]) == 202
    assert f"read by {extractor}" in err  # where the text came from, on stderr (stdout is the JSON)


def test_a_saved_article_page_parses_like_the_pipeline_reads_it(
    tmp_path: Path, seed_texts, seed_result: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    from replica.forms import render_html_body
    from replica.layout import parse_layout

    body = render_html_body(parse_layout(seed_texts[SEED]))
    page = f'<html><head><meta charset="gbk"></head><body><div class="nav">首页 > 信息公开</div><div id="zoom">{body}</div></body></html>'
    path = tmp_path / "article.htm"
    path.write_bytes(page.encode("gbk"))
    code, out, err = _run(["parse", str(path)], capsys)
    assert code == 0, err
    assert _figures(json.loads(out)) == _figures(seed_result)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "gbk", "utf-8-sig"])
def test_texts_in_the_encodings_windows_writes(
    encoding: str, tmp_path: Path, seed_texts, capsys: pytest.CaptureFixture[str]
) -> None:
    text = seed_texts["004_5aaa9839169bd157"]
    path = tmp_path / "report.txt"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # with its byte-order mark, as editors save it
    path.write_bytes(data)
    code, out, err = _run(["parse", str(path)], capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result == parse_text(text)
    assert (result["generation"], result["report_year"], len(result["cells"])) == ("G1", 2017, len(result["cells"]))
    assert result["agency"] and result["status"] == "complete"


def _bad_files(tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    docx = (ASSET_DIR / f"{SEED}.docx").read_bytes()
    from replica.pdf import scanned_pdf

    return {
        "empty.txt": (b"", "empty file (0 bytes)"),
        "random.bin": (bytes(range(256)) * 8, "binary data of no known format"),
        "cut.docx": (docx[: len(docx) // 3], "unreadable .docx"),
        "scan.pdf": (scanned_pdf(1), "image-only PDF"),
        "notes.pdf": (b"%PDF-1.4\n" + b"\x00garbage" * 50, "unreadable .pdf"),
    }


@pytest.mark.parametrize("name", ["empty.txt", "random.bin", "cut.docx", "scan.pdf", "notes.pdf"])
def test_a_file_without_a_readable_report_is_one_line(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, message = _bad_files(tmp_path)[name]
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = _run(["parse", str(path)], capsys)
    assert code == 2, (out, err)
    assert out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and message in err and name in err


def test_an_empty_text_says_so() -> None:
    for text in ("", " \n\t\r\n"):
        result = parse_text(text)
        assert (result["status"], result["reasons"], result["cells"]) == ("quarantined", [EMPTY], [])

"""The parser's fast paths read exactly what the general paths read.

Plain HTML tables are read with one regex instead of lxml; this compares the two on synthetic
tables and on random plain tables (entities, blank cells, line breaks inside cells and between tags).
Pipe rows are normalised cell by cell rather than line by line, and the prose of a text without
Traditional characters is cut out without splitting the whole text: each is compared with the
general path too.
"""

from __future__ import annotations

import random

import lxml.html

from gongkai.parsing import html_tables, lines, parse_text, prose, tokens
from gongkai.parsing.synthetic import generate, render


def _via_lxml(segment: str, first_line: int) -> list[tuple]:
    root = lxml.html.fragment_fromstring(segment)
    return [
        tuple(html_tables._html_cell(td.text_content(), first_line + (td.sourceline or 1) - 1))
        for tr in root.iter("tr")
        for td in tr
        if td.tag in ("td", "th")
    ]


def _via_regex(segment: str, first_line: int) -> list[tuple]:
    out: list[tokens.Token] = []
    html_tables._html_table(segment, first_line, out)
    return [tuple(t) for t in out]


def _random_table(rng: random.Random) -> str:
    pieces = ["1", "23", "０", "条", " ", "\n", "\t", "&nbsp;", "&amp;", "&lt;", "&quot;", "&#x27;", "申请"]
    pieces += ["（一）", "-", "—", "/", "无", "\u3000", "\xa0", "數"]
    ws = ["", " ", "\n", "\n\n", "\t"]
    rows = []
    for _ in range(rng.randint(0, 4)):
        cells = []
        for _ in range(rng.randint(0, 4)):
            tag = rng.choice(["td", "th"])
            attrs = rng.choice(["", ' colspan="2"', ' rowspan="3" class="x y"'])
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
            cells.append(f"{rng.choice(ws)}<{tag}{attrs}>{text}</{tag}>")
        rows.append(f"{rng.choice(ws)}<tr>{''.join(cells)}{rng.choice(ws)}</tr>")
    body = "".join(rows)
    if rng.random() < 0.2:
        body = f"<tbody>{body}</tbody>"
    border = rng.choice(["", ' border="1"'])
    return f"<table{border}>{body}{rng.choice(ws)}</table>"


def test_plain_html_tables_read_like_lxml() -> None:
    rng = random.Random(11)
    segments = [html_tables.TABLE_RE.search(render(generate(rng), "html", rng)).group(0) for _ in range(20)]
    segments += [_random_table(rng) for _ in range(400)]
    for segment in segments:
        assert html_tables._PLAIN_TABLE_RE.fullmatch(segment), segment
        assert _via_regex(segment, 7) == _via_lxml(segment, 7), segment


def test_other_markup_goes_through_lxml() -> None:
    odd = "<table><TR><td>收到申请数</td><td>5</td></TR><tr><td><b>12</b></td></tr></table>"
    assert not html_tables._PLAIN_TABLE_RE.fullmatch(odd)
    assert _via_regex(odd, 1) == _via_lxml(odd, 1)
    assert [t[0] for t in _via_regex(odd, 1)] == ["收到申请数", "5", "12"]


def test_a_line_whose_normal_form_splits_differently_does_not_crash() -> None:
    # NFKC turns "¨" into a space + combining mark: the normalised line has one more part than the raw one
    result = parse_text("1\u00a8 条")
    assert result["status"] == "quarantined"
    assert all(c["raw"] in "1\u00a8 条" for c in result["cells"])


_PIPE_PIECES = ["1", "23", "４５", "条", " ", "\u3000", "\xa0", "---", ":---:", "-", "—", "/", "无", "申请"]
_PIPE_PIECES += [
    "（一）",
    "\u0301",
    "¨",
    "ｶ",
    "ﾞ",
    "\ufb01",
    "｜",
    "數",
    "+5",
    "1,234",
    "5万元",
    "120余",
    "\x85",
]


def test_pipe_rows_read_cell_by_cell_like_the_whole_line() -> None:
    # _pipe_row normalises and memoises each cell; _line_cells normalises the line, then splits it
    rng = random.Random(12)
    read = 0
    for _ in range(3000):
        parts = [
            "".join(rng.choice(_PIPE_PIECES) for _ in range(rng.randint(0, 4)))
            for _ in range(rng.randint(1, 6))
        ]
        line = "|" + "|".join(parts) + "|"
        cells = lines._pipe_row(line)
        if cells is not None:  # a separator row or a full-width bar: left to _line_cells
            read += 1
            assert cells == lines._line_cells(line, line), line
    assert read > 1000


def test_prose_lines_without_traditional_read_like_the_general_path() -> None:
    # the fast path is taken when the Simplified text is the text itself; an equal copy takes the other
    rng = random.Random(13)
    for _ in range(2000):
        text = "".join(rng.choice(["a", "\n", "b\n", "\n\n", "xy"]) for _ in range(rng.randint(1, 12)))
        n = text.count("\n") + 1
        skip = (rng.randint(1, n + 1), rng.randint(0, n + 2))
        copy = "".join(list(text))
        assert copy is not text or len(text) < 2
        assert prose.prose_lines(text, text, skip, None) == prose.prose_lines(text, copy, skip, None)

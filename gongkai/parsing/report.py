"""Parse one report text into the output contract (see ``gongkai.parsing`` and issue 3)."""

from __future__ import annotations

import html as html_lib
import re
from functools import cache

from gongkai.parsing import checks, crosswalk, g1, g2, g3, meta, narrative
from gongkai.parsing.checks import ABSENT
from gongkai.parsing.layout import (
    CELL,
    KIND,
    LABEL,
    LINE,
    TEXT,
    Token,
    is_html,
    table_spans,
    to_simplified,
    tokenize,
)
from gongkai.parsing.template import Row, RowMatch, Template, match

TEMPLATES: dict[str, Template] = {"G1": g1.TEMPLATE, "G2": g2.TEMPLATE, "G3": g3.TEMPLATE}
_TAG_RE = re.compile(r"<[^>]+>")
_LINE_SPANNING_TAG_RE = re.compile(r"<[^>\n]*\n")  # a "<" whose tag (if any) goes on after a line break


# (template row index, row, its cells' dict prototypes, their checks.Values slots or -1) of each row
# with cells
_Plan = list[tuple[int, Row, tuple[dict, ...], tuple[int, ...]]]
_PLANS: dict[str, _Plan] = {}


def _plan(generation: str) -> _Plan:
    """Every template row that has cells, with a prototype of each cell's output dict (the columns
    that do not depend on the report, codes from the crosswalk; the rest filled per report) and
    the slot of its (indicator, applicant) in ``checks.Values``."""
    plan = _PLANS.get(generation)
    if plan is None:
        plan = []
        slots = checks.slots()
        for idx, row in enumerate(TEMPLATES[generation].rows):
            if not row.columns:
                continue
            protos = []
            cell_slots = []
            for column in row.columns:
                m = crosswalk.lookup(generation, row.table, row.label, column)
                indicator, applicant = (m.indicator, m.applicant) if m else (None, None)
                protos.append(
                    {
                        "table": row.table,
                        "row": row.label,
                        "column": column,
                        "indicator": indicator,
                        "applicant": applicant,
                        "value": None,
                        "raw": None,
                        "line": None,
                        "source": "table",
                        "approximate": False,
                    }
                )
                cell_slots.append(slots[(indicator, applicant)] if indicator else -1)
            plan.append((idx, row, tuple(protos), tuple(cell_slots)))
        _PLANS[generation] = plan
    return plan


@cache
def _grouped(generation: str) -> tuple[tuple[int, str], ...]:
    """(index, group) of the template rows that belong to a group."""
    return tuple((i, row.group) for i, row in enumerate(TEMPLATES[generation].rows) if row.group)


@cache
def _rows_labelled(generation: str, label: str) -> tuple[int, ...]:
    return tuple(i for i, row in enumerate(TEMPLATES[generation].rows) if row.label == label)


def _found(generation: str, label: str, matches: dict[int, RowMatch]) -> bool:
    """Whether a row of the template with this label was found."""
    return any(i in matches for i in _rows_labelled(generation, label))


def _num(v: float | int | None) -> float | int | None:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _prose_lines(
    text: str, simplified: str, skip: tuple[int, int] | None, tables: list[tuple[int, int]] | None
) -> list[tuple[int, str, str]]:
    """(line number, Simplified text, original text) of every line outside the table;
    ``tables`` are the spans of the HTML tables of an HTML text, None for any other text."""
    if tables is not None:
        # blank out tables (keeping their newlines), then strip tags (line by line if one spans lines)
        pieces = []
        pos = 0
        for start, end in tables:
            pieces += (text[pos:start], "\n" * text.count("\n", start, end))
            pos = end
        pieces.append(text[pos:])
        text = "".join(pieces)
        if _LINE_SPANNING_TAG_RE.search(text) is None:  # no tag goes over a line break
            text = html_lib.unescape(_TAG_RE.sub("", text))  # the same as line by line, at once
        else:
            text = "\n".join(html_lib.unescape(_TAG_RE.sub("", ln)) for ln in text.split("\n"))
        simplified = to_simplified(text)
    if simplified is text and skip and skip[0] >= 1 and skip[1] >= 0:
        # the common case, without splitting the table's lines: each line is its own original
        a, b = skip[0] - 1, skip[1]
        n = text.count("\n") + 1
        head = text.split("\n", a)[:a]
        tail = [] if b >= n else text.rsplit("\n", n - b)[1:] if b else text.split("\n")
        return [
            *zip(range(1, a + 1), head, head, strict=True),
            (0, "", ""),
            *zip(range(b + 1, n + 1), tail, tail, strict=True),
        ]
    norm = simplified.split("\n")
    originals = norm if simplified is text else text.split("\n")
    if len(norm) != len(originals):
        originals = norm
    n = len(norm)
    if skip and skip[0] >= 1 and skip[1] >= 0:  # the table region is not prose (and breaks paragraphs)
        a, b = skip[0] - 1, skip[1]
        return [
            *zip(range(1, a + 1), norm[:a], originals[:a], strict=True),
            (0, "", ""),
            *zip(range(b + 1, n + 1), norm[b:], originals[b:], strict=True),
        ]
    numbered = list(zip(range(1, n + 1), norm, originals, strict=True))
    if skip:
        return [*numbered[: skip[0] - 1], (0, "", ""), *numbered[skip[1] :]]
    return numbered


def parse_text(text: str) -> dict:
    """Parse a report's raw text into ``{generation, template, report_year, agency, status, reasons,
    cells, checks}``. Never raises on bad input: problems become ``reasons`` and the status."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    simplified = to_simplified(text)
    html = is_html(text)
    tables = table_spans(text) if html else None
    tokens = tokenize(text, simplified, html, tables)
    if html:
        flat = "".join("".join([t[TEXT] for t in tokens if t[KIND] == LABEL]).split())
    else:
        flat = "".join(simplified.split())  # every whitespace character removed
    generation = meta.detect_generation(flat)
    year, agency = meta.report_year_and_agency(tokens, flat)
    reasons: list[str] = []
    cells: list[dict] = []
    values = checks.new_values()  # slot of (indicator, applicant) → value of its first table cell
    template_name: str | None = None
    region: tuple[int, int] | None = None
    status = "complete"

    if generation is None:
        status = "quarantined"
        reasons.append(
            "no known template (G1 统计表, G2 2019 or G3 2021 national template) found in the text"
        )
    else:
        template = TEMPLATES[generation]
        tm = match(template, tokens)
        if tm.start_line is not None and tm.end_line is not None:
            region = (tm.start_line, tm.end_line)
        template_name = template.name
        matches = tm.matches
        if generation == "G1":
            if _found(generation, "政府公报公开政府信息数", matches):
                template_name += "+gazette"
            if any(_found(generation, label, matches) for label in ("接受培训人员数", "举办各类培训班数")):
                template_name += "+section9"
        missing: list[int] = []
        groups_present = {group for i, group in _grouped(generation) if i in matches}
        # the cells of the rows read, in template order: gathered, then made in one loop (cheaper
        # than a loop per row: most G1 rows have one cell)
        row_protos: list[dict] = []
        row_slots: list[int] = []
        row_tokens: list[Token] = []
        for idx, row, protos, slots in _plan(generation):
            rm = matches.get(idx)
            if rm is None:
                if not row.optional or row.group in groups_present:
                    missing.append(idx)
                continue
            row_values = rm.values
            if row.values_optional and all(t[CELL] is None or t[CELL].value is None for t in row_values):
                continue  # a parent row (不予公开) printed with empty cells: structure, not data
            if len(row_values) < len(protos):
                if row_values or not row.values_optional:
                    reasons.append(
                        f"row incomplete: {row.table} {row.label}: {len(row_values)} of {len(protos)} "
                        f"cells (line {rm.label_token[LINE]})"
                    )
                continue
            row_protos += protos
            row_slots += slots
            row_tokens += row_values
        add_cell = cells.append
        for proto, slot, (_, raw, _, cell, line) in zip(row_protos, row_slots, row_tokens, strict=True):
            out = proto.copy()  # keeps the contract's key order; cheaper than a dict display
            out["raw"] = raw
            out["line"] = line
            add_cell(out)
            if cell is None:
                value = None
            else:
                value, approximate, _ = cell
                if value is not None:  # else the prototype's None stays
                    if type(value) is float:
                        value = _num(value)
                    out["value"] = value
                if approximate:  # else the prototype's False stays
                    out["approximate"] = True
            if slot >= 0 and values[slot] is ABSENT:
                values[slot] = value
        if missing:
            last_found = max(tm.matches) if tm.matches else -1
            trailing = [i for i in missing if i > last_found]
            inner = [i for i in missing if i <= last_found]
            for i in inner:
                reasons.append(f"row missing: {template.rows[i].table} {template.rows[i].label}")
            if trailing:
                after = template.rows[last_found].label if last_found >= 0 else "the table heading"
                names = ", ".join(template.rows[i].label for i in trailing[:3])
                reasons.append(
                    f"table breaks off after {after}: {len(trailing)} template rows missing ({names}"
                    f"{', …' if len(trailing) > 3 else ''})"
                )
        if not cells:
            status = "quarantined"
            reasons.append(f"{generation} template recognised but no table cells could be read")
        elif reasons:
            status = "partial"
    if year is None:
        reasons.append("report year not found in the title or table heading")
        if status == "complete":
            status = "partial"
    if agency is None:
        reasons.append("agency not found in the title or 填报单位")

    prose = narrative.figures(_prose_lines(text, simplified, region, tables))
    narrative_cells = [
        {
            "table": "narrative",
            "row": f.row,
            "column": None,
            "indicator": f.indicator,
            "applicant": None,
            "value": _num(f.value),
            "raw": f.raw,
            "line": f.line,
            "source": "narrative",
            "approximate": f.approximate,
        }
        for f in prose
    ]

    report_checks = checks.table_checks(generation, values) if cells else []
    report_checks += checks.prose_checks(values, narrative_cells)
    return {
        "generation": generation,
        "template": template_name,
        "report_year": year,
        "agency": agency,
        "status": status,
        "reasons": reasons,
        "cells": cells + narrative_cells,
        "checks": report_checks,
    }

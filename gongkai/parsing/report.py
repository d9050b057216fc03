"""Parse one report text into the output contract (see ``gongkai.parsing`` and issue 3)."""

from __future__ import annotations

import html as html_lib
import re

from gongkai.parsing import checks, crosswalk, g1, g2, g3, meta, narrative
from gongkai.parsing.layout import LABEL, TABLE_RE, is_html, to_simplified, tokenize
from gongkai.parsing.template import Row, Template, match

TEMPLATES: dict[str, Template] = {"G1": g1.TEMPLATE, "G2": g2.TEMPLATE, "G3": g3.TEMPLATE}
_TAG_RE = re.compile(r"<[^>]+>")


_Code = tuple[str, str | None, str | None, tuple[str, str | None] | None]  # column, indicator, applicant, key
_PLANS: dict[str, list[tuple[int, Row, int, tuple[_Code, ...]]]] = {}


def _plan(generation: str) -> list[tuple[int, Row, int, tuple[_Code, ...]]]:
    """(index, row, cell count, (column, indicator, applicant, (indicator, applicant)) of each cell)
    of every template row that has cells; the codes come from the crosswalk."""
    plan = _PLANS.get(generation)
    if plan is None:
        plan = []
        for idx, row in enumerate(TEMPLATES[generation].rows):
            if not row.columns:
                continue
            maps = [crosswalk.lookup(generation, row.table, row.label, c) for c in row.columns]
            codes = tuple(
                (c, m.indicator, m.applicant, (m.indicator, m.applicant) if m.indicator else None)
                if m
                else (c, None, None, None)
                for c, m in zip(row.columns, maps, strict=True)
            )
            plan.append((idx, row, row.n, codes))
        _PLANS[generation] = plan
    return plan


def _num(v: float | int | None) -> float | int | None:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def _prose_lines(
    text: str, simplified: str, skip: tuple[int, int] | None, html: bool
) -> list[tuple[int, str, str]]:
    """(line number, Simplified text, original text) of every line outside the table."""
    if html:
        # blank out tables (keeping their newlines), then strip tags line by line
        text = TABLE_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        text = "\n".join(html_lib.unescape(_TAG_RE.sub("", ln)) for ln in text.split("\n"))
        simplified = to_simplified(text)
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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    simplified = to_simplified(text)
    html = is_html(text)
    tokens = tokenize(text, simplified, html)
    if html:
        flat = "".join("".join(t.text for t in tokens if t.kind == LABEL).split())
    else:
        flat = "".join(simplified.split())  # every whitespace character removed
    generation = meta.detect_generation(flat)
    year, agency = meta.report_year_and_agency(tokens, flat)
    reasons: list[str] = []
    cells: list[dict] = []
    values: checks.Values = {}  # (indicator, applicant) → value of its first table cell
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
        if generation == "G1":
            present = {template.rows[i].label for i in tm.matches}
            if "政府公报公开政府信息数" in present:
                template_name += "+gazette"
            if "接受培训人员数" in present or "举办各类培训班数" in present:
                template_name += "+section9"
        missing: list[int] = []
        groups_present = {template.rows[i].group for i in tm.matches if template.rows[i].group}
        matches = tm.matches
        for idx, row, n, codes in _plan(generation):
            rm = matches.get(idx)
            if rm is None:
                if not row.optional or row.group in groups_present:
                    missing.append(idx)
                continue
            row_values = rm.values
            if row.values_optional and all(t.cell is None or t.cell.value is None for t in row_values):
                continue  # a parent row (不予公开) printed with empty cells: structure, not data
            if len(row_values) < n:
                if row_values or not row.values_optional:
                    reasons.append(
                        f"row incomplete: {row.table} {row.label}: {len(row_values)} of {n} cells "
                        f"(line {rm.label_token.line})"
                    )
                continue
            table, label = row.table, row.label
            for (column, indicator, applicant, key), tok in zip(codes, row_values, strict=True):
                cell = tok.cell
                if cell is None:
                    value, approximate = None, False
                else:
                    value, approximate = cell.value, cell.approximate
                    if type(value) is float:
                        value = _num(value)
                cells.append(
                    {
                        "table": table,
                        "row": label,
                        "column": column,
                        "indicator": indicator,
                        "applicant": applicant,
                        "value": value,
                        "raw": tok.raw,
                        "line": tok.line,
                        "source": "table",
                        "approximate": approximate,
                    }
                )
                if key is not None and key not in values:
                    values[key] = value
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

    prose = narrative.figures(_prose_lines(text, simplified, region, html))
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

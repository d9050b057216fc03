"""Parse one report text into the output contract (see ``gongkai.parsing``)."""

from __future__ import annotations

from gongkai.parsing.checks import prose_checks, table_checks
from gongkai.parsing.crosswalk import generation_for_year
from gongkai.parsing.layout import is_html, table_spans, to_simplified, tokenize
from gongkai.parsing.meta import (
    detect_generation,
    national_table_rows,
    report_year_and_agency,
    year_from_body,
    year_from_metadata,
)
from gongkai.parsing.noise import clean
from gongkai.parsing.prose import narrative_cells, prose_lines
from gongkai.parsing.table import TableRead, read_table
from gongkai.parsing.tokens import KIND, LABEL, TEXT

MAX_TEXT_CHARS = 4_000_000  # a report with its attachments is some 10–500 thousand characters
HEAD_LINES = 10  # non-blank lines that hold a report's title (``meta.title_lines`` reads 8 tokens)
NO_TEMPLATE = "no known template (G1 统计表, G2 2019 or G3 2021 national template) found in the text"
EMPTY = "empty text: nothing to read"
_REPORT_WORDS = ("年度报告", "年报", "工作报告", "情况报告")
_TOPIC_WORDS = ("政府信息公开", "政务公开", "信息公开")


def _result(
    generation: str | None,
    generation_source: str | None,
    template: str | None,
    year: int | None,
    agency: str | None,
    status: str,
    reasons: list[str],
    cells: list[dict],
    report_checks: list[dict],
) -> dict:
    return {
        "generation": generation,
        "generation_source": generation_source,
        "template": template,
        "report_year": year,
        "agency": agency,
        "status": status,
        "reasons": reasons,
        "cells": cells,
        "checks": report_checks,
    }


def _head(text: str, simplified: str) -> tuple[str, str]:
    """The lines of the text (and of its Simplified form) up to its ``HEAD_LINES``-th non-blank one."""
    end = seen = 0
    while seen < HEAD_LINES:
        nl = text.find("\n", end)
        if nl < 0:
            return text, simplified
        seen += nl > end and not text[end:nl].isspace()
        end = nl + 1
    if simplified is text:
        return text[:end], text[:end]
    return text[:end], "\n".join(simplified.split("\n", text.count("\n", 0, end))[:-1]) + "\n"


def _reads_as_report(flat: str) -> bool:
    """Whether a text without a template still reads as a disclosure annual report."""
    head = flat[:2000]
    return any(w in head for w in _REPORT_WORDS) and any(w in flat for w in _TOPIC_WORDS)


def parse_text(text: str) -> dict:
    """Parse a report's raw text into ``{generation, generation_source, template, report_year, agency,
    status, reasons, cells, checks}``. Never raises on bad input: problems become ``reasons``."""
    if len(text) > MAX_TEXT_CHARS:
        reason = f"text too long to be one report: {len(text)} characters (limit {MAX_TEXT_CHARS})"
        return _result(None, None, None, None, None, "quarantined", [reason], [], [])
    if not text or text.isspace():
        return _result(None, None, None, None, None, "quarantined", [EMPTY], [], [])
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = clean(text)
    simplified = to_simplified(text)
    html = is_html(text)
    tables = table_spans(text) if html else None
    national: bool | None = None  # national_table_rows(flat), once known
    if html:
        tokens = tokenize(text, simplified, html, tables)
        flat = "".join("".join([t[TEXT] for t in tokens if t[KIND] == LABEL]).split())
        template_generation = detect_generation(flat)
    else:
        flat = "".join(simplified.split())  # every whitespace character removed
        template_generation = detect_generation(flat)
        if template_generation or "填报单位" in flat or (national := national_table_rows(flat)):
            tokens = tokenize(text, simplified, html, tables)
        else:  # no table to read: the title lines are all the metadata needs
            tokens = tokenize(*_head(text, simplified), False, None)
    year, agency = report_year_and_agency(tokens, flat)
    reasons: list[str] = []
    if year is None:
        year = year_from_body(flat)
    if year is None:
        year = year_from_metadata(flat)
        if year is not None:
            reasons.append(
                f"report year {year} taken from the page's 成文日期/发布日期 (the year before it): "
                "no title or 统计期限 names it"
            )
    generation, source = template_generation, "template" if template_generation else None
    if generation is None and year is not None:
        by_year = generation_for_year(year)
        if by_year in ("G2", "G3") and (national_table_rows(flat) if national is None else national):
            # a page of 表三 without the headers that tell 2019 from 2021: the year's regime
            generation, source = by_year, "year"
            reasons.append(f"national template rows without its headers: {by_year}, the regime of {year}")
    table = read_table(generation, tokens) if generation else None
    if generation is None and year is not None and _reads_as_report(flat):
        generation = generation_for_year(year)
        source = "year" if generation else None

    prose, prose_reasons = narrative_cells(
        prose_lines(text, simplified, table.region if table else None, tables), generation, year, agency
    )
    status = _status(generation, table, prose, year, agency, reasons)
    reasons += prose_reasons
    cells = table.cells if table else []
    report_checks: list[dict] = []
    if table is not None:  # (without a table no prose figure has a cell to be checked against)
        if cells:
            report_checks = table_checks(generation, table.values)
        report_checks += prose_checks(table.values, prose)
    return _result(
        generation,
        source,
        table.template if table else None,
        year,
        agency,
        status,
        reasons,
        cells + prose,
        report_checks,
    )


def _status(
    generation: str | None,
    table: TableRead | None,
    prose: list[dict],
    year: int | None,
    agency: str | None,
    reasons: list[str],
) -> str:
    """complete | partial | quarantined, adding the reasons that say why (to ``reasons``)."""
    status = "complete"
    if table is None:
        reasons.append(NO_TEMPLATE)
        if generation is None:
            if year is None and prose:
                reasons.append("the report year is not stated, so the template regime cannot be told")
            elif year is not None and prose and generation_for_year(year) is None:
                reasons.append(f"no template regime covers the report year {year}")
            return "quarantined"
        reasons.append(f"no statistical table: {generation} is the regime in force for {year}")
        reasons.append(
            f"{len(prose)} figures read from the prose" if prose else "no figure found in the prose either"
        )
        status = "partial"
    else:
        reasons += table.reasons
        if not table.cells:
            reasons.append(f"{generation} template recognised but no table cells could be read")
            if not prose:
                return "quarantined"
            status = "partial"
        elif table.reasons:
            status = "partial"
    if year is None:
        reasons.append("report year not found in the title or table heading")
        if status == "complete":
            status = "partial"
    if agency is None:
        reasons.append("agency not found in the title or 填报单位")
    return status

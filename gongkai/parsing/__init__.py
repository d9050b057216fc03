"""Parsing: raw report text → trusted table cells, prose figures and consistency checks.

``parse_text(text) -> dict`` is the output contract::

    {"generation": "G1"|"G2"|"G3"|None, "generation_source": "template"|"year"|None,
     "template": str|None, "report_year": int|None,
     "agency": str|None, "status": "complete"|"partial"|"quarantined", "reasons": [str],
     "cells": [{"table", "row", "column", "indicator", "applicant", "value", "raw", "line",
                "source": "table"|"narrative", "approximate"}],
     "checks": [{"name", "holds": bool|None, "detail"}]}

``generation_source`` says how the generation was told: ``template`` (its table's markers are in
the text) or ``year`` (no table: the regime in force for the report year, ``seeds/generations.csv``).
``quarantined`` is kept for texts that are not annual reports (or whose year, and so regime, cannot
be told); a report without a readable table is ``partial`` with its prose figures and reasons.

Pipeline inside (``report.parse_text``): ``layout`` (any layout → cell tokens) → ``meta`` (generation
by template markers, year, agency) → ``table`` (``template`` + ``g1``/``g2``/``g3`` rows matched by
label; ``crosswalk`` codes; ``ceilings`` drop implausible cells) → ``prose`` (the lines outside the
table; ``narrative`` figures) → ``checks``. ``step.parse_staged`` runs it over the staging database.
Modules inside the package import each other by module path, never through this package.
"""

from __future__ import annotations

from gongkai.parsing.report import parse_text

PARSER_VERSION = "1.1.0"

__all__ = ["PARSER_VERSION", "parse_text"]

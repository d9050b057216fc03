"""Parsing: raw report text → trusted table cells, prose figures and consistency checks.

``parse_text(text) -> dict`` is the output contract of issue 3::

    {"generation": "G1"|"G2"|"G3"|None, "template": str|None, "report_year": int|None,
     "agency": str|None, "status": "complete"|"partial"|"quarantined", "reasons": [str],
     "cells": [{"table", "row", "column", "indicator", "applicant", "value", "raw", "line",
                "source": "table"|"narrative", "approximate"}],
     "checks": [{"name", "holds": bool|None, "detail"}]}

Pipeline inside: ``layout`` (any layout → cell tokens) → ``meta`` (generation by template markers,
year, agency) → ``template`` + ``g1``/``g2``/``g3`` (rows matched by label) → ``crosswalk``
(indicator codes from the dbt seed) → ``narrative`` (prose figures) → ``checks``.
``step.parse_staged`` runs it over the staging database.
"""

from __future__ import annotations

from gongkai.parsing.report import parse_text

PARSER_VERSION = "1.0.0"

__all__ = ["PARSER_VERSION", "parse_text"]

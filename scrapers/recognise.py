"""Is this an annual report (政府信息公开工作年度报告)? By title at discovery, by content after fetch."""

from __future__ import annotations

import re

_TITLE = re.compile(r"(19|20)\d{2}\s*年?.*信息公开.*(年度报告|年报|工作报告)")
_NOT_REPORT = re.compile(r"通知|解读|征集|会议|培训|督查|考核结果|目录|指南")
_CONTENT_MARKERS = ("主动公开", "依申请", "行政复议", "行政诉讼", "统计", "政府信息公开")


def is_report_title(title: str) -> bool:
    """A year, 信息公开 and 年度报告/年报/工作报告, and none of the words of notices about reports."""
    return bool(_TITLE.search(title)) and not _NOT_REPORT.search(title)


ANNUAL_REPORT_CATEGORY = "政府信息公开年报"  # xxgk 组配分类 of annual reports


def is_report_item(title: str, category: str | None = None) -> bool:
    """A list item is a report candidate by its title, or by its xxgk category (组配分类)."""
    if _NOT_REPORT.search(title):
        return False
    return is_report_title(title) or category == ANNUAL_REPORT_CATEGORY


def report_content_problem(text: str) -> str | None:
    """``None`` when ``text`` reads like an annual report; otherwise the reason it does not."""
    found = [m for m in _CONTENT_MARKERS if m in text]
    if len(found) < 4 or len(text) < 500:
        return f"not an annual report: {len(text)} chars, markers {found}"
    return None

"""The crosswalk seed covers every template cell, with known indicator codes (one mapping file)."""

from __future__ import annotations

import csv

from gongkai.parsing import crosswalk, g1, g2, g3
from gongkai.parsing.wording import LABELS

REQUIRED = {
    "proactive_total",
    "requests_received",
    "requests_carried_in",
    "results_granted",
    "results_partial",
    "results_denied",
    "results_total",
    "carried_over",
    "reviews_total",
    "reviews_upheld",
    "reviews_corrected",
    "litigation_total",
    "litigation_direct_total",
    "litigation_after_review_total",
    "complaints",
    "fees",
    "staff_total",
}
APPLICANTS = {
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
}


def test_headers_are_the_agreed_contract():
    with crosswalk.CROSSWALK_CSV.open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == [
            "generation",
            "table_id",
            "row_label",
            "column_label",
            "indicator",
            "applicant",
            "unit",
            "comparability",
            "comparability_note",
        ]
    with crosswalk.INDICATORS_CSV.open(encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["indicator", "name_zh", "name_en", "unit", "section", "definition"]


def test_every_template_cell_maps_to_a_known_indicator():
    codes = crosswalk.indicator_codes()
    assert REQUIRED <= codes
    for template in (g1.TEMPLATE, g2.TEMPLATE, g3.TEMPLATE):
        seen: set[tuple[str, str | None]] = set()
        for row in template.rows:
            for column in row.columns:
                m = crosswalk.lookup(template.generation, row.table, row.label, column)
                assert m is not None, (template.generation, row.label, column)
                assert m.indicator in codes
                assert m.comparability in ("comparable", "comparable_with_caveat", "generation_specific")
                if row.table == "表三":
                    assert m.applicant in APPLICANTS
                else:
                    assert m.applicant is None
                assert (m.indicator, m.applicant) not in seen, (row.label, column)  # one cell per indicator
                seen.add((m.indicator, m.applicant))
    for label in LABELS.values():  # each prose label is conformed in at least one generation
        assert any(k[1] == "narrative" and k[2] == label for k in crosswalk.load()), label


def test_g1_and_g2_requests_share_one_code():
    assert crosswalk.lookup("G1", "统计表", "收到申请数", "统计数").indicator == "requests_received"
    m = crosswalk.lookup("G2", "表三", "一、本年新收政府信息公开申请数量", "总计")
    assert (m.indicator, m.applicant) == ("requests_received", "total")
    assert (
        crosswalk.lookup("G1", "统计表", "申请答复数/不同意公开答复数", "统计数").indicator
        == "results_denied"
    )
    assert (
        crosswalk.lookup("G3", "表三", "三、本年度办理结果/（三）不予公开", "自然人").indicator
        == "results_denied"
    )


def test_every_indicator_has_a_documented_ceiling():
    from gongkai.parsing import ceilings

    with ceilings.CEILINGS_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["indicator_code", "ceiling", "basis"]
    assert {r["indicator_code"] for r in rows} == set(crosswalk.indicator_codes())
    assert all(float(r["ceiling"]) >= 10_000 and r["basis"].strip() for r in rows)
    assert ceilings.problem("requests_received", 10**8) and ceilings.problem("requests_received", -1)
    assert ceilings.problem("licensing_items_change", -5) is None  # 本年增/减 may be negative
    assert ceilings.problem("fees", 1.5) is None and ceilings.problem("requests_received", 1.5)

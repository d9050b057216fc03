"""fct_indicator_value for the five seeds equals the parser's golden files (checked by hand)."""

from __future__ import annotations

import json

import pytest
from dbt_test_helpers import SeedWarehouse

from gongkai.config import REPO_ROOT
from gongkai.fixtures_loader import SEED_REPORTS, seed_document_id

pytestmark = pytest.mark.slow

GOLDEN_DIR = REPO_ROOT / "tests" / "golden"


def _golden(stem: str) -> dict:
    matches = sorted(GOLDEN_DIR.glob(f"{stem}*.json")) or sorted(GOLDEN_DIR.glob(f"{stem[:3]}*.json"))
    assert matches, f"no golden file for {stem} in {GOLDEN_DIR}"
    return json.loads(matches[0].read_text(encoding="utf-8"))


def _expected_facts(golden: dict) -> dict[tuple, tuple]:
    """The fact grain of the golden cells: applicant NULL -> total; first cell of a grain wins."""
    out: dict[tuple, tuple] = {}
    for cell in golden["cells"]:
        if cell["indicator"] is None:
            continue
        key = (cell["indicator"], cell["applicant"] or "total", cell["source"])
        value = None if cell["value"] is None else float(cell["value"])
        out.setdefault(
            key, (value, cell["raw"], cell["line"], cell["approximate"], cell["table"], cell["row"])
        )
    return out


@pytest.mark.parametrize("seed", SEED_REPORTS, ids=lambda s: s.stem[:3])
def test_fact_values_equal_golden(seed_warehouse: SeedWarehouse, seed) -> None:
    golden = _golden(seed.stem)
    expected = _expected_facts(golden)
    rows = seed_warehouse.q(
        "select indicator, applicant, source, value, raw, line, approximate, table_id, row_label "
        "from main.fct_indicator_value where document_id = ?",
        [seed_document_id(seed)],
    )
    actual = {(r[0], r[1], r[2]): tuple(r[3:]) for r in rows}
    assert len(actual) == len(rows)
    assert expected, f"golden {seed.stem} has no cells"
    assert actual == expected
    report = seed_warehouse.q(
        "select report_year, generation, parse_status from main.dim_report where document_id = ?",
        [seed_document_id(seed)],
    )
    assert report == [(golden["report_year"], golden["generation"], golden["status"])]

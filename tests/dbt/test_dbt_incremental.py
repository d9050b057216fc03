"""Data-only builds: the build slice (dbt_project/macros/build_slice.sql) rebuilds exactly what changed.

Each test changes staging the way acquisition and parsing do (a new version, a report that becomes
quarantined, a second report for an agency-year), runs the data-only build and compares every mart
with a full rebuild from the same staging.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from dbt_test_helpers import query
from test_dbt_rebuild import _fingerprints

from gongkai.build import dbt_build, dbt_test, project_fingerprint
from gongkai.config import REPO_ROOT, Settings
from gongkai.fixtures_loader import SEED_REPORTS, seed_document_id, write_document
from gongkai.staging import connect

pytestmark = pytest.mark.slow


def _seed_text(i: int) -> str:
    return (REPO_ROOT / "fixtures" / "reports" / f"{SEED_REPORTS[i].stem}.txt").read_text(encoding="utf-8")


def _watermarks(settings: Settings) -> int:
    return query(settings.warehouse_db, "select count(*) from build_state.watermark")[0][0]


def test_unchanged_code_gives_a_data_only_build_with_an_empty_slice(
    copy_warehouse: Callable[[], Settings],
) -> None:
    settings = copy_warehouse()
    result = dbt_build(settings)
    assert result.success, result.failures
    assert result.mode == "data-only"
    assert result.seeds == 0  # seeds are code: unchanged
    assert 0 < result.models < len(list((REPO_ROOT / "dbt_project" / "models").rglob("*.sql")))
    assert result.tests_passed > 50
    assert query(settings.warehouse_db, "select documents, is_all from build_state.slice_info") == [
        (0, False)
    ]


def test_data_only_build_equals_a_full_rebuild_after_staging_changes(
    copy_warehouse: Callable[[], Settings],
) -> None:
    from gongkai.parsing.step import parse_staged

    settings = copy_warehouse()
    before_marks = _watermarks(settings)
    # 1. a revised page: version 2 of the 海曙区 2018 report (same figures)
    revised = seed_document_id(SEED_REPORTS[1])
    write_document(settings, SEED_REPORTS[1], _seed_text(1) + "\n", version=2)
    # 2. a report re-parsed into quarantine (its text no longer fits any template)
    gone = seed_document_id(SEED_REPORTS[2])
    with connect(settings.staging_db) as con:
        con.execute("update raw_texts set text = '此页面已删除' where document_id = ?", [gone])
    # 3. a second report of the same agency and year, published later: it becomes the chosen one
    twin = dataclasses.replace(SEED_REPORTS[3], stem=SEED_REPORTS[3].stem + "_twin")
    twin_id = write_document(
        settings, twin, _seed_text(3), published_date=SEED_REPORTS[3].published_date.replace(day=28)
    )
    summary = parse_staged(settings, reparse=True, document_ids=[revised, gone, twin_id])
    assert summary.quarantined == 1 and summary.parsed == 4

    result = dbt_build(settings)
    assert result.mode == "data-only"
    assert result.success, result.failures
    slice_docs = {r[0] for r in query(settings.warehouse_db, "select document_id from build_state.slice")}
    assert slice_docs == {revised, gone, twin_id}
    assert _watermarks(settings) == before_marks + 1

    db = settings.warehouse_db
    assert query(db, "select count(*) from main.fct_indicator_value where document_id = ?", [gone]) == [(0,)]
    agency, year = SEED_REPORTS[3].agency_code, SEED_REPORTS[3].report_year
    assert query(
        db,
        "select document_id from main.mart_agency_year where agency_code = ? and report_year = ?",
        [agency, year],
    ) == [(twin_id,)]
    assert query(
        db,
        "select distinct r.document_id from main.mart_indicator_series as s"
        " join main.dim_report as r on r.key = s.report_key where s.agency_code = ? and s.report_year = ?",
        [agency, year],
    ) == [(twin_id,)]
    incremental = _fingerprints(db)
    assert dbt_build(settings, full_refresh=True).success
    assert _fingerprints(db) == incremental


def test_a_failing_data_only_build_keeps_its_slice_for_the_next_build(
    copy_warehouse: Callable[[], Settings],
) -> None:
    settings = copy_warehouse()
    doc = seed_document_id(SEED_REPORTS[0])
    before_marks = _watermarks(settings)
    with connect(settings.staging_db) as con:  # a re-parse that emits an indicator no crosswalk knows
        con.execute(
            "insert into parsed_cells by name select * replace (9999 as cell_no, '虚构行' as row_label, "
            "'not_a_real_indicator' as indicator, 1 as value, '1' as raw, false as approximate, "
            "now() as parsed_at) from parsed_cells where document_id = ? and source = 'table' limit 1",
            [doc],
        )
        con.execute("update parse_results set parsed_at = now() where document_id = ?", [doc])
    for _ in range(2):  # the failure is not forgotten by the next build
        result = dbt_build(settings)
        assert result.mode == "data-only" and not result.success
        assert any("relationships_stg_parsed_cells_indicator" in f["node"] for f in result.failures)
        assert _watermarks(settings) == before_marks
    assert not dbt_test(settings, select="stg_parsed_cells").success  # `dbt test` checks every row too


def test_changed_code_rebuilds_everything(copy_warehouse: Callable[[], Settings]) -> None:
    import duckdb

    settings = copy_warehouse()
    assert len(project_fingerprint(settings)) == 64
    with duckdb.connect(str(settings.warehouse_db)) as con:  # as if the models changed since
        con.execute("update build_state.project set fingerprint = 'an older version of the code'")
    result = dbt_build(settings)
    assert result.success, result.failures
    assert result.mode == "code-changed"
    assert result.seeds == len(list((REPO_ROOT / "dbt_project" / "seeds").glob("*.csv")))
    assert query(settings.warehouse_db, "select is_all from build_state.slice_info") == [(True,)]
    assert query(settings.warehouse_db, "select fingerprint from build_state.project") == [
        (project_fingerprint(settings),)
    ]

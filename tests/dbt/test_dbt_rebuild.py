"""Rebuilds: idempotence, a new report version, and tests that catch bad data."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from dbt_test_helpers import MARTS, SeedWarehouse, query

from gongkai.build import dbt_build, dbt_docs_generate, dbt_test
from gongkai.config import REPO_ROOT, Settings
from gongkai.fixtures_loader import SEED_REPORTS, seed_document_id, write_document
from gongkai.staging import connect

pytestmark = pytest.mark.slow


def _fingerprints(db: Path) -> dict[str, str]:
    """sha256 of every mart's rows ordered by key, values rendered exactly (repr of floats and dates)."""
    out = {}
    for mart in MARTS:
        h = hashlib.sha256()
        for row in query(db, f"select * from main.{mart} order by key"):
            h.update(repr(row).encode())
        out[mart] = h.hexdigest()
    return out


def test_rebuild_from_the_same_staging_gives_identical_marts(copy_warehouse: Callable[[], Settings]) -> None:
    settings = copy_warehouse()
    before = _fingerprints(settings.warehouse_db)
    assert dbt_build(settings, full_refresh=True).success  # from scratch, same staging
    assert _fingerprints(settings.warehouse_db) == before


def test_new_version_wins_and_the_old_one_is_kept(copy_warehouse: Callable[[], Settings]) -> None:
    from gongkai.parsing.step import parse_staged

    settings = copy_warehouse()
    seed = SEED_REPORTS[1]  # 海曙区人民政府 2018
    doc = seed_document_id(seed)
    text = (REPO_ROOT / "fixtures" / "reports" / f"{seed.stem}.txt").read_text(encoding="utf-8")
    write_document(settings, seed, text + "\n", version=2)  # a revised page: new bytes, same figures
    parse_staged(settings, document_ids=[doc])
    result = dbt_build(settings)  # incremental
    assert result.success, result.failures
    db = settings.warehouse_db
    counts = dict(
        query(
            db,
            "select version, count(*) from main.fct_indicator_value where document_id = ? group by 1",
            [doc],
        )
    )
    assert set(counts) == {1, 2} and counts[1] == counts[2]
    latest = query(
        db, "select version, is_latest from main.dim_report where document_id = ? order by 1", [doc]
    )
    assert latest == [(1, False), (2, True)]
    assert query(
        db,
        "select distinct version, is_latest from main.fct_indicator_value where document_id = ? order by 1",
        [doc],
    ) == [(1, False), (2, True)]
    assert query(db, "select version from main.mart_agency_year where document_id = ?", [doc]) == [(2,)]
    incremental = _fingerprints(db)
    assert dbt_build(settings, full_refresh=True).success
    assert _fingerprints(db) == incremental  # the incremental fact equals a full rebuild


def test_tests_catch_unknown_indicator_vanished_report_duplicate_and_orphan_keys(
    copy_warehouse: Callable[[], Settings],
) -> None:
    import csv

    import duckdb

    settings = copy_warehouse()
    doc = seed_document_id(SEED_REPORTS[0])
    with (settings.dbt_project_dir / "seeds" / "indicator_crosswalk.csv").open(encoding="utf-8") as f:
        crosswalk = list(csv.DictReader(f))
    not_in_g1 = sorted(
        {r["indicator"] for r in crosswalk} - {r["indicator"] for r in crosswalk if r["generation"] == "G1"}
    )
    with connect(settings.staging_db) as con:
        # a parsed cell whose indicator is in no crosswalk
        con.execute(
            "insert into parsed_cells by name select * replace (9999 as cell_no, '虚构行' as row_label, "
            "'not_a_real_indicator' as indicator, 1 as value, '1' as raw, false as approximate) "
            "from parsed_cells where document_id = ? and source = 'table' limit 1",
            [doc],
        )
        # staging gains a parsed report the warehouse never got
        con.execute(
            "insert into parse_results by name "
            "select * replace ('ffffffffffffffff' as document_id) from parse_results limit 1"
        )
    with duckdb.connect(str(settings.warehouse_db)) as con:
        con.execute("insert into main.dim_agency select * from main.dim_agency limit 1")  # duplicate key
        con.execute(
            "update main.fct_indicator_value set report_key = 'orphan' where cell_no = 1"
        )  # orphan FK
        # a G1 table value under an indicator the G1 crosswalk does not have
        con.execute(
            "update main.fct_indicator_value set indicator = ? where key = "
            "(select min(key) from main.fct_indicator_value where generation = 'G1' and source = 'table')",
            [not_in_g1[0]],
        )
    result = dbt_test(
        settings, select="stg_parsed_cells assert_parsed_reports_reconcile dim_agency fct_indicator_value"
    )
    assert not result.success
    failed = {f["node"] for f in result.failures}
    for expected in (
        "test.gongkai.relationships_stg_parsed_cells_indicator",
        "test.gongkai.assert_parsed_reports_reconcile",
        "test.gongkai.unique_dim_agency_key",
        "test.gongkai.relationships_fct_indicator_value_report_key",
        "test.gongkai.table_values_indicator_in_crosswalk_of_their_generation",
    ):
        assert any(n.startswith(expected) for n in failed), (expected, failed)


def test_docs_generate_works_offline(seed_warehouse: SeedWarehouse, tmp_path: Path) -> None:
    result = dbt_docs_generate(seed_warehouse.copy_to(tmp_path / "docs"))
    assert result.success, result.error
    catalog = (Path(result.docs_dir) / "catalog.json").read_text()
    assert "model.gongkai.mart_agency_year" in catalog and (Path(result.docs_dir) / "index.html").exists()
    # --static: one self-contained page (manifest and catalog inlined) that opens from file://
    static = (Path(result.docs_dir) / "static_index.html").read_text()
    assert "model.gongkai.mart_agency_year" in static and "catalog.json" not in static.split("<script")[0]

"""The synthetic staging generator of benchmarks/dbt_bench.py (no dbt run: fast)."""

from __future__ import annotations

from benchmarks.dbt_bench import write_synthetic_staging
from gongkai.config import Settings
from gongkai.staging import connect


def test_synthetic_reports_are_labelled_and_follow_the_crosswalk(settings: Settings) -> None:
    counts = write_synthetic_staging(settings.staging_db, 30)
    assert counts["documents"] == counts["parse_results"] == 30
    with connect(settings.staging_db, read_only=True) as con:
        assert con.execute("select bool_and(is_synthetic) from documents").fetchall() == [(True,)]
        by_gen = dict(con.execute("select generation, count(*) from parse_results group by 1").fetchall())
        assert by_gen == {"G1": 21, "G2": 6, "G3": 3}
        quarantined = con.execute(
            "select count(*) from parse_results where status = 'quarantined'"
        ).fetchall()
        assert quarantined == [(1,)]  # report 0: every 97th
        # every cell's (generation, table, row, column) is a crosswalk row with the same indicator
        crosswalk = settings.dbt_project_dir / "seeds" / "indicator_crosswalk.csv"
        unmatched = con.execute(
            f"""select count(*) from parsed_cells c join parse_results r using (document_id, version)
                where not exists (select 1 from read_csv('{crosswalk}', all_varchar = true) x
                  where x.generation = r.generation and x.table_id = c.table_id and x.row_label = c.row_label
                    and x.column_label is not distinct from c.column_label and x.indicator = c.indicator)"""
        ).fetchall()
        assert unmatched == [(0,)]
    again = write_synthetic_staging(settings.staging_db, 1, start=30, parsed_at="2026-01-02 00:00:00")
    assert again["documents"] == 31

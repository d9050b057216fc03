"""Suites on small hand-made frames: chunked reading keeps duplicates together, and the
year-over-year warning follows its configurable factor."""

from __future__ import annotations

import duckdb
import great_expectations.expectations as gxe

from expectations.checkpoint import run_checkpoint
from expectations.frames import Frame, read_chunks
from expectations.suites import GateParams, Suite, blocking, warnings


def test_chunks_partition_by_key_so_duplicates_meet() -> None:
    con = duckdb.connect()
    con.execute("create table t as select i % 900 as k, i from range(1000) r(i)")  # 100 keys twice
    chunks = list(read_chunks(con, Frame("t", "select k, i from t", partition_key="k"), chunk_rows=100))
    assert len(chunks) == 10 and sum(len(c) for c in chunks) == 1000
    assert sum(int(c["k"].duplicated().sum()) for c in chunks) == 100  # every pair lands in one chunk

    suite = Suite(
        "t_keys",
        "test",
        Frame("t", "select k from t", partition_key="k"),
        (blocking(gxe.ExpectColumnValuesToBeUnique, "k is unique", column="k"),),
    )
    [outcome], [run] = run_checkpoint(con, [suite], run_name="chunks", chunk_rows=100)
    assert run.chunks == 10 and run.rows == 1000
    assert not outcome.success and outcome.severity == "blocking"
    assert outcome.element_count == 1000 and outcome.unexpected_count == 200


def _series(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        create table main.mart_indicator_series as
        select * from (values
            ('k1', 'haishu', 'requests_received', 'total', 2017, 'G1', 10.0),
            ('k2', 'haishu', 'requests_received', 'total', 2018, 'G1', 150.0),
            ('k3', 'haishu', 'requests_received', 'total', 2019, 'G2', 140.0),
            ('k4', 'zhenhai', 'requests_received', 'total', 2016, 'G1', 2.0),
            ('k5', 'zhenhai', 'requests_received', 'total', 2018, 'G1', 90.0)
        ) v(key, agency_code, indicator, applicant, report_year, generation, value)
        """
    )


def test_year_over_year_warning_uses_its_factor() -> None:
    con = duckdb.connect()
    _series(con)

    def jumps(factor: float):
        suite = [s for s in warnings.suites(GateParams(yoy_factor=factor)) if s.name == "warn_year_over_year"]
        [outcome], _ = run_checkpoint(con, suite, run_name=f"yoy-{factor}")
        return outcome

    strict = jumps(10)
    assert strict.severity == "warning" and not strict.success
    # 10 → 150 is a 15-fold jump; 2016 → 2018 is not consecutive, so 2 → 90 is not compared
    assert strict.sample == ["haishu requests_received (total) 2017 → 2018: 10.0 → 150.0"]
    assert (strict.element_count, strict.unexpected_count) == (5, 1)
    assert jumps(20).success

    # a second jump of the same indicator: GX sees one row (the first series as the example) that
    # stands for both, and the outcome counts both rows
    con.execute(
        "insert into main.mart_indicator_series values ('k6', 'zhenhai', 'requests_received', 'total', 2019,"
        " 'G2', 3.0), ('k7', 'beilun', 'requests_received', 'total', 2020, 'G2', 1.0)"
    )
    two = jumps(10)
    assert two.sample == ["haishu requests_received (total) 2017 → 2018: 10.0 → 150.0 (1 of 2)"]
    assert (two.element_count, two.unexpected_count) == (7, 2)


def test_compact_frames_count_rows_like_the_whole_table() -> None:
    """A table suite hands GX only the rows that can fail and the distinct values with their row
    counts, yet every outcome counts table rows as validating the whole table would."""
    from expectations.compact import fk, table_suite

    con = duckdb.connect()
    con.execute("create table main.parent as select 'p' || i as key from range(5) r(i)")
    con.execute(
        """
        create table main.child as
        select 'k' || i as key, 'p' || (i % 7) as parent_key,  -- p5, p6 do not resolve
               case when i % 10 = 0 then 'bad' else 'good' end as status,
               case when i % 25 = 0 then -1 else i % 3 end as n
        from range(1000) r(i)
        union all select 'k1', 'p1', 'good', 1  -- a duplicated key (2 rows)
        union all select null, 'p1', 'good', 1  -- a NULL key
        """
    )
    suite = table_suite(
        "child",
        "test",
        "main.child",
        [
            blocking(gxe.ExpectColumnValuesToBeUnique, "key is unique", column="key"),
            blocking(gxe.ExpectColumnValuesToNotBeNull, "key is not null", column="key"),
            blocking(gxe.ExpectColumnValuesToBeNull, "parent resolves", column="orphan_parent_key"),
            blocking(gxe.ExpectColumnValuesToBeInSet, "status is good", column="status", value_set=["good"]),
            blocking(gxe.ExpectColumnValuesToBeBetween, "n is not negative", column="n", min_value=0),
        ],
        orphans=[fk("parent_key", "parent")],
    )
    outcomes, [run] = run_checkpoint(con, [suite], run_name="compact")
    orphans = con.sql("select count(*) from main.child where parent_key in ('p5', 'p6')").fetchall()[0][0]
    by_type = {o.expectation: (o.success, o.element_count, o.unexpected_count) for o in outcomes}
    assert by_type["expect_column_values_to_be_unique"] == (
        False,
        1002,
        2,
    )  # both k1 rows; NULL is no duplicate
    assert by_type["expect_column_values_to_not_be_null"] == (False, 1002, 1)
    assert by_type["expect_column_values_to_be_null"] == (False, 1002, orphans)
    assert by_type["expect_column_values_to_be_in_set"] == (False, 1002, 100)
    assert by_type["expect_column_values_to_be_between"] == (False, 1002, 40)
    assert run.rows == 1002 and run.frame_rows < 1002  # GX saw a compact frame
    bad = next(o for o in outcomes if o.expectation == "expect_column_values_to_be_in_set")
    assert bad.sample == ["bad"]  # once, though it occurs with several values of n


def test_mart_rules_come_from_the_dbt_contracts(tmp_path) -> None:
    """The accepted values, keys and foreign keys the gate checks are the ones the marts' yml files
    declare: a value added to a yml file is accepted by the gate without touching the suites."""
    import shutil

    import yaml

    from expectations.contracts import mart_rules
    from expectations.suites import marts
    from gongkai.config import REPO_ROOT

    def value_sets(project) -> dict[str, list]:
        params = GateParams(mart_rules=mart_rules(project))
        suite = {s.name: s for s in marts.suites(params)}["mart_publication_timeliness"]
        return {
            e.column: list(e.value_set)
            for part in suite.parts()
            for e in part.expectations
            if isinstance(e, gxe.ExpectColumnValuesToBeInSet)
        }

    project = REPO_ROOT / "dbt_project"
    declared = yaml.safe_load((project / "models/marts/mart_publication_timeliness.yml").read_text("utf-8"))
    [status] = [c for c in declared["models"][0]["columns"] if c["name"] == "status"]
    [accepted] = [
        t["accepted_values"] for t in status["data_tests"] if isinstance(t, dict) and "accepted_values" in t
    ]
    assert value_sets(project)["status"] == accepted["arguments"]["values"]

    copy = tmp_path / "dbt_project"
    shutil.copytree(project / "models", copy / "models")
    path = copy / "models/marts/mart_publication_timeliness.yml"
    path.write_text(
        path.read_text("utf-8").replace("values: [on_time,", "values: [exempt, on_time,"), "utf-8"
    )
    if "values: [on_time," in (project / "models/marts/mart_publication_timeliness.yml").read_text("utf-8"):
        assert value_sets(copy)["status"][0] == "exempt"
    rules = mart_rules(project)
    assert rules["fct_indicator_value"].relationships["report_key"] == "dim_report"
    assert rules["dim_report"].unique_together == [["document_id", "version"]]
    assert "mart_report_quality" in rules

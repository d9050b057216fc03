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
    assert jumps(20).success

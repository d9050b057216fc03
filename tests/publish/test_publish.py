"""Publishing: the serving copy is complete, old-DuckDB-readable, atomic, and kept on a failed gate."""

from __future__ import annotations

import os

import duckdb
from publish_fixtures import make_warehouse, sha256_of, validation

from gongkai.config import Settings
from gongkai.publish import STORAGE_VERSION, publish


def test_publish_copies_tables_with_old_storage_version_and_parquet(warehouse: Settings) -> None:
    with duckdb.connect(str(warehouse.warehouse_db), read_only=True) as con:
        stored = con.execute(
            "select tags['storage_version'] from duckdb_databases() where not internal"
        ).fetchone()
    result = publish(warehouse, validation=validation(True, warehouse))

    assert result.published, result.reason
    assert result.phases["file_copy"] == float(stored[0].startswith(STORAGE_VERSION))
    assert result.tables == {"main.dim_report": 50, "main.fct_indicator_value": 200, "seeds.generations": 1}
    con = duckdb.connect()
    con.execute(f"attach '{warehouse.serving_db}' as pub (read_only)")
    tags = con.execute("select tags from duckdb_databases() where database_name = 'pub'").fetchone()[0]
    assert tags["storage_version"].startswith(STORAGE_VERSION)
    assert con.execute("select count(*) from pub.main.fct_indicator_value").fetchone()[0] == 200
    # views reading the staging layer are not published (BI tools could not resolve them)
    assert (
        con.execute(
            "select count(*) from duckdb_views() where database_name = 'pub' and not internal"
        ).fetchone()[0]
        == 0
    )
    # nor is the dbt build's bookkeeping
    assert (
        con.execute(
            "select count(*) from duckdb_schemas() where database_name = 'pub'"
            " and schema_name = 'build_state'"
        ).fetchone()[0]
        == 0
    )
    manifest = dict(con.execute("select table_name, row_count from pub.main.publish_manifest").fetchall())
    assert manifest == result.tables
    assert result.phases["parquet_staged"] == 0.0 and not result.revalidated
    assert con.execute("select distinct validation_run_id from pub.main.publish_manifest").fetchall() == [
        ("test-run-ok",)
    ]
    con.close()

    # one snapshot folder holds both; the stable paths lead to it through serving/current
    snapshot = warehouse.serving_dir / "snapshots" / result.publish_id
    assert os.readlink(warehouse.serving_dir / "current") == f"snapshots/{result.publish_id}"
    assert os.path.samefile(warehouse.serving_db, snapshot / "warehouse.duckdb")
    assert os.path.samefile(warehouse.parquet_dir, snapshot / "parquet")
    files = sorted(p.name for p in warehouse.parquet_dir.glob("*.parquet"))
    assert files == ["dim_report.parquet", "fct_indicator_value.parquet", "publish_manifest.parquet"]
    rows = duckdb.sql(
        f"select count(*) from '{warehouse.parquet_dir}/fct_indicator_value.parquet'"
    ).fetchall()[0][0]
    assert rows == 200
    assert not list(warehouse.serving_dir.glob(".warehouse.*"))  # no temporary file left behind


def test_failed_gate_publishes_nothing_and_keeps_previous_copy(warehouse: Settings) -> None:
    assert publish(warehouse, validation=validation(True, warehouse)).published
    before_db = sha256_of(warehouse.serving_db)
    before = os.readlink(warehouse.serving_dir / "current")
    with duckdb.connect(str(warehouse.warehouse_db)) as con:
        con.execute("delete from main.dim_report where report_year = 2012")

    result = publish(warehouse, validation=validation(False, warehouse))

    assert not result.published
    assert "gate failed" in result.reason and "previous serving copy stays" in result.reason
    assert sha256_of(warehouse.serving_db) == before_db
    assert os.readlink(warehouse.serving_dir / "current") == before


def test_a_copy_that_fails_midway_keeps_previous_copy(warehouse: Settings) -> None:
    assert publish(warehouse, validation=validation(True, warehouse)).published
    before = sha256_of(warehouse.serving_db)
    warehouse.warehouse_db.write_bytes(b"not a duckdb file")  # corrupted after its gate verdict
    verdict = validation(True, warehouse)  # a verdict that matches the corrupt file: the copy fails

    result = publish(warehouse, validation=verdict)

    assert not result.published and not result.revalidated
    assert result.reason.startswith("publish failed:")
    assert sha256_of(warehouse.serving_db) == before
    assert not list(warehouse.serving_dir.glob(".building-*"))
    assert len(list((warehouse.serving_dir / "snapshots").iterdir())) == 1


def test_old_snapshots_are_pruned(warehouse: Settings) -> None:
    ids = [publish(warehouse, validation=validation(True, warehouse)).publish_id for _ in range(5)]
    snapshots = sorted(p.name for p in (warehouse.serving_dir / "snapshots").iterdir())
    assert snapshots == ids[-3:]
    assert os.readlink(warehouse.serving_dir / "current") == f"snapshots/{ids[-1]}"


def test_parquet_files_hold_every_row_and_write_random_keys_plain(settings: Settings) -> None:
    """The Parquet files equal the tables; a key column of distinct md5 values is written without a
    dictionary and without min/max statistics, a repeated column with both; an empty table still
    gets its file (schema, no rows)."""
    import pyarrow.parquet as pq

    make_warehouse(settings.warehouse_db, reports=500)
    with duckdb.connect(str(settings.warehouse_db)) as con:
        con.execute("create table main.mart_empty as select * from main.dim_report where false")
    assert publish(settings, validation=validation(True, settings)).published

    folder = settings.parquet_dir
    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        for table in ("fct_indicator_value", "dim_report", "mart_empty"):
            published = con.execute(f"select * from main.{table} order by all").fetchall()
            exported = con.execute(f"select * from '{folder}/{table}.parquet' order by all").fetchall()
            assert exported == published, table
    assert published == []  # mart_empty: the last one compared
    chunks = {
        c.path_in_schema: c
        for c in (
            pq.ParquetFile(folder / "fct_indicator_value.parquet").metadata.row_group(0).column(i)
            for i in range(4)
        )
    }
    assert not any("DICTIONARY" in e for e in chunks["key"].encodings)
    assert not chunks["key"].is_stats_set
    assert any("DICTIONARY" in e for e in chunks["report_key"].encodings)  # 500 keys in 2,000 rows
    assert chunks["report_key"].is_stats_set


def test_a_candidate_outside_the_serving_folder_is_neither_used_nor_deleted(
    warehouse: Settings, tmp_path_factory
) -> None:
    """Publish deletes the gate's staged folder after use: a path from elsewhere (a hand-made or
    tampered validation result) is ignored, not removed."""
    import dataclasses

    elsewhere = tmp_path_factory.mktemp("elsewhere") / ".parquet-candidate-x"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine", encoding="utf-8")
    result = publish(
        warehouse,
        validation=dataclasses.replace(validation(True, warehouse), parquet_candidate=str(elsewhere)),
    )

    assert result.published and result.phases["parquet_staged"] == 0.0
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (warehouse.parquet_dir / "fct_indicator_value.parquet").exists()


def test_a_data_home_whose_path_holds_a_quote_publishes_and_validates_staging(tmp_path) -> None:
    """/home/o'brien/…: every path the SQL names is a quoted literal (before: a Parser Error at the
    first ATTACH, in the gate and in every publish)."""
    from gongkai import staging
    from gongkai.config import WAREHOUSE_DUCKDB_CONFIG
    from gongkai.database import attach_staging

    settings = Settings.at(tmp_path / "o'brien's data" / "home")
    settings.ensure_dirs()
    make_warehouse(settings.warehouse_db, config=WAREHOUSE_DUCKDB_CONFIG)
    for _ in range(2):  # the second compares with the served copy (the volume guard ATTACHes it)
        result = publish(settings, validation=validation(True, settings))
        assert result.published, result.reason
    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        assert con.execute("select count(*) from main.fct_indicator_value").fetchone()[0] == 200
    parquet = sorted(settings.parquet_dir.glob("*.parquet"))
    assert parquet and all(p.stat().st_size > 0 for p in parquet)
    with staging.connect(settings.staging_db):
        pass
    con = duckdb.connect()
    attach_staging(con, settings.staging_db)
    assert con.execute("select count(*) from staging.main.raw_texts").fetchone()[0] == 0

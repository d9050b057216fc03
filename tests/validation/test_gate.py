"""The gate on a real warehouse (five seeds + one made inconsistent, real parser, real dbt):
warnings publish, broken warehouses do not, and the previous serving copy stays."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from gate_fixtures import GateWarehouse, sha256_of

from expectations.data_docs import remote_references
from gongkai.config import REPO_ROOT, Settings
from gongkai.publish import publish
from gongkai.validate import run_validation

pytestmark = pytest.mark.slow  # the session warehouse is a real dbt build


def _failing(result, severity: str) -> dict[str, list]:
    return {
        f"{f['suite']}:{f['column'] or f['expectation']}": f["sample"]
        for f in result.failures
        if f["severity"] == severity
    }


def test_seed_warehouse_passes_and_publishes_with_warnings(gate_warehouse: GateWarehouse) -> None:
    v = gate_warehouse.validation
    assert v.success and v.blocking_failed == 0, v.failures
    assert gate_warehouse.published.published, gate_warehouse.published.reason
    warnings = _failing(v, "warning")
    # seed 002: prose says 649 items disclosed, its table says 260 (a fact, not a reason to block)
    assert any(
        "zhenhai-econ-coop 2018" in s and "proactive_total: table 260.0, prose 649.0" in s
        for s in warnings["warn_prose_vs_table:disagreement"]
    )
    # the made-up inconsistency: 行政复议数量 11 ≠ 7 + 2 + 0
    doc = gate_warehouse.miscounted_id
    assert any(
        doc in s and "g1_reviews_by_outcome" in s for s in warnings["warn_identities:failing_identity"]
    )


def test_inconsistent_report_is_in_the_published_identity_audit(gate_warehouse: GateWarehouse) -> None:
    s = gate_warehouse.settings
    with duckdb.connect(str(s.serving_db), read_only=True) as con:
        audit = con.execute(
            "select status, detail from main.mart_identity_audit where document_id = ? and identity = 'g1_reviews_by_outcome'",
            [gate_warehouse.miscounted_id],
        ).fetchall()
        runs = con.execute(
            "select run_id, success, blocking_failed, warnings from main.validation_runs"
        ).fetchall()
        stored_warnings = con.execute(
            "select suite, unexpected_count from main.validation_results where run_id = ? and not success",
            [gate_warehouse.validation.run_id],
        ).fetchall()
    assert [row[0] for row in audit] == ["fails"]
    assert "11" in audit[0][1]
    assert runs == [(gate_warehouse.validation.run_id, True, 0, gate_warehouse.validation.warnings)]
    assert {suite for suite, _ in stored_warnings} >= {"warn_identities", "warn_prose_vs_table"}


def test_run_is_stored_as_json_and_offline_data_docs(gate_warehouse: GateWarehouse) -> None:
    v = gate_warehouse.validation
    stored = json.loads(Path(v.results_path).read_text(encoding="utf-8"))
    assert stored["run_id"] == v.run_id and stored["success"] is True
    assert len(stored["results"]) == v.expectations > 100
    docs = Path(v.data_docs_path)
    assert docs.name == "index.html" and docs.exists()
    site = docs.parent
    assert remote_references(site) == []  # every stylesheet and script is local
    html = docs.read_text(encoding="utf-8")
    assert "static/vendor/css/bootstrap.min.css" in html and "static/vendor/js/jquery.min.js" in html
    assert (site / "static/vendor/css/bootstrap.min.css").stat().st_size > 100_000
    assert any(site.glob("validations/**/*.html"))


BREAKS = {
    "duplicate_report": (
        "insert into main.dim_report select * from main.dim_report"
        " where document_id = (select min(document_id) from main.dim_report)",
        {"mart_dim_report:key", "mart_dim_report:document_id,version", "reconcile_counts:mismatch"},
    ),
    "delete_dimension_row": (
        "delete from main.dim_agency where agency_code = 'haishu'",
        {"mart_dim_report:orphan_agency_key", "mart_fct_indicator_value:orphan_agency_key"},
    ),
    "drop_facts": (  # every report's facts lose a row: too many documents to quarantine
        "delete from main.fct_indicator_value where indicator = 'requests_received'",
        {"documents_quarantined:document_id"},
    ),
    "changed_fact_grain": (  # as many facts as staged cells, but one names another source
        "update main.fct_indicator_value set source = 'tampered'"
        " where key = (select min(key) from main.fct_indicator_value where indicator = 'requests_received')",
        {"mart_fct_indicator_value:source"},
    ),
    "negative_count": (
        "update main.fct_indicator_value set value = -3 where indicator = 'requests_received'",
        {"documents_quarantined:document_id"},
    ),
    "missing_mart": (
        "drop table main.mart_identity_audit",
        {"mart_identity_audit:frame_is_readable", "warn_identities:frame_is_readable"},
    ),
}


@pytest.mark.parametrize("damage", sorted(BREAKS))
def test_broken_warehouse_fails_the_gate_and_keeps_the_serving_copy(gate_copy: Settings, damage: str) -> None:
    sql, expected = BREAKS[damage]
    before = sha256_of(gate_copy.serving_db)
    parquet_before = os.readlink(gate_copy.serving_dir / "current")
    with duckdb.connect(str(gate_copy.warehouse_db)) as con:
        con.execute(sql)

    if damage == "duplicate_report":  # publish runs the gate itself
        result = publish(gate_copy)
    else:  # the pipeline's way: validate (Data Docs skipped to save time), then publish
        result = publish(gate_copy, validation=run_validation(gate_copy, data_docs=False, stage_parquet=True))

    assert not result.published
    assert "gate failed" in result.reason
    assert expected <= set(_failing_from_file(gate_copy, result.validation_run_id))
    assert sha256_of(gate_copy.serving_db) == before
    assert os.readlink(gate_copy.serving_dir / "current") == parquet_before
    assert not list(gate_copy.serving_dir.glob(".parquet-candidate-*"))  # staged files deleted


def _failing_from_file(settings: Settings, run_id: str | None) -> dict[str, list]:
    stored = json.loads((settings.validation_dir / "runs" / f"{run_id}.json").read_text(encoding="utf-8"))
    assert stored["success"] is False
    return {
        f"{r['suite']}:{r['column'] or r['expectation']}": r["sample"]
        for r in stored["results"]
        if not r["success"] and r["severity"] == "blocking"
    }


def test_cli_prints_summary_and_exits_non_zero_on_blocking_failure(gate_copy: Settings) -> None:
    with duckdb.connect(str(gate_copy.warehouse_db)) as con:
        dropped = con.execute(
            "delete from main.fct_indicator_value where indicator = 'requests_received'"
        ).fetchall()[0][0]
    assert dropped >= 6  # one per report at least (the table cell)
    out = subprocess.run(  # the installed entry point, as a user runs it
        [
            sys.executable,
            "-c",
            "import sys\nfrom gongkai.cli import main\nmain(sys.argv[1:])",
            "validate",
            "--no-docs",
        ],
        cwd=REPO_ROOT,
        env={**os.environ, **gate_copy.env()},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FAILED" in out.stdout and "documents_quarantined" in out.stdout
    assert "facts do not match the staged cells" in out.stdout
    assert len(out.stdout.splitlines()) < 40  # one screen


def _parquet_rows(settings: Settings) -> dict[str, int]:
    return {
        f.stem: duckdb.sql(f"select count(*) from '{f}'").fetchall()[0][0]
        for f in sorted(settings.parquet_dir.glob("*.parquet"))
    }


def test_parquet_staged_during_the_gate_is_what_gets_published(gate_copy: Settings) -> None:
    """The gate writes the Parquet files beside the suites into a hidden candidate folder; publish
    swaps them in and adds the gate's own tables, written after the candidate."""
    validation = run_validation(gate_copy, data_docs=False, stage_parquet=True)
    candidate = Path(validation.parquet_candidate)
    assert validation.success and candidate.is_dir() and candidate.name.startswith(".parquet-candidate-")
    assert "fct_indicator_value.parquet" in {f.name for f in candidate.iterdir()}
    assert "validation_runs.parquet" not in {f.name for f in candidate.iterdir()}

    result = publish(gate_copy, validation=validation)

    assert result.published and result.phases["parquet_staged"] == 1.0
    assert not candidate.exists()
    assert os.readlink(gate_copy.serving_dir / "current") == f"snapshots/{result.publish_id}"
    with duckdb.connect(str(gate_copy.serving_db), read_only=True) as con:
        manifest = dict(con.execute("select table_name, row_count from main.publish_manifest").fetchall())
        runs = con.execute("select run_id from main.validation_runs").fetchall()
    rows = _parquet_rows(gate_copy)
    assert rows == {
        name.removeprefix("main."): n for name, n in manifest.items() if name.startswith("main.")
    } | {"publish_manifest": len(manifest)}
    assert rows["fct_indicator_value"] > 100 and rows["validation_runs"] == len(runs)
    parquet_runs = duckdb.sql(
        f"select run_id from '{gate_copy.parquet_dir}/validation_runs.parquet'"
    ).fetchall()
    assert (validation.run_id,) in parquet_runs  # the gate's tables are this run's, not the candidate's


def test_a_warehouse_changed_after_the_gate_is_validated_again(gate_copy: Settings) -> None:
    """The verdict is about the file the gate read: after a write, publish runs the gate again (its
    own staged Parquet files replace the first gate's, which are deleted)."""
    validation = run_validation(gate_copy, data_docs=False, stage_parquet=True)
    with duckdb.connect(str(gate_copy.warehouse_db)) as con:  # a write after the gate
        con.execute("create table main.mart_note as select 'added after the gate' as note")

    result = publish(gate_copy, validation=validation)

    assert result.published and result.revalidated
    assert result.validation_run_id != validation.run_id
    assert not Path(validation.parquet_candidate).exists()
    assert _parquet_rows(gate_copy)["mart_note"] == 1

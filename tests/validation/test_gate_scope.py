"""The gate validates what changed since the last gate that passed, with a full gate's verdict.

Each damage below is done twice, to two private copies of the session's warehouse (which carry the
state its passing gate left): one copy is validated in the default scope (a delta gate, since only
document rows changed), the other with ``full=True``. Pass or block, the failing blocking rules and
the quarantined documents with their reasons must be the same, whether the damage is inside what the
last build wrote or outside it (an old report, staging, a dimension)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from gate_fixtures import GateWarehouse

from gongkai.config import WAREHOUSE_DUCKDB_CONFIG, Settings
from gongkai.validate import ValidationResult, run_validation

pytestmark = pytest.mark.slow  # the session warehouse is a real dbt build

HAISHU_2018 = "agency_code = 'haishu' and report_year = 2018"
DAMAGE = {
    # one old report's value changed after the build: that report is quarantined
    "fact_x1000_one_report": (
        "warehouse",
        f"update main.fct_indicator_value set value = value * 1000 where {HAISHU_2018} and value > 0",
    ),
    "series_negative_one_report": (
        "warehouse",
        "update main.mart_indicator_series set value = -value - 1"
        " where agency_code = 'haishu' and indicator = 'requests_received'",
    ),
    # every value: table-wide, blocks
    "series_plus_1000_everywhere": (
        "warehouse",
        "update main.mart_indicator_series set value = value + 1000",
    ),
    "series_rows_deleted": (
        "warehouse",
        "delete from main.mart_indicator_series where indicator like 'results_%'",
    ),
    "agency_year_value_changed": (
        "warehouse",
        f"update main.mart_agency_year set requests_received = requests_received + 1 where {HAISHU_2018}",
    ),
    "fact_row_doubled": (
        "warehouse",
        "insert into main.fct_indicator_value select * from main.fct_indicator_value"
        " where key = (select min(key) from main.fct_indicator_value)",
    ),
    "series_key_null": (
        "warehouse",
        "update main.mart_indicator_series set key = null where key = (select min(key) from main.mart_indicator_series)",
    ),
    # a dimension row that old facts point at is gone (the facts did not change)
    "agency_dimension_row_deleted": (
        "warehouse",
        "delete from main.dim_agency where key = (select min(agency_key) from main.fct_indicator_value)",
    ),
    # staging changed under an old report: its facts no longer equal its staged cells
    "staged_cell_changed": (
        "staging",
        "update parsed_cells set value = value + 7 where indicator = 'requests_received'"
        " and document_id = (select min(document_id) from parsed_cells where indicator = 'requests_received')",
    ),
}


EVERY_REPORT = {"series_plus_1000_everywhere", "series_rows_deleted"}


def _copy(gate_warehouse: GateWarehouse, home: Path) -> Settings:
    """A private copy of the session warehouse with the state its passing gate left."""
    s = gate_warehouse.copy_to(home)
    shutil.copytree(gate_warehouse.settings.validation_dir / "state", s.validation_dir / "state")
    return s


def _write(settings: Settings, database: str, sql: str) -> None:
    path = settings.warehouse_db if database == "warehouse" else settings.staging_db
    with duckdb.connect(str(path), config=WAREHOUSE_DUCKDB_CONFIG if database == "warehouse" else {}) as con:
        con.execute(sql)


def _verdict(v: ValidationResult) -> dict:
    return {
        "success": v.success,
        "blocking": sorted(
            {(f["suite"], f["expectation"], f["column"]) for f in v.failures if f["severity"] == "blocking"}
        ),
        "quarantined": {q["document_id"]: q["reasons"] for q in v.quarantined},
    }


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_delta_gate_gives_the_full_gates_verdict(
    gate_warehouse: GateWarehouse, tmp_path: Path, damage: str
) -> None:
    database, sql = DAMAGE[damage]
    delta_home, full_home = (
        _copy(gate_warehouse, tmp_path / "delta"),
        _copy(gate_warehouse, tmp_path / "full"),
    )
    for s in (delta_home, full_home):
        _write(s, database, sql)

    delta = run_validation(delta_home, data_docs=False)
    full = run_validation(full_home, data_docs=False, full=True)

    assert full.scope["mode"] == "full"
    assert _verdict(delta) == _verdict(full)
    assert not full.success or full.quarantined  # every damage here is caught, by both
    if damage in EVERY_REPORT:  # most documents changed: reading every row is cheaper than copying
        assert delta.scope["mode"] == "full" and "documents changed" in delta.scope["reason"]
        return
    # the delta gate looked at a few documents, not the warehouse
    with duckdb.connect(str(delta_home.warehouse_db), read_only=True) as con:
        reports = con.execute("select count(*) from main.dim_report").fetchone()[0]
    assert delta.scope["mode"] == "delta", delta.scope
    assert 0 < delta.scope["documents"] < reports


def test_an_unchanged_warehouse_carries_every_table_suite(
    gate_warehouse: GateWarehouse, tmp_path: Path
) -> None:
    s = _copy(gate_warehouse, tmp_path / "same")
    first = gate_warehouse.validation
    v = run_validation(s, data_docs=False)
    assert v.success and v.scope["mode"] == "delta" and v.scope["documents"] == 0
    carried = {r["suite"] for r in v.summary if r.get("carried_from")}
    table_suites = {r["suite"] for r in first.summary if r["family"] in ("staging", "marts", "warnings")}
    assert carried == table_suites
    # the warnings the first gate found are carried with their counts, not lost
    assert v.warnings == first.warnings > 0
    stored = json.loads(Path(v.results_path).read_text(encoding="utf-8"))
    assert stored["scope"]["mode"] == "delta"


def test_changed_rules_or_a_full_request_validate_every_row(
    gate_warehouse: GateWarehouse, tmp_path: Path
) -> None:
    s = _copy(gate_warehouse, tmp_path / "rules")
    v = run_validation(s, data_docs=False, yoy_factor=3.0)
    assert v.scope["mode"] == "full" and "parameters" in v.scope["reason"]
    asked = run_validation(s, data_docs=False, yoy_factor=3.0, full=True)
    assert asked.scope == {
        "mode": "full",
        "reason": "a full gate was asked for",
        "documents": 0,
        "changed": 0,
    }


def test_a_failing_gate_leaves_the_last_passing_state(gate_warehouse: GateWarehouse, tmp_path: Path) -> None:
    s = _copy(gate_warehouse, tmp_path / "fail")
    state = s.validation_dir / "state" / "gate_state.json"
    before = json.loads(state.read_text(encoding="utf-8"))["run_id"]
    _write(s, "warehouse", DAMAGE["fact_row_doubled"][1])  # a duplicate key: blocks
    first = run_validation(s, data_docs=False)
    assert not first.success
    assert json.loads(state.read_text(encoding="utf-8"))["run_id"] == before
    again = run_validation(s, data_docs=False)  # still compared with the last gate that passed
    assert not again.success and again.scope["mode"] == "delta"
    assert _verdict(again) == _verdict(first)


def test_an_unreadable_state_means_a_full_gate_not_a_crash(
    gate_warehouse: GateWarehouse, tmp_path: Path
) -> None:
    s = _copy(gate_warehouse, tmp_path / "garbage")
    state_dir = s.validation_dir / "state"
    state = json.loads((state_dir / "gate_state.json").read_text(encoding="utf-8"))
    (state_dir / state["fingerprints"]).write_bytes(b"not parquet at all")
    v = run_validation(s, data_docs=False)
    assert v.success and v.scope["mode"] == "full"
    assert "could not be compared" in v.scope["reason"]
    # it left a new, good state: the next gate is a delta gate again
    again = run_validation(s, data_docs=False)
    assert again.success and again.scope["mode"] == "delta" and again.scope["documents"] == 0


def test_a_killed_gates_scratch_file_is_removed_by_the_next_gate(
    gate_warehouse: GateWarehouse, tmp_path: Path
) -> None:
    s = _copy(gate_warehouse, tmp_path / "killed")
    left = s.validation_dir / ".gate-20260101T000000-dead00.duckdb"
    left.write_bytes(b"left by a gate killed mid-run")
    os.utime(left, (time.time() - 7 * 3600, time.time() - 7 * 3600))
    v = run_validation(s, data_docs=False)
    assert v.success and not left.exists()
    assert not list(s.validation_dir.glob(".gate-*"))  # its own scratch file is gone too

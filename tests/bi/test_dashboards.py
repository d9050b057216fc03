"""The dashboards as code, end to end: Superset (its own venv, from deploy/superset/requirements.lock)
imports the bundle against a served warehouse built from the replica; every chart's data endpoint
returns rows; each dashboard renders in headless Chromium, saved in the test's temporary folder
(with GONGKAI_SCREENSHOTS_DIR=docs/screenshots, to refresh the README's images)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from superset_env import ADMIN, SUPERSET_DIR, Superset

from gongkai.config import REPO_ROOT, Settings

BUNDLE = SUPERSET_DIR / "bundle"
SCREENSHOTS = os.environ.get("GONGKAI_SCREENSHOTS_DIR")  # a run does not rewrite tracked files unless asked
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def bundle(kind: str) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted((BUNDLE / kind).rglob("*.yaml"))]


def served_comment_coverage(db: Path) -> tuple[float, list[str]]:
    """Share of the served tables' columns with a comment, and the columns without one."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select schema_name || '.' || table_name || '.' || column_name, comment is not null and comment <> '' "
            "from duckdb_columns() where not internal and schema_name not in ('information_schema', 'pg_catalog')"
        ).fetchall()
    missing = [name for name, has in rows if not has]
    return 1 - len(missing) / len(rows), missing


@pytest.mark.slow
def test_served_marts_and_seeds_describe_themselves(served: Settings) -> None:
    coverage, missing = served_comment_coverage(served.serving_db)
    print(f"served columns with a comment: {coverage:.1%}; without: {missing}")
    dbt_built = [m for m in missing if m.split(".")[0] == "seeds" or m.split(".")[1].startswith(("dim_", "fct_", "mart_"))]
    assert dbt_built == []  # every column of every mart, dimension and seed
    with duckdb.connect(str(served.serving_db), read_only=True) as con:
        assert con.execute("select count(*) from main.dim_agency where is_synthetic").fetchone() == (0,)
        assert con.execute(
            "select count(*) from main.mart_publication_timeliness where is_synthetic"
        ).fetchone() == (0,)
        types = dict(con.execute(
            "select column_name, data_type from duckdb_columns() where table_name = 'mart_agency_year'"
        ).fetchall())
        fees = con.execute(
            "select comment from duckdb_columns() where table_name = 'mart_agency_year' and column_name = 'fees'"
        ).fetchone()[0]
        labels = con.execute(
            "select identity_label, agency_code, agency_name from main.mart_identity_audit "
            "where identity = 'prose_vs_table[proactive_total]' and status = 'fails'"
        ).fetchall()
        notes = con.execute(
            "select comparability_note from main.dim_indicator where indicator = 'complaints'"
        ).fetchone()[0]
    assert types["requests_received"] == "BIGINT" and types["fees"] == "DOUBLE"
    assert types["report_year_date"] == "DATE"
    assert "万元" in fees
    # the demo's one prose-vs-table disagreement (镇海区经济合作局 2018: prose 649, table 260), labelled
    assert [(label, code) for label, code, _ in labels] == [("正文与表格一致（主动公开政府信息数）", "zhenhai-econ-coop")]
    assert labels[0][2].endswith("经济合作局")
    parts = notes.split("; ")
    assert len(parts) == len(set(parts)), notes


@pytest.mark.slow
def test_served_columns_comment_coverage_at_least_95_percent(served: Settings) -> None:
    coverage, missing = served_comment_coverage(served.serving_db)
    assert coverage >= 0.95, (f"{coverage:.1%}", missing)


@pytest.mark.slow
def test_every_chart_returns_rows(superset: Superset) -> None:
    api = superset.session()
    listed = api.get(f"{superset.url}/api/v1/chart/", params={"q": json.dumps({"page_size": 100})}, timeout=60)
    listed.raise_for_status()
    charts = {c["slice_name"]: c["id"] for c in listed.json()["result"]}
    assert set(charts) == {c["slice_name"] for c in bundle("charts")}
    rows = {}
    for name, chart_id in sorted(charts.items()):
        r = api.get(f"{superset.url}/api/v1/chart/{chart_id}/data/", timeout=300)
        assert r.status_code == 200, (name, r.text[:1000])
        rows[name] = sum(q["rowcount"] for q in r.json()["result"])
    print(json.dumps(rows, ensure_ascii=False, indent=1))
    assert all(n > 0 for n in rows.values()), rows
    boards = api.get(f"{superset.url}/api/v1/dashboard/", timeout=60).json()["result"]
    assert {b["slug"] for b in boards} == {d["slug"] for d in bundle("dashboards")}


@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (apt-get install chromium)")
def test_dashboards_render_with_data(superset: Superset, tmp_path: Path) -> None:
    shots = (REPO_ROOT / SCREENSHOTS) if SCREENSHOTS else tmp_path
    per_board = {d["slug"]: sum(1 for v in d["position"].values() if isinstance(v, dict) and v.get("type") == "CHART")
                 for d in bundle("dashboards")}
    done = superset.python(
        str(Path(__file__).with_name("screenshot.py")), superset.url, *ADMIN, str(shots), CHROMIUM,
        *(f"{slug}:{n}" for slug, n in per_board.items()),
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(report) == set(per_board)
    for slug, seen in report.items():
        assert seen["errors"] == [], (slug, seen["errors"])
        assert seen["rendered"] >= per_board[slug], (slug, seen["rendered"])
        ok = [r for r in seen["responses"] if r["status"] == 200 and sum(r["rows"]) > 0]
        assert len(ok) >= per_board[slug], (slug, seen["responses"])
        png = Path(seen["png"])
        assert png.stat().st_size > 20_000, png  # a rendered page, not a blank one

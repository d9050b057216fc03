"""Hostile paths through the gate and publishing: each reproduces a way the served copy used to go
wrong and asserts the fixed outcome — no wrong publish, no report lost, the previous copy kept.

The warehouse is real: the five seed reports plus three hostile documents (the same article listed
a second time under a tracking query string, a report whose text is there twice — body and
attachment — and a text that fits no template), parsed by the real parser and built by real dbt
once per module; each test breaks a private copy of it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "validation"), str(HERE.parent / "publish")]

from gate_fixtures import dbt_build_in_child, make_settings  # noqa: E402
from publish_fixtures import make_warehouse, validation  # noqa: E402

from gongkai.config import REPO_ROOT, WAREHOUSE_DUCKDB_CONFIG, Settings  # noqa: E402
from gongkai.publish import current_snapshot, publish, rollback, serving_engine, snapshots  # noqa: E402
from gongkai.validate import run_validation  # noqa: E402

pytestmark = pytest.mark.slow  # a real dbt build per module

DUPLICATE_OF = "002_ac397f543ad98429"  # listed again with ?from=timeline
DOUBLED = "003_49c6c62204b3e30b"  # its text twice (page body + attachment), under another agency
SERIES_VALUES = (
    "select count(*) from main.mart_indicator_series as s join main.fct_indicator_value as f on f.key = s.key"
    " where f.value is distinct from s.value"
)


@dataclass
class Hostile:
    home: Path
    settings: Settings
    duplicate_id: str
    doubled_id: str
    garbage_id: str

    def copy(self, home: Path) -> Settings:
        shutil.copytree(self.home, home, symlinks=True)
        return make_settings(home)


def _stage_hostile_documents(settings: Settings) -> tuple[str, str, str]:
    from gongkai.fixtures_loader import SEED_DIR, SEED_REPORTS, SeedReport, seed_url, write_document
    from gongkai.staging import connect, document_id_for

    seed = {s.stem: s for s in SEED_REPORTS}
    dup_url = seed_url(seed[DUPLICATE_OF]) + "?from=timeline"
    dup_id = document_id_for(dup_url)
    with connect(settings.staging_db) as con:  # the same article, listed once more with a tracking query
        original = document_id_for(seed_url(seed[DUPLICATE_OF]))
        if dup_id != original:
            con.execute(
                "insert into documents by name select ? as document_id, * exclude (document_id, url), ? as url"
                " from documents where document_id = ?",
                [dup_id, dup_url, original],
            )
            con.execute(
                "insert into raw_texts by name select ? as document_id, * exclude (document_id) from raw_texts"
                " where document_id = ?",
                [dup_id, original],
            )
    text = (SEED_DIR / f"{DOUBLED}.txt").read_text(encoding="utf-8")
    doubled = SeedReport(
        "hostile_doubled",
        "yinzhou-xianxiang",
        "咸祥镇人民政府",
        "yinzhou",
        seed[DOUBLED].published_date,
        2019,
        "G2",
    )
    doubled_id = write_document(settings, doubled, text + "\n附件：\n" + text)
    garbage = SeedReport(
        "hostile_garbage",
        "haishu",
        "宁波市海曙区人民政府",
        "haishu",
        seed[DOUBLED].published_date,
        2019,
        "G2",
    )
    garbage_id = write_document(settings, garbage, "通知\n本页面已迁移，请访问新网址。\n")
    return dup_id, doubled_id, garbage_id


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    from gongkai.fixtures_loader import load_seed_reports
    from gongkai.parsing.step import parse_staged

    home = tmp_path_factory.mktemp("hostile") / "home"
    settings = make_settings(home)
    load_seed_reports(settings, parse=False)
    ids = _stage_hostile_documents(settings)
    parse_staged(settings)
    build = dbt_build_in_child(settings)
    assert build["success"], build["failures"]  # a doubled report no longer stops the build
    first = publish(settings)
    assert first.published, first.reason
    return Hostile(home, settings, *ids)


@pytest.fixture
def copy(hostile: Hostile, tmp_path: Path) -> Settings:
    return hostile.copy(tmp_path / "home")


def _served(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _write(settings: Settings, sql: str, params: list | None = None) -> None:
    with duckdb.connect(str(settings.warehouse_db), config=WAREHOUSE_DUCKDB_CONFIG) as con:
        con.execute(sql, params or [])


def _publish_id(settings: Settings) -> str:
    return _served(settings, "select distinct publish_id from main.publish_manifest")[0][0]


# ---- one report is one report; a bad document quarantines itself -----------------------------------


def test_duplicate_article_is_shown_once_with_a_duplicate_warning(hostile: Hostile) -> None:
    s = hostile.settings
    shown = _served(
        s,
        "select document_id, requests_received from main.mart_agency_year"
        " where agency_code = 'zhenhai-econ-coop' and report_year = 2018",
    )
    assert len(shown) == 1  # one report per agency-year: facts not doubled
    rows = dict(
        _served(
            s,
            "select document_id, status from main.mart_report_quality where agency_code = 'zhenhai-econ-coop'",
        )
    )
    if len(rows) == 2:  # acquisition kept two documents: the marts choose one, deterministically
        assert sorted(rows.values()) == ["duplicate", "published"]
        chosen = min(rows)  # same publication date: the smallest document_id
        assert shown[0][0] == chosen and rows[chosen] == "published"
        [(reasons,)] = _served(
            s,
            "select reasons from main.mart_report_quality where status = 'duplicate'"
            " and agency_code = 'zhenhai-econ-coop'",
        )
        assert f"shown: {chosen}" in reasons and "2 reports" in reasons
    else:  # canonical URL identity merged them already
        assert list(rows.values()) == ["published"]


def test_doubled_text_report_quarantines_itself_not_the_warehouse(hostile: Hostile) -> None:
    """Body + attachment: the build succeeds and every other report is published; the doubled
    report is either parsed once (published with the seed's own values) or named and left out."""
    s = hostile.settings
    [(status, reasons)] = _served(
        s, "select status, reasons from main.mart_report_quality where document_id = ?", [hostile.doubled_id]
    )
    published = {d for (d,) in _served(s, "select document_id from main.mart_agency_year")}
    assert len(published) >= 5  # the seeds (one may be shown as the duplicate's chosen twin)
    if status == "gate_quarantined":
        assert hostile.doubled_id not in published
        assert "staged" in reasons
        assert not _served(
            s, "select 1 from main.fct_indicator_value where document_id = ?", [hostile.doubled_id]
        )
    else:
        assert status == "published"
        ours = _served(
            s,
            "select indicator, applicant, value from main.mart_indicator_series s join main.dim_report r"
            " on r.key = s.report_key where r.document_id = ? order by all",
            [hostile.doubled_id],
        )
        seed = _served(
            s,
            "select indicator, applicant, value from main.mart_indicator_series s join main.dim_report r"
            " on r.key = s.report_key where r.agency_code = 'haishu-yinjiang' and r.report_year = 2019 order by all",
        )
        assert ours == seed


def test_quarantine_is_visible_in_report_quality_and_counted_by_the_gate(
    copy: Settings, hostile: Hostile
) -> None:
    rows = _served(
        copy,
        "select status, reasons from main.mart_report_quality where document_id = ?",
        [hostile.garbage_id],
    )
    assert rows and rows[0][0] == "parse_quarantined" and rows[0][1]
    every = _served(copy, "select count(*), count(distinct document_id) from main.mart_report_quality")[0]
    with duckdb.connect(str(copy.staging_db), read_only=True) as con:
        staged = con.execute("select count(distinct document_id) from documents").fetchone()[0]
    assert every == (staged, staged)  # every collected document has its row
    # one document's facts damaged: the gate names it, the summary counts it, the publish leaves it out
    victim = "zhenhai-news-centre"
    _write(
        copy,
        "update main.fct_indicator_value set value = value + 1 where agency_code = ?"
        " and indicator = 'requests_received'",
        [victim],
    )
    v = run_validation(copy, data_docs=False, stage_parquet=True)
    assert v.success, v.failures
    [q] = v.quarantined
    assert "facts differ from the staged cells" in q["reasons"]
    [row] = [r for r in v.summary if r["suite"] == "documents_quarantined"]
    assert row["frame_rows"] == 1 and row["warnings"] == 1
    result = publish(copy, validation=v)
    assert result.published and result.quarantined == [q["document_id"]]
    assert _served(
        copy, "select status from main.mart_report_quality where document_id = ?", [q["document_id"]]
    ) == [("gate_quarantined",)]
    for table in ("fct_indicator_value", "dim_report", "mart_agency_year", "mart_identity_audit"):
        assert not _served(copy, f"select 1 from main.{table} where document_id = ?", [q["document_id"]])
    orphans = "select count(*) from main.mart_indicator_series where report_key not in (select key from main.dim_report)"
    assert _served(copy, orphans) == [(0,)]  # the series rows of its report went with it
    parquet = duckdb.sql(
        f"select count(*) from '{copy.parquet_dir}/fct_indicator_value.parquet' where document_id = '{q['document_id']}'"
    ).fetchall()[0][0]
    assert parquet == 0


# ---- the gate covers what BI reads -------------------------------------------------------------------

MART_DAMAGE = {
    "series_x1000": "update main.mart_indicator_series set value = value * 1000 where value > 0",
    "series_negative_one_report": (
        "update main.mart_indicator_series set value = -value - 1"
        " where agency_code = 'haishu' and indicator = 'requests_received'"
    ),
    "series_rows_deleted": "delete from main.mart_indicator_series where indicator like 'results_%'",
    "agency_year_plus_1000": "update main.mart_agency_year set requests_received = requests_received + 1000",
    "fact_1e30": (  # staged and built alike (as a parser without input limits did): above every ceiling
        "update main.fct_indicator_value set value = 1e30"
        " where agency_code = 'haishu-yinjiang' and indicator = 'requests_received' and applicant = 'total'"
    ),
}


@pytest.mark.parametrize("damage", sorted(MART_DAMAGE))
def test_damaged_marts_are_never_published(copy: Settings, damage: str) -> None:
    before = _publish_id(copy)
    _write(copy, MART_DAMAGE[damage])
    if damage == "fact_1e30":
        with duckdb.connect(str(copy.staging_db)) as con:
            con.execute(
                "update parsed_cells set value = 1e30 where indicator = 'requests_received' and"
                " coalesce(applicant, 'total') = 'total' and document_id in (select document_id from documents"
                " where agency_code = 'haishu-yinjiang')"
            )

    result = publish(copy)

    # every value BI reads equals its fact, no count is negative or absurd: damage is published never
    assert _served(copy, SERIES_VALUES) == [(0,)]
    assert _served(
        copy,
        "select count(*) from main.fct_indicator_value f join main.dim_indicator i on i.key = f.indicator_key"
        " where i.unit in ('件', '条', '人') and (f.value < 0 or f.value > 1e8)",
    ) == [(0,)]
    agency_year_ok = _served(
        copy,
        "select count(*) from main.mart_agency_year a join main.mart_indicator_series s"
        " on s.agency_code = a.agency_code and s.report_year = a.report_year"
        " and s.indicator = 'requests_received' and s.applicant = 'total'"
        " where s.value is distinct from a.requests_received",
    )
    assert agency_year_ok == [(0,)]
    if result.published:  # damage confined to one report: that report quarantined by name
        assert len(result.quarantined) == 1, result.reason
    else:
        assert "gate failed" in result.reason and _publish_id(copy) == before


def test_changed_after_the_gate_is_revalidated(copy: Settings) -> None:
    """publish(validation=...) as the Airflow task calls it, after the warehouse changed."""
    before = _publish_id(copy)
    v = run_validation(copy, data_docs=False, stage_parquet=True)
    assert v.success
    _write(copy, "insert into main.dim_report select * from main.dim_report limit 5")
    _write(
        copy,
        "update main.fct_indicator_value set value = -999 where key = (select min(key) from main.fct_indicator_value)",
    )

    result = publish(copy, validation=v)

    assert result.revalidated and not result.published
    assert _publish_id(copy) == before
    assert not _served(copy, "select 1 from main.fct_indicator_value where value = -999")


def _build_until(settings: Settings, node: str, argv: list[str], **popen: Any) -> subprocess.Popen:
    """Start ``python -c argv…`` (a build) in a child process and return it, still running, once dbt's
    log says ``node`` is done (``model main.fct_indicator_value``, ``seed file seeds.agencies``)."""
    log = settings.home / "dbt" / "logs" / "dbt.log"
    start = log.stat().st_size if log.exists() else 0
    child = subprocess.Popen(
        [sys.executable, "-c", *argv], cwd=REPO_ROOT, env={**os.environ, **settings.env()}, **popen
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and child.poll() is None:
        lines = log.read_bytes()[start:].decode("utf-8", "replace").splitlines() if log.exists() else []
        if any(" OK " in line and node in line for line in lines):
            break
        time.sleep(0.05)
    return child


def _kill_build_after(settings: Settings, node: str) -> None:
    """Start `dbt build --full-refresh` in a child process and SIGKILL it once ``node`` is done."""
    code = (
        "import sys\nfrom gongkai.build import dbt_build\nfrom gongkai.config import Settings\n"
        "dbt_build(Settings.from_env(sys.argv[1]), full_refresh=True)\n"
    )
    child = _build_until(
        settings,
        node,
        [code, str(settings.home)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert child.poll() is None, "the build finished before it could be killed"
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def test_build_killed_after_the_fact_table_is_never_published(copy: Settings) -> None:
    before = _publish_id(copy)
    _kill_build_after(copy, "model main.fct_indicator_value")

    result = publish(copy)

    assert not result.published
    runs = json.loads(Path(copy.validation_dir / "runs" / f"{result.validation_run_id}.json").read_text())
    failing = {r["suite"] for r in runs["results"] if not r["success"] and r["severity"] == "blocking"}
    assert "build_finished" in failing
    assert _publish_id(copy) == before


def test_build_killed_before_its_slice_opens_is_never_published(copy: Settings) -> None:
    """dbt loads the seeds and builds the seed-only marts (dim_generation, dim_applicant_type) before
    the build slice: a build killed there has dropped or replaced seeds beside marts of the last
    build. It must block the gate as a build killed later does (before, nothing marked that it had
    started), and the next build must be a full one (before, it was data-only, which loads no seeds,
    and failed on the missing seed tables until someone ran --full-refresh)."""
    before = _publish_id(copy)
    _kill_build_after(copy, "seed file seeds.agencies")
    with duckdb.connect(str(copy.warehouse_db), read_only=True, config=WAREHOUSE_DUCKDB_CONFIG) as con:
        order = con.execute(
            "select (select max(opened_at)::timestamp from build_state.slice_info)"
            " < (select max(built_at) from build_state.watermark),"
            " (select max(built_at) from build_state.watermark)"
            " < (select max(started_at) from build_state.invocations)"
        ).fetchone()
    assert order == (True, True)  # the slice is the last clean build's: only the record shows the kill

    result = publish(copy)

    assert not result.published
    runs = json.loads(Path(copy.validation_dir / "runs" / f"{result.validation_run_id}.json").read_text())
    failing = {r["suite"]: r for r in runs["results"] if not r["success"] and r["severity"] == "blocking"}
    assert set(failing) == {"build_finished"}, sorted(failing)
    assert _publish_id(copy) == before
    (why,) = result.blocking  # what `gongkai publish` prints under "blocking:"
    assert why.startswith("build_finished: the last dbt invocation (started ") and why.endswith("run `gongkai build`")
    rebuilt = dbt_build_in_child(copy)  # the next build clears it: a full one, as seed tables are gone
    assert rebuilt["success"] and rebuilt["mode"] == "code-changed", rebuilt
    again = publish(copy)
    assert again.published, again.reason


# ---- volume guard -------------------------------------------------------------------------------------


def test_empty_staging_cannot_replace_the_served_copy_without_a_reason(copy: Settings) -> None:
    from gongkai.staging import connect

    before = _publish_id(copy)
    facts = _served(copy, "select count(*) from main.fct_indicator_value")[0][0]
    empty = copy.home / "empty-staging.duckdb"  # the staging schema, no rows (a reset or a wrong path)
    shutil.copy(copy.staging_db, empty)
    with connect(empty) as con:
        for (table,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'main'"
        ).fetchall():
            con.execute(f'delete from main."{table}"')
    emptied = dataclasses.replace(copy, staging_db=empty)
    build = dbt_build_in_child_full(emptied)
    if not build["success"]:  # dbt could not build from it: then the gate blocks (build_finished) ...
        assert not publish(emptied).published and _publish_id(copy) == before
        # ... and the guard is shown on the state such a build leaves: every report-derived table empty
        with duckdb.connect(str(copy.warehouse_db), config=WAREHOUSE_DUCKDB_CONFIG) as con:
            for (table,) in con.execute(
                "select table_name from duckdb_columns() where schema_name = 'main'"
                " and column_name in ('document_id', 'report_key') group by table_name"
            ).fetchall():
                con.execute(f'delete from main."{table}"')
            con.execute(
                "insert into build_state.watermark select built_through, now(), 0, 'emptied' from build_state.watermark limit 1"
            )

    blocked = publish(emptied)

    assert not blocked.published and blocked.reason.startswith("volume guard:")
    assert any("report(s) of the served copy would disappear" in lost for lost in blocked.shrink)
    assert _publish_id(copy) == before and _served(copy, "select count(*) from main.fct_indicator_value") == [
        (facts,)
    ]

    allowed = publish(emptied, allow_shrink="portal moved: staging reset on purpose")

    assert allowed.published, allowed.reason
    assert _served(copy, "select distinct allow_shrink_reason from main.publish_manifest") == [
        ("portal moved: staging reset on purpose",)
    ]
    record = json.loads((Path(allowed.snapshot_dir) / "publish.json").read_text(encoding="utf-8"))
    assert record["allow_shrink"] and record["shrink"] == allowed.shrink


def dbt_build_in_child_full(settings: Settings) -> dict:
    code = (
        "import json, sys\nfrom gongkai.build import dbt_build\nfrom gongkai.config import Settings\n"
        "r = dbt_build(Settings.from_env(sys.argv[1]), full_refresh=True)\n"
        "print(json.dumps({'success': r.success, 'failures': r.failures[:3]}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(settings.home)],
        cwd=REPO_ROOT,
        env={**os.environ, **settings.env()},
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads([line for line in proc.stdout.splitlines() if line.startswith("{")][-1])


# ---- one snapshot, one switch; killed publishes; rollback ------------------------------------------------

_PUBLISH = """
import sys
sys.path.insert(0, sys.argv[2])
from publish_fixtures import validation
from gongkai.config import Settings
from gongkai.publish import publish
s = Settings.at(sys.argv[1])
publish(s, validation=validation(True, s))
"""


def _kill_publish_midway(settings: Settings) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _PUBLISH, str(settings.home), str(HERE.parent / "publish")],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        building = list(settings.serving_dir.glob(".building-*/parquet/*.parquet"))
        if building:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()


def _consistent(settings: Settings) -> str:
    """The current snapshot's DuckDB file and Parquet files come from one publish: its id."""
    ids = {r[0] for r in _served(settings, "select publish_id from main.publish_manifest")}
    parquet = {
        r[0]
        for r in duckdb.sql(
            f"select publish_id from '{settings.parquet_dir}/publish_manifest.parquet'"
        ).fetchall()
    }
    assert len(ids) == 1 and ids == parquet
    return ids.pop()


def test_kill_9_during_publish_leaves_the_current_snapshot_and_is_cleaned(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    make_warehouse(settings.warehouse_db, reports=300_000, config=WAREHOUSE_DUCKDB_CONFIG)
    first = publish(settings, validation=validation(True, settings))
    assert first.published
    _write(
        settings,
        "delete from main.fct_indicator_value where report_key in (select key from main.dim_report limit 10)",
    )

    _kill_publish_midway(settings)

    assert list(settings.serving_dir.glob(".building-*")), "killed before it built anything"
    assert _consistent(settings) == first.publish_id  # readers still see the whole previous snapshot
    second = publish(settings, validation=validation(True, settings))
    assert second.published
    assert not list(settings.serving_dir.glob(".building-*"))  # the leftovers are gone
    assert _consistent(settings) == second.publish_id
    assert snapshots(settings) == [first.publish_id, second.publish_id]


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    code = "import sys\nfrom gongkai.cli import main\nmain(sys.argv[1:])\n"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO_ROOT,
        env={**os.environ, **settings.env()},
        capture_output=True,
        text=True,
        check=False,
    )


def test_rollback_restores_a_kept_snapshot(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "home")
    make_warehouse(settings.warehouse_db, config=WAREHOUSE_DUCKDB_CONFIG)
    first = publish(settings, validation=validation(True, settings))
    _write(settings, "insert into main.dim_report select md5('x'), 'docx', 1, 2020")
    second = publish(settings, validation=validation(True, settings))
    assert _consistent(settings) == second.publish_id

    out = _cli(settings, "publish", "--rollback")

    assert out.returncode == 0, out.stdout + out.stderr
    assert f"rolled back from {second.publish_id} to {first.publish_id}" in out.stdout
    assert current_snapshot(settings) == first.publish_id and _consistent(settings) == first.publish_id
    assert _served(settings, "select count(*) from main.dim_report") == [(50,)]
    assert rollback(settings, second.publish_id).published and _consistent(settings) == second.publish_id
    out = _cli(settings, "publish", "--rollback", "nope")
    assert out.returncode == 1 and "no kept snapshot nope" in out.stdout


# ---- readers see the new snapshot -----------------------------------------------------------------------


def test_pooled_reader_sees_each_new_publish_and_never_mixes(tmp_path: Path) -> None:
    """A BI process with a SQLAlchemy pool (duckdb-engine) and a connection held open (a long query):
    its next query after a publish reads the new snapshot; the held one keeps its own, whole."""
    from sqlalchemy import text

    settings = make_settings(tmp_path / "home")
    make_warehouse(settings.warehouse_db, config=WAREHOUSE_DUCKDB_CONFIG)
    assert publish(settings, validation=validation(True, settings)).published
    engine = serving_engine(settings, pool_size=2, max_overflow=0)
    count = text("select count(*) from main.dim_report")
    manifest = text("select distinct publish_id from main.publish_manifest")
    seen = []
    held = engine.connect()  # stays open across every publish, as a long query or a pooled session
    first_id = held.execute(manifest).scalar()
    for i in range(3):
        _write(settings, f"insert into main.dim_report select md5('n{i}'), 'new{i}', 1, 2020")
        result = publish(settings, validation=validation(True, settings))
        assert result.published
        with engine.connect() as con:  # the pool's next checkout
            seen.append((con.execute(manifest).scalar(), con.execute(count).scalar()))
        assert seen[-1] == (result.publish_id, 51 + i)
    assert held.execute(manifest).scalar() == first_id and held.execute(count).scalar() == 50
    held.close()
    engine.dispose()


# ---- damaged database files (a disk fault, a copy cut short, a file overwritten) ------------------------


def _cut(path: Path, keep: float = 0.3) -> bytes:
    """Cut the file to ``keep`` of its bytes (a copy that stopped, a disk fault); returns what is left."""
    data = path.read_bytes()[: int(path.stat().st_size * keep)]
    path.write_bytes(data)
    return data


def test_a_damaged_warehouse_is_set_aside_and_rebuilt_from_staging(copy: Settings) -> None:
    facts = "select document_id, indicator, applicant, value from main.fct_indicator_value order by all"
    with duckdb.connect(str(copy.warehouse_db), read_only=True) as con:
        before = con.execute(facts).fetchall()
    left = _cut(copy.warehouse_db)

    build = dbt_build_in_child(copy)

    assert build["success"] and build["mode"] == "rebuilt", build["failures"]
    assert "Could not read enough bytes" in build["damage"]
    aside = Path(build["set_aside"])  # kept (DuckDB may have written to it before the failing read)
    assert aside.parent == copy.warehouse_db.parent and aside.stat().st_size >= len(left)
    with duckdb.connect(str(copy.warehouse_db), read_only=True) as con:
        assert con.execute(facts).fetchall() == before
    result = publish(copy)
    assert result.published, result.reason


def _contents(db: Path) -> dict[str, tuple]:
    """Every table of a warehouse but the build's own record of invocations: (rows, a hash of them)."""
    with duckdb.connect(str(db), read_only=True, config=WAREHOUSE_DUCKDB_CONFIG) as con:
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables()"
            " where not (schema_name = 'build_state' and table_name = 'invocations')"
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(f'select count(*), sum(hash(t)) from "{schema}"."{table}" as t').fetchone()
            for schema, table in tables
        }


def test_a_damaged_staging_is_one_line_and_nothing_is_built_or_published(copy: Settings) -> None:
    warehouse = _contents(copy.warehouse_db)
    served = _publish_id(copy)
    _cut(copy.staging_db)
    for command in (["build"], ["parse-staged"], ["validate"]):  # (validate: its summary on stdout)
        out = _cli(copy, *command)
        assert out.returncode == 6, (command, out.stdout, out.stderr[-2000:])
        lines = out.stderr.strip().splitlines()
        assert "Traceback" not in out.stderr and len(lines) == 1, (command, out.stderr[-2000:])
        assert f"the staging database {copy.staging_db} is damaged" in lines[0] and "raw archive" in lines[0]
        if command != ["validate"]:  # (the gate records its run in the warehouse; a build that
            # started records that it did, which keeps the gate blocked until one finishes)
            assert _contents(copy.warehouse_db) == warehouse, command
    assert "FAILED" in out.stdout  # the gate blocks: nothing can be published from it
    assert not publish(copy).published and _publish_id(copy) == served


def test_a_damaged_served_snapshot_is_replaced_only_when_the_operator_says_so(copy: Settings) -> None:
    served = copy.serving_dir / "current" / "warehouse.duckdb"
    _cut(served.resolve())

    blocked = publish(copy)

    assert not blocked.published and "is damaged" in blocked.reason and "--rollback" in blocked.reason
    forced = publish(copy, allow_shrink="the served snapshot was cut short by a disk fault")
    assert forced.published, forced.reason
    assert _served(copy, "select count(*) > 0 from main.fct_indicator_value") == [(True,)]


def test_ctrl_c_during_a_build_is_aborted_not_failed_and_the_next_build_finishes(copy: Settings) -> None:
    """Ctrl-C in `gongkai build`: dbt cancels its queries and the command says it was stopped (exit
    130, like any other Ctrl-C), not "build FAILED" (exit 1); nothing half-built is published."""
    before = _publish_id(copy)
    code = "import sys\nfrom gongkai.cli import main\nmain(sys.argv[1:])\n"
    child = _build_until(
        copy,
        "model main.fct_indicator_value",
        [code, "build", "--full-refresh"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.poll() is None, "the build finished before it could be stopped"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 130, (out[-1000:], err[-2000:])
    assert err.strip().splitlines()[-1] == "gongkai: aborted" and "FAILED" not in out
    assert not publish(copy).published and _publish_id(copy) == before
    rebuilt = dbt_build_in_child(copy)
    assert rebuilt["success"], rebuilt["failures"]

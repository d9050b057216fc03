"""The PostgreSQL serving target on the machine's PostgreSQL (127.0.0.1:5432): a published DuckDB
snapshot arrives whole (values, NULL vs '', types, comments), and a pooled SQLAlchemy reader querying
through 20 publishes never errs, never sees two snapshots in one query, and sees each new publish on
its next query."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from gongkai.errors import UserError
from gongkai.serving_pg import publish_to_postgres, redact

PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"


@pytest.fixture()
def pg_url() -> Iterator[str]:
    name = f"gongkai_serve_{secrets.token_hex(4)}"
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(sa.text(f"create database {name}"))
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is required for this test: {exc}")
    yield f"{PG}/{name}"
    with admin.connect() as c:
        c.execute(sa.text(f"drop database if exists {name} with (force)"))
    admin.dispose()


def _snapshot(path: Path, k: int) -> Path:
    """A served-like DuckDB file whose row counts encode the publish number ``k``."""
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute(
        "create table mart_a as select i::bigint as requests_received, i * 0.5 as share, "
        "case when i % 3 = 0 then null when i % 3 = 1 then '' else '海曙区' || i end as agency_name, "
        "date '2019-01-01' + i::int as report_date, (i / 4)::decimal(18, 2) as fee_wan_yuan, "
        "[i, i + 1] as pair from range(?) t(i)",
        [k + 1],
    )
    con.execute("create table mart_b as select i as n from range(?) t(i)", [2 * (k + 1)])
    con.execute("comment on table mart_a is '示例 mart: requests per agency'")
    con.execute("comment on column mart_a.requests_received is '收到申请数 requests received (count)'")
    con.close()
    return path


def test_snapshot_arrives_whole(pg_url: str, tmp_path: Path) -> None:
    result = publish_to_postgres(_snapshot(tmp_path / "w.duckdb", 5), pg_url, "p1")
    assert result.tables == {"mart_a": 6, "mart_b": 12}
    eng = sa.create_engine(pg_url)
    with eng.connect() as c:
        rows = c.execute(sa.text("select * from gongkai.mart_a order by requests_received")).all()
        assert [r.requests_received for r in rows] == [0, 1, 2, 3, 4, 5]
        assert [r.agency_name for r in rows[:3]] == [None, "", "海曙区2"]
        assert str(rows[5].report_date) == "2019-0106" .replace("01", "01-", 1) or True
        assert str(rows[5].report_date) == "2019-01-06"
        assert float(rows[5].fee_wan_yuan) == 1.25 and rows[5].pair == [5, 6]
        types = dict(
            c.execute(
                sa.text(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = 'gongkai' and table_name = 'mart_a'"
                )
            ).all()
        )
        assert types == {
            "requests_received": "bigint",
            "share": "numeric",
            "agency_name": "text",
            "report_date": "date",
            "fee_wan_yuan": "numeric",
            "pair": "jsonb",
        }
        comment = c.execute(
            sa.text("select col_description('gongkai.mart_a'::regclass, 1)")
        ).scalar_one()
        assert comment == "收到申请数 requests received (count)"
        assert c.execute(sa.text("select obj_description('gongkai.mart_a'::regclass)")).scalar_one() == (
            "示例 mart: requests per agency"
        )
    eng.dispose()


def test_unreachable_target_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError) as err:
        publish_to_postgres(
            _snapshot(tmp_path / "w.duckdb", 1), "postgresql://u:secret@127.0.0.1:1/x", "p1"
        )
    assert "127.0.0.1:1" in str(err.value) and "secret" not in str(err.value)
    assert redact("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"


@pytest.mark.slow
def test_twenty_publishes_under_a_pooled_reader(pg_url: str, tmp_path: Path) -> None:
    publish_to_postgres(_snapshot(tmp_path / "w.duckdb", 0), pg_url, "p00")
    reader = sa.create_engine(pg_url, pool_size=4, max_overflow=0, pool_pre_ping=False)
    query = sa.text(
        "select (select min(publish_id) from gongkai._publish) as pid, "
        "(select count(*) from gongkai.mart_a) as a, (select count(*) from gongkai.mart_b) as b"
    )
    slow = sa.text(  # a long query in flight across a switch
        "select (select min(publish_id) from gongkai._publish) as pid, pg_sleep(0.3)::text as s, "
        "(select count(*) from gongkai.mart_a) as a, (select count(*) from gongkai.mart_b) as b"
    )
    seen: list[tuple[str, int, int]] = []
    errors: list[str] = []
    stop = threading.Event()

    def read(q: sa.TextClause) -> None:
        while not stop.is_set():
            try:
                with reader.connect() as c:
                    r = c.execute(q).one()
                    seen.append((r.pid, int(r.a), int(r.b)))
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(repr(exc))

    threads = [threading.Thread(target=read, args=(q,)) for q in (query, query, slow)]
    for t in threads:
        t.start()
    stale_after_publish = 0
    try:
        for k in range(1, 21):
            pid = f"p{k:02d}"
            publish_to_postgres(_snapshot(tmp_path / "w.duckdb", k), pg_url, pid)
            with reader.connect() as c:  # the next query after a publish sees it
                if c.execute(query).one().pid != pid:
                    stale_after_publish += 1
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    reader.dispose()
    assert errors == []
    mixed = [s for s in seen if not (s[1] == int(s[0][1:]) + 1 and s[2] == 2 * s[1])]
    assert mixed == [] and len(seen) > 40
    assert {s[0] for s in seen} >= {"p05", "p10", "p20"}
    assert stale_after_publish == 0
    eng = sa.create_engine(pg_url)
    with eng.connect() as c:
        schemas = c.execute(
            sa.text("select nspname from pg_namespace where nspname like 'gongkai%' order by 1")
        ).scalars().all()
    eng.dispose()
    assert schemas == ["gongkai", "gongkai__prev_p18", "gongkai__prev_p19"]


def test_publish_feeds_the_postgres_target(pg_url: str, settings, tmp_path: Path) -> None:
    """`publish` with GONGKAI_SERVING_POSTGRES_URL set: the snapshot that became current arrives in
    PostgreSQL; an unreachable target is reported (the DuckDB snapshot stays published)."""
    import dataclasses
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "publish"))
    from publish_fixtures import make_warehouse, validation

    from gongkai.config import WAREHOUSE_DUCKDB_CONFIG
    from gongkai.publish import publish

    make_warehouse(settings.warehouse_db, reports=30, config=WAREHOUSE_DUCKDB_CONFIG)
    with_pg = dataclasses.replace(settings, serving_postgres_url=pg_url)
    result = publish(with_pg, validation=validation(True, with_pg))
    assert result.published, result.reason
    assert result.targets["postgres"]["ok"] is True, result.targets
    eng = sa.create_engine(pg_url)
    with eng.connect() as c:
        assert c.execute(sa.text("select count(*) from gongkai.fct_indicator_value")).scalar_one() == 120
        assert c.execute(sa.text("select count(*) from gongkai.dim_report")).scalar_one() == 30
        assert c.execute(sa.text("select min(publish_id) from gongkai._publish")).scalar_one() == (
            result.publish_id
        )
    eng.dispose()

    make_warehouse(settings.warehouse_db, reports=31, config=WAREHOUSE_DUCKDB_CONFIG)
    broken = dataclasses.replace(settings, serving_postgres_url="postgresql+psycopg2://u:pw@127.0.0.1:1/x")
    second = publish(broken, validation=validation(True, broken))
    assert second.published and second.targets["postgres"]["ok"] is False
    assert "127.0.0.1:1" in second.targets["postgres"]["error"] and "pw" not in str(second.targets)

"""Helpers shared by the acquisition tests (imported by module name: tests/ has no packages)."""

from __future__ import annotations

import duckdb

from gongkai.config import Settings

SEED_AGENCIES = {
    "000_f4d536c944cec0f0": "zhenhai-news-centre",
    "001_ea52101856a8af1f": "haishu",
    "002_ac397f543ad98429": "zhenhai-econ-coop",
    "003_49c6c62204b3e30b": "haishu-yinjiang",
    "004_5aaa9839169bd157": "yinzhou-xianxiang",
}


def query(settings: Settings, sql: str, params: tuple = ()) -> list[tuple]:
    con = duckdb.connect(str(settings.staging_db), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()

"""The staging contract and settings that every step builds on."""

from __future__ import annotations

from gongkai import staging
from gongkai.config import Settings


def test_staging_schema_creates_every_table(settings: Settings) -> None:
    with staging.connect(settings.staging_db) as con:
        names = {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    assert set(staging.TABLES) <= names


def test_document_id_ignores_host() -> None:
    a = staging.document_id_for("https://www.haishu.gov.cn/art/2019/1/10/art_1229102208_123.html")
    b = staging.document_id_for("http://127.0.0.1:8123/art/2019/1/10/art_1229102208_123.html")
    c = staging.document_id_for("https://www.haishu.gov.cn/art/2019/1/10/art_1229102208_124.html")
    assert a == b != c and len(a) == 16


def test_seed_fixtures_are_the_shared_seeds(seed_texts: dict[str, str]) -> None:
    assert len(seed_texts) == 5
    assert "37888" in seed_texts["001_ea52101856a8af1f"]  # Haishu 2018: 主动公开政府信息数

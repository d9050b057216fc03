"""Load the five real seed reports (``fixtures/reports``) straight into a staging DuckDB.

For building a warehouse without the scrapers (dbt development, tests, the lead's checks): each
seed becomes one ``documents`` + ``raw_texts`` row (version 1) with the agency, portal and
publication date it has in the portal replica; then, optionally, ``parse_staged`` parses them.
Timestamps are fixed so that two loads give identical staging rows. The URLs are
``https://fixtures.gongkai.invalid/<portal>/<stem>.html`` (not the replica's), so document ids
differ from a scraped warehouse's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from gongkai.config import REPO_ROOT, Settings
from gongkai.staging import connect, document_id_for

SEED_DIR = REPO_ROOT / "fixtures" / "reports"
LOADED_AT = datetime(2026, 1, 1)


@dataclass(frozen=True)
class SeedReport:
    stem: str
    agency_code: str
    agency_name: str
    portal: str
    published_date: date
    report_year: int
    generation: str


SEED_REPORTS: tuple[SeedReport, ...] = (
    SeedReport(
        "000_f4d536c944cec0f0",
        "zhenhai-news-centre",
        "镇海区新闻中心",
        "zhenhai",
        date(2019, 1, 11),
        2018,
        "G1",
    ),
    SeedReport(
        "001_ea52101856a8af1f", "haishu", "宁波市海曙区人民政府", "haishu", date(2019, 1, 12), 2018, "G1"
    ),
    SeedReport(
        "002_ac397f543ad98429",
        "zhenhai-econ-coop",
        "镇海区经济合作局",
        "zhenhai",
        date(2019, 1, 10),
        2018,
        "G1",
    ),
    SeedReport(
        "003_49c6c62204b3e30b", "haishu-yinjiang", "鄞江镇人民政府", "haishu", date(2020, 1, 20), 2019, "G2"
    ),
    SeedReport(
        "004_5aaa9839169bd157",
        "yinzhou-xianxiang",
        "咸祥镇人民政府",
        "yinzhou",
        date(2018, 3, 23),
        2017,
        "G1",
    ),
)


def seed_url(seed: SeedReport) -> str:
    return f"https://fixtures.gongkai.invalid/{seed.portal}/{seed.stem}.html"


def seed_document_id(seed: SeedReport) -> str:
    return document_id_for(seed_url(seed))


def _title(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def write_document(
    settings: Settings,
    seed: SeedReport,
    text: str,
    *,
    version: int = 1,
    loaded_at: datetime = LOADED_AT,
    published_date: date | None = None,
) -> str:
    """Write one (document, raw text) version to staging, replacing that version if present."""
    doc_id = seed_document_id(seed)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with connect(settings.staging_db) as con:
        con.execute("delete from documents where document_id = ? and version = ?", [doc_id, version])
        con.execute("delete from raw_texts where document_id = ? and version = ?", [doc_id, version])
        con.execute(
            """insert into documents (document_id, version, url, portal, column_id, agency_code, agency_name,
                   title, published_date, content_type, sha256, content_hash, attachments, status, error,
                   is_synthetic, first_seen, last_seen)
               values (?, ?, ?, ?, 'fixtures', ?, ?, ?, ?, 'html', ?, ?, '[]', 'ok', null, false, ?, ?)""",
            [
                doc_id,
                version,
                seed_url(seed),
                seed.portal,
                seed.agency_code,
                seed.agency_name,
                _title(text),
                published_date or seed.published_date,
                sha,
                sha,
                loaded_at,
                loaded_at,
            ],
        )
        con.execute(
            "insert into raw_texts values (?, ?, ?, 'fixtures:txt', '1', ?, ?)",
            [doc_id, version, text, len(text), loaded_at],
        )
    return doc_id


def load_seed_reports(settings: Settings, *, parse: bool = True, seed_dir: Path = SEED_DIR) -> list[str]:
    """Write the five seeds to staging (version 1) and parse them; returns their document ids."""
    ids = [
        write_document(settings, seed, (seed_dir / f"{seed.stem}.txt").read_text(encoding="utf-8"))
        for seed in SEED_REPORTS
    ]
    if parse:
        from gongkai.parsing.step import parse_staged

        parse_staged(settings, document_ids=ids)
    return ids

"""The replica's content: the registry's columns filled with the five real seed reports (each in
one form: HTML body, .docx, .doc or .pdf attachment), clearly synthetic filler news so that every
list paginates, and optional synthetic report variants for benchmarks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from gongkai.config import REPO_ROOT, Settings
from replica.forms import render_docx_fast, render_html_body
from replica.layout import parse_layout
from scrapers.registry import Column, load_portals

SEED_DIR = REPO_ROOT / "fixtures" / "reports"
ASSET_DIR = Path(__file__).resolve().parent / "assets"
FILLER_PER_COLUMN = 36


@dataclass(frozen=True)
class SeedPlacement:
    stem: str
    portal: str
    column: str
    published: date
    form: str  # html | docx | doc | pdf


# The demo's publication dates (three consecutive days 2019-01-10..12 for the backfill test).
PLACEMENTS = (
    SeedPlacement("004_5aaa9839169bd157", "yinzhou", "xxgk-xianxiang", date(2018, 3, 23), "html"),
    SeedPlacement("002_ac397f543ad98429", "zhenhai", "1229045478", date(2019, 1, 10), "docx"),
    SeedPlacement("000_f4d536c944cec0f0", "zhenhai", "1229045481", date(2019, 1, 11), "doc"),
    SeedPlacement("001_ea52101856a8af1f", "haishu", "1229102208", date(2019, 1, 12), "html"),
    SeedPlacement("003_49c6c62204b3e30b", "haishu", "1229565861", date(2020, 1, 20), "pdf"),
)


@dataclass
class Attachment:
    name: str  # shown on the page, e.g. "附件：xxx.docx"
    filename: str  # <hex>.<ext>
    data: bytes
    declared_size: int | None = None  # oversize fault: announce more than is sent
    link: str = (
        "downfile"  # downfile (302 to /attach/0/ here) | oss (302 to the file host) | direct-oss | dead
    )


@dataclass
class Article:
    path: str
    title: str
    published: date
    source: str
    body_html: str
    attachments: list[Attachment] = field(default_factory=list)
    is_report: bool = False
    seed: str | None = None
    column_id: str = ""
    doc_no: str = ""  # 文号 shown in some list rows
    pinned: bool = False  # listed first whatever its date (orderid)
    template: str = (
        "zoom"  # article page template: zoom | art-con | zc_article_con (see replica.render.article)
    )
    modified: date | None = None  # revised after publication: PubDate on the page
    chrome_links: tuple[Attachment, ...] = ()  # files linked by the page chrome (sidebar), not the report
    lazy: Callable[[], tuple[str, list[Attachment]]] | None = None  # builds body_html + attachments

    def materialise(self) -> Article:
        """Build the body and attachments now if they are built on demand (thread-safe enough:
        building is deterministic, so two threads racing produce the same result)."""
        if self.lazy is not None:
            self.body_html, self.attachments = self.lazy()
            self.lazy = None
        return self


@dataclass
class ColumnSite:
    column: Column
    articles: list[Article]  # newest first


def _hex(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def seed_title(text: str) -> str:
    """The report's title: its first non-empty lines up to 年度报告/年报."""
    head = ""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        head += line
        if "报告" in head or "年报" in head or len(head) > 60:
            break
    return head


def _article_path(col: Column, published: date, n: int, key: str) -> str:
    if col.mechanism == "jpaas":
        return f"/col/col{col.id}/art/{published.year}/art_{_hex(col.id, key)}.html"
    if col.mechanism == "xxgk":
        return f"/art/{published.year}/{published.month}/{published.day}/art_{col.area}_{n}.html"
    return f"/art/{published.year}/{published.month}/{published.day}/art_{col.id}_{n}.html"


def _filler(col: Column, k: int) -> Article:
    published = date(2017, 1, 3) + timedelta(days=47 * k)
    title = f"工作动态（合成示例，非年报）第{k + 1}期"
    body = f"<p>这是本地复制站点的合成示例新闻，第{k + 1}期，用于分页测试，不是政府信息公开年度报告。</p>"
    return Article(
        _article_path(col, published, 900000 + k, f"filler{k}"),
        title,
        published,
        col.agency_name,
        body,
        column_id=col.id,
    )


def seed_article(
    col: Column, placement: SeedPlacement, *, n: int, title_prefix: str = "", text: str | None = None
) -> Article:
    text = text if text is not None else (SEED_DIR / f"{placement.stem}.txt").read_text(encoding="utf-8")
    title = title_prefix + seed_title(text)
    path = _article_path(col, placement.published, n, placement.stem + title_prefix)
    if placement.form == "html":
        return Article(
            path,
            title,
            placement.published,
            col.agency_name,
            render_html_body(parse_layout(text)),
            is_report=True,
            seed=placement.stem,
            column_id=col.id,
        )
    data = (ASSET_DIR / f"{placement.stem}.{placement.form}").read_bytes()
    att = Attachment(f"{title}.{placement.form}", f"{_hex(path, placement.form)}.{placement.form}", data)
    return Article(
        path,
        title,
        placement.published,
        col.agency_name,
        "",
        [att],
        is_report=True,
        seed=placement.stem,
        column_id=col.id,
    )


def build_site(portals_file: Path | None = None, *, synthetic: int = 0) -> dict[str, ColumnSite]:
    """Every registry column (keyed by column id) with its articles, newest first."""
    portals = load_portals(portals_file or Settings.from_env().portals_file)
    site: dict[str, ColumnSite] = {}
    for portal in portals.values():
        for col in portal.columns:
            articles = [_filler(col, k) for k in range(FILLER_PER_COLUMN)]
            for i, pl in enumerate(PLACEMENTS):
                if pl.portal == portal.name and pl.column == col.id:
                    articles.append(seed_article(col, pl, n=100 + i))
            if portal.synthetic:
                articles = [a for a in articles if not a.is_report]
                seeds = {p.stem: (SEED_DIR / f"{p.stem}.txt").read_text(encoding="utf-8") for p in PLACEMENTS}
                for i in range(synthetic):
                    pl = PLACEMENTS[i % len(PLACEMENTS)]
                    prefix = f"【合成样本{i + 1:05d}】"
                    published = date(2019, 1, 1) + timedelta(days=i % 700)
                    variant = SeedPlacement(
                        pl.stem, portal.name, col.id, published, "html" if i % 2 == 0 else "docx"
                    )
                    if variant.form == "html":  # the label is in the text itself
                        article = seed_article(col, variant, n=200000 + i, text=prefix + seeds[pl.stem])
                    else:
                        article = seed_article(
                            col, variant, n=200000 + i, title_prefix=prefix, text=seeds[pl.stem]
                        )
                        att = article.attachments[0]
                        # the label in the attachment's text too: each variant is its own report (the
                        # same text at a second URL lands as a named duplicate, not as a new report)
                        att.data = render_docx_fast(parse_layout(prefix + seeds[pl.stem]))
                    articles.append(article)
            articles.sort(key=lambda a: (a.published, a.path), reverse=True)
            site[col.id] = ColumnSite(col, articles)
    return site

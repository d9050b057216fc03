"""Article pages of real templates over real HTTP: body containers other than ``#zoom``, attachments
on several file hosts, a dead attachment link, a bot challenge instead of the article."""

from __future__ import annotations

import dataclasses
import html
import io
from pathlib import Path

import duckdb
import pytest
from adapter_sites import column_entries, serve_jpage
from fixture_server import fixture_text

from scrapers import landing
from scrapers.article import attachment_links, body_html
from scrapers.fetch import fetch_report, reextract_blob
from scrapers.http import HttpClient
from scrapers.run import scrape

SEED = "003_49c6c62204b3e30b"  # 鄞江镇人民政府2019年政府信息公开工作年度报告
TITLE = "鄞江镇人民政府2019年政府信息公开工作年度报告"
ARTICLE = "/col/col1229565861/art/2020/art_ed8daf35d53e482893accae0bcb57abd.html"


def body_paragraphs(text: str) -> str:
    return "\n".join(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def docx_bytes(lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def ref(server, path: str) -> dict:
    return {"url": server.base_url + path, "title": TITLE, "published": "2020-01-16"}


@pytest.fixture
def seed(seed_texts) -> list[str]:
    return [line for line in seed_texts[SEED].splitlines() if line.strip()]


def serve_jpaas_article(portal_server, file_hosts, seed: list[str]) -> None:
    page = fixture_text(
        "article/jpaas_art_con.html",
        TITLE=TITLE,
        DATE="2020-01-16",
        BODY=body_paragraphs("\n".join(seed[:12])),
        FILES1=file_hosts[0].base_url,
        FILES2=file_hosts[1].base_url,
    )
    portal_server.route(ARTICLE, page)
    docx_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    for host, lines in ((file_hosts[0], seed), (file_hosts[1], ["统计表", *seed[-5:]])):
        body = docx_bytes(lines)
        host.route(
            "/jcms_files/jcms1/web2963/site/attach/0/"
            + ("8d0c2f3b1e4a4f6d9b7a6c5e4d3f2a1b.docx" if host is file_hosts[0] else "2506251359476520.docx"),
            lambda req, body=body: (200, body, {"Content-Type": docx_type}),
        )


def test_body_container_other_than_zoom_and_attachments_on_two_file_hosts(
    portal_server, file_hosts, seed, tmp_path: Path
) -> None:
    serve_jpaas_article(portal_server, file_hosts, seed)
    client = HttpClient({portal_server.netloc, file_hosts[0].netloc, file_hosts[1].netloc}, interval=0, retries=1)
    rep = fetch_report(client, tmp_path, ref(portal_server, ARTICLE))
    assert rep.status == "ok", rep.error
    assert [a["status"] for a in rep.attachments] == ["ok", "ok"]
    assert [a["url"].split("/")[2] for a in rep.attachments] == [file_hosts[0].netloc, file_hosts[1].netloc]
    assert seed[1][:40] in rep.text  # the page body
    for chrome in ("浙ICP备", "互动交流", "分享到", "请输入关键字", "政府信息公开指南"):
        assert chrome not in rep.text  # header, sidebar and footer are not the report
    assert not portal_server.hits("/module/download/downfile.jsp")  # the sidebar's guide is not fetched
    page_text = reextract_blob(tmp_path, rep.page_sha, "html").text
    assert seed[1][:40] in page_text
    assert "浙ICP备" not in page_text  # re-extraction reads the same container


def test_attachment_on_a_host_not_in_the_allowlist_is_refused(portal_server, file_hosts, seed, tmp_path) -> None:
    serve_jpaas_article(portal_server, file_hosts, seed)
    client = HttpClient({portal_server.netloc, file_hosts[0].netloc}, interval=0, retries=1)
    rep = fetch_report(client, tmp_path, ref(portal_server, ARTICLE))
    assert [(a["status"], a["error"]) for a in rep.attachments] == [
        ("ok", None),
        ("quarantined", "refused: host not in allowlist"),
    ]
    assert rep.status == "ok"  # the report is in the body and the first attachment
    assert not file_hosts[1].requests


def test_a_dead_attachment_link_does_not_block_the_report(portal_server, seed, tmp_path) -> None:
    path = "/art/2020/1/16/art_1229102208_58940958.html"
    page = fixture_text("article/zoom_markers.html", TITLE=TITLE, DATE="2020-01-16", BODY=body_paragraphs("\n".join(seed)))
    portal_server.route(path, page)  # downfile.jsp is not served: 404
    client = HttpClient({portal_server.netloc}, interval=0, retries=1)
    rep = fetch_report(client, tmp_path, ref(portal_server, path))
    assert rep.status == "ok"
    assert [(a["status"], a["error"]) for a in rep.attachments] == [("dead", "HTTP 404")]
    assert "HTTP 404" in rep.error  # said, not hidden
    assert not rep.retryable


def test_a_bot_challenge_instead_of_the_article_is_failed_and_retried(portal_server, tmp_path) -> None:
    portal_server.route(ARTICLE, fixture_text("blocked/safeline.html"))
    client = HttpClient({portal_server.netloc}, interval=0, retries=1)
    rep = fetch_report(client, tmp_path, ref(portal_server, ARTICLE))
    assert rep.status == "failed" and rep.retryable
    assert rep.error.startswith("blocked: SafeLine bot challenge")


def test_attachment_scope_and_body_choice_on_saved_pages(seed) -> None:
    page = fixture_text(
        "article/jpaas_art_con.html", TITLE=TITLE, DATE="2020-01-16", BODY="<p>正文</p>", FILES1="https://a", FILES2="https://b"
    )
    links = attachment_links(page, "https://www.haishu.gov.cn" + ARTICLE)
    assert [u for u, _ in links] == [
        "https://a/jcms_files/jcms1/web2963/site/attach/0/8d0c2f3b1e4a4f6d9b7a6c5e4d3f2a1b.docx",
        "https://b/jcms_files/jcms1/web2963/site/attach/0/2506251359476520.docx",
    ]
    assert 'ergodic="article"' in body_html(page) and "浙ICP备" not in body_html(page)
    zoom = fixture_text("article/zoom_markers.html", TITLE=TITLE, DATE="2020-01-16", BODY="<p>正文</p>")
    assert body_html(zoom) == zoom  # the extractor's own ZJEG/#zoom rule applies


def test_a_dead_attachment_lets_the_column_watermark_advance(settings, portal_server, seed, tmp_path) -> None:
    """The whole scrape step on a real-shaped jpage column whose report pages all link a dead file."""
    entries = column_entries(60)
    serve_jpage(portal_server, entries)
    for e in entries:
        if e.report:
            path = f"/art/{e.published.year}/{e.published.month}/{e.published.day}/art_1229102208_{e.id}.html"
            body = body_paragraphs("\n".join(seed))
            portal_server.route(path, fixture_text("article/zoom_markers.html", TITLE=e.title, DATE=e.published.isoformat(), BODY=body))
    registry = tmp_path / "portals.yaml"
    registry.write_text(
        "portals:\n  haishu:\n    name: 宁波市海曙区人民政府门户网站\n"
        f"    hosts: ['{portal_server.netloc}']\n    file_hosts: []\n    webid: '2963'\n    webname: 宁波市海曙区人民政府\n"
        "    columns:\n      - {id: '1229102208', mechanism: jpage, unitid: '7006473', title: 政府信息公开年报, "
        "agency_code: haishu, verified: false}\n",
        encoding="utf-8",
    )
    settings = dataclasses.replace(settings, portals_file=registry, portal_base_url=portal_server.base_url)
    summary = scrape(settings, portal="haishu")
    assert (summary.found, summary.new, summary.failed) == (3, 3, 0)
    con = duckdb.connect(str(settings.staging_db), read_only=True)
    try:
        assert landing.watermark(con, "haishu", "1229102208") == entries[0].published
        statuses = con.execute("SELECT DISTINCT status FROM documents").fetchall()
    finally:
        con.close()
    assert statuses == [("ok",)]

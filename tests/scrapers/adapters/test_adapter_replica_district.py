"""The adapters against the district replica (``start_replica(site="district")``), which serves the
real-site shapes too: single-quoted jpaas queryData with 21-character tplSetIds, xxgk 共N页 in the
zj.gov.cn and fuyang row layouts, yuhang and 文号 list rows, pinned items, browser-only lists."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import requests

from replica.district import build_district
from replica.server import start_replica
from scrapers.discovery import discover
from scrapers.fetch import fetch_report
from scrapers.http import HttpClient
from scrapers.jpaas import TPL_SET_ID
from scrapers.probe import probe_url
from scrapers.registry import Column, Portal


@pytest.fixture(scope="module")
def district():
    server = start_replica(0, site="district")
    try:
        yield server, build_district()
    finally:
        server.stop()


def _portal(district_portal, netloc: str) -> Portal:
    columns = tuple(
        Column(
            portal=district_portal.name,
            id=u.column_id,
            mechanism=u.mechanism,
            title=u.short,
            agency_code=u.key,
            agency_name=u.names[-1][1],
            unitid=u.unitid,
            area=u.area,
        )
        for u in district_portal.units
    )
    return Portal(district_portal.name, district_portal.title, (netloc,), (), district_portal.webid, "", columns)


def _one_per_shape() -> list[tuple[str, str, str]]:
    """(portal, mechanism, list style) of every shape the district serves."""
    shapes = {(p.name, u.mechanism, u.list_style) for p in build_district().portals.values() for u in p.units}
    return sorted(shapes)


@pytest.mark.parametrize(("portal_name", "mechanism", "style"), _one_per_shape())
def test_every_list_shape_of_the_district_lists_its_reports(
    settings, district, portal_name: str, mechanism: str, style: str
) -> None:
    server, world = district
    netloc = server.base_url.split("//")[1]
    portal = _portal(world.portals[portal_name], netloc)
    unit = next(u for u in world.portals[portal_name].units if (u.mechanism, u.list_style) == (mechanism, style))
    column = next(c for c in portal.columns if c.id == unit.column_id)
    settings = dataclasses.replace(settings, portal_base_url=server.base_url)
    client = HttpClient({netloc}, interval=0, backoff=0.01, retries=1)
    result = discover(settings, portal, column, None, None, client=client)
    assert result.error is None and result.complete
    listed = server.site.listing(unit.column_id)
    assert result.listed == len({a.path for a in listed})
    expected = {a.path for a in listed if a.is_report}
    assert {r["url"].split(netloc, 1)[1] for r in result.refs} == expected
    if mechanism == "jpaas":
        assert TPL_SET_ID.match(unit.tpl_set_id)  # the registry column above carries none: read from the page


def test_the_district_refuses_bare_list_requests(district) -> None:
    server, world = district
    unit = next(u for u in world.portals["yinzhou"].units if u.mechanism == "xxgk")
    url = f"{server.base_url}/module/xxgk/search.jsp?area={unit.area}&currpage=1"
    assert requests.get(url, timeout=5).status_code == 403
    browser = {"User-Agent": "Mozilla/5.0", "Referer": server.base_url + "/"}
    assert requests.get(url, headers=browser, timeout=5).status_code == 200


def _discover(settings, server, world, portal_name: str, column_id: str, since=None):
    netloc = server.base_url.split("//")[1]
    portal = _portal(world.portals[portal_name], netloc)
    column = next(c for c in portal.columns if c.id == column_id)
    settings = dataclasses.replace(settings, portal_base_url=server.base_url)
    client = HttpClient({netloc}, interval=0, backoff=0.01, retries=1)
    return discover(settings, portal, column, since, None, client=client)


@pytest.mark.parametrize(
    ("fault", "mechanism", "reason"),
    [
        ("mechanism_changed", "jpage", "mechanism changed: no jpage datastore"),
        ("bot_challenge", "jpaas", "blocked: SafeLine bot challenge"),
    ],
)
def test_district_faults_fail_the_column_loudly(settings, district, fault: str, mechanism: str, reason: str) -> None:
    server, world = district
    unit = next(u for u in world.portals["haishu"].units if u.mechanism == mechanism)
    server.set_faults({fault})
    try:
        result = _discover(settings, server, world, "haishu", unit.column_id)
    finally:
        server.set_faults(set())
    assert not result.complete and reason in result.error


def test_the_district_pinned_report_does_not_stop_a_backfill(settings, district) -> None:
    server, world = district
    unit = next(u for u in world.portals["haishu"].units if any(a.pinned for a in u.articles))
    since = date(2015, 1, 1)
    result = _discover(settings, server, world, "haishu", unit.column_id, since=since)
    expected = {a.path for a in server.site.listing(unit.column_id) if a.is_report and a.published >= since}
    assert result.complete and {r["url"].split("//")[1].split("/", 1)[1] for r in result.refs} == {
        p.lstrip("/") for p in expected
    }


def test_district_jpaas_articles_read_from_their_container_with_files_on_the_file_host(district, tmp_path) -> None:
    server, world = district
    netloc = server.base_url.split("//")[1]
    client = HttpClient({netloc, server.file_host}, interval=0, backoff=0.01, retries=1)
    reports = [
        a
        for u in world.portals["haishu"].units
        if u.mechanism == "jpaas"
        for a in server.site.listing(u.column_id)
        if a.is_report and a.template in ("art-con", "zc_article_con")
    ]
    by_template = {a.template: a for a in reversed(reports)}
    for a in by_template.values():
        rep = fetch_report(client, tmp_path, {"url": server.base_url + a.path, "title": a.title, "published": str(a.published)})
        assert rep.status == "ok", (a.path, rep.error)
        assert "浙ICP备" not in rep.text and "政府信息公开指南" not in rep.text
    with_files = [a for a in reports if a.materialise().attachments and all(t.link == "oss" for t in a.attachments)]
    fresh = HttpClient({netloc, server.file_host}, interval=0, retries=1, shortcuts={})  # no learnt /attach/ shortcut
    rep = fetch_report(fresh, tmp_path, {"url": server.base_url + with_files[0].path, "title": "", "published": ""})
    assert rep.status == "ok" and [att["status"] for att in rep.attachments] == ["ok"], rep.attachments
    assert rep.blobs[1]["url"].startswith(f"http://{server.file_host}/jcms_files/jcms1/web2963/"), rep.blobs


def test_the_district_dead_attachment_does_not_block_its_report(district, tmp_path) -> None:
    server, world = district
    netloc = server.base_url.split("//")[1]
    client = HttpClient({netloc, server.file_host}, interval=0, backoff=0.01, retries=1)
    article = next(
        a
        for u in world.portals["haishu"].units
        for a in server.site.listing(u.column_id)
        if a.is_report and any(t.link == "dead" for t in a.materialise().attachments)
    )
    rep = fetch_report(client, tmp_path, {"url": server.base_url + article.path, "title": article.title, "published": ""})
    assert rep.status == "ok", rep.error
    assert [att["status"] for att in rep.attachments].count("dead") == 1


def test_probe_finds_every_listed_unit_on_the_district_directory_pages(district) -> None:
    server, world = district
    netloc = server.base_url.split("//")[1]
    for portal in world.portals.values():
        found: set[str] = set()
        for dir_id in portal.directories:
            got = probe_url(f"{server.base_url}/col/col{dir_id}/index.html", client=HttpClient({netloc}, interval=0))
            assert got.kind == "directory"
            found |= {c["id"] for c in got.columns}
        expected = {f"xxgk-{u.area}" if u.mechanism == "xxgk" else u.column_id for u in portal.units if u.listed}
        assert found == expected, portal.name


def test_probe_reads_a_district_jpaas_column_live(district) -> None:
    server, world = district
    netloc = server.base_url.split("//")[1]
    unit = next(u for u in world.portals["haishu"].units if u.mechanism == "jpaas")
    got = probe_url(f"{server.base_url}/col/col{unit.column_id}/index.html", client=HttpClient({netloc}, interval=0))
    assert (got.mechanism, got.ids["tplSetId"], got.ids["tagId"]) == ("jpaas", unit.tpl_set_id, unit.tag_id)
    assert len(got.items) == 15 and got.warnings == [f"2 jpaas units (头部导航, {unit.tag_id}); chose {unit.tag_id!r}"]

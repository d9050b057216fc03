"""List adapters and discovery on real-shaped pages, over real HTTP (a local server answering with
the saved fixtures): each test is one BREAKS row of the portal research's replica-fidelity note."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
import requests
from adapter_sites import (
    JPAAS_API,
    TPL_SET_ID,
    Entry,
    column_entries,
    serve_jpaas,
    serve_jpage,
    serve_xxgk,
)
from fixture_server import fixture_text

from scrapers.discovery import discover
from scrapers.http import HttpClient
from scrapers.listing import parse_items
from scrapers.registry import Column, Portal

REPORTS_2019_ON = [
    "宁波市海曙区人民政府2023年政府信息公开工作年度报告",
    "宁波市海曙区人民政府2022年政府信息公开工作年度报告",
    "宁波市海曙区人民政府2021年政府信息公开工作年度报告",
    "宁波市海曙区人民政府2020年政府信息公开工作年度报告",
    "宁波市海曙区人民政府2019年政府信息公开工作年度报告",
]


def portal_for(server, mechanism: str, column_id: str, **ids: str) -> tuple[Portal, Column]:
    column = Column(
        portal="haishu",
        id=column_id,
        mechanism=mechanism,
        title="政府信息公开年报",
        agency_code="haishu",
        agency_name="宁波市海曙区人民政府",
        **ids,
    )
    portal = Portal("haishu", "宁波市海曙区人民政府门户网站", (server.netloc,), (), "2963", "宁波市海曙区人民政府", (column,))
    return portal, column


def client_for(*servers, user_agent: str | None = None) -> HttpClient:
    kw = {"user_agent": user_agent} if user_agent else {}
    return HttpClient({s.netloc for s in servers}, interval=0, backoff=0.01, retries=1, **kw)


def run(settings, server, portal, column, since=None, until=None, stop_before=None, client=None):
    settings = dataclasses.replace(settings, portal_base_url=server.base_url)
    return discover(settings, portal, column, since, until, stop_before=stop_before, client=client or client_for(server))


# ---------------------------------------------------------------- jpage
@pytest.mark.parametrize("variant", ["yuhang", "wenhao", "datefirst"])
def test_jpage_lists_every_record_of_a_real_column_page(settings, portal_server, variant: str) -> None:
    """Sidebar unit first, a mobile copy in other markup, records whose date is in <i> inside the
    link / after a 文号 span / before the link, and a dataproxy that caps each reply at 20 records."""
    entries = column_entries(100)
    serve_jpage(portal_server, entries, variant=variant)
    portal, column = portal_for(portal_server, "jpage", "1229102208", unitid="7006473")
    result = run(settings, portal_server, portal, column)
    assert result.error is None and result.complete
    assert result.listed == 100
    assert [r["title"] for r in result.refs] == REPORTS_2019_ON
    assert not any("art_1229100495_" in r["url"] for r in result.refs)  # nothing from the sidebar unit
    posts = portal_server.hits("/module/jpage/dataproxy.jsp")
    assert [p.query["startrecord"] for p in posts] == ["46", "66", "86"]  # 45 embedded, then capped replies
    assert {(p.form["columnid"], p.form["unitid"], p.form["webid"]) for p in posts} == {
        ("1229102208", "7006473", "2963")
    }


def test_jpage_unit_found_by_column_id_when_the_registry_has_no_unitid(settings, portal_server) -> None:
    serve_jpage(portal_server, column_entries(60))
    portal, column = portal_for(portal_server, "jpage", "1229102208")
    result = run(settings, portal_server, portal, column)
    assert result.complete and result.listed == 60


def test_jpage_list_loaded_by_post_only_is_read_from_the_first_record(settings, portal_server) -> None:
    """An ajax-only list: the pager is on the page, the datastore is empty."""
    serve_jpage(portal_server, column_entries(50), embedded=0)
    portal, column = portal_for(portal_server, "jpage", "1229102208", unitid="7006473")
    result = run(settings, portal_server, portal, column)
    assert result.complete and result.listed == 50
    assert [p.query["startrecord"] for p in portal_server.hits("/module/jpage/dataproxy.jsp")] == ["1", "21", "41"]


def test_jpage_column_that_moved_to_jpaas_fails_loudly(settings, portal_server) -> None:
    portal_server.route("/col/col1229102208/index.html", fixture_text("jpage/column_moved_to_jpaas.html"))
    portal, column = portal_for(portal_server, "jpage", "1229102208", unitid="7006473")
    result = run(settings, portal_server, portal, column)
    assert not result.complete
    assert result.error.startswith("ListPageError: mechanism changed: no jpage datastore")
    assert "moved to jpaas" in result.error


def test_a_column_that_listed_reports_before_and_lists_none_now_fails(settings, portal_server) -> None:
    serve_jpage(portal_server, [])
    portal, column = portal_for(portal_server, "jpage", "1229102208", unitid="7006473")
    new_column = run(settings, portal_server, portal, column)
    assert new_column.complete and new_column.listed == 0  # a new, empty column is not an error
    known = run(settings, portal_server, portal, column, stop_before=date(2024, 1, 15))
    assert not known.complete
    assert "listed nothing although it listed reports before" in known.error


# ---------------------------------------------------------------- jpaas
def test_jpaas_reads_single_quoted_query_data_of_the_list_unit(settings, portal_server) -> None:
    serve_jpaas(portal_server, column_entries(100))
    portal, column = portal_for(portal_server, "jpaas", "1229565861")
    result = run(settings, portal_server, portal, column)
    assert result.error is None and result.complete
    assert result.listed == 100 and [r["title"] for r in result.refs] == REPORTS_2019_ON
    calls = portal_server.hits(JPAAS_API)
    assert len(calls) == 7  # 100 items, 15 a page
    assert {(c.query["tplSetId"], c.query["tagId"], c.query["webId"]) for c in calls} == {
        (TPL_SET_ID, "当前栏目列表1", "2963")
    }


def test_jpaas_stale_registry_ids_fall_back_to_the_page_once(settings, portal_server) -> None:
    serve_jpaas(portal_server, column_entries(30))
    portal, column = portal_for(portal_server, "jpaas", "1229565861", tpl_set_id="5d4a1c2b", tag_id="当前栏目列表")
    result = run(settings, portal_server, portal, column)
    assert result.complete and result.listed == 30
    assert [c.query["tplSetId"] for c in portal_server.hits(JPAAS_API)] == ["5d4a1c2b", TPL_SET_ID, TPL_SET_ID]
    assert len(portal_server.hits("/col/col1229565861/index.html")) == 1


def test_jpaas_with_right_registry_ids_costs_one_request_on_a_no_op_day(settings, portal_server) -> None:
    entries = column_entries(100)
    serve_jpaas(portal_server, entries)
    portal, column = portal_for(portal_server, "jpaas", "1229565861", tpl_set_id=TPL_SET_ID, tag_id="当前栏目列表1")
    result = run(settings, portal_server, portal, column, stop_before=entries[0].published)
    assert result.complete and result.list_requests == 1 and result.refs == []


def test_jpaas_portal_that_ignores_page_numbers_fails_loudly(settings, portal_server) -> None:
    serve_jpaas(portal_server, column_entries(40), ignore_page_no=True)
    portal, column = portal_for(portal_server, "jpaas", "1229565861")
    result = run(settings, portal_server, portal, column)
    assert not result.complete and "repeats items already listed" in result.error


# ---------------------------------------------------------------- xxgk
@pytest.mark.parametrize("layout", ["table", "divs", "nested"])
def test_xxgk_reads_every_page(settings, portal_server, layout: str) -> None:
    """共N页 (table layout), the pager's last link (div and nested-span layouts)."""
    entries = column_entries(100)
    serve_xxgk(portal_server, entries, layout)
    portal, column = portal_for(portal_server, "xxgk", "xxgk-xianxiang", area="002964115")
    result = run(settings, portal_server, portal, column)
    assert result.error is None and result.complete
    assert result.listed == 100 and len(portal_server.hits("/module/xxgk/search.jsp")) == 7
    assert [r["title"] for r in result.refs] == REPORTS_2019_ON
    reports = {e.title: e.published.isoformat() for e in entries if e.report}
    assert all(r["published"] == reports[r["title"]] for r in result.refs)  # 公开日期, not 生成日期
    assert portal_server.hits("/module/xxgk/search.jsp")[0].query["jdid"] == "2963"


# ---------------------------------------------------------------- ordering
def test_a_pinned_old_item_does_not_stop_a_backfill(settings, portal_server) -> None:
    pinned = Entry(1, "宁波市海曙区人民政府2014年政府信息公开工作年度报告", date(2015, 1, 20), True)
    serve_jpaas(portal_server, column_entries(100, pinned=pinned))
    portal, column = portal_for(portal_server, "jpaas", "1229565861", tpl_set_id=TPL_SET_ID, tag_id="当前栏目列表1")
    result = run(settings, portal_server, portal, column, since=date(2019, 1, 1))
    assert result.complete
    assert [r["title"] for r in result.refs] == REPORTS_2019_ON


# ---------------------------------------------------------------- bot defences
def test_portal_refuses_bare_requests_and_the_scraper_looks_like_a_browser(settings, portal_server) -> None:
    serve_jpage(portal_server, column_entries(20))
    url = f"{portal_server.base_url}/col/col1229102208/index.html"
    assert requests.get(url, timeout=5).status_code == 403
    portal, column = portal_for(portal_server, "jpage", "1229102208", unitid="7006473")
    assert run(settings, portal_server, portal, column).complete
    bot = client_for(portal_server, user_agent="gongkai-scraper/0.1")
    refused = run(settings, portal_server, portal, column, client=bot)
    assert not refused.complete and "blocked (bot defence?)" in refused.error and "HTTP 403" in refused.error


@pytest.mark.parametrize(
    ("fixture", "status", "reason"),
    [
        ("blocked/safeline.html", 200, "blocked: SafeLine bot challenge"),
        ("blocked/jsl_challenge.html", 200, "blocked: JS cookie challenge"),
        ("blocked/jsl_challenge.html", 521, "blocked (bot defence?)"),
    ],
)
def test_bot_challenge_is_reported_not_read_as_an_empty_list(
    settings, portal_server, fixture: str, status: int, reason: str
) -> None:
    serve_jpaas(portal_server, column_entries(20))
    portal_server.route(JPAAS_API, lambda req: (status, fixture_text(fixture), {}))
    portal, column = portal_for(portal_server, "jpaas", "1229565861")
    result = run(settings, portal_server, portal, column)
    assert not result.complete and result.listed == 0
    assert reason in result.error


# ---------------------------------------------------------------- record shapes
@pytest.mark.parametrize(
    ("html", "title", "published"),
    [
        (  # yuhang.gov.cn 2021: title in <span>, date in <i>, both inside the link
            '<li><a href="http://www.yuhang.gov.cn/art/2020/8/14/art_1_2.html" title="标题甲"><span>标题甲</span>'
            "<i>2020-08-14</i></a></li>",
            "标题甲",
            "2020-08-14",
        ),
        (  # a 文号 span before the date
            "<li><a href='/art/2020/1/2/art_1_2.html' title='标题乙'>标题乙</a><span>海政办〔2020〕1号</span>"
            "<span>2020-01-02</span></li>",
            "标题乙",
            "2020-01-02",
        ),
        ("<li><span>2026-05-25</span><a href='/art/x.html' title='标题丙'>标题丙</a></li>", "标题丙", "2026-05-25"),
        ('<li><a href="/art/x.html" title="标题丁">标题丁</a><b>2020-01-02</b></li>', "标题丁", "2020-01-02"),
        ('<li><a href="/art/x.html" title="标题戊">标题戊</a><span>[2026-09-29]</span></li>', "标题戊", "2026-09-29"),
        (  # fuyang xxgk: nested title spans, the date in the link's second span
            '<ul><li class="tab_box"><a href="/art/x.html"><span><span mc="标题己">标题己</span></span>'
            "<span>2020-01-02</span></a></li></ul>",
            "标题己",
            "2020-01-02",
        ),
        (  # zj.gov.cn xxgk: div rows, 文号 and date in sibling spans
            '<div class="list"><div><span><a href="/art/x.html" title="标题庚">标题庚</a></span>'
            '<span class="cont_right_from2">浙政办发〔2020〕1号</span><span class="cont_right_from4">2020-01-02</span>'
            '</div><div><span><a href="/art/y.html" title="标题辛">标题辛</a></span>'
            '<span class="cont_right_from4">2020-01-03</span></div></div>',
            "标题庚",
            "2020-01-02",
        ),
        (  # zjepb xxgk: 索引号, title, 成文日期, 发布日期 -> the publication date
            "<table><tr><td>002482429/2020-00012</td><td><a href='/art/x.html' title='标题壬'>标题壬</a></td>"
            "<td>2019-12-30</td><td>2020-01-02</td></tr></table>",
            "标题壬",
            "2020-01-02",
        ),
    ],
)
def test_list_record_shapes(html: str, title: str, published: str) -> None:
    items = parse_items(html, "http://www.haishu.gov.cn")
    assert items and items[0].title == title and items[0].published.isoformat() == published


def test_navigation_and_pager_links_are_not_items() -> None:
    html = (
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/col/col1/index.html">政务公开</a></li></ul>'
        '<div class="page">共3页 <a href="?currpage=2">下一页</a></div>'
    )
    assert parse_items(html, "http://www.haishu.gov.cn") == []


def test_file_host_allowlist_takes_wildcards() -> None:
    client = HttpClient({"www.haishu.gov.cn", "*.cloud.zj.gov.cn"}, interval=0)
    assert client.allowed(
        "https://zjjcmspublicnew.oss-cn-hangzhou-zwynet-d01-a.internet.cloud.zj.gov.cn/jcms_files/jcms1/web2963/site/attach/0/a.pdf"
    )
    assert not client.allowed("https://cloud.zj.gov.cn.evil.example/a.pdf")
    assert not client.allowed("https://zjjcmspublic.oss-cn-hangzhou.aliyuncs.com/a.pdf")


def test_a_waf_vendor_in_a_list_page_footer_is_not_a_challenge() -> None:
    from scrapers.listing import challenge_reason

    items = "".join(f'<li><a href="/art/2020/1/{d}/art_1_{d}.html" title="t{d}">t{d}</a><span>2020-01-0{d}</span></li>' for d in range(1, 8))
    page = f"<html><body><ul>{items}</ul><div class='footer'>网站安全防护：创宇盾 人机验证</div></body></html>"
    assert challenge_reason(page) is None and len(parse_items(page, "http://h")) == 7
    assert challenge_reason(fixture_text("blocked/safeline.html")) == "blocked: SafeLine bot challenge"

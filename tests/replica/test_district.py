"""The district replica: its content (units, years, events, report forms and arithmetic), the
real-site shapes it serves over HTTP, and unit discovery from its directory pages."""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import urllib.error
import urllib.request
from collections import Counter
from datetime import date
from urllib.parse import urlencode

import pytest

from gongkai.parsing import parse_text
from replica import district as D
from replica.reports import build_report

UA = "Mozilla/5.0 (X11; Linux x86_64) test"


@pytest.fixture(scope="module")
def world() -> D.District:
    return D.build_district()


@pytest.fixture(scope="module")
def server():
    from replica.server import start_replica

    s = start_replica(0, site="district")
    try:
        yield s
    finally:
        s.stop()


def _unit(world: D.District, portal: str, key: str) -> D.Unit:
    return next(u for u in world.portals[portal].units if u.key == key)


def _reports(unit: D.Unit) -> dict[int, object]:
    out = {}
    for a in unit.articles:
        m = re.search(r"(20\d\d)年", a.title)
        if a.is_report and a.source == unit.name_in(int(m.group(1))):  # not a report reposted here
            out.setdefault(int(m.group(1)), a)
    return out


def _get(server, path: str, headers: dict | None = None, data: bytes | None = None):
    url = path if path.startswith("http") else server.base_url + path
    hdrs = {"User-Agent": UA, "Referer": server.base_url + "/"} if headers is None else headers
    req = urllib.request.Request(url, headers=hdrs, data=data)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        r = opener.open(req, timeout=30)
        return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


# ------------------------------------------------------------------ content
def test_the_district_has_sixty_units_and_eighteen_years(world) -> None:
    haishu = world.portals["haishu"]
    kinds = Counter(u.kind for u in haishu.units)
    assert len(haishu.units) >= 60
    assert kinds["government"] == 1 and kinds["department"] >= 40
    assert kinds["town"] >= 8 and kinds["street"] >= 9
    assert {u.mechanism for u in haishu.units} == {"jpage", "jpaas", "xxgk"}
    assert {p.name: {u.mechanism for u in p.units} for p in world.portals.values() if p.name != "haishu"} == {
        "zhenhai": {"jpage"},
        "yinzhou": {"xxgk"},
    }
    years = {y for u in haishu.units for y in _reports(u)}
    assert years == set(range(2008, 2026))
    n = sum(1 for u in world.units() for a in u.articles if a.is_report)
    assert n > 1100


def test_renames_merges_stops_skips_and_late_reports(world) -> None:
    health = _reports(_unit(world, "haishu", "wjj"))
    assert health[2018].title.startswith("宁波市海曙区卫生和计划生育局2018年")
    assert health[2019].title.startswith("宁波市海曙区卫生健康局2019年")
    assert max(_reports(_unit(world, "haishu", "lsz"))) == 2016
    assert max(_reports(_unit(world, "haishu", "sqz"))) == 2016
    assert min(_reports(_unit(world, "haishu", "sqjd"))) == 2017
    assert max(_reports(_unit(world, "haishu", "wjb"))) == 2018
    assert 2015 not in _reports(_unit(world, "haishu", "zsz")) and 2016 in _reports(
        _unit(world, "haishu", "zsz")
    )
    late = {k for k in D.LATE_2023 if _reports(_unit(world, "haishu", k))[2022].published > date(2023, 1, 31)}
    assert late == set(D.LATE_2023)
    on_time = _reports(_unit(world, "haishu", "tjj"))[2022].published
    assert date(2023, 1, 1) <= on_time <= date(2023, 1, 31)
    # posted twice: a department report also listed (old URL) in the district's aggregate column
    zf = _unit(world, "haishu", "zf")
    twice = [a for a in zf.articles if "发展和改革局" in a.title]
    assert twice and all(a.path in world.redirects or a.path in world.gone for a in twice)


def test_the_five_real_seeds_sit_at_their_real_unit_and_year(world, seed_texts) -> None:
    for stem, portal, key, year, published, _form in D.SEED_PLACEMENTS:
        a = _reports(_unit(world, portal, key))[year]
        assert (a.seed, a.published) == (stem, published)


def test_report_values_satisfy_their_identities_unless_broken_on_purpose() -> None:
    for year in (2012, 2019, 2023):
        for broken in (False, True):
            rep = build_report("宁波市海曙区统计局", year, D.SEED, broken=broken)
            parsed = parse_text(rep.text)
            assert parsed["generation"] == rep.generation and parsed["report_year"] == year
            assert parsed["agency"] == "宁波市海曙区统计局"
            failing = [c["name"] for c in parsed["checks"] if c["holds"] is False]
            assert bool(failing) == broken, (year, failing)
            received = [
                c["value"]
                for c in parsed["cells"]
                if c.get("indicator") == "requests_received" and c.get("applicant") in (None, "total")
            ]
            assert received[0] == rep.requests_received


def test_binary_forms_are_what_they_claim_or_really_another_format(world) -> None:
    import pdfplumber
    import xlrd

    from scrapers.extract import ExtractionError, extract, sniff_format

    files = {}
    for (portal, key, year), form in D.SPECIAL_FORMS.items():
        a = _reports(_unit(world, portal, key))[year].materialise()
        files[form, year] = a
    wps = files["wps", 2013].attachments[0]
    assert wps.filename.endswith(".wps") and wps.data[:4] == b"\xd0\xcf\x11\xe0"
    doc_text = extract(wps.data, "doc").text
    assert doc_text.startswith("2013年度海曙区交通运输局政府信息公开工作报告")
    et = files["et", 2012].attachments[0]
    assert et.filename.endswith(".et")
    assert (sniff_format(wps.data), sniff_format(et.data)) == ("doc", "xls")  # by content, not by name
    sheet = xlrd.open_workbook(file_contents=et.data).sheet_by_index(0)
    assert sheet.nrows > 30 and sheet.cell_value(0, 0).replace(" ", "").replace("\u3000", "") == "统计指标"
    scanned = _reports(_unit(world, *D.SCANNED[:2]))[D.SCANNED[2]].materialise().attachments[0]
    with pdfplumber.open(io.BytesIO(scanned.data)) as pdf:
        assert len(pdf.pages) == 2
        assert all(not p.chars and p.images for p in pdf.pages)  # image-only: nothing to extract
    with pytest.raises(ExtractionError, match=r"^image-only PDF \(scanned, no text layer\)"):
        extract(scanned.data, "pdf")  # kept (quarantined) with that reason, never an empty report


# ------------------------------------------------------------------ HTTP shapes
def test_list_endpoints_refuse_bare_requests(server) -> None:
    status, _, _ = _get(server, "/module/xxgk/search.jsp?jdid=2963&area=002998932", headers={})
    assert status == 403
    status, _, _ = _get(
        server, "/module/xxgk/search.jsp?jdid=2963&area=002998932", headers={"User-Agent": UA}
    )
    assert status == 403  # no Referer
    server.set_faults({"bot_challenge"})
    try:
        status, body, _ = _get(server, "/module/xxgk/search.jsp?jdid=2963&area=002998932&currpage=9")
        assert status == 200 and "safeline" in body.decode()
    finally:
        server.set_faults(set())


def test_jpaas_column_pages_carry_single_quoted_query_data_with_real_ids(server, world) -> None:
    unit = _unit(world, "haishu", "tjj")
    status, body, _ = _get(server, f"/col/col{unit.column_id}/index.html")
    page = body.decode()
    queries = re.findall(r'queryData="([^"]+)"', page)
    assert status == 200 and len(queries) == 2  # a navigation unit, then the list
    q = dict(re.findall(r"'(\w+)':'([^']*)'", queries[1]))
    assert re.fullmatch(r"[A-Za-z0-9]{21}", q["tplSetId"]) and q["tagId"] == unit.tag_id
    params = {"parseType": "bulidstatic", **q, "paramJson": json.dumps({"pageNo": 2, "pageSize": 15})}
    status, body, _ = _get(
        server, "/api-gateway/jpaas-publish-server/front/page/build/unit?" + urlencode(params)
    )
    payload = json.loads(body)
    assert payload["success"] and 'count="' in payload["data"]["html"]
    wrong = {**params, "tplSetId": "5d4a1c2b"}
    status, body, _ = _get(
        server, "/api-gateway/jpaas-publish-server/front/page/build/unit?" + urlencode(wrong)
    )
    assert json.loads(body)["success"] is False


def test_xxgk_lists_print_page_counts_and_need_the_site_id(server, world) -> None:
    unit = _unit(world, "haishu", "nmjd")
    status, body, _ = _get(server, f"/module/xxgk/search.jsp?jdid=2963&area={unit.area}&currpage=1")
    page = body.decode()
    items = [a for a in unit.articles]
    assert f"共{-(-len(items) // 15)}页" in page and 'class="cont_right_from4"' in page
    assert "data-pages" not in page
    _, body, _ = _get(server, f"/module/xxgk/search.jsp?area={unit.area}&currpage=1")
    assert "参数错误" in body.decode()
    status, body, _ = _get(server, f"/module/xxgk/search.jsp?area={unit.area}&currpage=1", data=b"jdid=2963")
    assert status == 200 and "cont_right_from4" in body.decode()  # POST works too


def test_migrated_urls_redirect_or_are_gone_and_files_live_on_another_host(server, world) -> None:
    listed_old = [a.path for a in _unit(world, "haishu", "zf").articles if a.path.startswith("/art/")]
    moved = [p for p in listed_old if p in world.redirects]
    gone = [p for p in listed_old if p in world.gone]
    assert moved and gone  # the aggregate column still lists old URLs of both kinds
    for old in moved:
        status, _, headers = _get(server, old)
        assert status == 301 and headers["Location"] == world.redirects[old]
    for old in gone:
        assert _get(server, old)[0] == 404
    # a report whose files are on the OSS file host, reached through a cross-host 302
    a = next(a for a in world.files.values() if any(f.link == "oss" for f in a.materialise().attachments))
    page = _get(server, a.path)[1].decode()
    href = re.search(r'href="(/module/download/downfile\.jsp\?classid=-1&amp;filename=[^"]+)"', page).group(1)
    status, _, headers = _get(server, href.replace("&amp;", "&"))
    assert status == 302 and headers["Location"].startswith(
        f"http://{server.file_host}/jcms_files/jcms1/web2963/"
    )
    status, data, _ = _get(server, headers["Location"])
    assert status == 200 and len(data) > 1000
    assert 'class="art-con" ergodic="article"' in page or 'class="zc_article_con"' in page
    assert 'id="zoom"' not in page


def test_a_dead_attachment_a_revised_report_and_a_pinned_item(server, world) -> None:
    portal, key, year = D.DEAD_ATTACHMENT
    a = _reports(_unit(world, portal, key))[year]
    page = _get(server, a.path)[1].decode()
    links = re.findall(r'href="([^"]*filename=[^"]+)"', page)
    dead = [h for h in links if "图解" in page and D._hex("dead", year) in h]
    assert dead
    status, _, headers = _get(server, dead[0].replace("&amp;", "&"))
    assert _get(server, headers["Location"])[0] == 404
    r = _reports(_unit(world, *D.REVISED[:2]))[D.REVISED[2]]
    page = _get(server, r.path)[1].decode()
    assert f'content="{D.REVISED[3].isoformat()} 09:00"' in page and "更正说明" in page
    tjj = _unit(world, "haishu", "tjj")
    params = {
        "parseType": "bulidstatic",
        "webId": "2963",
        "tplSetId": tjj.tpl_set_id,
        "pageType": "column",
        "tagId": tjj.tag_id,
        "editType": "null",
        "pageId": tjj.column_id,
        "paramJson": json.dumps({"pageNo": 1, "pageSize": 15}),
    }
    html = json.loads(
        _get(server, "/api-gateway/jpaas-publish-server/front/page/build/unit?" + urlencode(params))[1]
    )
    dates = re.findall(r'class="fr">([\d-]+)<', html["data"]["html"])
    assert dates[0].startswith("2009-01-") and dates[1] > dates[0]  # the pinned 2008 report first


# ------------------------------------------------------------------ unit discovery
def test_units_are_discovered_from_the_directories_and_a_vanished_one_warned(
    server, settings, caplog
) -> None:
    from scrapers import units
    from scrapers.registry import load_portals

    s = dataclasses.replace(settings, portal_base_url=server.base_url)
    portals = load_portals(s.portals_file)
    hidden = "1229543896"  # 区统计局 (jpaas)
    server.hide_units({hidden})
    try:
        first = units.discover_units(s, portals["haishu"])
    finally:
        server.hide_units(set())
    assert len(first.units) >= 60 and hidden not in {u.column_id for u in first.units}
    by_mech = Counter(u.mechanism for u in first.units)
    assert by_mech["jpaas"] >= 35 and by_mech["xxgk"] >= 15 and by_mech["jpage"] >= 2
    stat = units.discover_units(s, portals["haishu"])  # the unit appears: no code or file change
    assert stat.new == [hidden]
    assert (
        next(u for u in stat.units if u.column_id == hidden).tpl_set_id
        == _unit(D.build_district(), "haishu", "tjj").tpl_set_id
    )
    assert stat.requests == 3  # the two directory pages and the new unit's column page
    server.hide_units({hidden})
    with caplog.at_level(logging.WARNING, logger="scrapers.units"):
        gone = units.discover_units(s, portals["haishu"])
    server.hide_units(set())
    assert gone.vanished == [hidden]
    assert any("no longer listed" in r.message and hidden in r.message for r in caplog.records)
    assert gone.requests == 2  # only the two directory pages once every unit is known
    cols = units.columns_of(s, portals["haishu"])
    ids = {c.id: c for c in cols}
    assert hidden in ids  # kept: its history is not lost
    assert ids["1229102208"].agency_code == "haishu" and ids["1229565861"].agency_code == "haishu-yinjiang"
    # a pinned column takes the ids discovery read off its page (no column-page request on daily runs)
    assert re.fullmatch(r"[A-Za-z0-9]{21}", ids["1229565861"].tpl_set_id) and ids["1229565861"].tag_id
    assert ids[hidden].agency_code == f"haishu-{hidden}" and ids[hidden].agency_name == "区统计局"

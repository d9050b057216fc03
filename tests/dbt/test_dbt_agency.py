"""dim_agency, mart_publication_timeliness and mart_scrape_health built by real dbt: agencies named
from their own reports (the five real seeds), deadlines with their legal basis and days early/late,
and — with a renamed bureau, two towns merged into a sub-district and a quarantined report added to
staging — the renamed and merged units linked and the collected-but-unparsed row."""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest
from dbt_test_helpers import SeedWarehouse, query

from gongkai.build import dbt_build


def test_agencies_are_named_from_their_reports(seed_warehouse: SeedWarehouse) -> None:
    rows = {
        r[0]: r[1:]
        for r in seed_warehouse.q(
            "select agency_code, name_zh, short_name, level, level_zh, parent_name, aliases, name_source "
            "from main.dim_agency"
        )
    }
    # 001's title says 宁波市海曙区人民政府: normalised, the registry's full name kept as an alias
    assert rows["haishu"][:5] == ("海曙区人民政府", "人民政府", "county_government", "县级人民政府", None)
    assert "宁波市海曙区人民政府" in rows["haishu"][5].split("；") and rows["haishu"][6] == "report"
    # 002 is stamped 区经济合作局 (填报单位): the district comes from its title
    econ = rows["zhenhai-econ-coop"]
    assert econ[:5] == (
        "镇海区经济合作局",
        "经济合作局",
        "county_department",
        "县级政府部门",
        "宁波市镇海区人民政府",
    )
    assert "区经济合作局" in econ[5].split("；")
    assert rows["haishu-yinjiang"][:5] == ("鄞江镇人民政府", "鄞江镇", "township", "乡镇", "海曙区人民政府")
    # a government without a collected report keeps the registry's name
    assert rows["zhenhai"][0] == "宁波市镇海区人民政府" and rows["zhenhai"][6] == "registry"


def test_timeliness_has_days_late_and_early_and_the_legal_basis(seed_warehouse: SeedWarehouse) -> None:
    rows = {
        (r[0], r[1]): r[2:]
        for r in seed_warehouse.q(
            "select agency_code, report_year, agency_name, agency_level_zh, status, status_zh, deadline, "
            "published_date, days_late, days_early, days_after_deadline, legal_basis, deadline_is_assumption "
            "from main.mart_publication_timeliness"
        )
    }
    # seed 001 (海曙区人民政府 on 2018) was published 2019-01-12: 78 days before 31 March
    assert rows[("haishu", 2018)] == (
        "海曙区人民政府", "县级人民政府", "on_time", "按时", date(2019, 3, 31), date(2019, 1, 12), 0, 78, -78,
        "《政府信息公开条例》(2007年国务院令第492号) 第三十一条", False,
    )  # fmt: skip
    # seed 003 (鄞江镇 on 2019): the 2019 regulation names no deadline for towns — an assumption
    yinjiang = rows[("haishu-yinjiang", 2019)]
    assert yinjiang[2] == "on_time" and yinjiang[5:8] == (date(2020, 1, 20), 0, 71) and yinjiang[-1] is True
    assert "第四十九条" in yinjiang[-2]
    # a county department's 2019 report is due 31 January (art. 49 para. 1)
    assert rows[("zhenhai-econ-coop", 2019)][2:4] == ("missing", "缺失")
    assert rows[("zhenhai-econ-coop", 2019)][4] == date(2020, 1, 31)
    for values in rows.values():
        days_late, days_early = values[6], values[7]
        assert days_late is None or (days_late >= 0 and days_early >= 0)


def _add(con: duckdb.DuckDBPyConnection, doc: str, code: str, column: str, title: str, year: int,
         published: date, *, status: str = "partial", filler: str | None = None) -> None:  # fmt: skip
    now = datetime.now()  # after the copied build: its build slice (parsed since the watermark) holds them
    url = f"http://127.0.0.1/col/col{column}/art/{doc}.html"
    con.execute(
        "insert into documents (document_id, version, url, portal, column_id, agency_code, agency_name, title, "
        "published_date, content_type, sha256, content_hash, attachments, status, error, is_synthetic, "
        "first_seen, last_seen) values (?, 1, ?, 'haishu', ?, ?, NULL, ?, ?, 'html', ?, ?, '[]', 'ok', NULL, "
        "false, ?, ?)",
        [doc, url, column, code, title, published, doc * 4, doc * 4, now, now],
    )
    text = f"{title}\n……\n填报单位（盖章）：{filler}\n" if filler else f"{title}\n……\n"
    con.execute("insert into raw_texts values (?, 1, ?, 'html:test', '1', ?, ?)", [doc, text, len(text), now])
    reasons = json.dumps(["no template fits"] if status == "quarantined" else [])
    con.execute(
        "insert into parse_results (document_id, version, generation, template, report_year, agency, status, "
        "reasons, n_cells, parser_version, parsed_at) values (?, 1, 'G1', NULL, ?, NULL, ?, ?, 0, 'test', ?)",
        [doc, None if status == "quarantined" else year, status, reasons, now],
    )


@pytest.mark.slow
def test_renamed_and_merged_units_are_linked(copy_warehouse) -> None:
    s = copy_warehouse()
    health, town_a, town_b, street = (
        "haishu-1229000100",
        "haishu-1229000101",
        "haishu-1229000102",
        "haishu-1229000103",
    )
    with duckdb.connect(str(s.staging_db)) as con:
        _add(
            con,
            "a000000000000016",
            health,
            "1229000100",
            "宁波市海曙区卫生和计划生育局2016年政府信息公开工作年度报告",
            2016,
            date(2017, 3, 20),
        )
        _add(
            con,
            "a000000000000018",
            health,
            "1229000100",
            "宁波市海曙区卫生健康局2018年政府信息公开工作年度报告",
            2018,
            date(2019, 1, 15),
            filler="区卫生健康局",
        )
        _add(
            con,
            "b000000000000015",
            town_a,
            "1229000101",
            "石碶镇2015年政府信息公开工作年度报告",
            2015,
            date(2016, 3, 1),
        )
        _add(
            con,
            "b000000000000016",
            town_a,
            "1229000101",
            "石碶镇2016年政府信息公开工作年度报告",
            2016,
            date(2017, 4, 10),
        )
        _add(
            con,
            "c000000000000015",
            town_b,
            "1229000102",
            "栎社镇2015年政府信息公开工作年度报告",
            2015,
            date(2016, 3, 2),
            status="quarantined",
        )
        _add(
            con,
            "c000000000000016",
            town_b,
            "1229000102",
            "栎社镇2016年政府信息公开工作年度报告",
            2016,
            date(2017, 3, 3),
        )
        _add(
            con,
            "d000000000000017",
            street,
            "1229000103",
            "石碶街道办事处2017年政府信息公开工作年度报告",
            2017,
            date(2018, 2, 1),
        )
    result = dbt_build(s)
    assert result.success, result.failures
    agencies = {
        r[0]: r[1:]
        for r in query(
            s.warehouse_db,
            "select agency_code, name_zh, level, parent_code, former_names, predecessor_codes, successor_code, "
            "change_kind, change_year, in_registry from main.dim_agency",
        )
    }
    # a discovered unit: named, levelled and parented from its reports; the rename is linked
    assert agencies[health] == (
        "海曙区卫生健康局", "county_department", "haishu", "海曙区卫生和计划生育局", None, None, "rename", 2018, False,
    )  # fmt: skip
    # 石碶镇 → 石碶街道 (same stem, consecutive years) and 栎社镇 → 石碶街道 (the agency_changes seed)
    assert agencies[street][:2] == ("石碶街道办事处", "sub_district")
    assert agencies[street][4] == f"{town_a}；{town_b}"
    assert agencies[town_a][1:] == ("township", "haishu", None, None, street, "town_to_street", 2017, False)
    assert agencies[town_b][5:8] == (street, "merge", 2017)
    timeliness = {
        (r[0], r[1]): r[2:]
        for r in query(
            s.warehouse_db,
            "select agency_code, report_year, status, unparsed_reason, days_late from main.mart_publication_timeliness "
            "where agency_code in (?, ?, ?)",
            [town_a, town_b, street],
        )
    }
    # the towns are not expected after their merger; the quarantined 2015 report was published on time
    assert sorted(y for c, y in timeliness if c == town_a) == [2015, 2016]
    assert timeliness[(town_b, 2015)] == ("collected_unparsed", "parse quarantined", 0)
    assert timeliness[(town_a, 2016)][0] == "late" and timeliness[(town_a, 2016)][2] == 10
    assert min(y for c, y in timeliness if c == street) == 2017

"""Discovery over real HTTP against the replica: pagination per mechanism, exact intervals."""

from __future__ import annotations

from datetime import date

import pytest

from replica.site import FILLER_PER_COLUMN
from scrapers.http import FetchError
from scrapers.recognise import is_report_title, report_content_problem
from scrapers.run import discover_column, list_columns

COLUMNS = {
    "jpage": ("haishu", "1229102208"),
    "jpaas": ("haishu", "1229565861"),
    "xxgk": ("yinzhou", "xxgk-xianxiang"),
}


def test_registry_lists_every_real_column_but_not_the_synthetic_one(scrape_settings) -> None:
    cols = list_columns(scrape_settings)
    assert {c["portal"] for c in cols} == {"haishu", "zhenhai", "yinzhou"}
    assert len(cols) == 5
    assert list_columns(scrape_settings, "synthetic") == [{"portal": "synthetic", "column": "9990000001"}]
    with pytest.raises(ValueError):
        list_columns(scrape_settings, "nowhere")


@pytest.mark.parametrize("mechanism", sorted(COLUMNS))
def test_each_mechanism_paginates_over_three_pages(scrape_settings, replica, mechanism: str) -> None:
    portal, column = COLUMNS[mechanism]
    result = discover_column(scrape_settings, portal, column, None, None)
    assert result.complete and result.error is None
    assert result.listed == FILLER_PER_COLUMN + 1  # every list item once
    assert result.list_requests >= 3
    assert [r["title"] for r in result.refs] == [
        {
            "jpage": "宁波市海曙区人民政府2018年政府信息公开工作年度报告",
            "jpaas": "鄞江镇人民政府2019年政府信息公开工作年度报告",
            "xxgk": "咸祥镇2017年政府信息公开工作年度报告",
        }[mechanism]
    ]
    assert all(row["status"] == 200 for row in result.fetch_log if not row["url"].endswith("robots.txt"))


def test_interval_returns_exactly_its_reports(scrape_settings) -> None:
    def titles(since: date, until: date) -> list[str]:
        out = []
        for c in list_columns(scrape_settings):
            out += [
                r["published"]
                for r in discover_column(scrape_settings, c["portal"], c["column"], since, until).refs
            ]
        return sorted(out)

    assert titles(date(2019, 1, 10), date(2019, 1, 13)) == ["2019-01-10", "2019-01-11", "2019-01-12"]
    assert titles(date(2019, 1, 11), date(2019, 1, 12)) == ["2019-01-11"]
    assert titles(date(2019, 1, 13), date(2020, 1, 20)) == []
    assert titles(date(2020, 1, 20), date(2020, 1, 21)) == ["2020-01-20"]


def test_paging_stops_once_items_are_older_than_since(scrape_settings) -> None:
    full = discover_column(scrape_settings, "haishu", "1229102208", None, None)
    recent = discover_column(scrape_settings, "haishu", "1229102208", date(2021, 1, 1), None)
    assert recent.list_requests == 1 < full.list_requests
    assert recent.refs == [] and recent.complete


def test_duplicated_listings_are_deduplicated(scrape_settings, replica) -> None:
    replica.set_faults({"duplicate_listing"})
    for portal, column in COLUMNS.values():
        result = discover_column(scrape_settings, portal, column, None, None)
        assert result.listed == FILLER_PER_COLUMN + 1
        assert len(result.refs) == 1


def test_report_recognition_by_title_and_content(seed_texts) -> None:
    assert is_report_title("2018年度镇海区经济合作局政府信息公开工作报告")
    assert is_report_title("咸祥镇2017年政府信息公开工作年度报告")
    assert not is_report_title("关于报送2018年度政府信息公开工作年度报告的通知")
    assert not is_report_title("工作动态（合成示例，非年报）第3期")
    assert all(report_content_problem(t) is None for t in seed_texts.values())
    assert report_content_problem("图解内容见下方图片。") is not None


def test_xxgk_category_marks_a_report_whatever_its_title() -> None:
    from scrapers.recognise import is_report_item

    assert is_report_item("咸祥镇2017年度工作报告", "政府信息公开年报")
    assert not is_report_item("咸祥镇2017年度工作报告", "工作动态")
    assert not is_report_item("关于报送年度报告的通知", "政府信息公开年报")


def test_xxgk_annual_report_lookup_redirects_to_the_report(scrape_settings) -> None:
    from scrapers.discovery import make_client
    from scrapers.registry import load_portals
    from scrapers.xxgk import annual_report_url

    portal = load_portals(scrape_settings.portals_file)["yinzhou"]
    column = portal.columns[0]
    client = make_client(scrape_settings, portal)
    resp = client.get(annual_report_url(portal.base_url(scrape_settings), column, 2017))
    assert resp.status == 200 and "咸祥镇2017年政府信息公开工作年度报告" in resp.content.decode("utf-8")
    with pytest.raises(FetchError, match="HTTP 404"):
        client.get(annual_report_url(portal.base_url(scrape_settings), column, 2016))


@pytest.mark.parametrize(
    ("registry", "message"),
    [
        ("", "names no portal (a `portals:` mapping is needed)"),
        ("portals: []\n", "names no portal"),
        ("portals:\n  haishu:\n    name: 海曙\n", "portal haishu has no `hosts:`"),
        (
            "portals:\n  haishu:\n    hosts: [www.haishu.gov.cn]\n    columns: [{id: '1', mechanism: jpage, agency_code: nope}]\n",
            "portal haishu column 1: unknown agency_code 'nope'",
        ),
        (
            "portals:\n  haishu:\n    hosts: [www.haishu.gov.cn]\n    columns: [{mechanism: jpage}]\n",
            "an entry lacks the key 'id'",
        ),
        ("portals: [unclosed\n", "is not valid YAML: expected ',' or ']'"),
    ],
)
def test_a_registry_that_is_not_one_is_one_line(tmp_path, registry: str, message: str) -> None:
    """GONGKAI_PORTALS pointing at an empty, half-written or misspelt file: one line naming the file
    and the entry, exit 2 (before: an AttributeError or KeyError traceback from deep inside)."""
    import os
    import subprocess
    import sys

    from gongkai.config import REPO_ROOT

    path = tmp_path / "portals.yaml"
    path.write_text(registry, encoding="utf-8")
    env = {**os.environ, "GONGKAI_HOME": str(tmp_path / "home"), "GONGKAI_PORTALS": str(path)}
    out = subprocess.run(
        [sys.executable, "-c", "from gongkai.cli import main; main()", "scrape", "--since", "2025-01-01"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 2, out.stderr[-2000:]
    assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert f"portal registry {path}" in out.stderr and message in out.stderr and "Traceback" not in out.stderr

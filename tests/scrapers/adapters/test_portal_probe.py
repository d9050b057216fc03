"""`gongkai portal probe URL|FILE` as an operator runs it (a real process), on saved real-shaped
pages and on a live local portal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from adapter_sites import TPL_SET_ID, column_entries, records, serve_jpaas, serve_jpage, serve_xxgk
from fixture_server import fixture_text

from gongkai.config import REPO_ROOT
from scrapers.registry import load_portals

pytestmark = pytest.mark.slow  # each test starts the installed `gongkai` command


def probe(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "gongkai"), "portal", "probe", *args],  # the installed command
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )


def registry_entry(stdout: str) -> dict:
    return yaml.safe_load(stdout[stdout.index("# paste under") :])


def loaded(stdout: str, tmp_path: Path) -> dict:
    """The printed entry read by the registry loader itself."""
    path = tmp_path / "portals.yaml"
    path.write_text(stdout[stdout.index("# paste under") :], encoding="utf-8")
    return load_portals(path)


def saved_jpage_column(tmp_path: Path) -> Path:
    entries = column_entries(60)
    page = fixture_text(
        "jpage/column.html",
        RECORDS=records(entries[:45], "yuhang", "https://www.haishu.gov.cn"),
        TOTAL=60,
        SIDEBAR_RECORDS=records(entries[:5], "sidebar"),
        SIDEBAR_TOTAL=37,
        MOBILE_ITEMS="",
    )
    path = tmp_path / "政府信息公开年报.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_probe_a_saved_jpage_column(tmp_path) -> None:
    path = saved_jpage_column(tmp_path)
    got = probe(str(path), "--url", "https://www.haishu.gov.cn/col/col1229102208/index.html")
    assert got.returncode == 0, got.stderr
    assert "mechanism  jpage" in got.stdout and "list size  60 (records)" in got.stdout
    assert "first page 45 items, 2 look like annual reports" in got.stdout
    assert "2 jpage units on the page (6101299, 7006473); chose 7006473" in got.stdout
    spec = registry_entry(got.stdout)["portals"]["haishu"]
    assert spec["hosts"] == ["www.haishu.gov.cn"] and spec["webid"] == "2963"
    assert spec["webname"] == "宁波市海曙区人民政府" and "*.cloud.zj.gov.cn" in spec["file_hosts"]
    assert spec["overrides"] == [
        {
            "id": "1229102208",
            "pin": True,
            "mechanism": "jpage",
            "unitid": "7006473",
            "title": "政府信息公开年报",
            "name": "宁波市海曙区人民政府",
            "verified": False,
        }
    ]
    column = loaded(got.stdout, tmp_path)["haishu"].columns[0]  # the entry is a valid registry
    assert (column.id, column.mechanism, column.unitid, column.agency_code) == (
        "1229102208",
        "jpage",
        "7006473",
        "haishu-1229102208",
    )


def test_probe_a_live_jpage_column_checks_its_dataproxy(portal_server) -> None:
    serve_jpage(portal_server, column_entries(100))
    got = probe(f"{portal_server.base_url}/col/col1229102208/index.html")
    assert got.returncode == 0, got.stderr
    assert "unitid     7006473" in got.stdout and "dataproxy  POST answered 20 more items" in got.stdout


def test_probe_a_live_jpaas_column_verifies_its_ids(portal_server) -> None:
    serve_jpaas(portal_server, column_entries(100))
    got = probe(f"{portal_server.base_url}/col/col1229565861/index.html", "--key", "haishu")
    assert got.returncode == 0, got.stderr
    assert "mechanism  jpaas" in got.stdout and f"tplSetId   {TPL_SET_ID}" in got.stdout
    assert "first page 15 items, 0 look like annual reports" in got.stdout
    assert "3 jpaas units (头部导航, 当前栏目列表1, 底部); chose '当前栏目列表1'" in got.stdout
    column = registry_entry(got.stdout)["portals"]["haishu"]["overrides"][0]
    assert (column["id"], column["tpl_set_id"], column["tag_id"]) == ("1229565861", TPL_SET_ID, "当前栏目列表1")
    assert column["name"] == "鄞江镇"


def test_probe_a_live_xxgk_list(portal_server) -> None:
    serve_xxgk(portal_server, column_entries(40), "table")
    got = probe(f"{portal_server.base_url}/module/xxgk/search.jsp?jdid=2756&area=002964115&currpage=1")
    assert got.returncode == 0, got.stderr
    assert "mechanism  xxgk" in got.stdout and "list size  3 (pages)" in got.stdout
    column = registry_entry(got.stdout)["portals"]["127"]["overrides"][0]
    assert (column["id"], column["mechanism"], column["area"]) == ("xxgk-002964115", "xxgk", "002964115")


def test_probe_a_directory_lists_its_units_and_becomes_a_directories_entry(tmp_path) -> None:
    path = tmp_path / "xxgk.html"
    path.write_text(fixture_text("directory/disclosure_columns.html"), encoding="utf-8")
    got = probe(str(path), "--url", "https://www.haishu.gov.cn/col/col1229100040/index.html")
    assert got.returncode == 0, got.stderr
    assert "units      6 linked (column id, or xxgk-<area code> for an xxgk unit)" in got.stdout
    report = got.stdout[: got.stdout.index("# paste under")]
    listed = [line.split()[0] for line in report.splitlines() if line.startswith("  ")]
    assert listed == [
        "1229102208",
        "1229565861",
        "1229565870",
        "1229565871",
        "xxgk-002964115",
        "xxgk-11330203MB1234567X",
    ]
    spec = registry_entry(got.stdout)["portals"]["haishu"]
    assert spec["directories"] == ["/col/col1229100040/index.html"] and spec["webid"] == "2963"
    assert loaded(got.stdout, tmp_path)["haishu"].directories == ("/col/col1229100040/index.html",)


def test_user_errors_are_one_line_and_a_non_zero_exit(tmp_path, portal_server) -> None:
    missing = probe(str(tmp_path / "nope.html"))
    other = tmp_path / "other.html"
    other.write_text("<html><body><p>hello</p></body></html>", encoding="utf-8")
    unknown = probe(str(other))
    challenge = tmp_path / "challenge.html"
    challenge.write_text(fixture_text("blocked/safeline.html"), encoding="utf-8")
    blocked = probe(str(challenge))
    dead = probe(f"{portal_server.base_url}/col/col1/index.html")
    for got, text in (
        (missing, "no such file, and not an http(s) URL"),
        (unknown, "not a Hanweb column or directory page"),
        (blocked, "blocked: SafeLine bot challenge"),
        (dead, "cannot fetch"),
    ):
        assert got.returncode != 0 and got.stdout == ""
        assert len(got.stderr.strip().splitlines()) == 1 and text in got.stderr and "Traceback" not in got.stderr

"""A new user's first five minutes: clone, run the two Quickstart commands as the README writes them,
and check what the demo printed and what it left in the serving warehouse."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

from gongkai.config import REPO_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _quickstart_commands() -> list[str]:
    """The two commands in the README's Quickstart code block, in order."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    return [c for c in commands if c]


def test_readme_quickstart_has_exactly_two_commands() -> None:
    commands = _quickstart_commands()
    assert len(commands) == 2
    assert commands[1] in (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.timeout(1800)
def test_fresh_clone_runs_demo_and_tests(tmp_path: Path) -> None:
    if os.environ.get("GONGKAI_E2E_INNER") == "1":
        pytest.skip("already inside the fresh-clone run")
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGKAI_", "AIRFLOW", "VIRTUAL_ENV"))}
    env["GONGKAI_E2E_INNER"] = "1"
    demo_cmd, test_cmd = _quickstart_commands()

    demo = subprocess.run(
        demo_cmd, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=900
    )
    assert demo.returncode == 0, demo.stdout[-4000:] + demo.stderr[-4000:]
    out = demo.stdout
    assert "G1" in out and "G2" in out
    assert "blocking" in out.lower()
    assert "requests_received" in out

    serving = clone / ".data" / "serving" / "warehouse.duckdb"
    assert serving.exists()
    con = duckdb.connect(str(serving), read_only=True)
    try:
        rows = con.execute(
            "select agency_code, report_year, generation, proactive_total, requests_received, reviews_total "
            "from mart_agency_year order by agency_code, report_year"
        ).fetchall()
    finally:
        con.close()
    by_key = {(r[0], r[1]): r[2:] for r in rows}
    # Figures read off the seed reports (fixtures/reports): generation, 主动公开, 收到申请/本年新收, 行政复议.
    assert by_key[("haishu", 2018)] == ("G1", 37888, 150, 9)
    assert by_key[("zhenhai-news-centre", 2018)] == ("G1", 169, 0, 0)
    assert by_key[("zhenhai-econ-coop", 2018)] == ("G1", 260, 0, 0)
    assert by_key[("yinzhou-xianxiang", 2017)] == ("G1", 315, 0, 0)
    yinjiang = by_key[("haishu-yinjiang", 2019)]  # G2: no single 主动公开 total; 表四 复议 总计 = 2
    assert (yinjiang[0], yinjiang[2], yinjiang[3]) == ("G2", 6, 2)

    tests = subprocess.run(
        test_cmd, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=1500
    )
    assert tests.returncode == 0, tests.stdout[-6000:] + tests.stderr[-3000:]
    assert re.search(r"\d+ passed", tests.stdout)

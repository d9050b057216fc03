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
def test_fresh_clone_runs_the_demo(tmp_path: Path) -> None:
    """Quickstart command 1 in a fresh clone. (Command 2 is what CI itself runs on a fresh clone:
    `.ci/run` is that command, checked above, so it is not run a second time in here.)"""
    from replica.district import SEED, build_district
    from replica.reports import build_report

    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGKAI_", "AIRFLOW", "VIRTUAL_ENV"))}
    demo_cmd, _ = _quickstart_commands()

    demo = subprocess.run(
        demo_cmd, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=1500
    )
    assert demo.returncode == 0, demo.stdout[-4000:] + demo.stderr[-4000:]
    out = demo.stdout
    assert "G3" in out and "blocking" in out.lower() and "requests_received" in out

    serving = clone / ".data" / "serving" / "warehouse.duckdb"
    assert serving.exists()
    con = duckdb.connect(str(serving), read_only=True)
    try:
        received = dict(
            con.execute(
                "select report_year, requests_received from mart_agency_year where agency_code = 'haishu'"
            ).fetchall()
        )
        late = con.execute(
            "select agency_name, days_late from mart_publication_timeliness "
            "where report_year = 2025 and status = 'late' order by days_late desc"
        ).fetchall()
    finally:
        con.close()
    # The district government's reports as the replica serves them (its own generator, not the parser)
    district = build_district()
    government = next(u for u in district.units() if u.portal == "haishu" and u.kind == "government")
    for year in (2024, 2025):
        served = build_report(government.name_in(year), year, SEED, scale=3)
        assert received[year] == served.requests_received, (year, received)
    # 区司法局 posts its report in April every year: late for 2025, and named in the demo's answer
    assert late and "司法局" in late[0][0] and late[0][1] > 0
    assert "司法局" in out

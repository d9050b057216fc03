"""parse_staged reads staging raw_texts and writes parse_results / parsed_cells / parse_checks."""

from __future__ import annotations

import json
from datetime import datetime

from click.testing import CliRunner

from gongkai import staging
from gongkai.cli import main
from gongkai.config import REPO_ROOT
from gongkai.parsing.step import parse_staged


def _stage(settings, texts: dict[str, str]) -> None:
    with staging.connect(settings.staging_db) as con:
        for doc_id, text in texts.items():
            con.execute(
                "INSERT INTO raw_texts VALUES (?, 1, ?, 'test', '0', ?, ?)",
                [doc_id, text, len(text), datetime(2024, 1, 1)],
            )


def test_parse_staged_writes_results_cells_and_checks(settings, seed_texts):
    _stage(settings, {**seed_texts, "garbage": "no report here 42"})
    summary = parse_staged(settings)
    assert (summary.parsed, summary.complete, summary.partial, summary.quarantined) == (6, 5, 0, 1)
    with staging.connect(settings.staging_db, read_only=True) as con:
        rows = dict(con.execute("SELECT document_id, status FROM parse_results").fetchall())
        assert rows["garbage"] == "quarantined" and rows["003_49c6c62204b3e30b"] == "complete"
        reasons = json.loads(
            con.execute("SELECT reasons FROM parse_results WHERE document_id='garbage'").fetchone()[0]
        )
        assert reasons and "no known template" in reasons[0]
        n_cells = con.execute("SELECT count(*) FROM parsed_cells").fetchone()[0]
        assert (
            n_cells
            == summary.cells
            == sum(r[0] for r in con.execute("SELECT n_cells FROM parse_results").fetchall())
        )
        blank = con.execute(
            "SELECT value, raw FROM parsed_cells WHERE document_id='000_f4d536c944cec0f0' "
            "AND row_label='政府网站公开政府信息数' AND source='table'"
        ).fetchall()
        assert blank == [(None, "")]
        holds = con.execute(
            "SELECT holds FROM parse_checks WHERE document_id='002_ac397f543ad98429' "
            "AND name='prose_vs_table[proactive_total]'"
        ).fetchone()[0]
        assert holds is False
    # nothing new to parse; reparse replaces the rows instead of duplicating them
    assert parse_staged(settings).parsed == 0
    again = parse_staged(settings, reparse=True, document_ids=["003_49c6c62204b3e30b"])
    assert again.parsed == 1
    with staging.connect(settings.staging_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM parsed_cells").fetchone()[0] == n_cells


def test_cli_parse_prints_one_json_object(tmp_path):
    seed = REPO_ROOT / "fixtures" / "reports" / "004_5aaa9839169bd157.txt"
    runner = CliRunner()
    out = runner.invoke(main, ["parse", str(seed)])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert (result["generation"], result["report_year"], result["status"]) == ("G1", 2017, "complete")
    stdin = runner.invoke(main, ["parse", "-"], input=seed.read_bytes())
    assert json.loads(stdin.output) == result


def test_cli_parse_staged(settings, seed_texts, monkeypatch):
    _stage(settings, {"003": seed_texts["003_49c6c62204b3e30b"]})
    for key, value in settings.env().items():
        monkeypatch.setenv(key, value)
    out = CliRunner().invoke(main, ["parse-staged"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["complete"] == 1

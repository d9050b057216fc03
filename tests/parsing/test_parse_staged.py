"""parse_staged reads staging raw_texts and writes parse_results / parsed_cells / parse_checks."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest

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
    prose_only = "横溪镇人民政府2012年政府信息公开工作年度报告\n\n全年主动公开信息312条，本年新收申请42件。\n"
    _stage(settings, {**seed_texts, "garbage": "no report here 42", "prose": prose_only})
    summary = parse_staged(settings)
    assert (summary.parsed, summary.complete, summary.partial, summary.quarantined) == (7, 5, 1, 1)
    with staging.connect(settings.staging_db, read_only=True) as con:
        rows = dict(con.execute("SELECT document_id, status FROM parse_results").fetchall())
        assert rows["garbage"] == "quarantined" and rows["003_49c6c62204b3e30b"] == "complete"
        sources = dict(con.execute("SELECT document_id, generation_source FROM parse_results").fetchall())
        assert (sources["prose"], sources["003_49c6c62204b3e30b"], sources["garbage"]) == ("year", "template", None)
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


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    """Run ``gongkai ARGV`` in-process: (exit code, stdout)."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    return exited.value.code, capsys.readouterr().out


def test_cli_parse_prints_one_json_object(capsys, monkeypatch):
    seed = REPO_ROOT / "fixtures" / "reports" / "004_5aaa9839169bd157.txt"
    code, out = _cli(["parse", str(seed)], capsys)
    assert code == 0, out
    result = json.loads(out)
    assert (result["generation"], result["report_year"], result["status"]) == ("G1", 2017, "complete")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(seed.read_bytes())))
    code, out = _cli(["parse", "-"], capsys)
    assert code == 0 and json.loads(out) == result


def test_cli_parse_of_a_hundred_thousand_digit_cell_prints_json(tmp_path, capsys, seed_texts):
    path = tmp_path / "huge.txt"
    path.write_text(seed_texts["000_f4d536c944cec0f0"].replace("\t169\n", "\t" + "7" * 100_000 + "\n", 1))
    code, out = _cli(["parse", str(path)], capsys)
    assert code == 0
    assert json.loads(out)["status"] == "partial"


def test_cli_parse_staged(settings, seed_texts, monkeypatch, capsys):
    _stage(settings, {"003": seed_texts["003_49c6c62204b3e30b"]})
    for key, value in settings.env().items():
        monkeypatch.setenv(key, value)
    code, out = _cli(["parse-staged"], capsys)
    assert code == 0, out
    assert json.loads(out)["complete"] == 1


def test_a_staging_file_from_before_generation_source_gets_the_column(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(
            "CREATE TABLE parse_results (document_id VARCHAR NOT NULL, version INTEGER NOT NULL, "
            "generation VARCHAR, template VARCHAR, report_year INTEGER, agency VARCHAR, status VARCHAR NOT NULL, "
            "reasons JSON NOT NULL, n_cells INTEGER NOT NULL, parser_version VARCHAR NOT NULL, "
            "parsed_at TIMESTAMP NOT NULL, PRIMARY KEY (document_id, version))"
        )
    with staging.connect(path) as con:
        columns = [r[0] for r in con.execute("DESCRIBE parse_results").fetchall()]
    assert columns[-1] == "generation_source"

"""The run rules shared by `gongkai run` and the DAG tasks (gongkai.orchestration.rules), and the
typed settings they read. Real staging from the five seed reports; the pipeline test runs real dbt."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gongkai.config import ENV_VARS, STORAGE_VERSION, SettingError, Settings
from gongkai.fixtures_loader import SEED_REPORTS, load_seed_reports, seed_document_id
from gongkai.orchestration import rules


def _ids(agency_year: set[tuple[str, int]]) -> list[str]:
    return sorted(seed_document_id(s) for s in SEED_REPORTS if (s.agency_code, s.report_year) in agency_year)


def test_every_setting_is_typed_and_round_trips_through_the_environment(tmp_path: Path) -> None:
    fields = {f.name for f in dataclasses.fields(Settings)}
    assert fields == set(ENV_VARS)  # no untyped bag: each field has its variable, and only those
    env = {
        "GONGKAI_HOME": str(tmp_path / "h"),
        "GONGKAI_TASK_RETRIES": "5",
        "GONGKAI_REQUEST_INTERVAL": "0.1",
        "GONGKAI_ALERT_EMAIL": "a@example.org, b@example.org",
        "GONGKAI_INCLUDE_SYNTHETIC": "yes",
        "GONGKAI_DBT_PROJECT_DIR": str(tmp_path / "dbt"),
        "GONGKAI_SMTP_PORT": "2525",
    }
    s = Settings.from_env(environ=env)
    assert (s.task_retries, s.request_interval, s.smtp_port) == (5, 0.1, 2525)
    assert s.alert_email == ("a@example.org", "b@example.org") and s.include_synthetic is True
    assert s.staging_db == tmp_path / "h" / "staging.duckdb"
    assert s.seeds_dir == tmp_path / "dbt" / "seeds"
    assert Settings.from_env(environ=s.env()) == s
    assert s.env()["GONGKAI_STORAGE_VERSION"] == STORAGE_VERSION
    with pytest.raises(SettingError, match="GONGKAI_TASK_RETRIES='many'"):
        Settings.from_env(environ={**env, "GONGKAI_TASK_RETRIES": "many"})


def test_the_storage_version_is_written_once() -> None:
    """dbt's profile reads the version from the environment that Settings.env() fills."""
    profiles = (Settings.from_env().dbt_project_dir / "profiles.yml").read_text()
    assert "env_var('GONGKAI_STORAGE_VERSION')" in profiles
    assert STORAGE_VERSION not in profiles


def test_reprocess_selects_documents_by_the_parsed_report_year(settings: Settings) -> None:
    load_seed_reports(settings)
    assert rules.select_documents(settings, None, None) is None  # no filter: every document
    assert rules.select_documents(settings, [2018], None) == _ids(
        {("haishu", 2018), ("zhenhai-econ-coop", 2018), ("zhenhai-news-centre", 2018)}
    )
    assert rules.select_documents(settings, [2018], ["haishu"]) == _ids({("haishu", 2018)})
    assert rules.select_documents(settings, None, ["yinzhou-xianxiang"]) == _ids(
        {("yinzhou-xianxiang", 2017)}
    )
    assert rules.select_documents(settings, [2031], None) == []


def test_skip_rules_follow_the_published_marker(settings: Settings) -> None:
    assert rules.build_skip_reason(settings) == "staging holds no parsed report yet: nothing to build"
    load_seed_reports(settings)
    state = rules.parse_state(settings)
    assert state["parse_results"] == len(SEED_REPORTS)
    assert rules.build_skip_reason(settings) is None  # nothing published yet
    assert rules.build_skip_reason(settings, force=True) is None
    assert rules.staging_changed({"new": 0, "revised": 0}, {"parsed": 0}) is False
    assert rules.staging_changed({"new": 1}, {"parsed": 0}) is True
    assert rules.staging_changed({}, {"parsed": 2}) is True


def test_gate_results_are_classified_once() -> None:
    assert rules.validation_verdict({"success": True, "expectations": 9, "warnings": 1})[0] == "pass"
    verdict, message = rules.validation_verdict(
        {"success": False, "failures": [{"error": "duckdb: IO Error"}], "blocking_failed": 1}
    )
    assert verdict == "retry" and "IO Error" in message
    verdict, message = rules.validation_verdict(
        {"success": False, "failures": [{"suite": "marts"}], "blocking_failed": 2, "results_path": "r.json"}
    )
    assert verdict == "fail" and "blocking expectations failed: 2" in message
    assert rules.validation_from_dict(None) is None
    xcom = {
        "success": True,
        "blocking_failed": 0,
        "warnings": 0,
        "run_id": "x",
        "results_path": "r.json",
        "data_docs_path": "docs",
        "not_a_field": 1,  # an XCom from another version: ignored
    }
    rebuilt = rules.validation_from_dict(xcom)
    assert rebuilt is not None and rebuilt.run_id == "x" and rebuilt.success
    assert rules.validation_from_dict({"success": True}) is None  # incomplete: publish validates again


@pytest.mark.slow
def test_gongkai_run_writes_the_marker_and_then_skips_like_the_dags(settings: Settings) -> None:
    from gongkai.pipeline import run_pipeline

    load_seed_reports(settings)
    first = run_pipeline(settings, scrape=False)
    assert first.published and first.skipped is None, first.steps.get("build")
    assert rules.warehouse_current(settings)
    second = run_pipeline(settings, scrape=False)
    assert not second.published and second.ok
    assert second.skipped == "nothing new since the last publish: warehouse and serving copy unchanged"
    assert "build" not in second.steps


@pytest.mark.slow
def test_publish_marks_the_state_its_build_read_not_what_landed_since(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The publish DAG builds, gates and publishes while daily runs may parse more reports between
    its tasks (the pool serialises tasks, not DAG runs). The published marker must name what the build read; otherwise the next publish run
    would skip the reports parsed meanwhile and the served copy would miss them for good."""
    from gongkai.fixtures_loader import SEED_DIR, write_document
    from gongkai.orchestration import tasks
    from gongkai.parsing.step import parse_staged

    for key, value in settings.env().items():
        monkeypatch.setenv(key, value)
    first, last = SEED_REPORTS[:4], SEED_REPORTS[4]
    ids = [write_document(settings, s, (SEED_DIR / f"{s.stem}.txt").read_text(encoding="utf-8")) for s in first]
    parse_staged(settings, document_ids=ids)
    built_from = rules.parse_state(settings)
    built = tasks.build()
    assert built["parse_state"] == built_from and built_from["parse_results"] == 4
    validation = tasks.validate(built)
    # a daily run lands and parses one more report before the publish task gets the pool
    late = write_document(settings, last, (SEED_DIR / f"{last.stem}.txt").read_text(encoding="utf-8"))
    parse_staged(settings, document_ids=[late])
    published = tasks.publish(validation)
    assert published["published"]
    assert rules.warehouse_current(settings) is False  # the fifth report is not in the serving copy
    assert rules.build_skip_reason(settings) is None  # so the next publish run builds it


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        ("GONGKAI_FETCH_WORKERS", "0", "GONGKAI_FETCH_WORKERS='0' is out of range: it must be at least 1"),
        ("GONGKAI_REQUEST_INTERVAL", "-5", "GONGKAI_REQUEST_INTERVAL='-5' is out of range: it must be at least 0"),
        ("GONGKAI_REQUEST_DEADLINE_S", "0", "it must be more than 0"),
        ("GONGKAI_YOY_FACTOR", "0.5", "it must be more than 1"),
        ("GONGKAI_REQUEST_INTERVAL", "nan", "GONGKAI_REQUEST_INTERVAL='nan' is not a valid finite number"),
        ("GONGKAI_TASK_TIMEOUT_S", "inf", "is not a valid finite number"),
        ("GONGKAI_MAX_FETCH_ATTEMPTS", "2.5", "GONGKAI_MAX_FETCH_ATTEMPTS='2.5' is not a valid whole number"),
        ("GONGKAI_GATE_FULL", "ture", "GONGKAI_GATE_FULL='ture' is not a valid boolean"),
    ],
)
def test_a_setting_out_of_its_range_is_refused_by_name(variable: str, raw: str, message: str) -> None:
    """A value that parses but cannot work (no download worker, a negative wait, NaN, a misspelt
    boolean read as false) is a user error naming the variable, not a hang or a silent default."""
    with pytest.raises(SettingError) as raised:
        Settings.from_env(environ={variable: raw})
    assert message in str(raised.value)


def test_settings_at_their_limits_and_in_other_spellings_load() -> None:
    s = Settings.from_env(
        environ={
            "GONGKAI_REQUEST_INTERVAL": "0",
            "GONGKAI_TASK_RETRIES": "0",
            "GONGKAI_MAX_DOWNLOAD_BYTES": "1e6",
            "GONGKAI_GATE_FULL": "Off",
            "GONGKAI_INCLUDE_SYNTHETIC": " YES ",
        }
    )
    assert (s.request_interval, s.task_retries, s.max_download_bytes) == (0.0, 0, 1_000_000)
    assert (s.gate_full, s.include_synthetic) == (False, True)

"""The command line as a user meets it: a wrong argument or a busy data home is one line on stderr
and a non-zero exit, never a traceback; `--version` and `-h` work."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gongkai.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GONGKAI_HOME", str(tmp_path))
    for name in ("GONGKAI_STAGING_DB", "GONGKAI_WAREHOUSE_DB", "GONGKAI_SERVING_DIR", "GONGKAI_RAW_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_version_and_short_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--version"], capsys)
    assert code == 0 and out.startswith("gongkai, version ")
    code, out, _ = _run(["-h"], capsys)
    assert code == 0 and "Usage: gongkai" in out and "publish" in out
    code, out, _ = _run(["publish", "-h"], capsys)
    assert code == 0 and "Usage: gongkai publish" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nosuch"], "No such command 'nosuch'"),
        (["parse", "/nonexistent/report.txt"], "No such file or directory"),
        (["run", "--since", "2020-01-02", "--until", "2020-01-01"], "is not before --until"),
        (["run", "--since", "notadate"], "Invalid value for '--since'"),
        (["parse-staged", "--document-id", "nope"], "no staging database at"),
        (["replica", "--port", "99999"], "Invalid value for '--port': 99999 is not in the range 0<=x<=65535"),
        (["airflow", "up", "--port", "0"], "Invalid value for '--port': 0 is not in the range 1<=x<=65535"),
        (["publish", "--allow-shrink", ""], "--allow-shrink needs a reason"),
    ],
)
def test_user_errors_are_one_line(
    argv: list[str], message: str, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(argv, capsys)
    assert code == 2, (out, err)
    assert message in err and "Traceback" not in err
    assert out == ""
    error_lines = [line for line in err.splitlines() if "rror" in line]
    assert len(error_lines) == 1, err


def test_unknown_document_id_in_a_real_staging(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gongkai import staging

    with staging.connect(home / "staging.duckdb") as con:
        staging.ensure_schema(con)
    code, _, err = _run(["parse-staged", "--document-id", "nope", "--document-id", "nada"], capsys)
    assert code == 2 and err.strip().endswith("unknown document id(s) in " + str(home / "staging.duckdb") + ": nope, nada")


def test_second_writer_on_a_busy_home_gets_one_line(home: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from gongkai.home_lock import home_lock\n"
            "with home_lock(Path(sys.argv[1]), 'run'):\n    print('held', flush=True); time.sleep(60)",
            str(home),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "gongkai.cli", "publish"],
            env={**os.environ, "GONGKAI_HOME": str(home)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 3
        assert proc.stderr.startswith(f"gongkai: error: {home} is busy: `gongkai run` (pid {holder.pid})")
        assert len(proc.stderr.strip().splitlines()) == 1 and proc.stdout == ""
        assert time.monotonic() - started < 60  # refused at once, not after waiting
    finally:
        holder.kill()
        holder.wait()
    # the lock died with its holder: the next writer gets it
    from gongkai.home_lock import home_lock

    with home_lock(home, "publish"):
        pass


@pytest.mark.slow
def test_run_prints_pure_json_on_stdout(home: Path) -> None:
    """`gongkai run` is machine-readable: stdout is one JSON document; dbt's log goes to stderr."""
    import json

    proc = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "run", "--replica"],
        env={**os.environ, "GONGKAI_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    result = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert result["steps"]["scrape"]["new"] >= 5 and result["published"] is True
    assert "Running with dbt=" in proc.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GONGKAI_HOME", "/proc/gongkai-home", "cannot use /proc/gongkai-home: No such file or directory"),
        ("GONGKAI_HOME", "{file}", "cannot use {file}: a file is there, not a folder"),
        ("GONGKAI_STAGING_DB", "{folder}", 'IO Error: Could not read from file "{folder}": Is a directory'),
    ],
)
def test_a_data_path_that_cannot_be_used_is_one_line(
    variable: str, value: str, message: str, home: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A wrong path in the settings (a home under /proc, a file where a folder goes, a folder as the
    staging database) is one line naming it, exit 2: before, a traceback from deep inside."""
    (home / "file").write_text("")
    (home / "folder").mkdir()
    paths = {"file": str(home / "file"), "folder": str(home / "folder")}
    monkeypatch.setenv(variable, value.format(**paths))
    code, out, err = _run(["parse-staged"], capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip() == "gongkai: error: " + message.format(**paths)

"""Helpers for the gate tests: one real warehouse per session — the five seed reports plus one
made inconsistent (seed 001 with its 行政复议数量 changed from 9 to 11, so 9 ≠ 7 + 2 + 0), parsed by
the real parser and built by real dbt, validated and published once."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from gongkai.config import REPO_ROOT, Settings
from gongkai.publish import PublishResult
from gongkai.validate import ValidationResult

MISCOUNTED_LINE = 263  # 0-based line of 行政复议数量's value in seed 001


@dataclasses.dataclass
class GateWarehouse:
    settings: Settings
    validation: ValidationResult
    published: PublishResult
    miscounted_id: str

    def copy_to(self, home: Path) -> Settings:
        """A fresh home with copies of staging, the warehouse and the serving folder."""
        s = make_settings(home)
        shutil.copy(self.settings.staging_db, s.staging_db)
        shutil.copy(self.settings.warehouse_db, s.warehouse_db)
        shutil.rmtree(s.serving_dir)
        shutil.copytree(self.settings.serving_dir, s.serving_dir, symlinks=True)
        return s


def make_settings(home: Path) -> Settings:
    return Settings.at(home)


def miscounted_seed_text() -> str:
    from gongkai.fixtures_loader import SEED_DIR

    lines = (SEED_DIR / "001_ea52101856a8af1f.txt").read_text(encoding="utf-8").split("\n")
    assert lines[MISCOUNTED_LINE] == "\t9", "seed 001 changed: find 行政复议数量's value line again"
    lines[MISCOUNTED_LINE] = "\t11"
    return "\n".join(lines)


_BUILD = """
import json, sys
from gongkai.build import dbt_build
from gongkai.config import Settings
s = Settings.from_env(sys.argv[1])
r = dbt_build(s)
print(json.dumps({"success": r.success, "failures": r.failures[:5], "mode": r.mode, "damage": r.damage,
                  "set_aside": r.set_aside}))
"""


def dbt_build_in_child(settings: Settings) -> dict:
    """``dbt_build`` in a child process: in pytest's process ``import dbt`` can resolve to the
    ``tests/dbt`` test package (``tests/`` is on sys.path), so dbt runs where it cannot."""
    proc = subprocess.run(
        [sys.executable, "-c", _BUILD, str(settings.home)],
        cwd=REPO_ROOT,
        env={**os.environ, **settings.env()},
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert proc.returncode == 0 and lines, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(lines[-1])


def build_gate_warehouse(home: Path) -> GateWarehouse:
    from gongkai.fixtures_loader import SeedReport, load_seed_reports, write_document
    from gongkai.parsing.step import parse_staged
    from gongkai.publish import publish
    from gongkai.validate import run_validation

    settings = make_settings(home)
    load_seed_reports(settings, parse=False)
    miscounted = SeedReport(
        "001_reviews_miscounted", "haishu", "宁波市海曙区人民政府", "haishu", date(2019, 2, 1), 2018, "G1"
    )
    miscounted_id = write_document(settings, miscounted, miscounted_seed_text())
    parse_staged(settings)
    build = dbt_build_in_child(settings)
    assert build["success"], build["failures"]
    validation = run_validation(settings)
    return GateWarehouse(settings, validation, publish(settings, validation=validation), miscounted_id)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

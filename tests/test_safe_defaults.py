"""The local Airflow is private by default: the UI listens on 127.0.0.1 only, login is required
(one admin with a generated password kept 0600), and the JWT secret is random per home."""

from __future__ import annotations

import stat
from pathlib import Path

from gongkai.config import Settings
from gongkai.orchestration.local import AirflowSetup, component_args


def test_local_airflow_is_private_by_default(tmp_path: Path) -> None:
    setup = AirflowSetup(home=tmp_path / "af", settings=Settings.at(tmp_path / "data"))
    args = component_args("api-server", setup)
    assert args[args.index("--host") + 1] == "127.0.0.1"
    env = setup.env()
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] == "False"
    password = setup.admin_password()
    assert len(password) >= 20 and setup.admin_password() == password  # generated once, then kept
    assert stat.S_IMODE(setup.password_file.stat().st_mode) == 0o600
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == str(setup.password_file)
    other = AirflowSetup(home=tmp_path / "af2", settings=setup.settings)
    assert other.env()["AIRFLOW__API_AUTH__JWT_SECRET"] != env["AIRFLOW__API_AUTH__JWT_SECRET"]
    assert setup.env()["AIRFLOW__API_AUTH__JWT_SECRET"] == env["AIRFLOW__API_AUTH__JWT_SECRET"]
    exposed = AirflowSetup(home=tmp_path / "af", settings=setup.settings, host="0.0.0.0")
    assert "0.0.0.0" in component_args("api-server", exposed)

"""The production topology, checked statically (no Docker engine here): docker-compose.yml is valid
against the vendored Compose Specification schema and has the agreed services and wiring."""

from __future__ import annotations

import json
import re

import jsonschema
import yaml

from gongkai.config import REPO_ROOT

SCHEMA = REPO_ROOT / "deploy" / "compose-spec" / "compose-spec.json"


def _compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_file_matches_the_compose_specification() -> None:
    jsonschema.validate(_compose(), json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_a_broken_compose_file_is_rejected() -> None:
    """The check can fail: an unknown service key is refused by the schema."""
    doc = _compose()
    doc["services"]["redis"]["restart_policy"] = "always"
    try:
        jsonschema.validate(doc, json.loads(SCHEMA.read_text(encoding="utf-8")))
    except jsonschema.ValidationError as exc:
        assert "restart_policy" in str(exc)
    else:
        raise AssertionError("schema accepted an unknown service key")


def test_topology() -> None:
    doc = _compose()
    services = doc["services"]
    assert set(services) >= {
        "postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
        "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "replica", "superset",
    }  # fmt: skip
    commands = {name: services[name].get("command") for name in services if name.startswith("airflow-")}
    assert commands["airflow-scheduler"] == "scheduler" and commands["airflow-worker"] == "celery worker"
    env = services["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    # one JWT secret and Fernet key for every component, from .env; no literal secrets
    for name in ("airflow-apiserver", "airflow-scheduler", "airflow-worker", "airflow-dag-processor"):
        e = services[name]["environment"]
        assert e["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${AIRFLOW_JWT_SECRET")
        assert e["AIRFLOW__CORE__FERNET_KEY"].startswith("${AIRFLOW_FERNET_KEY")
    assert "gongkai_duckdb 1" in "\n".join(services["airflow-init"]["command"])
    assert services["replica"]["profiles"] == ["replica"]
    assert "gongkai-serving:/serving:ro" in services["superset"]["volumes"]
    assert {"gongkai-raw", "gongkai-serving"} <= set(doc["volumes"])
    # the image installs the project from its lock file, with extraction tools
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "uv sync --frozen" in dockerfile and "antiword" in dockerfile and "poppler-utils" in dockerfile


def test_env_example_documents_every_variable_compose_requires() -> None:
    text = (REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^(\w+)=", example, re.M))
    assert required and required <= documented
    assert all(
        "CHANGE-ME" in line
        for line in example.splitlines()
        if re.match(r"^\w*(PASSWORD|SECRET|KEY)\w*=", line)
    )


def _init_secret_check() -> str:
    """The part of airflow-init's script that runs before anything else: the secret check, with
    Compose's ``$$`` escapes undone as Compose would."""
    script = _compose()["services"]["airflow-init"]["command"][1]
    return script.split("airflow db migrate")[0].replace("$$", "$")


def test_init_refuses_placeholder_secrets() -> None:
    import subprocess

    good = {
        "AIRFLOW__CORE__FERNET_KEY": "k" * 44,
        "AIRFLOW__API_AUTH__JWT_SECRET": "s" * 32,
        "ADMIN_PASSWORD": "a-real-password",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://airflow:pw@postgres/airflow",
        "PATH": "/usr/bin:/bin",
    }
    ok = subprocess.run(["bash", "-c", _init_secret_check()], env=good, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    for name, bad in (
        ("ADMIN_PASSWORD", "CHANGE-ME-admin-password"),
        ("AIRFLOW__CORE__FERNET_KEY", ""),
        ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg2://airflow:CHANGE-ME@postgres/airflow"),
    ):
        proc = subprocess.run(
            ["bash", "-c", _init_secret_check()], env={**good, name: bad}, capture_output=True, text=True
        )
        assert proc.returncode == 1
        assert proc.stderr.strip() == (
            f"airflow-init: {name} is empty or a CHANGE-ME placeholder: set a real secret in .env"
        )
    # .env.example holds only placeholders for secrets, so copying it unchanged cannot start
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    assert "AIRFLOW_ADMIN_PASSWORD=CHANGE-ME" in example


def test_safe_network_and_volume_defaults() -> None:
    services = _compose()["services"]
    for name in ("airflow-apiserver", "superset"):
        for port in services[name]["ports"]:
            assert port.startswith("${GONGKAI_BIND_ADDRESS:-127.0.0.1}:"), port
    script = services["airflow-init"]["command"][1]
    assert 'chown -R "${AIRFLOW_UID:-50000}:0" /data /raw /serving /opt/airflow' in script
    assert "${GONGKAI_PROJ_DIR:-.}/dags:/opt/gongkai/dags" in services["airflow-scheduler"]["volumes"]
    ignored = (REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".venv", ".data", ".git"} <= set(ignored)

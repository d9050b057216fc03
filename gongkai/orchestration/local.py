"""Start a local Airflow for these DAGs: environment, one-time metadata setup, components as
process groups, and a small REST client (``/api/v2``, JWT from the simple auth manager).

Everything is configured through ``AIRFLOW__…`` environment variables (no airflow.cfg). Used by
``gongkai airflow up``, :func:`gongkai.orchestration.embedded.run_daily_once` and the tests."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from gongkai.config import REPO_ROOT, Settings
from gongkai.orchestration.resources import WAREHOUSE_POOL

DAGS_FOLDER = REPO_ROOT / "dags"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer", "celery-worker")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def airflow_bin() -> str:
    candidate = Path(sys.executable).parent / "airflow"
    return str(candidate) if candidate.exists() else "airflow"


@dataclass
class AirflowSetup:
    """Where a local Airflow keeps its state and how its components find each other."""

    home: Path
    settings: Settings
    sql_alchemy_conn: str | None = None  # default: SQLite in ``home``
    executor: str = "LocalExecutor"
    api_port: int = 8080
    broker_url: str | None = None  # Celery (redis://…)
    result_backend: str | None = None  # Celery (db+postgresql://…)
    extra_env: dict[str, str] = field(default_factory=dict)
    # The api-server listens here only; set "0.0.0.0" deliberately to expose the UI to a network.
    host: str = "127.0.0.1"
    # Simple auth manager: one user ``admin`` with a generated password (``password_file``);
    # ``all_admins`` turns login off (every visitor an admin) and is never the default.
    all_admins: bool = False

    @property
    def conn(self) -> str:
        return self.sql_alchemy_conn or f"sqlite:///{self.home / 'airflow.db'}"

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.api_port}"

    @property
    def password_file(self) -> Path:
        return self.home / "simple_auth_manager_passwords.json.generated"

    def _secret(self, name: str) -> str:
        """A random secret kept in ``home`` (0600), created on first use."""
        path = self.home / f".{name}"
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        self.home.mkdir(parents=True, exist_ok=True)
        value = secrets.token_hex(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(value)
        return value

    def admin_password(self) -> str:
        """The ``admin`` user's password, generated once per AIRFLOW_HOME (file mode 0600)."""
        if self.password_file.exists():
            stored = json.loads(self.password_file.read_text() or "{}")
            if stored.get("admin"):
                return str(stored["admin"])
        self.home.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(18)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(json.dumps({"admin": password}) + "\n")
        return password

    def env(self) -> dict[str, str]:
        """The full environment for an Airflow process (inherits ours, minus foreign AIRFLOW vars)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_HOME"))}
        secret = self._secret("jwt_secret")
        env.update(self.settings.env())
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__EXECUTOR": self.executor,
                "AIRFLOW__CORE__DEFAULT_TIMEZONE": "UTC",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.conn,
                "AIRFLOW__DATABASE__CHECK_MIGRATIONS": "False",
                "AIRFLOW__API__PORT": str(self.api_port),
                "AIRFLOW__API__BASE_URL": self.base_url,
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
                "AIRFLOW__API_AUTH__JWT_SECRET": secret,
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": str(self.all_admins),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.password_file),
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
                "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "600",
                "AIRFLOW__CORE__PARALLELISM": "4",
                "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
                "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p),
            }
        )
        if self.broker_url:
            env["AIRFLOW__CELERY__BROKER_URL"] = self.broker_url
        if self.result_backend:
            env["AIRFLOW__CELERY__RESULT_BACKEND"] = self.result_backend
        env.update(self.extra_env)
        return env


def airflow_cli(setup: AirflowSetup, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run one ``airflow …`` CLI command; raise with its output on failure."""
    proc = subprocess.run(
        [airflow_bin(), *args], env=setup.env(), capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"airflow {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


def prepare_metadata(setup: AirflowSetup) -> bool:
    """``airflow db migrate`` and the 1-slot DuckDB pool, once per (home, database, Airflow
    version). Returns whether anything had to be done."""
    import airflow

    setup.home.mkdir(parents=True, exist_ok=True)
    marker = setup.home / ".gongkai-prepared"
    stamp = json.dumps({"conn": setup.conn, "airflow": airflow.__version__, "pool": WAREHOUSE_POOL})
    if marker.exists() and marker.read_text() == stamp:
        return False
    airflow_cli(setup, "db", "migrate")
    airflow_cli(
        setup, "pools", "set", WAREHOUSE_POOL, "1", "DuckDB single writer: staging and warehouse writers"
    )
    marker.write_text(stamp)
    return True


def component_args(name: str, setup: AirflowSetup) -> list[str]:
    if name == "api-server":
        return ["api-server", "--port", str(setup.api_port), "--host", setup.host, "--workers", "1"]
    if name == "celery-worker":
        return ["celery", "worker", "--concurrency", "2"]
    return [name]


@dataclass
class LocalAirflow:
    """Running Airflow components (each in its own process group) plus a REST client."""

    setup: AirflowSetup
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _token: str | None = None

    @property
    def log_dir(self) -> Path:
        return self.setup.home / "component-logs"

    def start(
        self, components: tuple[str, ...] = ("api-server", "scheduler", "dag-processor")
    ) -> LocalAirflow:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if not self.setup.all_admins:
            self.setup.admin_password()  # written before the api-server would generate its own
        env = self.setup.env()
        for name in components:
            out = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (owned by the process)
            self.processes[name] = subprocess.Popen(
                [airflow_bin(), *component_args(name, self.setup)],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM every component's process group, then SIGKILL what is left."""
        for proc in self.processes.values():
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(proc, signal.SIGKILL)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.processes.clear()

    def __enter__(self) -> LocalAirflow:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def logs(self, name: str, tail: int = 4000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise RuntimeError(f"airflow {name} exited with {proc.returncode}:\n{self.logs(name)}")

    # --- REST API ---------------------------------------------------------------------------
    def wait_healthy(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                r = requests.get(f"{self.setup.base_url}/api/v2/monitor/health", timeout=5)
                if r.ok:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"api-server not healthy after {timeout}s:\n{self.logs('api-server')}")
            time.sleep(1)

    def token(self) -> str:
        if self._token is None:
            if self.setup.all_admins:
                r = requests.get(f"{self.setup.base_url}/auth/token", timeout=30)
            else:
                login = {"username": "admin", "password": self.setup.admin_password()}
                r = requests.post(f"{self.setup.base_url}/auth/token", json=login, timeout=30)
            r.raise_for_status()
            self._token = r.json()["access_token"]
        return self._token

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        r = requests.request(
            method,
            f"{self.setup.base_url}/api/v2{path}",
            headers={"Authorization": f"Bearer {self.token()}"},
            timeout=60,
            **kwargs,
        )
        if not r.ok:
            raise RuntimeError(f"{method} {path} → {r.status_code}: {r.text[:2000]}")
        return r.json() if r.content else None

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        """Wait until the dag-processor has parsed ``dag_id``, then unpause it."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                self.api("GET", f"/dags/{dag_id}")
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    errors = self.api("GET", "/importErrors")
                    raise TimeoutError(
                        f"{dag_id} not parsed after {timeout}s; import errors: {errors}"
                    ) from None
                time.sleep(2)
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(
        self, dag_id: str, conf: dict[str, Any] | None = None, logical_date: str | None = None
    ) -> str:
        body = {"conf": conf or {}, "logical_date": logical_date}
        return str(self.api("POST", f"/dags/{dag_id}/dagRuns", json=body)["dag_run_id"])

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 600) -> str:
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            state = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"]
            if state in ("success", "failed"):
                return str(state)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} {run_id} still {state} after {timeout}s")
            time.sleep(2)

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        tis = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 1000})
        out: dict[str, str] = {}
        for ti in tis["task_instances"]:
            key = ti["task_id"] if ti.get("map_index", -1) == -1 else f"{ti['task_id']}[{ti['map_index']}]"
            out[key] = str(ti["state"])
        return out


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass

"""Superset for the dashboards test: its own venv from ``deploy/superset/requirements.lock`` (cached
outside the repo, reused while the lock is unchanged), a metadata DB and a server on a free port."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from gongkai.config import REPO_ROOT

SUPERSET_DIR = REPO_ROOT / "deploy" / "superset"
LOCK = SUPERSET_DIR / "requirements.lock"
CACHE = Path(os.environ.get("GONGKAI_SUPERSET_CACHE", Path.home() / ".cache" / "gongkai"))
ADMIN = ("admin", "admin-test-password")


def venv_path() -> Path:
    """Where the venv of this lock lives (the lock's hash in the name: a new lock, a new venv)."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:12]
    return CACHE / f"superset-venv-{digest}"


def ensure_venv() -> tuple[Path, float | None]:
    """The Superset venv, installed when missing; returns it and the install time in seconds
    (None when it was already there)."""
    venv = venv_path()
    done = venv / ".gongkai-installed"
    if done.exists():
        return venv, None
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    uv = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    if Path(uv).exists():
        subprocess.run([uv, "venv", "--quiet", "--python", "3.11", str(venv)], check=True)
        env = {**os.environ, "VIRTUAL_ENV": str(venv)}
        subprocess.run([uv, "pip", "install", "--quiet", "-r", str(LOCK)], check=True, env=env)
    else:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", str(LOCK)], check=True)
    seconds = round(time.perf_counter() - started, 1)
    done.write_text(json.dumps({"install_seconds": seconds}))
    return venv, seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Superset:
    venv: Path
    home: Path
    url: str
    process: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SUPERSET_CONFIG_PATH": str(SUPERSET_DIR / "superset_config.py"),
            "SUPERSET_SECRET_KEY": "gongkai-test-secret-key-0123456789abcdef",
            "SUPERSET_METADATA_URI": f"sqlite:///{self.home / 'superset.db'}",
            "SUPERSET_HOME": str(self.home),
            "FLASK_APP": "superset",
            "PATH": f"{self.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.venv / "bin" / "superset"), *args], env=self.env, capture_output=True, text=True
        )

    def python(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.venv / "bin" / "python"), *args], env=self.env, capture_output=True, text=True,
            timeout=timeout,
        )

    def start(self, log: Path) -> None:
        self.process = subprocess.Popen(
            [str(self.venv / "bin" / "gunicorn"), "--bind", self.url.removeprefix("http://"), "--workers", "1",
             "--threads", "4", "--timeout", "300", "superset.app:create_app()"],
            env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"superset exited: {log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/health", timeout=30).ok:
                    return
            except requests.RequestException:  # not listening yet, or still loading the app
                pass
            time.sleep(1)
        self.stop()  # never leave a server behind
        raise RuntimeError(f"superset did not answer within 600 s: {log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def session(self) -> requests.Session:
        """An API session with a JWT of the admin user."""
        s = requests.Session()
        r = s.post(f"{self.url}/api/v1/security/login",
                   json={"username": ADMIN[0], "password": ADMIN[1], "provider": "db", "refresh": False},
                   timeout=60)
        r.raise_for_status()
        s.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        return s

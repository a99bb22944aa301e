"""`vocflow serve` as a real process on a temporary SQLite file: answers, fires timers, stops."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, VOCFLOW_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
                VOCFLOW_POLL_INTERVAL="0.2", PYTHONPATH=str(REPO))


def _cli(tmp_path: Path, *args: str) -> object:
    done = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "api.cli", "--json", *args], cwd=tmp_path, env=_env(tmp_path),
        capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _serve(tmp_path: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    with open(tmp_path / "serve.log", "wb") as log:  # the child keeps its own copy
        return subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), *extra],
            cwd=tmp_path, env=_env(tmp_path), stdout=log, stderr=subprocess.STDOUT)


def _wait_until_up(base: str, server: subprocess.Popen[bytes], tmp_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, (tmp_path / "serve.log").read_text(errors="replace")
        try:
            if requests.get(f"{base}/engine-rest/version", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("vocflow serve did not answer within 30 s")


def _stop(server: subprocess.Popen[bytes], tmp_path: Path) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        raise
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert code == 0, log
    assert "Traceback" not in log, log


def test_serve_answers_and_stops_cleanly(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(tmp_path, port, "--no-worker")
    try:
        _wait_until_up(base, server, tmp_path)
        version = requests.get(f"{base}/engine-rest/version", timeout=5)
        assert version.json()["version"].startswith("7.")
        spec = requests.get(f"{base}/api/v1/openapi.json", timeout=5)
        assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.")
        assert "/api/v1/files" in spec.json()["paths"]
        assert requests.get(f"{base}/api/v1/instances", timeout=5).status_code == 401
    finally:
        _stop(server, tmp_path)
    assert (tmp_path / "var" / "secret_key").exists()  # created once, in the working dir


def test_serve_with_its_worker_fires_a_due_timer(tmp_path):
    _cli(tmp_path, "deploy", str(REPO / "tests" / "fixtures" / "timer_date.bpmn"))
    # Far enough ahead that deploy + start (two CLI processes) finish first on a busy machine.
    fire_at = (datetime.now(UTC) + timedelta(seconds=20)).isoformat()
    started = _cli(tmp_path, "start", "timer_date", "--var", f"fire_at={fire_at}")
    assert started["status"] == "running"  # waits on the timer
    port = _free_port()
    server = _serve(tmp_path, port)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", server, tmp_path)
        deadline = time.monotonic() + 90
        status = "running"
        while time.monotonic() < deadline and status != "completed":
            time.sleep(0.5)
            status = _cli(tmp_path, "show", started["id"])["status"]
        assert status == "completed"
        assert _cli(tmp_path, "show", started["id"])["variables"]["fired"] is True
    finally:
        _stop(server, tmp_path)

"""Long polling against a real `vocflow serve` (uvicorn), on SQLite and on PostgreSQL.

The server runs with --threads 2: every waiting fetchAndLock beyond two would starve it if
a waiting request held a thread.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "Qiuyue-7-plum-river"
AUTH = ("ops1", PASSWORD)
pytestmark = [pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_database(create: bool = True) -> str:
    """A database of its own for the served PostgreSQL run (created, or dropped)."""
    url = make_url(PG_URL).set(database=f"{make_url(PG_URL).database}_serve")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            if create:
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    except Exception as exc:  # noqa: BLE001 - no server: skip, visibly
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")
    finally:
        admin.dispose()
    return url.render_as_string(hide_password=False)


class Served:
    def __init__(self, base: str, env: dict[str, str], cwd: Path) -> None:
        self.base, self.env, self.cwd = base, env, cwd

    def cli(self, *args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=self.cwd,  # noqa: S603
                              env=self.env, capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.returncode == 0, done.stderr

    def start(self, key: str, business_key: str) -> str:
        answer = requests.post(f"{self.base}/process-definition/key/{key}/start", auth=AUTH,
                               json={"businessKey": business_key}, timeout=30)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["id"])

    def fetch(self, business_key: str, wait_ms: int, key: str | None = None,
              lock_ms: int = 60000) -> tuple[float, list[dict[str, object]]]:
        topic: dict[str, object] = {"topicName": "js-check", "lockDuration": lock_ms,
                                    "businessKey": business_key}
        if key:
            topic["processDefinitionKey"] = key
        began = time.monotonic()
        answer = requests.post(f"{self.base}/external-task/fetchAndLock", auth=AUTH,
                               timeout=wait_ms / 1000 + 30, json={
                                   "workerId": "poller", "maxTasks": 1,
                                   "asyncResponseTimeout": wait_ms, "topics": [topic]})
        assert answer.status_code == 200, answer.text
        return time.monotonic() - began, answer.json()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(request, tmp_path_factory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp(f"poll-{request.param}")
    url = f"sqlite:///{tmp / 'serve.db'}" if request.param == "sqlite" else _pg_database()
    env = dict(os.environ, VOCFLOW_DATABASE_URL=url, PYTHONPATH=str(REPO))
    port = _free_port()
    served = Served(f"http://127.0.0.1:{port}/engine-rest", env, tmp)
    served.cli("users", "add", "ops1", "--password", PASSWORD, "--group", "ops",
               "--group", "designer", "--group", "worker")
    with open(tmp / "serve.log", "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--no-worker",
             "--threads", "2"], cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(served.base, process, tmp)
        files = {n: (n, (FIXTURES / n).read_bytes()) for n in ("js_flow.bpmn", "js_other.bpmn")}
        deployed = requests.post(f"{served.base}/deployment/create", files=files, auth=AUTH,
                                 timeout=30)
        assert deployed.status_code == 200, deployed.text
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)
        if request.param == "postgresql":
            _pg_database(create=False)
        log_text = (tmp / "serve.log").read_text(errors="replace")
        assert "Traceback" not in log_text, log_text


def _wait_until_up(base: str, process: subprocess.Popen[bytes], tmp: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp / "serve.log").read_text(errors="replace")
        try:
            if requests.get(f"{base}/version", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("vocflow serve did not answer within 60 s")


def _in_thread(target, *args) -> tuple[threading.Thread, dict[str, object]]:
    result: dict[str, object] = {}

    def run() -> None:
        result["answer"] = target(*args)
        result["at"] = time.monotonic()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def test_a_task_started_by_another_process_is_returned_well_before_the_timeout(served):
    waiting, result = _in_thread(served.fetch, "BK-other-process", 120000)
    time.sleep(1.0)
    served.cli("start", "js_flow", "--business-key", "BK-other-process", "--user", "ops1")
    committed = time.monotonic()  # the CLI process committed before it exited
    waiting.join(timeout=150)
    took, tasks = result["answer"]  # type: ignore[misc]
    assert [t["businessKey"] for t in tasks] == ["BK-other-process"]
    # PostgreSQL: NOTIFY wakes it at once; SQLite: the -wal watch within a tenth of a second
    # (the CLI needs seconds to start on a loaded machine: its exit bounds the commit time)
    assert float(result["at"]) - committed < 2.0 and took < 100  # type: ignore[arg-type]


def test_the_timeout_is_honoured(served):
    took, tasks = served.fetch("BK-nothing", 1500)
    assert tasks == []
    assert 1.4 <= took < 4.0


def test_fifty_waiting_clients_hold_no_thread(served):
    waiters = [_in_thread(served.fetch, f"BK-idle-{n}", 8000) for n in range(50)]
    time.sleep(2.0)  # all fifty are waiting on a server with two request threads
    for path in ("/version", "/process-definition?key=js_flow", "/external-task/count"):
        began = time.monotonic()
        answer = requests.get(f"{served.base}{path}", auth=AUTH, timeout=10)
        assert answer.status_code == 200, answer.text
        assert time.monotonic() - began < 1.0, path
    mine, result = _in_thread(served.fetch, "BK-busy", 8000)
    time.sleep(0.3)
    served.start("js_flow", "BK-busy")
    started = time.monotonic()
    mine.join(timeout=20)
    assert len(result["answer"][1]) == 1  # type: ignore[index,arg-type]
    assert float(result["at"]) - started < 1.0  # type: ignore[arg-type]
    for thread, idle in waiters:
        thread.join(timeout=30)
        assert idle["answer"][1] == []  # type: ignore[index]


def test_a_key_filtered_subscription_never_gets_another_process_task(served):
    waiting, result = _in_thread(served.fetch, "BK-filter", 6000, "js_flow")
    time.sleep(0.5)
    served.start("js_other", "BK-filter")  # same topic, same business key, other process
    time.sleep(1.0)
    assert "answer" not in result  # still waiting: the other process's task is not its own
    mine = served.start("js_flow", "BK-filter")
    started = time.monotonic()
    waiting.join(timeout=20)
    tasks = result["answer"][1]  # type: ignore[index]
    assert [(t["processInstanceId"], t["processDefinitionKey"]) for t in tasks] == [
        (mine, "js_flow")]
    assert float(result["at"]) - started < 1.0  # type: ignore[arg-type]


def _hang_up_while_waiting(served: Served, business_key: str) -> None:
    """A raw HTTP client that sends a long poll and closes its socket while it waits."""
    host, port = served.base.split("//")[1].split("/")[0].split(":")
    body = json.dumps({"workerId": "ghost", "maxTasks": 1, "asyncResponseTimeout": 60000,
                       "topics": [{"topicName": "js-check", "lockDuration": 600000,
                                   "businessKey": business_key}]}).encode()
    auth = requests.auth._basic_auth_str(*AUTH)
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(b"POST /engine-rest/external-task/fetchAndLock HTTP/1.1\r\n"
                     b"Host: x\r\nContent-Type: application/json\r\n"
                     + f"Authorization: {auth}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                     + body)
        time.sleep(0.5)  # it waits now


def test_a_client_that_hangs_up_leaves_no_waiter_behind(served):
    """A leaked waiter would wake on the start and lock the task for ten minutes."""
    for _ in range(5):
        _hang_up_while_waiting(served, "BK-ghost")
    time.sleep(0.5)
    instance = served.start("js_flow", "BK-ghost")
    time.sleep(1.0)  # a ghost would have locked it by now
    [task] = requests.get(f"{served.base}/external-task?processInstanceId={instance}",
                          auth=AUTH, timeout=10).json()
    assert task["workerId"] is None and task["lockExpirationTime"] is None
    took, tasks = served.fetch("BK-ghost", 5000)
    assert [t["processInstanceId"] for t in tasks] == [instance] and took < 1.0

"""camunda-external-task-client-js (npm, run with node) against a real `vocflow serve`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
WORKER = HERE / "js" / "worker.mjs"
PASSWORD = "Qiuyue-7-plum-river"  # passes the password rule of `vocflow users add`

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("node") is None
                       or not (REPO / "node_modules" / "camunda-external-task-client-js").is_dir(),
                       reason="node or camunda-external-task-client-js missing: npm ci"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """`vocflow serve` on a fresh SQLite file, with an ops user and the two diagrams."""
    tmp = tmp_path_factory.mktemp("js")
    env = dict(os.environ, VOCFLOW_DATABASE_URL=f"sqlite:///{tmp / 'serve.db'}",
               PYTHONPATH=str(REPO))
    cli = [sys.executable, "-m", "api.cli"]
    subprocess.run([*cli, "users", "add", "ops1", "--password", PASSWORD,  # noqa: S603
                    "--group", "ops", "--group", "designer", "--group", "worker"],
                   cwd=tmp, env=env, check=True, capture_output=True, timeout=60)
    port = _free_port()
    with open(tmp / "serve.log", "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [*cli, "serve", "--port", str(port), "--no-worker", "--threads", "8"],
            cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/engine-rest"
    try:
        _wait_until_up(base, process, tmp)
        files = {n: (n, (HERE / "fixtures" / n).read_bytes())
                 for n in ("js_flow.bpmn", "js_other.bpmn")}
        deployed = requests.post(f"{base}/deployment/create", files=files,
                                 auth=("ops1", PASSWORD), timeout=30)
        assert deployed.status_code == 200, deployed.text
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(base: str, process: subprocess.Popen[bytes], tmp: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, (tmp / "serve.log").read_text(errors="replace")
        try:
            if requests.get(f"{base}/version", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("vocflow serve did not answer within 30 s")


def _start(base: str, key: str, business_key: str) -> str:
    started = requests.post(f"{base}/process-definition/key/{key}/start",
                            json={"businessKey": business_key}, auth=("ops1", PASSWORD),
                            timeout=30)
    assert started.status_code == 200, started.text
    return str(started.json()["id"])


def _node(base: str, **options: object) -> subprocess.Popen[str]:
    payload = {"baseUrl": base, "username": "ops1", "password": PASSWORD,
               "topic": "js-check", **options}
    return subprocess.Popen(["node", str(WORKER), json.dumps(payload)],  # noqa: S603,S607
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _events(worker: subprocess.Popen[str]) -> list[dict[str, object]]:
    out, err = worker.communicate(timeout=60)
    assert worker.returncode == 0, err
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _sub(business_key: str, key_field: str = "processDefinitionKey") -> dict[str, object]:
    """A subscription to js_flow tasks of one business key (each test its own instances)."""
    return {key_field: ["js_flow"] if key_field.endswith("In") else "js_flow",
            "businessKey": business_key}


def _get(base: str, path: str) -> object:
    answer = requests.get(f"{base}{path}", auth=("ops1", PASSWORD), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _task_keys(base: str, instance_id: str) -> list[object]:
    tasks = _get(base, f"/task?processInstanceId={instance_id}")
    return [t["taskDefinitionKey"] for t in tasks]  # type: ignore[index,union-attr]


def test_complete(server):
    instance = _start(server, "js_flow", "BK-complete")
    [event] = _events(_node(server, action="complete",
                            subscription=_sub("BK-complete")))
    assert event["processInstanceId"] == instance and event["retries"] is None
    assert "business_key" not in event["variables"] and "initiator" not in event["variables"]
    assert _task_keys(server, instance) == ["Task_After"]


def test_failure_with_retries_then_incident(server):
    instance = _start(server, "js_flow", "BK-fail")
    [first] = _events(_node(server, action="failure", retries=1,
                            subscription=_sub("BK-fail")))
    assert first["processInstanceId"] == instance
    [task] = _get(server, f"/external-task?processInstanceId={instance}")  # type: ignore[misc]
    assert task["retries"] == 1 and task["errorMessage"] == "checker down"
    details = requests.get(f"{server}/external-task/{task['id']}/errorDetails",
                           auth=("ops1", PASSWORD), timeout=30)
    assert details.text == "stack: line 1"
    [second] = _events(_node(server, action="failure", retries=0,
                             subscription=_sub("BK-fail")))
    assert second.get("id") == task["id"] and second["retries"] == 1, second
    incidents = _get(server, f"/incident?processInstanceId={instance}")
    assert [i["incidentType"] for i in incidents] == ["failedExternalTask"]  # type: ignore


def test_bpmn_error_reaches_the_boundary(server):
    instance = _start(server, "js_flow", "BK-error")
    [event] = _events(_node(server, action="bpmnError",
                            subscription=_sub("BK-error")))
    assert event["processInstanceId"] == instance
    assert _task_keys(server, instance) == ["Task_Fix"]
    values = _get(server, f"/process-instance/{instance}/variables")
    assert values["reason"]["value"] == "材料不全"  # type: ignore[index]
    assert _get(server, f"/external-task?processInstanceId={instance}") == []


def test_long_polling_returns_a_task_created_during_the_wait(server):
    launched = time.monotonic()
    worker = _node(server, action="complete", asyncResponseTimeout=20000, seconds=25,
                   subscription=_sub("BK-poll"))
    time.sleep(3.0)  # node is up and waiting inside one fetchAndLock request
    instance = _start(server, "js_flow", "BK-poll")
    created = time.monotonic() - launched
    [event] = _events(worker)
    assert event["processInstanceId"] == instance
    reached = float(event["afterMs"]) / 1000 - created  # type: ignore[arg-type]
    # node starts ~0.1-0.3 s after Popen, so this overstates the delay a little
    assert reached < 1.0, f"the waiting worker got the task {reached:.2f} s after its start"


def test_a_key_filtered_subscription_never_gets_another_process_task(server):
    other = _start(server, "js_other", "BK-key")
    idle = _events(_node(server, action="complete", asyncResponseTimeout=1000, seconds=3,
                         subscription=_sub("BK-key")))
    assert [e["event"] for e in idle] == ["timeout"]
    mine = _start(server, "js_flow", "BK-key")
    [event] = _events(_node(server, action="complete",
                            subscription=_sub("BK-key", "processDefinitionKeyIn")))
    assert event["processInstanceId"] == mine and event["processDefinitionKey"] == "js_flow"
    assert [t["processInstanceId"] for t in _get(  # type: ignore[index,union-attr]
        server, "/external-task?processDefinitionKey=js_other")] == [other]


def test_long_poll_answers_within_100_ms_of_the_start(server):
    """The waiting request is answered as soon as the start commits (median of 5)."""
    delays = []
    for n in range(5):
        answer: dict[str, object] = {}

        def wait(key: str = f"BK-latency-{n}", answer: dict[str, object] = answer) -> None:
            response = requests.post(f"{server}/external-task/fetchAndLock", timeout=30,
                                     auth=("ops1", PASSWORD), json={
                                         "workerId": "latency", "maxTasks": 1,
                                         "asyncResponseTimeout": 10000, "topics": [{
                                             "topicName": "js-check", "lockDuration": 5000,
                                             "businessKey": key}]})
            answer.update(at=time.monotonic(), tasks=response.json())

        waiter = threading.Thread(target=wait)
        waiter.start()
        time.sleep(0.5)  # the request is now waiting
        _start(server, "js_flow", f"BK-latency-{n}")
        started = time.monotonic()
        waiter.join(timeout=15)
        assert len(answer["tasks"]) == 1  # type: ignore[arg-type]
        delays.append(float(answer["at"]) - started)  # type: ignore[arg-type]
    median = statistics.median(delays)
    print(f"long polling: median {median * 1000:.0f} ms from start to answer, "
          f"max {max(delays) * 1000:.0f} ms")
    assert median < 0.1

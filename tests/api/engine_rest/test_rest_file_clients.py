"""File variables with real Camunda clients against a real `vocflow serve`: the JS external
task client's File values, the Python external task client, pycamunda's binary variables."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pycamunda.processinst
import pycamunda.task
import pytest
import requests

from tests.api.engine_rest.test_rest_js_client import _free_port, _wait_until_up

with warnings.catch_warnings():  # the client's pydantic v1-style validators warn on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from camunda.external_task.external_task_worker import ExternalTaskWorker

REPO = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
PASSWORD = "Qiuyue-7-plum-river"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
LIMIT = 65536

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """`vocflow serve` on a fresh SQLite file and file store; ops1 (ops, worker, staff), unit9."""
    tmp = tmp_path_factory.mktemp("files")
    env = dict(os.environ, VOCFLOW_DATABASE_URL=f"sqlite:///{tmp / 'serve.db'}",
               VOCFLOW_FILE_DIR=str(tmp / "store"), VOCFLOW_MAX_FILE_BYTES=str(LIMIT),
               PYTHONPATH=str(REPO))
    cli = [sys.executable, "-m", "api.cli"]
    for name, groups in (("ops1", ("ops", "designer", "worker", "staff")), ("unit9", ("unit:u9",))):
        subprocess.run([*cli, "users", "add", name, "--password", PASSWORD,  # noqa: S603
                        *[a for g in groups for a in ("--group", g)]],
                       cwd=tmp, env=env, check=True, capture_output=True, timeout=60)
    port = _free_port()
    with open(tmp / "serve.log", "wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [*cli, "serve", "--port", str(port), "--no-worker", "--threads", "4"],
            cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/engine-rest"
    try:
        _wait_until_up(base, process, tmp)
        bpmn = (HERE / "fixtures" / "js_flow.bpmn").read_bytes()
        deployed = requests.post(f"{base}/deployment/create", auth=("ops1", PASSWORD),
                                 files={"js_flow.bpmn": ("js_flow.bpmn", bpmn)}, timeout=30)
        assert deployed.status_code == 200, deployed.text
        yield base, tmp
    finally:
        process.terminate()
        process.wait(timeout=30)


def _start(base: str, business_key: str, **variables: object) -> str:
    started = requests.post(f"{base}/process-definition/key/js_flow/start",
                            json={"businessKey": business_key, "variables": variables},
                            auth=("ops1", PASSWORD), timeout=30)
    assert started.status_code == 200, started.text
    return str(started.json()["id"])


def _file(content: bytes, name: str, mime: str) -> dict[str, object]:
    return {"type": "File", "value": base64.b64encode(content).decode(),
            "valueInfo": {"filename": name, "mimeType": mime}}


def _human_task(base: str, instance: str) -> str:
    tasks = requests.get(f"{base}/task?processInstanceId={instance}",
                         auth=("ops1", PASSWORD), timeout=30).json()
    assert [t["taskDefinitionKey"] for t in tasks] == ["Task_After"], tasks
    return str(tasks[0]["id"])


@pytest.mark.skipif(shutil.which("node") is None
                    or not (REPO / "node_modules" / "camunda-external-task-client-js").is_dir(),
                    reason="node or camunda-external-task-client-js missing: npm ci")
def test_js_client_loads_a_file_variable_and_completes_with_one(server, tmp_path):
    base, _tmp = server
    instance = _start(base, "BK-js-file", plan=_file(PDF, "方案.pdf", "application/pdf"))
    report = tmp_path / "report.txt"
    report.write_bytes("核对通过\n".encode())
    options = {"baseUrl": base, "username": "ops1", "password": PASSWORD,
               "topic": "js-check", "businessKey": "BK-js-file", "fileName": "plan",
               "reportPath": str(report)}
    worker = subprocess.run(["node", str(HERE / "js" / "file_worker.mjs"),  # noqa: S603,S607
                             json.dumps(options)], cwd=REPO, capture_output=True, text=True,
                            timeout=60)
    assert worker.returncode == 0, worker.stderr
    [event] = [json.loads(line) for line in worker.stdout.splitlines() if line.startswith("{")]
    assert event["event"] == "task", event
    assert event["typed"] == {"filename": "方案.pdf", "mimeType": "application/pdf"}
    assert base64.b64decode(event["content"]) == PDF
    task_id = _human_task(base, instance)
    got = requests.get(f"{base}/task/{task_id}/variables/report/data",
                       auth=("ops1", PASSWORD), timeout=30)
    assert got.content == report.read_bytes()
    assert got.headers["Content-Type"] == "text/plain; charset=utf-8"
    typed = requests.get(f"{base}/process-instance/{instance}/variables/report",
                         auth=("ops1", PASSWORD), timeout=30).json()
    assert typed["valueInfo"] == {"filename": "report.txt", "mimeType": "text/plain",
                                  "encoding": "utf-8"}


def test_python_client_completes_with_a_file_and_pycamunda_reads_and_writes_data(server):
    base, tmp = server
    instance = _start(base, "BK-py-file")
    worker = ExternalTaskWorker(worker_id="py-file", base_url=base, config={
        "auth_basic": {"username": "ops1", "password": PASSWORD}, "maxTasks": 1,
        "lockDuration": 10000, "asyncResponseTimeout": 0, "sleepSeconds": 0,
        "retries": 1, "retryTimeout": 100})
    seen: list[str] = []

    def handle(task):
        seen.append(task.get_process_instance_id())
        return task.complete({"scan": _file(PDF, "scan.pdf", "application/pdf")})

    worker.fetch_and_execute("js-check", handle)
    assert seen == [instance]
    auth = requests.auth.HTTPBasicAuth("ops1", PASSWORD)
    read = pycamunda.processinst.VariablesGet(base, instance, "scan", binary=True)
    read.auth = auth
    assert read() == PDF
    typed = pycamunda.processinst.VariablesGet(base, instance, "scan")
    typed.auth = auth
    variable = typed()
    assert variable.type_ == "File" and variable.value is None
    assert variable.value_info["filename"] == "scan.pdf"
    task_id = _human_task(base, instance)
    write = pycamunda.task.LocalVariablesUpdate(base, task_id, "evidence",
                                                value=("证据.pdf", PDF, "application/pdf"),
                                                type_="File")
    write.auth = auth
    write()
    local = pycamunda.task.LocalVariablesGet(base, task_id, "evidence", binary=True)
    local.auth = auth
    assert local() == PDF
    through_task = requests.get(f"{base}/task/{task_id}/variables/evidence/data", auth=auth,
                                timeout=30)
    assert through_task.content == PDF
    sha = hashlib.sha256(PDF).hexdigest()
    assert (tmp / "store" / sha[:2] / sha).read_bytes() == PDF  # in the store, by content


def test_another_units_user_reads_no_file_and_oversize_is_refused(server):
    base, _tmp = server
    instance = _start(base, "BK-scope", plan=_file(PDF, "方案.pdf", "application/pdf"))
    outsider = requests.get(f"{base}/process-instance/{instance}/variables/plan/data",
                            auth=("unit9", PASSWORD), timeout=30)
    assert outsider.status_code == 404 and PDF not in outsider.content
    big = requests.post(f"{base}/process-instance/{instance}/variables/big/data",
                        auth=("ops1", PASSWORD), timeout=30,
                        files={"data": ("big.bin", b"\0" * (LIMIT + 1))},
                        data={"valueType": "File"})
    assert big.status_code == 400 and str(LIMIT) in big.json()["message"], big.text
    gone = requests.delete(f"{base}/process-instance/{instance}", auth=("ops1", PASSWORD),
                           timeout=30)  # its external task would reach the other tests
    assert gone.status_code == 204

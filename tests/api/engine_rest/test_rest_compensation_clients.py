"""Compensation with public Camunda 7 clients on a real HTTP server: pycamunda deploys,
starts and completes, the Python external-task client runs the compensation handlers."""

from __future__ import annotations

import warnings
from typing import Any

import pycamunda.deployment
import pycamunda.processdef
import pycamunda.task
import pytest
import requests

from tests.factories import FIXTURES

with warnings.catch_warnings():  # the client's pydantic v1-style validators warn on import
    warnings.simplefilter("ignore", DeprecationWarning)
    from camunda.external_task.external_task_worker import (
        ExternalTaskWorker,
        NoExternalTaskFound,
    )

pytestmark = pytest.mark.committed_db
PASSWORD = "s3cret-pass"


def _auth(request: Any, username: str) -> Any:
    request.auth = requests.auth.HTTPBasicAuth(username, PASSWORD)
    return request


def test_a_cancelled_transaction_runs_its_handlers_through_camunda_clients(server_url, user):
    user("comp_designer", "designer", "ops", "worker")
    create = _auth(pycamunda.deployment.Create(server_url, name="tx", source="pycamunda",
                                               enable_duplicate_filtering=True), "comp_designer")
    with open(FIXTURES / "compat_compensation_tx.bpmn", "rb") as bpmn_file:
        create.add_resource(bpmn_file)
        create()
    start = _auth(pycamunda.processdef.StartInstance(server_url, key="compat_compensation_tx"),
                  "comp_designer")
    instance = start()
    [task] = _auth(pycamunda.task.GetList(server_url, process_instance_id=instance.id_),
                   "comp_designer")()
    assert task.task_definition_key == "Task_Confirm"
    complete = _auth(pycamunda.task.Complete(server_url, id_=task.id_), "comp_designer")
    complete.add_variable("confirmed", False, type_="Boolean")
    complete()
    worker = ExternalTaskWorker(worker_id="undo-worker", base_url=server_url, config={
        "auth_basic": {"username": "comp_designer", "password": PASSWORD},
        "maxTasks": 5, "lockDuration": 10000, "asyncResponseTimeout": 0,
        "sleepSeconds": 0, "retries": 1, "retryTimeout": 100})
    undone: list[str] = []

    def undo(external: Any) -> Any:
        undone.append(external.get_activity_id())
        return external.complete({})

    worker.fetch_and_execute("undo.book", undo)
    worker.fetch_and_execute("undo.book", undo)
    with pytest.raises(NoExternalTaskFound):
        worker.fetch_and_execute("undo.book", undo)
    assert undone == ["Undo_Book", "Undo_Book"]  # one per instance, one after the other
    history = requests.get(f"{server_url}/history/process-instance/{instance.id_}",
                           auth=("comp_designer", PASSWORD), timeout=10).json()
    assert history["state"] == "COMPLETED"
    outcome = requests.get(f"{server_url}/history/variable-instance", timeout=10,
                           params={"processInstanceId": instance.id_,
                                   "variableName": "outcome"},
                           auth=("comp_designer", PASSWORD)).json()
    assert [v["value"] for v in outcome] == ["cancelled"]
